"""The category viewer's measures and the simulated client's schedule, without a database."""

from __future__ import annotations

from feed.evaluation.category_viewer import (
    coarse_categories,
    interactions_to_adapt,
    viewer_rng,
)
from feed.evaluation.client_policy import (
    FAST_SKIP_RUN,
    KEEP_QUEUED,
    LOAD_MORE_WHEN_LEFT,
    PAGE_SIZE,
    SimulatedClient,
    Watch,
)


def test_adaptation_counts_cards_before_the_first_window_half_in_the_interest() -> None:
    # Ten misses, then hits from card 10 on: the window starting at 5 has 5 hits.
    stream = [False] * 10 + [True] * 10
    assert interactions_to_adapt(stream, cap=100) == 5
    assert interactions_to_adapt([True] * 10, cap=100) == 0
    assert interactions_to_adapt([False] * 30, cap=100) == 100  # never: censored
    assert interactions_to_adapt([True] * 4, cap=100) == 100  # no complete window


def test_each_item_gets_its_first_tag_as_category() -> None:
    names, of_item = coarse_categories([("Dogs", "cute"), ("Food",), (), ("Dogs",)])
    assert names[0] == "Dogs"
    assert [names[c] if c >= 0 else None for c in of_item] == ["Dogs", "Food", None, "Dogs"]


def test_the_client_prefetches_with_the_events_sent_so_far_and_never_repeats_a_card() -> None:
    pages = {None: (list(range(PAGE_SIZE)), "p2"), "p2": ([5, 6, *range(100, 106)], None)}
    fetched_after: list[int] = []
    sent: list[list[dict]] = []

    def fetch(cursor: str | None, release: list[int]) -> tuple[list[int], str | None]:
        assert release == []  # no strong signal: no re-plan
        fetched_after.append(sum(len(batch) for batch in sent))
        return pages[cursor]

    client = SimulatedClient(fetch=fetch, send=sent.append)
    shown = []
    while (card := client.next_card()) is not None:
        shown.append(card)
        client.watched(Watch(1.0, [{"video_id": card, "type": "play", "watch_ms": 1000}]))
    client.flush()

    assert shown == [*range(PAGE_SIZE), *range(100, 106)]  # 5 and 6 were already shown
    # The second page was asked for when LOAD_MORE_WHEN_LEFT cards were left, before the
    # events of the cards still on screen were sent (4 s flush interval, 1 s per card).
    assert len(fetched_after) == 2
    assert fetched_after[1] < PAGE_SIZE - LOAD_MORE_WHEN_LEFT + 1
    assert sum(len(batch) for batch in sent) == len(shown)


def _pages_client(sent: list[list[dict]], calls: list[tuple[str | None, list[int]]]):  # noqa: ANN202
    """A client over numbered pages: page n holds n*100 .. n*100 + PAGE_SIZE - 1."""

    def fetch(cursor: str | None, release: list[int]) -> tuple[list[int], str | None]:
        calls.append((cursor, list(release)))
        number = len(calls)
        return list(range(number * 100, number * 100 + PAGE_SIZE)), f"c{number}"

    return SimulatedClient(fetch=fetch, send=sent.append)


def test_a_like_sends_the_events_and_replaces_the_unwatched_tail() -> None:
    sent: list[list[dict]] = []
    calls: list[tuple[str | None, list[int]]] = []
    client = _pages_client(sent, calls)
    first = client.next_card()
    client.watched(Watch(0.5, [{"video_id": first, "type": "like", "watch_ms": 0}]))

    # The like went out before the continuation was asked for, naming the dropped cards.
    assert sent == [[{"video_id": first, "type": "like", "watch_ms": 0}]]
    kept = list(range(101, 101 + KEEP_QUEUED))
    assert calls[1] == ("c1", list(range(101 + KEEP_QUEUED, 100 + PAGE_SIZE)))
    assert client.queue == kept + list(range(200, 200 + PAGE_SIZE))
    assert [client.next_card() for _ in range(KEEP_QUEUED + 1)] == [*kept, 200]
    assert client.replans == 1


def test_a_run_of_fast_skips_replans_and_a_slow_skip_breaks_the_run() -> None:
    sent: list[list[dict]] = []
    calls: list[tuple[str | None, list[int]]] = []
    client = _pages_client(sent, calls)

    def skip(ms: int) -> None:
        card = client.next_card()
        client.watched(Watch(ms / 1000, [{"video_id": card, "type": "skip", "watch_ms": ms}]))

    for _ in range(FAST_SKIP_RUN - 1):
        skip(500)
    skip(5000)  # watched for a while: not a rejection
    for _ in range(FAST_SKIP_RUN - 1):
        skip(500)
    assert client.replans == 0
    skip(500)
    assert client.replans == 1
    assert sum(len(batch) for batch in sent) == 2 * FAST_SKIP_RUN  # all sent before re-planning


def test_the_policy_without_replanning_never_releases() -> None:
    calls: list[tuple[str | None, list[int]]] = []
    client = _pages_client([], calls)
    client.replan = False
    for _ in range(2 * PAGE_SIZE):
        card = client.next_card()
        client.watched(Watch(30.0, [{"video_id": card, "type": "finish", "watch_ms": 30000}]))
    assert client.replans == 0 and all(release == [] for _, release in calls)


def test_each_simulated_viewer_draws_from_a_stream_of_their_own() -> None:
    # The same viewer gets the same stream in every run, whatever the others drew...
    again = viewer_rng(3, "cold", 5).random(4).tolist()
    assert viewer_rng(3, "cold", 5).random(4).tolist() == again
    # ...and every viewer (warm or cold, by index) and every seed a different one.
    streams = {
        tuple(viewer_rng(3, kind, i).random(4)) for kind in ("warm", "cold") for i in range(4)
    }
    assert len(streams) == 8
    assert viewer_rng(4, "cold", 5).random() != viewer_rng(3, "cold", 5).random()


def test_viewers_the_feed_ran_out_of_cards_for_are_not_counted_as_never_adapted() -> None:
    # Without a measuring window after the switch a viewer tells nothing of adaptation: the
    # figures are null, not "censored at 100", and the warm page keys are there, null.
    from feed.evaluation.category_viewer import _change_summary

    assert _change_summary([]) == {
        "warm_page_change_after_like": None,
        "warm_page_flipped_to_liked": None,
        "warm_liked_category_share_before": None,
        "warm_liked_category_share_after": None,
    }
