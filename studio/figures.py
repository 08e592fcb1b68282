"""The dashboard's small maths (pure: no Django): date ranges, the previous period, rates and
changes, and the retention curve from summed histograms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tiktok.errors import InvalidInput

DEFAULT_RANGE_DAYS = 28


@dataclass(frozen=True)
class DateRange:
    first: dt.date  # inclusive
    last: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> DateRange:
        """The period of equal length that ends the day before this one starts."""
        last = self.first - dt.timedelta(days=1)
        return DateRange(first=last - dt.timedelta(days=self.days - 1), last=last)

    def each_day(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range(self.days)]


def _date(raw: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        message = f"{name} must be a date as YYYY-MM-DD"
        raise InvalidInput(message, code=f"invalid_{name}", fields={name: [message]}) from exc


def date_range_parse(
    *, from_raw: str | None, to_raw: str | None, today: dt.date, retain_days: int
) -> DateRange:
    """The inclusive range asked for (by default the DEFAULT_RANGE_DAYS days up to today);
    InvalidInput naming the field or the limit when it is malformed, reversed, in the future,
    longer than the retained window or starting before it (the period before a range must
    still be kept: daily rows are kept for twice the window)."""
    last = _date(to_raw, "to") if to_raw else today
    if from_raw:
        first = _date(from_raw, "from")
    elif last - dt.date.min < dt.timedelta(days=DEFAULT_RANGE_DAYS - 1):
        message = f"to must not be before {dt.date.min + dt.timedelta(days=DEFAULT_RANGE_DAYS)}"
        raise InvalidInput(message, code="invalid_range", fields={"to": [message]})
    else:
        first = last - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if first > last:
        message = "from must not be after to"
        raise InvalidInput(message, code="invalid_range", fields={"from": [message]})
    if last > today:
        message = f"to must not be after today ({today.isoformat()})"
        raise InvalidInput(message, code="invalid_range", fields={"to": [message]})
    days = (last - first).days + 1
    if days > retain_days:
        message = (
            f"the range is {days} days; at most {retain_days} days (STUDIO_RETAIN_DAYS) are kept"
        )
        raise InvalidInput(message, code="range_too_long", fields={"from": [message]})
    oldest = oldest_day(today=today, retain_days=retain_days)
    if first < oldest:
        message = (
            f"from must not be before {oldest.isoformat()}: at most {retain_days} days "
            "(STUDIO_RETAIN_DAYS) are kept"
        )
        raise InvalidInput(message, code="range_too_old", fields={"from": [message]})
    return DateRange(first=first, last=last)


def oldest_day(*, today: dt.date, retain_days: int) -> dt.date:
    """The first day a range may start on: the period of equal length before it is then
    within the daily rows kept (twice the window)."""
    return today - dt.timedelta(days=retain_days)


def rate(numerator: int, denominator: int) -> float | None:
    """A share in [0, 1], or None when nothing was counted."""
    if not denominator:
        return None
    return round(min(1.0, numerator / denominator), 4)


def average(total: int, count: int) -> int | None:
    if not count:
        return None
    return round(total / count)


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change from the previous period (0.25 = +25 %), None without a base. Its sign
    is the direction of the change also for a measure that can be negative (net followers:
    -10 -> +10 is +200 %, not -200 %)."""
    if current is None or not previous:
        return None
    return round((current - previous) / abs(previous), 4)


def histograms_sum(histograms: Iterable[Sequence[int]]) -> list[int]:
    """Element-wise sum of retention histograms (they may differ in length when the video's
    duration was learned late)."""
    total: list[int] = []
    for histogram in histograms:
        if len(histogram) > len(total):
            total.extend([0] * (len(histogram) - len(total)))
        for second, count in enumerate(histogram):
            total[second] += count
    return total


def retention_curve(histogram: Sequence[int]) -> list[float]:
    """Share of watch reports still watching at each second: curve[s] is the share whose
    watch lasted at least s seconds (curve[0] is 1.0; empty without reports)."""
    reports = sum(histogram)
    if not reports:
        return []
    curve: list[float] = []
    remaining = reports
    for count in histogram:
        curve.append(round(remaining / reports, 4))
        remaining -= count
    return curve
