"""A For You page's exploration picks (pure numpy): fresh videos by Thompson sampling, trending,
other categories' top videos (the interest arms) and the most different of the nearest, then
spread through the personal picks. `feed.page_plan` calls it for the page's exploration slots."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from feed import ranking
from feed.page_model import BURIED_SCORE, CandidateFacts


def exploration_picks(
    *,
    facts: CandidateFacts,
    members: dict[int, set[str]],
    nearest: Sequence[int],
    trending: Sequence[int],
    arms: Sequence[int],
    rejecting: bool,
    extra: Sequence[int] = (),
    score: np.ndarray,
    taken: set[int],
    slots: int,
    creator_counts: dict[int, int],
    max_per_creator: int,
    rng: np.random.Generator,
    duplicate_cosine: float | None = None,
) -> list[tuple[int, str]]:
    """Exploration picks: fresh videos by Thompson sampling on completion (half the slots,
    at least one), then alternately the top trending video and another category's top video
    (the arms, in the session's prior order), or the most different video among the nearest
    when no arm is left. On each of those turns the best-scoring registered extra candidate
    (`feed.exploration`) competes with the turn's video (trending's or the arm's): the higher
    score takes the slot, as "explore". A rejecting session takes the arms first, for every slot.

    With `duplicate_cosine`, no pick is that close to a video already on the page (`taken`):
    its slot goes to the next candidate, or is left to the page's fill, which takes a near copy
    only when nothing else is left (`feed.ranking.mmr_select`)."""
    ids = facts.ids
    chosen: list[tuple[int, str]] = []
    position = {video_id: i for i, video_id in enumerate(ids)}
    arm_queue = [position[v] for v in arms if v in position]
    extra_pool = [position[v] for v in extra if v in position]

    vectors = facts.vectors
    checked = duplicate_cosine is not None and vectors.shape[1] > 0
    # Each candidate's highest cosine to what is on the page so far.
    closest = np.full(len(ids), -np.inf)
    if checked and taken:
        closest = (vectors @ vectors[sorted(taken)].T).max(axis=1)

    def allowed(index: int) -> bool:
        return (
            index not in taken
            and creator_counts.get(facts.owners[index], 0) < max_per_creator
            and not (checked and closest[index] >= duplicate_cosine)
        )

    def take(index: int, kind: str) -> None:
        nonlocal closest
        taken.add(index)
        if checked:
            closest = np.maximum(closest, vectors @ vectors[index])
        creator_counts[facts.owners[index]] = creator_counts.get(facts.owners[index], 0) + 1
        chosen.append((index, kind))

    if rejecting:
        for index in arm_queue:
            if len(chosen) >= slots:
                return chosen
            if allowed(index) and score[index] > BURIED_SCORE:
                take(index, "explore")
    fresh = [
        i
        for i, video_id in enumerate(ids)
        if "fresh" in members[video_id] and score[i] > BURIED_SCORE
    ]
    if fresh:
        draws = ranking.thompson_sample(
            facts.finishes[fresh], np.maximum(facts.impressions, facts.plays)[fresh], rng
        )
        for j in np.argsort(-draws):
            if len(chosen) >= max(1, slots // 2):
                break
            if allowed(fresh[j]):
                take(fresh[j], "fresh")
    trending_queue = [position[v] for v in trending if v in position]
    diverse_pool = [position[v] for v in nearest if v in position]
    turn = 0
    while len(chosen) < slots:
        progress = False
        for kind in ("trending", "explore") if turn % 2 == 0 else ("explore", "trending"):
            if len(chosen) >= slots:
                break
            if kind == "trending":
                candidate = next(
                    (i for i in trending_queue if allowed(i) and score[i] > BURIED_SCORE), None
                )
            else:
                candidate = next(
                    (i for i in arm_queue if allowed(i) and score[i] > BURIED_SCORE), None
                )
            challenger = _best_extra(extra_pool, allowed, score)
            if challenger is not None and (
                candidate is None or score[challenger] > score[candidate]
            ):
                candidate, kind = challenger, "explore"
            if candidate is None and kind == "explore":
                candidate = _most_different(facts.vectors, diverse_pool, taken, allowed, score)
            if candidate is not None:
                take(candidate, kind)
                progress = True
        turn += 1
        if not progress:
            break
    return chosen


def _best_extra(pool, allowed, score):  # noqa: ANN001, ANN202
    options = [i for i in pool if allowed(i) and score[i] > BURIED_SCORE]
    return max(options, key=lambda i: score[i]) if options else None


def _most_different(vectors, pool, taken, allowed, score):  # noqa: ANN001, ANN202
    options = [i for i in pool if allowed(i) and score[i] > BURIED_SCORE]
    if not options:
        return None
    if not taken:
        return options[0]
    on_page = vectors[sorted(taken)]
    closeness = (vectors[options] @ on_page.T).max(axis=1)
    return options[int(np.argmin(closeness))]


def interleave(personal: list[int], explored: list[int], limit: int) -> list[int]:
    """Personal picks in order with exploration items spread evenly through the page."""
    total = min(limit, len(personal) + len(explored))
    slots = {int((k + 1) * total / (len(explored) + 1)) for k in range(len(explored))}
    result: list[int] = []
    personal_iter, explored_iter = iter(personal), iter(explored)
    for index in range(total):
        source = explored_iter if index in slots else personal_iter
        item = next(source, None)
        if item is None:
            item = next(personal_iter if source is explored_iter else explored_iter, None)
        if item is not None:
            result.append(item)
    return result
