"""The public-count triggers lock one of 512 keys per account (migrations/0016), so a
transaction that writes the videos of many accounts holds 512 of those locks at most, and
counts them: loading a catalogue of 19,000 creators' videos (`evaluate_feed`) took one lock per
creator and failed with "out of shared memory" past PostgreSQL's lock table, and so would an
operator's change of that many creators' videos at once."""

from __future__ import annotations

import importlib

import pytest
from django.db import transaction

from profiles.models import User
from sounds.models import Sound, SoundKind
from tests.support.lock_table import advisory_locks_held
from videos.models import Privacy, Video, VideoStatus

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_COUNTS_LOCK_SPACE = importlib.import_module(
    "videos.migrations.0014_public_counts_owner_lock"
).PUBLIC_COUNTS_LOCK_SPACE


def test_writing_thousands_of_accounts_videos_holds_512_locks_at_most_and_counts_them():
    n = 3000
    creators = User.objects.bulk_create(
        [User(username=f"creator{i}", password="!") for i in range(n)]
    )
    tune = Sound.objects.create(title="tune", kind=SoundKind.UPLOADED)

    with transaction.atomic():
        Video.objects.bulk_create(
            [
                Video(
                    owner=creator,
                    caption="dancing",
                    sound=tune,
                    status=VideoStatus.READY,
                    privacy=Privacy.PUBLIC,
                )
                for creator in creators
            ]
        )
        inserted = advisory_locks_held(PUBLIC_COUNTS_LOCK_SPACE)
    assert Sound.objects.get(pk=tune.pk).use_count == n

    with transaction.atomic():
        assert Video.objects.update(privacy=Privacy.PRIVATE) == n
        updated = advisory_locks_held(PUBLIC_COUNTS_LOCK_SPACE)

    assert 0 < inserted <= 512
    assert 0 < updated <= 512
    assert Sound.objects.get(pk=tune.pk).use_count == 0
