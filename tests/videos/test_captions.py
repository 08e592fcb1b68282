"""Captions: the timed transcript as WebVTT under the video's visibility rules, and the owner's
edits (validated, stored, re-embedded and re-tagged)."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory, VideoFactory
from videos.captions import webvtt
from videos.models import Privacy

pytestmark = pytest.mark.django_db

SEGMENTS = [
    {"start": 0.0, "end": 1.5, "text": "my cat sleeps"},
    {"start": 1.5, "end": 3.25, "text": "on the <b>sofa</b> --> all day"},
]


def test_webvtt_times_cues_and_escapes_markup() -> None:
    text = webvtt(SEGMENTS + [{"start": 4, "end": 5, "text": "  line\n\nbreak  "}])
    assert text.startswith("WEBVTT\n\n")
    assert "00:00:00.000 --> 00:00:01.500\nmy cat sleeps\n" in text
    assert "00:00:01.500 --> 00:00:03.250\non the &lt;b&gt;sofa&lt;/b&gt; --&gt; all day\n" in text
    assert "\nline break\n" in text


def test_captions_are_served_as_webvtt_to_whoever_may_watch(api_client) -> None:  # noqa: ANN001
    video = VideoFactory(transcript_segments=SEGMENTS, transcript_language="en")
    response = api_client.get(f"/api/videos/{video.pk}/captions.vtt", HTTP_ACCEPT="text/vtt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert response.content.decode().startswith("WEBVTT")
    card = api_client.get(f"/api/videos/{video.pk}").json()
    assert card["captions"] == {"url": f"/api/videos/{video.pk}/captions.vtt", "language": "en"}


def test_captions_of_a_private_video_are_hidden_like_the_video(api_client) -> None:  # noqa: ANN001
    owner = UserFactory()
    video = VideoFactory(owner=owner, privacy=Privacy.PRIVATE, transcript_segments=SEGMENTS)
    response = api_client.get(f"/api/videos/{video.pk}/captions.vtt")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    api_client.force_authenticate(owner)
    assert api_client.get(f"/api/videos/{video.pk}/captions.vtt").status_code == 200


def test_a_video_without_speech_has_no_captions(api_client) -> None:  # noqa: ANN001
    video = VideoFactory(transcript_segments=[])
    assert api_client.get(f"/api/videos/{video.pk}").json()["captions"] is None
    response = api_client.get(f"/api/videos/{video.pk}/captions.vtt")
    assert response.status_code == 404 and response.json()["error"] == "no_captions"


@pytest.mark.parametrize(
    ("segments", "problem"),
    [
        ("not a list", "must be a list"),
        ([{"start": 2, "end": 1, "text": "x"}], "start < end"),
        ([{"start": 0, "end": 99, "text": "x"}], "after the video"),
        ([{"start": 1, "end": 2, "text": "a"}, {"start": 0, "end": 1, "text": "b"}], "before"),
        ([{"start": 0, "end": 1, "text": 5}], "text must be a string"),
        ([{"start": "soon", "end": 1, "text": "x"}], "numbers of seconds"),
        ([{"start": 0, "end": 1, "text": "x", "style": "red"}], "must be {start, end, text}"),
        ([{"start": 0, "end": 1, "text": "x" * 501}], "at most 500"),
        ([{"start": "nan", "end": 1, "text": "x"}], "0 <= start < end"),
        ([{"start": 0, "end": 1, "text": "a\x00b"}], "NUL character"),
    ],
)
def test_bad_caption_edits_are_refused_and_change_nothing(api_client, segments, problem) -> None:  # noqa: ANN001
    owner = UserFactory()
    video = VideoFactory(
        owner=owner, duration_s=10.0, transcript="old", transcript_segments=SEGMENTS
    )
    api_client.force_authenticate(owner)
    response = api_client.put(
        f"/api/videos/{video.pk}/captions", {"segments": segments}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_captions"
    assert problem in response.json()["detail"]
    video.refresh_from_db()
    assert (video.transcript, video.transcript_segments) == ("old", SEGMENTS)


def test_only_the_owner_edits_captions(api_client) -> None:  # noqa: ANN001
    video = VideoFactory(duration_s=10.0, transcript_segments=SEGMENTS)
    api_client.force_authenticate(UserFactory())
    response = api_client.put(f"/api/videos/{video.pk}/captions", {"segments": []}, format="json")
    assert response.status_code == 403 and response.json()["error"] == "not_owner"
    api_client.force_authenticate(None)
    response = api_client.put(f"/api/videos/{video.pk}/captions", {"segments": []}, format="json")
    assert response.status_code in (401, 403)


def test_an_edited_transcript_re_embeds_and_re_tags_the_video(
    api_client,  # noqa: ANN001
    embedder,  # noqa: ANN001
    celery_eager,  # noqa: ANN001
    settings,  # noqa: ANN001
    tmp_path,  # noqa: ANN001
) -> None:
    from io import StringIO

    from django.core.management import call_command

    from tagging.models import VideoTag
    from tests.support.media import make_clip
    from videos.models import VideoEmbedding, VideoStatus
    from videos.pipeline.local import pipeline_run
    from videos.services.videos import video_create_from_path

    settings.ACTIVE_EMBEDDING_VERSION = ""
    call_command("load_taxonomy", "--default", stdout=StringIO())
    owner = UserFactory()
    path = make_clip(
        tmp_path / "talk.mp4",
        audio="speech",
        speech_text="My cat loves to sleep in the sun and meows for her food every morning.",
    )
    video, _ = video_create_from_path(owner=owner, path=path, caption="")
    video = pipeline_run(video_id=video.pk)
    assert video.status == VideoStatus.READY
    tags = set(VideoTag.objects.filter(video=video).values_list("tag__slug", flat=True))
    assert "cats" in tags
    before = list(VideoEmbedding.objects.get(video=video).embedding)
    end = min(video.duration_s, 4.0)

    api_client.force_authenticate(owner)
    response = api_client.put(
        f"/api/videos/{video.pk}/captions",
        {
            "segments": [
                {
                    "start": 0,
                    "end": end,
                    "text": "The striker dribbled past two defenders and scored a goal "
                    "in the last minute of the football match.",
                }
            ]
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    video.refresh_from_db()
    assert video.status == VideoStatus.READY
    assert video.transcript.startswith("The striker")
    after = list(VideoEmbedding.objects.get(video=video).embedding)
    assert after != before
    tags = set(VideoTag.objects.filter(video=video).values_list("tag__slug", flat=True))
    assert "football" in tags and "cats" not in tags
    vtt = api_client.get(f"/api/videos/{video.pk}/captions.vtt").content.decode()
    assert "The striker dribbled" in vtt
