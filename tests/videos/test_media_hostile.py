"""Hostile media: files that name other files, frame-count and pixel bombs, a picture that grows
mid-stream, frames without timestamps. Each is refused with a reason before it can take a worker
for long; none is a fake - every file here is a real stream FFmpeg would otherwise follow."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from tests.support.media import make_clip
from videos.media.decoding import MAX_DECODED_FPS, DecodeBudget, TranscodeLimits
from videos.media.probe import MediaRejected, probe_media
from videos.media.transcode import _AudioTimeline, transcode

MS = Fraction(1, 1000)


def _write(path: Path, frames: list[tuple[int, int]], *, time_base: Fraction, fmt: str) -> Path:
    """An H.264 stream of flat frames of the given sizes, one per time_base tick."""
    with av.open(str(path), "w", format=fmt) as output:
        width, height = frames[0]
        stream = output.add_stream("libx264", rate=25, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = time_base
        for index, (w, h) in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(
                np.full((h, w, 3), index % 250, np.uint8), format="rgb24"
            )
            frame.pts, frame.time_base = index, time_base
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return path


def _rejected(action) -> MediaRejected:  # noqa: ANN001
    with pytest.raises(MediaRejected) as caught:
        action()
    return caught.value


# ---------------------------------------------------------------- files that open other files


@pytest.fixture
def private_segment(tmp_path: Path) -> Path:
    """Stands in for another user's private media on the worker's disk."""
    return make_clip(tmp_path / "private" / "videos" / "42" / "seg_000.mp4", audio=None)


@pytest.mark.parametrize("name", ["upload.m3u8", "upload.mp4", "upload"])
def test_a_playlist_naming_a_local_file_is_refused_whatever_it_is_called(
    tmp_path: Path, private_segment: Path, name: str
) -> None:
    playlist = tmp_path / name
    playlist.write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:2.0,\nfile://{private_segment}\n#EXT-X-ENDLIST\n"
    )
    rejection = _rejected(lambda: probe_media(playlist))
    assert rejection.code == "not_a_video"
    assert "supported container" in str(rejection)
    # The transcoder opens sources the same way, whatever the probe said.
    info = probe_media(private_segment)
    assert _rejected(lambda: transcode(playlist, tmp_path / "out", info)).code == "not_a_video"


def test_a_concat_list_naming_a_neighbouring_file_is_refused(
    tmp_path: Path, private_segment: Path
) -> None:
    listing = private_segment.parent / "upload.mp4"
    listing.write_text(f"ffconcat version 1.0\nfile '{private_segment.name}'\n")
    assert _rejected(lambda: probe_media(listing)).code == "not_a_video"


def test_ordinary_containers_still_open(tmp_path: Path) -> None:
    for name, fmt in [("a.mkv", "matroska"), ("a.ts", "mpegts"), ("a.avi", "avi")]:
        path = make_clip(tmp_path / name, container_format=fmt, audio=None, video_codec="mpeg4")
        assert probe_media(path).width == 160, name


# ---------------------------------------------------------------- bombs


def test_a_frame_count_bomb_is_refused_after_its_first_second(tmp_path: Path) -> None:
    # 4,000 frames at 10,000 per second: 0.4 s long by its timestamps, so under every length
    # limit, but decoding a longer one (millions of frames) would take a worker for hours.
    bomb = _write(
        tmp_path / "bomb.mkv", [(16, 16)] * 4000, time_base=Fraction(1, 10_000), fmt="matroska"
    )
    info = probe_media(bomb)
    assert info.duration_s is not None and info.duration_s < 1
    rejection = _rejected(lambda: transcode(bomb, tmp_path / "out", info))
    assert rejection.code == "too_many_frames"
    assert str(MAX_DECODED_FPS) in str(rejection)


def test_a_picture_that_grows_past_the_limit_mid_stream_is_refused(tmp_path: Path) -> None:
    # Two MPEG-TS streams back to back: 64x64 for a second, then one 8200x8200 picture (over
    # the 8192x8192 limit). The probe sees only the first size.
    small = _write(tmp_path / "a.ts", [(64, 64)] * 25, time_base=Fraction(1, 25), fmt="mpegts")
    huge = _write(tmp_path / "b.ts", [(8200, 8200)], time_base=Fraction(1, 25), fmt="mpegts")
    joined = tmp_path / "joined.ts"
    joined.write_bytes(small.read_bytes() + huge.read_bytes())
    info = probe_media(joined)
    assert (info.width, info.height) == (64, 64)
    rejection = _rejected(lambda: transcode(joined, tmp_path / "out", info))
    assert rejection.code == "resolution_too_large"
    assert "8200x8200" in str(rejection)


def _frame(width: int, height: int, pts: int | None, time_base: Fraction) -> av.VideoFrame:
    frame = av.VideoFrame(width, height, "yuv420p")
    frame.pts = pts
    frame.time_base = time_base
    return frame


def test_frames_without_timestamps_count_toward_the_length_limit() -> None:
    limits = TranscodeLimits(max_duration_s=10.0)
    budget = DecodeBudget(30.0, limits)
    frame = _frame(16, 16, None, Fraction(1, 30))
    decoded = 0
    with pytest.raises(MediaRejected) as caught:
        for _ in range(100_000):
            budget.time_of(frame)
            decoded += 1
    assert caught.value.code == "too_long"
    # Placed one source frame apart: refused just past the limit (plus a second of slack).
    assert 10 * 30 < decoded <= 11 * 30 + 1


def test_a_header_claiming_a_huge_frame_rate_does_not_buy_more_frames() -> None:
    budget = DecodeBudget(1_000_000.0, TranscodeLimits(max_duration_s=10.0))
    frame = _frame(16, 16, None, Fraction(1, 30))
    with pytest.raises(MediaRejected) as caught:
        for _ in range(100_000):
            budget.time_of(frame)
    assert caught.value.code == "too_long"
    assert budget.frames <= 11 * MAX_DECODED_FPS + 1


def test_large_frames_at_a_high_rate_exhaust_the_pixel_budget() -> None:
    # 6000x6000 at 100 frames per second is 3.6 gigapixels a second, over 4K120's 1.0.
    budget = DecodeBudget(100.0, TranscodeLimits())
    with pytest.raises(MediaRejected) as caught:
        for index in range(1000):
            budget.time_of(_frame(6000, 6000, index, Fraction(1, 100)))
    assert caught.value.code == "too_many_frames"
    assert "pixels" in str(caught.value)
    assert budget.frames < 100


def test_frames_over_the_output_rate_are_dropped_before_scaling() -> None:
    budget = DecodeBudget(120.0, TranscodeLimits(max_fps=30.0))
    kept = [
        index
        for index in range(120)
        if budget.keep(budget.time_of(_frame(16, 16, index, Fraction(1, 120))))
    ]
    assert kept == list(range(0, 120, 4))


def test_millisecond_timestamps_keep_one_frame_per_output_slot() -> None:
    # 30 and 60 fps as Matroska stores them (whole milliseconds), capped at 30 fps.
    for fps, expected in ((30, list(range(60))), (60, list(range(0, 120, 2)))):
        budget = DecodeBudget(float(fps), TranscodeLimits(max_fps=30.0))
        kept = [
            index
            for index in range(2 * fps)
            if budget.keep(budget.time_of(_frame(16, 16, round(index * 1000 / fps), MS)))
        ]
        assert kept == expected, fps


def test_a_frame_stamped_before_the_last_kept_one_is_dropped() -> None:
    budget = DecodeBudget(30.0, TranscodeLimits(max_fps=30.0))
    assert budget.keep(0.5) and not budget.keep(0.4) and budget.keep(0.54)


PROBE_PEAK_SCRIPT = """
import json, sys
from pathlib import Path
import django
django.setup()
from videos.media.probe import MediaRejected, probe_media
try:
    probe_media(Path(sys.argv[1]))
    outcome = "accepted"
except MediaRejected as exc:
    outcome = f"{exc.code}: {exc}"
from tiktok.dev.processes import peak_rss_kb
peak_kb = peak_rss_kb()
print(json.dumps({"outcome": outcome, "peak_kb": peak_kb}))
"""


@pytest.mark.django_db
def test_a_picture_over_the_pixel_limit_is_not_decoded_even_while_probing(tmp_path: Path) -> None:
    """FFmpeg decodes a frame to learn a stream's parameters before the app sees the stream:
    the pixel cap reaches that decoder too, so probing an 8200x8200 picture (2 MB more than the
    limit) allocates nothing near its size and is refused."""
    from tests.conftest import child_env, django_script_json

    def picture(path: Path, side: int) -> Path:
        with av.open(str(path), "w", format="avi") as output:
            stream = output.add_stream("png", rate=1)
            stream.width, stream.height, stream.pix_fmt = side, side, "gray"
            frame = av.VideoFrame.from_ndarray(np.zeros((side, side), np.uint8), format="gray")
            frame.pts = 0
            for packet in [*stream.encode(frame), *stream.encode(None)]:
                output.mux(packet)
        return path

    env = child_env(DJANGO_SETTINGS_MODULE="tiktok.settings")
    huge = django_script_json(PROBE_PEAK_SCRIPT, str(picture(tmp_path / "huge.avi", 8200)), env=env)
    assert huge["outcome"].startswith("not_a_video") and "megapixel limit" in huge["outcome"]
    # The same kind of file just under the limit is decoded while probing: its picture (64 MB)
    # shows in the peak that the refused one never reached.
    large = django_script_json(
        PROBE_PEAK_SCRIPT, str(picture(tmp_path / "large.avi", 8000)), env=env
    )
    assert large["outcome"] == "accepted"
    assert large["peak_kb"] - huge["peak_kb"] > 48 * 1024


@pytest.mark.parametrize(("container", "codec"), [("flv", "flv1"), ("mpeg", "mpeg2video")])
def test_containers_whose_streams_appear_only_while_probing_are_refused(
    tmp_path: Path, container: str, codec: str
) -> None:
    """FLV and MPEG-PS expose no streams before FFmpeg probes them, so the pixel cap cannot be
    handed to the decoder probing opens: such files are refused before anything is decoded."""
    path = tmp_path / f"clip.{container}"
    with av.open(str(path), "w", format=container) as output:
        stream = output.add_stream(codec, rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for index in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    with pytest.raises(MediaRejected) as rejected:
        probe_media(path)
    assert rejected.value.code == "not_a_video"


def _audio_frame(seconds_at: float, *, samples: int = 1024, rate: int = 96000) -> av.AudioFrame:
    # 8-channel audio, packed: PyAV 18 lists 9 planes for 8 planar channels (writing the 9th
    # crashes), which is why silence is never built in a source's own format.
    frame = av.AudioFrame.from_ndarray(
        np.zeros((1, samples * 8), np.float32), format="flt", layout="7.1"
    )
    frame.sample_rate = rate
    frame.time_base = Fraction(1, rate)
    frame.pts = round(seconds_at * rate)
    return frame


def test_a_gap_of_minutes_in_8_channel_audio_is_one_number_not_megabytes_of_frames() -> None:
    # One frame at 0 s, the next at 150 s: the timeline says "150 s of silence here" (the
    # encoders make it in their own formats a second at a time), then gives the frame.
    timeline = _AudioTimeline(max_duration_s=180.0)
    assert len(list(timeline.place(_audio_frame(0.0), video_first_s=0.0))) == 1
    second = _audio_frame(150.0)
    placed = list(timeline.place(second, video_first_s=0.0))
    assert len(placed) == 2 and placed[1] is second
    assert placed[0] == pytest.approx(150.0 - 1024 / 96000)


def test_audio_before_the_picture_is_not_placed_and_past_the_length_limit_refuses() -> None:
    timeline = _AudioTimeline(max_duration_s=10.0)
    assert list(timeline.place(_audio_frame(5.0), video_first_s=6.0)) == []  # before it
    assert len(list(timeline.place(_audio_frame(16.5), video_first_s=6.0))) == 2  # 10.5 s in
    # A sound that goes on past the limit (its header said less) refuses the file, as a
    # picture past it does: it was cut without a word.
    with pytest.raises(MediaRejected) as refused:
        list(timeline.place(_audio_frame(17.5), video_first_s=6.0))  # 11.5 s in
    assert refused.value.code == "too_long"
