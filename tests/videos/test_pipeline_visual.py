"""What the frames show carries a video: silent, uncaptioned clips of real photographs become
ready with tags, a blank clip still becomes ready (and is not tagged from noise), and a re-embed
to a new version keeps the old one serving until the new one covers the catalogue."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import av
import pytest
from django.core.cache import cache
from django.core.management import call_command
from PIL import Image

from search.video_search import video_search
from tagging.models import VideoTag
from tagging.photo_set import silent_photo_clip_make
from tests.factories import UserFactory
from tests.support.media import make_clip
from tests.support.photos import labeled_photo
from videos.models import StepState, Video, VideoEmbedding, VideoStatus
from videos.pipeline.local import pipeline_run
from videos.services.videos import video_create_from_path
from videos.versions import ACTIVE_VERSION_CACHE_KEY, active_embedding_version, version_to_serve

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxonomy(db) -> None:  # noqa: ANN001
    call_command("load_taxonomy", "--default", stdout=StringIO())


def photo_clip(tmp_path: Path, file_name: str, name: str) -> Path:
    return silent_photo_clip_make(Path(labeled_photo(file_name).path), tmp_path / name)


def test_a_silent_uncaptioned_photo_clip_becomes_ready_with_a_fitting_tag(
    embedder, taxonomy, tmp_path: Path
) -> None:
    clip = photo_clip(tmp_path, "european-honey-bee.jpg", "VID_20240501_101500.mp4")
    video, _ = video_create_from_path(owner=UserFactory(), path=clip, caption="")

    video = pipeline_run(video_id=video.pk)

    assert video.status == VideoStatus.READY, video.failure_reason
    embedding = VideoEmbedding.objects.get(video=video)
    assert embedding.missing == ["text"]
    tags = list(
        VideoTag.objects.filter(video=video).order_by("rank").values_list("tag__slug", flat=True)
    )
    assert "insects" in tags[:3], tags
    assert video.steps.get(name="transcribe").state == StepState.SKIPPED


def test_an_all_black_silent_clip_becomes_ready_without_tags_from_noise(
    embedder, taxonomy, tmp_path: Path
) -> None:
    black = Image.new("RGB", (160, 284))
    write_h264(tmp_path / "b.mp4", [black] * 20, size=(160, 284))
    video, _ = video_create_from_path(owner=UserFactory(), path=tmp_path / "b.mp4", caption="")

    video = pipeline_run(video_id=video.pk)

    assert video.status == VideoStatus.READY, video.failure_reason
    assert VideoEmbedding.objects.get(video=video).missing == ["visual", "text"]
    assert not VideoTag.objects.filter(video=video).exists()
    assert video.steps.get(name="tag").state == StepState.SKIPPED


def test_the_embedders_version_is_served_once_it_covers_the_catalogue() -> None:
    assert version_to_serve("new", {}) == "new"
    assert version_to_serve("new", {"old": 100, "new": 40}) == "old"
    assert version_to_serve("new", {"old": 100, "new": 95}) == "new"
    assert version_to_serve(None, {"old": 100, "new": 40}) == "old"
    assert version_to_serve(None, {}) is None


def test_a_re_embed_keeps_the_old_version_serving_until_the_new_one_covers_it(
    embedder, settings, tmp_path: Path
) -> None:
    settings.ACTIVE_EMBEDDING_VERSION = ""
    owner = UserFactory()
    videos = []
    for index, caption in enumerate(["waves on the beach at sunset", "my dog chasing a ball"]):
        path = make_clip(tmp_path / f"c{index}.mp4", audio=None, seconds=1.0 + index)
        video, _ = video_create_from_path(owner=owner, path=path, caption=caption)
        videos.append(pipeline_run(video_id=video.pk))
    new_version = VideoEmbedding.objects.get(video=videos[0]).embedding_version
    # The library as the previous release left it: every vector on the old version.
    VideoEmbedding.objects.update(embedding_version="minilm-l6:384:v1")
    cache.delete(ACTIVE_VERSION_CACHE_KEY)

    assert active_embedding_version() == "minilm-l6:384:v1"
    found = video_search(viewer=None, q="dog", tag="", cursor=None, limit=10)
    assert {item["id"] for item in found["items"]} >= {videos[1].pk}

    call_command("reprocess", "--all", "--step", "embed", "--only", "--sync", stdout=StringIO())
    cache.delete(ACTIVE_VERSION_CACHE_KEY)

    versions = set(VideoEmbedding.objects.values_list("embedding_version", flat=True))
    assert versions == {"minilm-l6:384:v1", new_version}
    assert active_embedding_version() == new_version


def write_h264(
    path: Path, images: list[Image.Image], *, size: tuple[int, int], crf: int = 23
) -> Path:
    """A silent 10 fps H.264 MP4 of these images."""
    with av.open(str(path), "w") as output:
        stream = output.add_stream("libx264", rate=10, options={"crf": str(crf)})
        stream.width, stream.height, stream.pix_fmt = *size, "yuv420p"
        for index, image in enumerate(images):
            frame = av.VideoFrame.from_image(image)
            frame.pts = index
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return path


def reencoded_copy(source: Path, out: Path) -> Path:
    """The clip cropped by 6% on every side, scaled to 270x480 and re-encoded at another
    quality: different bytes, the same look and length."""
    copies = []
    with av.open(str(source)) as container:
        for frame in container.decode(video=0):
            image = frame.to_image()
            width, height = image.size
            dx, dy = width * 6 // 100, height * 6 // 100
            crop = image.crop((dx, dy, width - dx, height - dy))
            copies.append(crop.resize((270, 480), Image.Resampling.BILINEAR))
    return write_h264(out, copies, size=(270, 480), crf=32)


def test_a_re_encoded_copy_is_found_reported_and_never_recommended(
    embedder, api_client, settings, tmp_path: Path
) -> None:
    settings.ACTIVE_EMBEDDING_VERSION = ""
    cache.delete(ACTIVE_VERSION_CACHE_KEY)
    creator, reposter = UserFactory(), UserFactory()
    original_clip = photo_clip(tmp_path, "Kleiber_by_Lukas_Baubkus.jpg", "bird.mp4")
    original, _ = video_create_from_path(owner=creator, path=original_clip, caption="")
    original = pipeline_run(video_id=original.pk)
    other, _ = video_create_from_path(
        owner=creator, path=photo_clip(tmp_path, "LadyBird.jpg", "other.mp4"), caption=""
    )
    other = pipeline_run(video_id=other.pk)
    copy_clip = reencoded_copy(original_clip, tmp_path / "repost.mp4")
    copy, created = video_create_from_path(owner=reposter, path=copy_clip, caption="look at this")
    assert created  # different bytes: the SHA-256 dedupe does not see it

    copy = pipeline_run(video_id=copy.pk)

    assert copy.status == VideoStatus.READY
    assert copy.duplicate_of_id == original.pk
    assert original.duplicate_of_id is None and other.duplicate_of_id is None
    assert copy.steps.get(name="embed").detail["duplicate_of"] == original.pk
    api_client.force_authenticate(reposter)
    detail = api_client.get(f"/api/videos/{copy.pk}").json()
    assert detail["duplicate_of"] == original.pk
    api_client.force_authenticate(None)
    seen: list[int] = []
    cursor = None
    for _ in range(3):
        page = api_client.get("/api/feed", {"cursor": cursor} if cursor else {}).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert original.pk in seen and other.pk in seen
    assert copy.pk not in seen


def test_ingest_folder_reports_a_copy_of_an_earlier_video(embedder, tmp_path: Path) -> None:
    UserFactory(username="ingester")
    folder = tmp_path / "in"
    folder.mkdir()
    original = photo_clip(folder, "FreshFlower.jpg", "a_VID_0001.mp4")
    reencoded_copy(original, folder / "b_VID_0002.mp4")

    out = StringIO()
    call_command(
        "ingest_folder", str(folder), "--user", "ingester", "--sync", "--settle", "0", stdout=out
    )

    first, second = Video.objects.order_by("pk")
    assert (first.caption, second.caption) == ("", "")  # camera file names say nothing
    assert second.duplicate_of_id == first.pk
    assert f"looks like a copy of video {first.pk}" in out.getvalue()
