"""video_tags_assign and videos_retag_all on known geometry (8-d test vectors, no embedder)."""

from __future__ import annotations

import numpy as np
import pytest

from tagging.models import TagSource, VideoTag
from tagging.services.assign import video_tags_assign, videos_retag_all
from tests.factories import VideoEmbeddingFactory, VideoFactory, VideoTagFactory
from tests.tagging.factories import axis, blend
from videos.models import Video, VideoEmbedding

pytestmark = pytest.mark.django_db


def assign(video: Video) -> list[VideoTag]:
    """Tag a video from its stored vector, as the pipeline's tag step does."""
    embedding = VideoEmbedding.objects.get(video=video)
    return video_tags_assign(
        video_id=video.pk,
        caption=video.caption,
        vector=np.asarray(embedding.embedding, dtype=np.float32),
        embedding_version=embedding.embedding_version,
    )


def tags_of(video) -> list[tuple[str, str]]:  # noqa: ANN001
    return list(
        VideoTag.objects.filter(video=video).order_by("rank").values_list("tag__slug", "source")
    )


def test_a_video_on_a_topic_gets_that_tag(geometry) -> None:  # noqa: ANN001
    embedding = VideoEmbeddingFactory(embedding=blend({0: 1.0, 5: 0.3}))
    assigned = assign(embedding.video)
    assert [(t.tag.slug, t.source) for t in assigned] == [("cats", TagSource.AUTO)]
    assert assigned[0].confidence > assigned[0].score > 0


def test_a_video_matching_no_topic_gets_no_tags(geometry) -> None:  # noqa: ANN001
    embedding = VideoEmbeddingFactory(embedding=blend({4: 1.0, 6: 0.7}))
    assert assign(embedding.video) == []


def test_a_video_between_two_topics_gets_both_best_first(geometry) -> None:  # noqa: ANN001
    embedding = VideoEmbeddingFactory(embedding=blend({0: 1.0, 1: 0.8}))
    assign(embedding.video)
    assert tags_of(embedding.video) == [("cats", "auto"), ("dogs", "auto")]


def test_at_most_k_tags_are_kept(geometry, settings) -> None:  # noqa: ANN001
    settings.TAGGING_MAX_TAGS = 1
    settings.TAGGING_RELATIVE_FLOOR = 0.0
    embedding = VideoEmbeddingFactory(embedding=blend({0: 1.0, 1: 0.9, 2: 0.8}))
    assign(embedding.video)
    assert tags_of(embedding.video) == [("cats", "auto")]


def test_retagging_replaces_auto_tags_and_keeps_the_creator_tags_the_caption_names(
    geometry,  # noqa: ANN001
) -> None:
    video = VideoFactory(caption="dinner #cooking")
    VideoEmbeddingFactory(video=video, embedding=axis(1))
    VideoTagFactory(video=video, tag=geometry["cats"], source=TagSource.AUTO)
    VideoTagFactory(video=video, tag=geometry["cooking"], source=TagSource.CREATOR)
    assign(video)
    assert sorted(tags_of(video)) == [("cooking", "creator"), ("dogs", "auto")]


def test_caption_hashtags_become_creator_tags_by_slug_or_phrase(geometry) -> None:  # noqa: ANN001
    video = VideoFactory(caption="lunch time #Cooking #Kitten #unknowntag")
    VideoEmbeddingFactory(video=video, embedding=axis(5))
    assign(video)
    assert sorted(tags_of(video)) == [("cats", "creator"), ("cooking", "creator")]


def test_a_hashtag_the_content_also_matches_is_stored_once_as_creator(geometry) -> None:  # noqa: ANN001
    video = VideoFactory(caption="#dogs")
    VideoEmbeddingFactory(video=video, embedding=axis(1))
    assign(video)
    assert tags_of(video) == [("dogs", "creator")]


def test_inactive_tags_are_never_assigned(geometry) -> None:  # noqa: ANN001
    geometry["cats"].is_active = False
    geometry["cats"].save()
    embedding = VideoEmbeddingFactory(embedding=axis(0))
    assert assign(embedding.video) == []


def test_the_given_version_is_used_whatever_the_active_one(
    geometry,
    settings,  # noqa: ANN001
) -> None:
    settings.ACTIVE_EMBEDDING_VERSION = "other:8:v1"
    embedding = VideoEmbeddingFactory(embedding=axis(2))
    assert [t.tag.slug for t in assign(embedding.video)] == ["cooking"]


def test_retag_all_in_batches_matches_tagging_each_video(geometry) -> None:  # noqa: ANN001
    vectors = [axis(0), axis(1), blend({2: 1.0, 0: 0.7}), axis(6), blend({1: 1.0, 4: 0.2})]
    embeddings = [VideoEmbeddingFactory(embedding=vector) for vector in vectors]
    for embedding in embeddings:
        assign(embedding.video)
    one_by_one = {e.video_id: tags_of(e.video) for e in embeddings}
    VideoTag.objects.all().delete()

    assert videos_retag_all(batch_size=2) == len(embeddings)

    assert {e.video_id: tags_of(e.video) for e in embeddings} == one_by_one
    assert one_by_one[embeddings[3].video_id] == []


def test_stale_vectors_are_used_while_the_embedder_is_down(geometry, settings) -> None:  # noqa: ANN001
    from tests.conftest import free_port
    from tests.factories import TagPhraseFactory

    settings.EMBEDDER_URL = f"http://127.0.0.1:{free_port()}"
    TagPhraseFactory(tag=geometry["cats"], text="cute cat")  # makes the cats vector stale
    embedding = VideoEmbeddingFactory(embedding=axis(0))
    assert [t.tag.slug for t in assign(embedding.video)] == ["cats"]


def test_missing_vectors_with_the_embedder_down_raise_a_retryable_error(
    db,
    test_version,
    settings,  # noqa: ANN001
) -> None:
    from embedder_service.client import EmbedderUnavailable
    from tests.conftest import free_port
    from tests.factories import TagFactory

    settings.EMBEDDER_URL = f"http://127.0.0.1:{free_port()}"
    TagFactory(slug="cats")
    embedding = VideoEmbeddingFactory(embedding=axis(0))
    with pytest.raises(EmbedderUnavailable):
        assign(embedding.video)


def test_retag_all_with_a_stale_vector_and_the_embedder_down_raises_and_changes_nothing(
    geometry, settings
) -> None:  # noqa: ANN001
    """Unlike one video's tag step (which goes on with the stored vectors), re-tagging the
    corpus after a taxonomy edit must use the edit: it raises (the task retries) instead of
    reporting success with the old vectors."""
    from embedder_service.client import EmbedderUnavailable
    from tests.conftest import free_port
    from tests.factories import TagPhraseFactory

    embedding = VideoEmbeddingFactory(embedding=axis(0))
    assign(embedding.video)
    settings.EMBEDDER_URL = f"http://127.0.0.1:{free_port()}"
    TagPhraseFactory(tag=geometry["cats"], text="cute cat")
    with pytest.raises(EmbedderUnavailable):
        videos_retag_all()
    assert tags_of(embedding.video) == [("cats", "auto")]


def test_retag_all_leaves_videos_with_neither_picture_nor_words_untagged(geometry) -> None:  # noqa: ANN001
    blank = VideoEmbeddingFactory(embedding=axis(0), missing=["visual", "text"])
    seen = VideoEmbeddingFactory(embedding=axis(0), missing=["text"])
    assert videos_retag_all() == 1
    assert tags_of(blank.video) == []
    assert tags_of(seen.video) == [("cats", "auto")]


def test_an_emoji_only_phrase_does_not_catch_empty_hashtags(geometry) -> None:  # noqa: ANN001
    from tagging.services.assign import hashtag_tag_ids
    from tests.factories import TagPhraseFactory

    TagPhraseFactory(tag=geometry["dogs"], text="🐶")
    assert hashtag_tag_ids(["fun times #_ #__", "#dogs"]) == [[], [geometry["dogs"].pk]]


@pytest.mark.django_db(transaction=True)
def test_two_retags_of_one_video_at_once_both_finish(geometry) -> None:  # noqa: ANN001
    """The pipeline's tag step beside "Re-tag all videos": both deleted the auto tags, both
    inserted the same rows, and the second failed on the unique (video, tag)."""
    import threading

    from django.db import connection, transaction

    embedding = VideoEmbeddingFactory(embedding=axis(0))
    held, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                assign(embedding.video)
                held.set()
                release.wait(30)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            held.set()
            connection.close()

    def second() -> None:
        try:
            assign(embedding.video)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    held.wait(30)
    two = threading.Thread(target=second)
    two.start()
    two.join(timeout=5)  # without the lock it has reached its insert by now
    release.set()
    one.join(30)
    two.join(30)
    assert errors == []
    assert tags_of(embedding.video) == [("cats", "auto")]


def test_a_hashtag_removed_from_the_caption_takes_its_creator_tag_off(
    geometry,  # noqa: ANN001
    celery_eager,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    # The creator tag stayed on the card and the tag's page as the creator's own choice, even
    # through "Re-tag all videos"; a hashtag added gave none until the next one.
    from videos.services.video_edit import video_update

    video = VideoFactory(caption="my lunch #cooking")
    embedding = VideoEmbeddingFactory(video=video, embedding=axis(5))  # near no topic
    video_tags_assign(
        video_id=video.pk,
        caption=video.caption,
        vector=np.asarray(embedding.embedding, dtype=np.float32),
        embedding_version=embedding.embedding_version,
    )
    assert _tags(video) == [("cooking", "creator")]

    with django_capture_on_commit_callbacks(execute=True):
        video_update(video=video, actor=video.owner, caption="my lunch (wrong hashtag, sorry)")
    assert _tags(video) == []
    with django_capture_on_commit_callbacks(execute=True):
        video_update(video=video, actor=video.owner, caption="my lunch #cooking again")
    assert _tags(video) == [("cooking", "creator")]
    videos_retag_all()
    assert _tags(video) == [("cooking", "creator")]


def _tags(video) -> list[tuple[str, str]]:  # noqa: ANN001
    return sorted(VideoTag.objects.filter(video=video).values_list("tag__slug", "source"))


@pytest.mark.django_db(transaction=True)
def test_retag_all_goes_on_past_a_video_deleted_while_its_batch_is_scored(
    geometry,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    # The batch stored rows for the deleted video: its commit failed on the foreign key, and
    # the re-tag ended there, every later batch untagged.
    from tagging.services import assign as assign_module

    kept = VideoEmbeddingFactory(embedding=axis(0))
    gone = VideoEmbeddingFactory(embedding=axis(1))
    real = assign_module.hashtag_tag_ids

    def deleting_meanwhile(captions):  # noqa: ANN001, ANN202
        Video.objects.filter(pk=gone.video_id).delete()
        return real(captions)

    monkeypatch.setattr(assign_module, "hashtag_tag_ids", deleting_meanwhile)

    assert videos_retag_all() == 2
    assert list(VideoTag.objects.values_list("video_id", "tag__slug")) == [(kept.video_id, "cats")]


def test_a_ready_video_re_tagged_on_its_own_reaches_search(
    geometry,  # noqa: ANN001
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    # `reprocess --step tag --only` runs no publish step after the tag step, and only the
    # publish told search: the video's document kept its old tags for good.
    from tagging.events import video_tags_changed

    heard: list[list[int]] = []

    def receiver(sender, video_ids, **kwargs) -> None:  # noqa: ANN001, ANN003
        heard.append(list(video_ids))

    video_tags_changed.connect(receiver, dispatch_uid="test.retag_one")
    try:
        embedding = VideoEmbeddingFactory(embedding=axis(0))
        with django_capture_on_commit_callbacks(execute=True):
            video_tags_assign(
                video_id=embedding.video_id,
                caption="",
                vector=np.asarray(embedding.embedding, dtype=np.float32),
                embedding_version=embedding.embedding_version,
            )
    finally:
        video_tags_changed.disconnect(dispatch_uid="test.retag_one")

    assert heard == [[embedding.video_id]]
