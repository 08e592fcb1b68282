"""The tags a video card shows (the card field the tagging app registers)."""

from __future__ import annotations

import pytest

from tests.factories import TagFactory, VideoFactory, VideoTagFactory
from videos.cards import cards_for_ids

pytestmark = pytest.mark.django_db


def test_cards_show_active_tag_slugs_by_rank() -> None:
    first, second = VideoFactory(), VideoFactory()
    VideoTagFactory(video=first, tag=TagFactory(slug="dogs"), rank=1)
    VideoTagFactory(video=first, tag=TagFactory(slug="cats"), rank=0)
    VideoTagFactory(video=first, tag=TagFactory(slug="off", is_active=False), rank=2)
    untagged = VideoFactory()

    cards = cards_for_ids(video_ids=[first.pk, second.pk, untagged.pk])
    slugs = {card["id"]: [tag["slug"] for tag in card["tags"]] for card in cards}

    assert slugs == {first.pk: ["cats", "dogs"], second.pk: [], untagged.pk: []}
