"""Probing rejects what is not a video we can process, with a reason (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.media import (
    make_audio_only,
    make_audio_with_cover,
    make_clip,
    make_long_video,
    make_text_as_mp4,
    make_truncated_mp4,
)
from videos.media.probe import MediaRejected, normalise_rotation, probe_media


def _rejection(path: Path) -> MediaRejected:
    with pytest.raises(MediaRejected) as caught:
        probe_media(path, max_duration_s=180)
    return caught.value


def test_zero_byte_file_is_rejected_as_empty(tmp_path: Path):
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    assert _rejection(path).code == "empty_file"


def test_truncated_mp4_is_rejected_as_unreadable(tmp_path: Path):
    assert _rejection(make_truncated_mp4(tmp_path / "cut.mp4")).code == "not_a_video"


def test_text_file_renamed_mp4_is_rejected_by_content_not_extension(tmp_path: Path):
    rejection = _rejection(make_text_as_mp4(tmp_path / "notes.mp4"))
    assert rejection.code == "not_a_video"
    assert "not a readable video" in str(rejection)


def test_audio_only_file_is_rejected_for_having_no_video_stream(tmp_path: Path):
    rejection = _rejection(make_audio_only(tmp_path / "song.mp4"))
    assert rejection.code == "no_video_stream"
    assert "audio-only" in str(rejection)


def test_audio_with_cover_art_is_audio_only_not_a_one_frame_video(tmp_path: Path):
    # FFmpeg lists the cover picture of a song or podcast as a video stream.
    rejection = _rejection(make_audio_with_cover(tmp_path / "podcast.mp4"))
    assert rejection.code == "no_video_stream"
    assert "audio-only" in str(rejection)


def test_matroska_starting_late_is_as_long_as_its_frames(tmp_path: Path):
    # A 2 s recording remuxed with its original timestamps (starting an hour in): Matroska's
    # Duration counts from 0 and says 3602 s, over the 180 s limit.
    path = make_clip(
        tmp_path / "cut.mkv",
        width=64,
        height=64,
        seconds=2.0,
        audio=None,
        container_format="matroska",
        first_frame_s=3600.0,
    )
    info = probe_media(path, max_duration_s=180)
    assert info.duration_s == pytest.approx(2.0, abs=0.2)


def test_ten_minute_video_is_rejected_by_the_duration_cap_with_the_reason(tmp_path: Path):
    rejection = _rejection(make_long_video(tmp_path / "long.mp4", seconds=600))
    assert rejection.code == "too_long"
    assert "600 s" in str(rejection) and "180 s" in str(rejection)


def test_probe_reports_rotation_and_display_size_of_phone_video(tmp_path: Path):
    path = make_clip(tmp_path / "phone.mp4", width=284, height=160, rotation=90, audio=None)
    info = probe_media(path)
    assert info.rotation == 90
    assert info.display_size == (160, 284)


@pytest.mark.parametrize(
    ("degrees", "quarter_turn"),
    [(89.6, 90), (-90, 270), (-180, 180), (405, 0), (float("nan"), 0), (float("inf"), 0)],
)
def test_rotations_snap_to_a_quarter_turn_and_nonsense_to_none(degrees, quarter_turn):
    assert normalise_rotation(degrees) == quarter_turn
