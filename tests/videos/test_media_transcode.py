"""Transcoding with PyAV: upright, capped size, MP4 + HLS + stills + ASR audio (no database)."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import pytest

from tests.support.media import make_clip, make_gif, make_webm
from videos.media.hls import mp4_to_hls
from videos.media.probe import probe_media
from videos.media.transcode import output_size, sample_times, transcode


def _transcode(path: Path, tmp_path: Path):
    return transcode(path, tmp_path / "out", probe_media(path))


def test_output_size_fits_720p_in_either_orientation_with_even_sides():
    assert output_size(3840, 2160, 720) == (1280, 720)
    assert output_size(1080, 1920, 720) == (720, 1280)
    assert output_size(1000, 1000, 720) == (720, 720)
    width, height = output_size(333, 201, 720)
    assert (width % 2, height % 2) == (0, 0)


def test_sample_times_are_one_per_second_between_twelve_and_twenty_four():
    assert len(sample_times(3.0, min_frames=12, max_frames=24)) == 12
    assert len(sample_times(20.0, min_frames=12, max_frames=24)) == 20
    times = sample_times(100.0, min_frames=12, max_frames=24)
    assert len(times) == 24 and 0 < times[0] < times[-1] < 100


def test_rotated_phone_video_comes_out_upright(tmp_path: Path):
    # Stored landscape with a bright bar on its left edge; the display matrix turns it 90
    # degrees counter-clockwise, so upright the bar is at the bottom of a portrait picture.
    source = make_clip(tmp_path / "phone.mp4", width=284, height=160, rotation=90, audio=None)
    result = _transcode(source, tmp_path)
    assert (result.width, result.height) == (160, 284)
    with av.open(str(result.mp4)) as container:
        frame = next(container.decode(video=0))
        assert frame.rotation == 0
        picture = frame.to_ndarray(format="rgb24")
    assert picture[-10:].mean() > 240
    assert picture[:10].mean() < 200


def test_huge_resolution_is_scaled_down_to_720p(tmp_path: Path):
    source = make_clip(
        tmp_path / "huge.mp4", width=3840, height=2160, seconds=0.4, fps=5, audio=None
    )
    result = _transcode(source, tmp_path)
    assert (result.width, result.height) == (1280, 720)


def test_vp9_opus_webm_becomes_h264_aac_mp4_with_speech_audio(tmp_path: Path):
    result = _transcode(make_webm(tmp_path / "clip.webm"), tmp_path)
    with av.open(str(result.mp4)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.audio[0].codec_context.name == "aac"
    assert result.has_audio
    with wave.open(str(result.audio_wav)) as wav:
        assert (wav.getframerate(), wav.getnchannels()) == (16000, 1)
        assert wav.getnframes() / 16000 == pytest.approx(2.0, abs=0.2)


@pytest.mark.parametrize(("fps", "container"), [(30, "webm"), (60, "webm"), (30, "mkv")])
def test_matroska_at_30_fps_and_over_keeps_30_frames_a_second(tmp_path, fps, container):
    # Matroska stores whole milliseconds: 30 fps frames arrive 33 ms apart (not 33.3), which a
    # minimum gap between kept frames read as over the cap, dropping every third frame.
    source = make_clip(
        tmp_path / f"clip.{container}",
        width=64,
        height=64,
        seconds=2.0,
        fps=fps,
        audio=None,
        video_codec="libvpx" if container == "webm" else "libx264",
        container_format="webm" if container == "webm" else "matroska",
    )
    result = _transcode(source, tmp_path)
    with av.open(str(result.mp4)) as container_in:
        frames = sum(1 for _ in container_in.decode(video=0))
    assert frames == 60
    assert result.fps == 30.0


def test_matroska_starting_an_hour_in_transcodes_to_its_two_seconds(tmp_path: Path):
    source = make_clip(
        tmp_path / "cut.mkv",
        width=64,
        height=64,
        seconds=2.0,
        fps=10,
        audio=None,
        container_format="matroska",
        first_frame_s=3600.0,
    )
    result = _transcode(source, tmp_path)
    assert result.duration_s == pytest.approx(2.0, abs=0.15)
    assert len(result.frames) == 12  # sampled over 2 s, not over 3,602


def test_gif_becomes_silent_mp4(tmp_path: Path):
    result = _transcode(make_gif(tmp_path / "loop.gif"), tmp_path)
    assert not result.has_audio and result.audio_wav is None
    assert (result.width, result.height) == (120, 90)
    assert result.duration_s == pytest.approx(1.2, abs=0.15)


def test_transcode_writes_faststart_mp4_stills_and_hls_segments(tmp_path: Path):
    result = _transcode(make_clip(tmp_path / "clip.mp4"), tmp_path)
    data = result.mp4.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")
    assert 12 <= len(result.frames) <= 24
    assert result.poster.stat().st_size > 0 and result.thumbnail.stat().st_size > 0
    playlist = mp4_to_hls(result.mp4, tmp_path / "hls")
    text = playlist.read_text()
    segments = [line for line in text.splitlines() if line.endswith(".ts")]
    assert "#EXT-X-ENDLIST" in text and segments
    assert all((playlist.parent / name).stat().st_size > 0 for name in segments)


def test_served_files_carry_none_of_the_uploaders_metadata(tmp_path: Path):
    # A phone writes where and with what a video was shot; only the owner-only original keeps it.
    tags = {
        "location": "+48.8584+002.2945/",
        "com.apple.quicktime.location.ISO6709": "+48.8584+002.2945+035.000/",
        "com.apple.quicktime.make": "SecretPhoneMaker",
        "title": "Home address 12 Hidden Lane",
        "comment": "private comment",
    }
    source = make_clip(tmp_path / "phone.mov", metadata=tags)
    with av.open(str(source)) as container:  # the source really carries them
        assert "Hidden Lane" in container.metadata.get("title", "")
    assert b"48.8584" in source.read_bytes()
    result = _transcode(source, tmp_path)
    hls = mp4_to_hls(result.mp4, tmp_path / "hls").parent
    served = [result.mp4, result.poster, result.thumbnail, *result.frames, *hls.iterdir()]
    for path in served:
        data = path.read_bytes()
        for needle in (b"48.8584", b"SecretPhoneMaker", b"Hidden Lane", b"private comment"):
            assert needle not in data, f"{path.name} carries {needle!r}"
    with av.open(str(result.mp4)) as container:
        assert not {"location", "title", "comment"} & set(container.metadata)
