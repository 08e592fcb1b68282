"""factory_boy factories for the core models (app-specific ones live beside their tests)."""

from __future__ import annotations

import hashlib

import factory
import numpy as np
from django.utils import timezone

from profiles.models import Block, Follow, User
from tagging.models import Tag, TagCategory, TagPhrase, VideoTag
from videos.models import Comment, Like, Privacy, Save, Video, VideoEmbedding, VideoStatus

TEST_EMBEDDING_VERSION = "test:8:v1"


def unit_vector(seed: int, dim: int = 8) -> list[float]:
    """A deterministic random unit vector (so tests can build known geometry)."""
    vector = np.random.default_rng(seed).normal(size=dim)
    return (vector / np.linalg.norm(vector)).astype(np.float32).tolist()


class UserFactory(factory.django.DjangoModelFactory):
    """A user; pass raw_password="..." for one who logs in (hashing is slow, so opt-in)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda u: u.username.title())

    @factory.post_generation
    def raw_password(obj, create, extracted, **kwargs):  # noqa: ANN001, N805
        if extracted:
            obj.set_password(extracted)
        else:
            obj.set_unusable_password()
        if create:
            obj.save()


class VideoFactory(factory.django.DjangoModelFactory):
    """A ready, public video with no media files (tests that need media make real ones)."""

    class Meta:
        model = Video

    owner = factory.SubFactory(UserFactory)
    caption = factory.Sequence(lambda n: f"video number {n}")
    privacy = Privacy.PUBLIC
    status = VideoStatus.READY
    content_hash = factory.Sequence(lambda n: hashlib.sha256(f"video-{n}".encode()).hexdigest())
    duration_s = 20.0
    width = 720
    height = 1280
    published_at = factory.LazyFunction(timezone.now)


class VideoEmbeddingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VideoEmbedding

    video = factory.SubFactory(VideoFactory)
    embedding_version = TEST_EMBEDDING_VERSION
    embedding = factory.Sequence(lambda n: unit_vector(n))
    dim = factory.LazyAttribute(lambda e: len(e.embedding))


class TagCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TagCategory
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"category-{n}")
    name = factory.LazyAttribute(lambda c: c.slug.replace("-", " ").title())


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tag-{n}")
    name = factory.LazyAttribute(lambda t: t.slug.replace("-", " ").title())
    category = factory.SubFactory(TagCategoryFactory)


class TagPhraseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TagPhrase

    tag = factory.SubFactory(TagFactory)
    text = factory.Sequence(lambda n: f"phrase {n}")


class VideoTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VideoTag

    video = factory.SubFactory(VideoFactory)
    tag = factory.SubFactory(TagFactory)
    score = 0.5
    rank = 0


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    follower = factory.SubFactory(UserFactory)
    followee = factory.SubFactory(UserFactory)


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
