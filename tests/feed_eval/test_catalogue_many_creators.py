"""`evaluate_feed` loads a catalogue of one creator per item, as a real data set's: 19,000
items stopped the loading with "out of shared memory", since the public-count trigger locks
each owner until the end of the transaction and one COPY of every video took more locks than
PostgreSQL's lock table holds (about 15,000 on the embedded server). The videos are copied in
batches of VIDEO_COPY_BATCH, each its own transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feed.evaluation import catalogue
from videos.models import Video

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_catalogue_of_thirty_thousand_creators_loads_whole_and_in_order():
    n = 30_000  # twice what one transaction's locks reach on the embedded server
    names = [f"creator-{i}" for i in range(n)]
    creators = catalogue.users_create(names)
    moment = datetime(2026, 1, 1, tzinfo=UTC)

    video_ids = catalogue.videos_create(
        owner_ids=[creators[name] for name in names],
        captions=[f"clip {i}" for i in range(n)],
        content_keys=[str(i) for i in range(n)],
        published_at=[moment] * n,
        link_hashtags=False,
    )

    assert len(set(video_ids)) == n == Video.objects.count()
    assert Video.objects.get(pk=video_ids[12_345]).caption == "clip 12345"
    assert Video.objects.get(pk=video_ids[-1]).owner_id == creators[names[-1]]
