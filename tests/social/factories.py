"""Factories for engagement rows (the core ones live in tests/factories.py)."""

from __future__ import annotations

import factory

from profiles.models import Block
from tests.factories import UserFactory, VideoFactory
from videos.models import Comment, Like, Save


class LikeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Like

    user = factory.SubFactory(UserFactory)
    video = factory.SubFactory(VideoFactory)


class SaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Save

    user = factory.SubFactory(UserFactory)
    video = factory.SubFactory(VideoFactory)


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment row; counters are not touched (tests that need them use the service)."""

    class Meta:
        model = Comment

    video = factory.SubFactory(VideoFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"comment {n}")


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    blocker = factory.SubFactory(UserFactory)
    blocked = factory.SubFactory(UserFactory)
