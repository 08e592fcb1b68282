"""The category viewer's measures and the simulated client's schedule, without a database."""

from __future__ import annotations

from feed.evaluation.category_viewer import coarse_categories, interactions_to_adapt
from feed.evaluation.client_policy import LOAD_MORE_WHEN_LEFT, PAGE_SIZE, SimulatedClient, Watch


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

    def fetch(cursor: str | None) -> tuple[list[int], str | None]:
        fetched_after.append(sum(len(batch) for batch in sent))
        return pages[cursor]

    client = SimulatedClient(fetch=fetch, send=sent.append)
    shown = []
    while (card := client.next_card()) is not None:
        shown.append(card)
        client.watched(Watch(1.0, [{"video_id": card}]))
    client.flush()

    assert shown == [*range(PAGE_SIZE), *range(100, 106)]  # 5 and 6 were already shown
    # The second page was asked for when LOAD_MORE_WHEN_LEFT cards were left, before the
    # events of the cards still on screen were sent (4 s flush interval, 1 s per card).
    assert len(fetched_after) == 2
    assert fetched_after[1] < PAGE_SIZE - LOAD_MORE_WHEN_LEFT + 1
    assert sum(len(batch) for batch in sent) == len(shown)
