"""Real-world files unlike the fixtures, checked on what comes out: a header whose length is
wrong (a truncated download, a hostile one), an audio track this FFmpeg cannot decode, a song
under a one-frame picture, and phones' 4K-at-120 and 8K modes."""

from __future__ import annotations

import struct
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from tests.support.media import make_clip_with_undecodable_audio, write_tone
from videos.media.decoding import DecodeBudget, TranscodeLimits
from videos.media.probe import MediaRejected, probe_media
from videos.media.transcode import transcode

FPS = 10


def _colour_of_second(index: int) -> tuple[int, int, int]:
    second = index // FPS
    return ((second * 37) % 256, (second * 91) % 256, (second * 53) % 256)


def _flat_colour_per_second(width: int, height: int, index: int, fps: int) -> np.ndarray:
    picture = np.empty((height, width, 3), np.uint8)
    picture[:] = _colour_of_second(index * FPS // fps)
    return picture


def _write(
    path: Path,
    *,
    seconds: float,
    width: int = 160,
    height: int = 96,
    fps: int = FPS,
    audio_seconds: int = 0,
    container: str | None = None,
    picture_of: Callable[[int, int, int, int], np.ndarray] = _flat_colour_per_second,
    x264_params: str = "",
) -> Path:
    """H.264 whose picture is one flat colour per second (or `picture_of(width, height, index,
    fps)`), with `audio_seconds` of a tone after it if asked."""
    options = {"preset": "ultrafast"} | ({"x264-params": x264_params} if x264_params else {})
    with av.open(str(path), "w", format=container) as output:
        video = output.add_stream("libx264", rate=fps, options=options)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        audio = output.add_stream("aac", rate=22050, layout="mono") if audio_seconds else None
        for index in range(round(seconds * fps)):
            picture = picture_of(width, height, index, fps)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24").reformat(format="yuv420p")
            frame.pts, frame.time_base = index, Fraction(1, fps)
            for packet in video.encode(frame):
                output.mux(packet)
        for packet in video.encode(None):
            output.mux(packet)
        if audio is not None:
            write_tone(output, audio, audio_seconds)
    return path


def _distinct_seconds(frames: list[Path]) -> int:
    """How many different seconds of the source the sampled frames show."""
    return len({tuple(np.asarray(Image.open(f).convert("RGB"))[5, 5] // 16) for f in frames})


def _transcoded(source: Path, tmp_path: Path):  # noqa: ANN202
    info = probe_media(source, max_duration_s=180)
    return transcode(source, tmp_path / "out", info, TranscodeLimits())


def test_a_truncated_download_is_sampled_over_what_it_holds(tmp_path: Path) -> None:
    # The header says 60 s, the file holds about 10: all but two of the frames sent to the
    # embedder were copies of the last one.
    full = _write(tmp_path / "full.mkv", seconds=60, container="matroska")
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 6])
    result = _transcoded(cut, tmp_path)
    assert result.duration_s < 15
    assert _distinct_seconds(result.frames) >= round(result.duration_s) - 1


def test_a_header_that_understates_the_length_does_not_choose_the_sampled_frames(
    tmp_path: Path,
) -> None:
    # Matroska's Duration says 2 s of a 60 s file: every frame the embedder, the tags and
    # moderation saw came from its first 2 s, whatever the feed then played.
    full = _write(tmp_path / "full.mkv", seconds=60, container="matroska")
    data = bytearray(full.read_bytes())
    duration_element = data.find(b"\x44\x89\x88")  # Duration, an 8-byte float (ms)
    data[duration_element + 3 : duration_element + 11] = struct.pack(">d", 2000.0)
    lying = tmp_path / "lying.mkv"
    lying.write_bytes(bytes(data))
    assert probe_media(lying, max_duration_s=180).duration_s == pytest.approx(2.0)
    result = _transcoded(lying, tmp_path)
    assert result.duration_s == pytest.approx(60, abs=0.5)
    assert len(result.frames) == TranscodeLimits().max_frames
    assert _distinct_seconds(result.frames) >= 20


def test_an_honest_clip_is_sampled_one_frame_per_second_as_before(tmp_path: Path) -> None:
    result = _transcoded(_write(tmp_path / "clip.mp4", seconds=15), tmp_path)
    assert len(result.frames) == 15
    assert _distinct_seconds(result.frames) == 15


def test_an_audio_track_ffmpeg_cannot_decode_is_a_silent_video(tmp_path: Path) -> None:
    # Reading its codec's name crashed the probe (no codec context): the upload answered 500.
    source = make_clip_with_undecodable_audio(tmp_path / "odd_audio.mkv")
    info = probe_media(source, max_duration_s=180)
    assert (info.has_audio, info.audio_codec) == (False, None)
    result = transcode(source, tmp_path / "out", info, TranscodeLimits())
    assert result.has_audio is False and result.audio_wav is None
    assert result.duration_s == pytest.approx(2.0, abs=0.2)


@pytest.mark.django_db
def test_uploading_a_video_with_an_undecodable_audio_track_is_taken(
    auth_client,  # noqa: ANN001
    media_store,  # noqa: ANN001
    tmp_path: Path,
) -> None:
    with make_clip_with_undecodable_audio(tmp_path / "odd_audio.mkv").open("rb") as handle:
        response = auth_client.post("/api/videos", {"file": handle}, format="multipart")
    assert response.status_code == 201, response.content


def test_a_song_longer_than_the_limit_under_a_one_frame_picture_is_refused(
    tmp_path: Path,
) -> None:
    # The probe read the picture's 1 s and took it; the transcode cut the song at the limit
    # without a word (a 300 s upload published as 181.9 s).
    song = _write(tmp_path / "song.mp4", seconds=1, fps=1, width=64, height=64, audio_seconds=300)
    with pytest.raises(MediaRejected) as refused:
        probe_media(song, max_duration_s=180)
    assert refused.value.code == "too_long"
    assert "300 s" in str(refused.value)


def test_a_song_under_a_picture_within_the_limit_keeps_all_of_it(tmp_path: Path) -> None:
    song = _write(tmp_path / "song.mp4", seconds=1, fps=1, width=64, height=64, audio_seconds=20)
    result = _transcoded(song, tmp_path)
    assert result.has_audio
    assert 20 <= result.duration_s < 21


@pytest.mark.parametrize(("width", "height", "fps"), [(3840, 2160, 120), (7680, 4320, 30)])
def test_phones_4k_at_120_and_8k_at_30_are_within_the_decoding_budget(
    width: int, height: int, fps: int
) -> None:
    # Both were refused after their upload had been taken ("more pixels per second than 4K at
    # 60"): iPhone Pro slow motion at 4K, Galaxy phones' 8K.
    budget = DecodeBudget(float(fps), TranscodeLimits())
    frame = av.VideoFrame(width, height, "yuv420p")
    frame.time_base = Fraction(1, fps)
    for index in range(3 * fps):
        frame.pts = index
        budget.time_of(frame)
    frame.pts = 3 * fps
    assert budget.time_of(frame) == pytest.approx(3.0)


def _bar_picture(width: int, height: int) -> np.ndarray:
    """Mid grey with a white bar down the left eighth."""
    picture = np.full((height, width, 3), 128, np.uint8)
    picture[:, : width // 8] = 255
    return picture


def test_a_recording_that_turns_portrait_half_way_is_letterboxed_not_stretched(
    tmp_path: Path,
) -> None:
    # A browser recording (VP8 WebM) whose camera turns from 320x240 to 240x320 at 1 s: every
    # later frame was stretched to 320x240.
    source = tmp_path / "turned.webm"
    rate = Fraction(1, 30)
    with av.open(str(source), "w", format="webm") as output:
        stream = output.add_stream("libvpx", rate=30)
        stream.width, stream.height, stream.pix_fmt, stream.bit_rate = 320, 240, "yuv420p", 500_000
        portrait = av.CodecContext.create("libvpx", "w")
        portrait.width, portrait.height, portrait.pix_fmt = 240, 320, "yuv420p"
        portrait.bit_rate, portrait.time_base, portrait.framerate = 500_000, rate, 30
        for index in range(60):
            size = (320, 240) if index < 30 else (240, 320)
            frame = av.VideoFrame.from_ndarray(_bar_picture(*size), format="rgb24")
            frame = frame.reformat(format="yuv420p")
            frame.pts, frame.time_base = index, rate
            if index == 30:
                for packet in stream.encode(None):
                    output.mux(packet)
            encoder = stream.codec_context if index < 30 else portrait
            for packet in encoder.encode(frame):
                packet.stream, packet.time_base = stream, rate
                output.mux(packet)
        for packet in portrait.encode(None):
            packet.stream, packet.time_base = stream, rate
            output.mux(packet)
    result = _transcoded(source, tmp_path)
    with av.open(str(result.mp4)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    first, last = frames[0].astype(int), frames[-1].astype(int)
    assert first.shape == last.shape == (240, 320, 3)
    white_columns = lambda picture: int(((picture.min(axis=2) > 200).mean(axis=0) > 0.9).sum())  # noqa: E731
    # The portrait bar is an eighth of 180 px (the picture fitted in 240 lines), not of 320.
    assert white_columns(first) == pytest.approx(40, abs=3)
    assert white_columns(last) == pytest.approx(22, abs=3)
    assert np.abs(last[:, :60]).max() < 30  # black borders left and right
    # The grey stays the grey it was (the fitted frames keep the colour range).
    assert abs(np.median(last[:, 160]) - np.median(first[:, 160])) <= 4


def test_interlaced_camcorder_video_is_deinterlaced(tmp_path: Path) -> None:
    # 576i (AVCHD, DV, TV recordings): a bright square moving 12 px per field came out with
    # comb teeth on both of its moving edges, in the video, the poster and the sampled frames.
    def two_fields(width: int, height: int, index: int, fps: int) -> np.ndarray:
        picture = np.full((height, width, 3), 40, np.uint8)
        for parity in (0, 1):  # each field a fiftieth of a second after the other
            left = 40 + (2 * index + parity) * 12
            picture[parity::2][50:200, left : left + 120] = 230
        return picture

    source = _write(
        tmp_path / "camcorder.ts",
        seconds=2,
        width=720,
        height=576,
        fps=25,
        container="mpegts",
        picture_of=two_fields,
        x264_params="interlaced=1:tff=1",
    )
    result = _transcoded(source, tmp_path)
    poster = np.asarray(Image.open(result.poster).convert("L")).astype(int)
    rows = poster[120:380]
    even, odd = rows[0::2], rows[1::2][: len(rows[0::2])]
    combed_columns = int(((np.abs(even - odd) > 100).mean(axis=0) > 0.8).sum())
    assert combed_columns == 0
    assert (poster > 200).any()  # the square is there
