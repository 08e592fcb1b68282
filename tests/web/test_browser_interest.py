"""The feed follows a change of interest in a real browser: a viewer who skips one kind of video
and finishes another soon sees mostly the second; a like re-plans the queued tail without
interrupting the playing video, and the next videos are still buffering ahead."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest

from tests.web.conftest import SEED_PASSWORD, SEED_USERNAME_PREFIX, log_in
from tests.web.helpers import (
    WAIT_TIMEOUT_MS,
    active_video_id,
    tap_slide_action,
    wait_feed_advanced,
    wait_feed_playing,
)

# No django_db: the copies must be committed for the live server (another process) to see them.
pytestmark = [pytest.mark.browser]

COPIES_PER_KIND = 16
NOISE = 0.35  # copies of one kind: cosine ~0.9 to each other, never near-duplicates (0.97)


@dataclass
class Kinds:
    skipped: set[int]
    finished: set[int]


def _copies(source, owners, tag, rng, count: int) -> list[int]:  # noqa: ANN001
    """Ready public videos playing `source`'s media, each with its vector plus noise, tagged,
    each by its own creator (a page shows at most two videos of one creator)."""
    from tagging.models import TagSource, VideoTag
    from videos.models import Video, VideoEmbedding, VideoStatus

    embedding = source.embeddings.get()
    base = np.asarray(embedding.embedding, dtype=np.float32)
    ids = []
    for i in range(count):
        video = Video.objects.create(
            owner=owners[i],
            caption=f"{source.caption} (take {i})",
            privacy="public",
            status=VideoStatus.READY,
            content_hash=hashlib.sha256(f"kind-copy-{source.pk}-{i}".encode()).hexdigest(),
            duration_s=source.duration_s,
            width=source.width,
            height=source.height,
            has_audio=source.has_audio,
            mp4=source.mp4.name,
            hls_playlist=source.hls_playlist.name,
            poster=source.poster.name,
            published_at=source.published_at,
        )
        noise = rng.normal(size=base.shape).astype(np.float32)
        vector = base / np.linalg.norm(base) + NOISE * noise / np.linalg.norm(noise)
        VideoEmbedding.objects.create(
            video=video,
            embedding_version=embedding.embedding_version,
            dim=embedding.dim,
            embedding=(vector / np.linalg.norm(vector)).tolist(),
            missing=[],
        )
        VideoTag.objects.create(video=video, tag=tag, score=1.0, rank=0, source=TagSource.CREATOR)
        ids.append(video.pk)
    return ids


@pytest.fixture
def kinds(web_seed, django_db_blocker) -> Iterator[Kinds]:  # noqa: ANN001
    """Two kinds of video, committed for the live server: the two seeded scenes whose vectors are
    furthest apart, and COPIES_PER_KIND copies of each in a category of their own."""
    from profiles.models import User
    from tagging.models import Tag, TagCategory
    from videos.models import Video
    from videos.services.videos import video_delete

    with django_db_blocker.unblock():
        scenes = [v for name, v in web_seed.videos.items() if name != "hostile"]
        vectors = np.stack([np.asarray(v.embeddings.get().embedding) for v in scenes])
        similarity = vectors @ vectors.T
        a, b = np.unravel_index(np.argmin(similarity), similarity.shape)
        owners = [
            User.objects.create_user(username=f"{SEED_USERNAME_PREFIX}kinds_{i}")
            for i in range(2 * COPIES_PER_KIND)
        ]
        rng = np.random.default_rng(7)
        made = []
        for n, (name, source) in enumerate((("skipped", scenes[a]), ("finished", scenes[b]))):
            category = TagCategory.objects.create(slug=f"kind-{name}", name=f"Kind {name}")
            tag = Tag.objects.create(slug=f"kind-{name}", name=f"Kind {name}", category=category)
            mine = owners[n * COPIES_PER_KIND : (n + 1) * COPIES_PER_KIND]
            # The seeded video the copies were made from is of the same kind.
            made.append({source.pk, *_copies(source, mine, tag, rng, COPIES_PER_KIND)})
        yield Kinds(skipped=made[0], finished=made[1])
        # The copies' own media prefixes are empty: deleting them leaves the sources' files.
        # One at a time through the service, which waits for a watch event the page is still
        # storing (a bulk delete failed on its foreign key).
        for video in Video.objects.filter(owner__in=owners):
            video_delete(video=video)
        User.objects.filter(pk__in=[o.pk for o in owners]).delete()
        Tag.objects.filter(slug__startswith="kind-").delete()
        TagCategory.objects.filter(slug__startswith="kind-").delete()


def _completions(page) -> int:  # noqa: ANN001
    return page.evaluate("() => window.reelsFeed.completions()")


def _watch(page, kinds: Kinds, steps: int) -> tuple[list[int], list[str]]:  # noqa: ANN001
    """Swipe through `steps` videos: finish the second kind (wait for its first loop and the
    re-plan it asks for), skip everything else at once. Returns the ids shown, in order, and
    why each was picked (its reason kind)."""
    shown, why = [], []
    for _ in range(steps):
        index = page.evaluate("() => window.reelsFeed.active")
        wait_feed_playing(page, index)
        video_id = active_video_id(page)
        shown.append(video_id)
        why.append(page.evaluate("(i) => window.reelsFeed.kinds()[i]", index))
        if video_id in kinds.finished:
            page.wait_for_function(
                "() => window.reelsFeed.completions() >= 1", timeout=WAIT_TIMEOUT_MS
            )
            # The finish asked for a re-plan; the viewer swipes on once it has landed, as a
            # viewer does a beat after a video ends (racing it would make what is shown next
            # depend on how fast this machine answers, not on what the feed decided).
            page.wait_for_function("() => !window.reelsFeed.busy", timeout=WAIT_TIMEOUT_MS)
        page.keyboard.press("j")
        wait_feed_advanced(page, index)
    return shown, why


def test_skipping_one_kind_and_finishing_another_fills_the_feed_with_the_second(
    kinds: Kinds,
    mobile_page,  # noqa: ANN001 - after `kinds`: the page closes before the copies go
) -> None:
    mobile_page.goto("/")
    wait_feed_playing(mobile_page, 0)
    shown, why = _watch(mobile_page, kinds, 14)

    kind = ["F" if v in kinds.finished else "S" if v in kinds.skipped else "-" for v in shown]
    labels = [f"{k}:{reason}" for k, reason in zip(kind, why, strict=True)]
    first = kind.index("F")
    assert first <= 6, labels  # exploration by category found it
    # A few swipes later the feed is mostly the second kind, and hardly ever the first.
    assert kind[-6:].count("F") >= 5, labels
    assert kind[-8:].count("S") <= 1, labels
    assert mobile_page.evaluate("() => window.reelsFeed.replans") >= 2


@pytest.fixture
def newcomer(web_seed, django_db_blocker) -> Iterator[str]:  # noqa: ANN001
    """A signed-up account with no history: the shared seed viewer's likes and watches from
    other tests would decide how far one like moves its feed."""
    from profiles.models import User

    with django_db_blocker.unblock():
        user = User.objects.create_user(
            username=f"{SEED_USERNAME_PREFIX}newcomer", password=SEED_PASSWORD
        )
    yield user.username


def test_a_like_replans_the_queue_without_interrupting_the_playing_video(
    kinds: Kinds,
    newcomer: str,
    mobile_page,  # noqa: ANN001 - after `kinds`: the page closes before the copies go
) -> None:
    page = mobile_page
    log_in(page, newcomer)
    page.goto("/")
    wait_feed_playing(page, 0)
    # Skip (quickly) to a video of the second kind, then like it while it plays.
    for _ in range(12):
        if active_video_id(page) in kinds.finished:
            break
        index = page.evaluate("() => window.reelsFeed.active")
        page.keyboard.press("j")
        wait_feed_advanced(page, index)
    assert active_video_id(page) in kinds.finished
    active = page.evaluate("() => window.reelsFeed.active")
    wait_feed_playing(page, active)
    replans = page.evaluate("() => window.reelsFeed.replans")
    tail_before = page.evaluate("() => window.reelsFeed.ids()")[active + 2 :]
    # Anything that would interrupt the playing video is counted from here on.
    page.eval_on_selector(
        ".slide.active video",
        """v => { v.dataset.watched = "yes"; window.interruptions = [];
                  for (const name of ["pause", "emptied", "abort", "loadstart"])
                      v.addEventListener(name, () => { window.interruptions.push(
                          `${name} at ${v.currentTime.toFixed(2)}/${v.duration.toFixed(2)}`
                          + ` active=${window.reelsFeed.active}`); }); }""",
    )
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/feed?" in r.url else None)

    tap_slide_action(page, "like")

    page.wait_for_function(
        "(n) => window.reelsFeed.replans > n", arg=replans, timeout=WAIT_TIMEOUT_MS
    )
    assert any("release=" in url for url in requests), requests
    ids = page.evaluate("() => window.reelsFeed.ids()")
    assert ids[active + 2 :] != tail_before
    # The playing video was not interrupted: same slide, same element, never paused or reloaded.
    assert page.evaluate("() => window.reelsFeed.active") == active
    video = page.locator(".slide.active video")
    assert video.evaluate("v => v.dataset.watched") == "yes"
    assert video.evaluate("v => !v.paused")
    assert page.evaluate("() => window.interruptions") == []
    # Media stays ahead of the viewer: the next two slides hold buffering players.
    page.wait_for_function(
        """(active) => [1, 2].every((d) => {
               const v = document.querySelector(`.slide[data-index="${active + d}"] video`);
               return v && v.readyState >= 2; })""",
        arg=active,
        timeout=WAIT_TIMEOUT_MS,
    )
    assert sum(v in kinds.finished for v in ids[active + 2 : active + 8]) >= 3
