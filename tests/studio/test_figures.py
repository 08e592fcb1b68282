"""The dashboard's pure maths: ranges, the previous period, changes, retention curves."""

from __future__ import annotations

import datetime as dt

import pytest

from studio.figures import (
    DateRange,
    change,
    date_range_parse,
    histograms_sum,
    retention_curve,
)
from tiktok.errors import InvalidInput

TODAY = dt.date(2026, 5, 20)


def test_default_range_is_the_last_28_days():
    period = date_range_parse(from_raw=None, to_raw=None, today=TODAY, retain_days=90)
    assert (period.first, period.last, period.days) == (dt.date(2026, 4, 23), TODAY, 28)


def test_previous_period_has_the_same_length_and_ends_the_day_before():
    period = DateRange(first=dt.date(2026, 5, 1), last=dt.date(2026, 5, 10))
    assert period.previous() == DateRange(first=dt.date(2026, 4, 21), last=dt.date(2026, 4, 30))


def test_a_range_longer_than_the_retained_window_names_the_limit():
    with pytest.raises(InvalidInput) as caught:
        date_range_parse(from_raw="2026-01-01", to_raw="2026-05-20", today=TODAY, retain_days=90)
    assert caught.value.code == "range_too_long"
    assert "90 days" in caught.value.message and "STUDIO_RETAIN_DAYS" in caught.value.message


def test_a_range_starts_within_the_window_so_its_previous_period_is_still_kept():
    # Daily rows are kept for twice the window (the beat prunes older ones): a range starting
    # further back than the window would be compared with a pruned period, as a huge rise.
    with pytest.raises(InvalidInput) as caught:
        date_range_parse(from_raw="2026-01-01", to_raw="2026-01-28", today=TODAY, retain_days=90)
    assert caught.value.code == "range_too_old" and "from" in caught.value.fields
    assert "2026-02-19" in caught.value.message  # 90 days before today
    oldest = date_range_parse(
        from_raw="2026-02-19", to_raw="2026-05-19", today=TODAY, retain_days=90
    )
    assert oldest.days == 90
    assert oldest.previous().first >= TODAY - dt.timedelta(days=2 * 90)  # the prune's cutoff


def test_malformed_reversed_and_future_ranges_name_the_field():
    cases = [
        ({"from_raw": "yesterday", "to_raw": None}, "from"),
        ({"from_raw": None, "to_raw": "2026-13-01"}, "to"),
        ({"from_raw": "2026-05-10", "to_raw": "2026-05-01"}, "from"),
        ({"from_raw": None, "to_raw": "2026-05-21"}, "to"),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidInput) as caught:
            date_range_parse(**kwargs, today=TODAY, retain_days=90)
        assert field in caught.value.fields, kwargs


def test_change_is_relative_and_none_without_a_base():
    assert change(15, 10) == 0.5
    assert change(5, 10) == -0.5
    assert change(3, 0) is None
    # net followers can be negative: the sign stays the direction of the change
    assert change(10, -10) == 2.0
    assert change(-20, -10) == -1.0
    assert change(None, 4) is None


def test_retention_curve_is_the_share_still_watching_at_each_second():
    # reports ended in second 0, 2, 2, 3 (the end of a 3-second video)
    assert retention_curve([1, 0, 2, 1]) == [1.0, 0.75, 0.75, 0.25]
    assert retention_curve([0, 0]) == []


def test_histograms_of_different_lengths_add_up():
    assert histograms_sum([[1, 2], [0, 1, 5], []]) == [1, 3, 5]
