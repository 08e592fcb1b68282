"""Transcoding with PyAV: upright, capped size, MP4 + HLS + stills + ASR audio (no database)."""

from __future__ import annotations

import struct
import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from tests.support.media import make_clip, make_gif, make_hdr_clip, make_webm
from videos.media.hls import mp4_to_hls
from videos.media.probe import probe_media
from videos.media.tone_mapping import (
    BT2020_TO_BT709,
    REFERENCE_WHITE_NITS,
    TRANSFER_HLG,
    TRANSFER_PQ,
    content_peak_nits,
    nits_to_hlg,
    nits_to_pq,
)
from videos.media.transcode import output_size, sample_times, transcode


def _transcode(path: Path, tmp_path: Path):
    return transcode(path, tmp_path / "out", probe_media(path))


def _tiny(path: Path, **kwargs) -> Path:  # noqa: ANN003
    """A 64x64 silent clip; keyword arguments as make_clip's override these."""
    return make_clip(path, **({"width": 64, "height": 64, "audio": None} | kwargs))


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


def _oriented_clip(path: Path, stored: np.ndarray, degrees: int, hflip: bool, vflip: bool) -> Path:
    """A 0.3 s clip of one stored picture whose display matrix turns it `degrees` counter-
    clockwise, then mirrors it left-right and/or top-bottom (the eight orientations)."""
    with av.open(str(path), "w") as output:
        stream = output.add_stream("libx264", rate=10, options={"preset": "ultrafast"})
        stream.height, stream.width = stored.shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.set_display_rotation(degrees, hflip=hflip, vflip=vflip)
        _encode(output, stream, [av.VideoFrame.from_ndarray(stored, format="rgb24")] * 3)
    return path


def _encode(output, stream, frames: list[av.VideoFrame]) -> None:  # noqa: ANN001
    """Encode and mux the frames, a tenth of a second apart, then flush the encoder."""
    for index, frame in enumerate(frames):
        frame.pts = index
        for packet in stream.encode(frame):
            output.mux(packet)
    for packet in stream.encode(None):
        output.mux(packet)


def _quadrant_levels(picture: np.ndarray) -> np.ndarray:
    """Mean brightness of the four quadrants: [[top left, top right], [bottom left, ...]]."""
    height, width = picture.shape[0] // 2, picture.shape[1] // 2
    grey = picture.astype(float).mean(axis=2)
    return np.array(
        [
            [grey[:height, :width].mean(), grey[:height, width:].mean()],
            [grey[height:, :width].mean(), grey[height:, width:].mean()],
        ]
    )


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
@pytest.mark.parametrize(("hflip", "vflip"), [(False, False), (True, False), (False, True)])
def test_every_orientation_a_display_matrix_asks_for_comes_out_as_shown(
    tmp_path: Path, degrees: int, hflip: bool, vflip: bool
):
    # Stored landscape: a white top-left quadrant, a grey top-right one, dark below. Shown is
    # that turned counter-clockwise, then mirrored: every orientation puts the two apart.
    stored = np.full((96, 160, 3), 20, dtype=np.uint8)
    stored[:48, :80] = 235
    stored[:48, 80:] = 128
    shown = np.rot90(stored, degrees // 90)
    if hflip:
        shown = shown[:, ::-1]
    if vflip:
        shown = shown[::-1]
    source = _oriented_clip(tmp_path / "oriented.mp4", stored, degrees, hflip, vflip)

    result = _transcode(source, tmp_path)

    assert (result.height, result.width) == shown.shape[:2]
    with av.open(str(result.mp4)) as container:
        picture = next(container.decode(video=0)).to_ndarray(format="rgb24")
    np.testing.assert_allclose(_quadrant_levels(picture), _quadrant_levels(shown), atol=25)


def test_probe_names_a_mirrored_display_matrix(tmp_path: Path):
    stored = np.zeros((64, 96, 3), dtype=np.uint8)
    plain = probe_media(_oriented_clip(tmp_path / "plain.mp4", stored, 90, False, False))
    selfie = probe_media(_oriented_clip(tmp_path / "selfie.mp4", stored, 90, True, False))
    assert (plain.rotation, plain.mirrored, plain.display_size) == (90, False, (64, 96))
    assert (selfie.mirrored, selfie.display_size) == (True, (64, 96))


def test_a_display_matrix_of_zeros_leaves_the_picture_as_stored(tmp_path: Path):
    # FFmpeg reads no angle from it (NaN, which PyAV hands over as -2**31: a quarter turn once
    # snapped); players show such a file unturned.
    path = _tiny(tmp_path / "zeros.mp4", width=96, height=64)
    hostile = tmp_path / "hostile.mp4"
    with av.open(str(path)) as source, av.open(str(hostile), "w") as output:
        stream = output.add_stream_from_template(source.streams.video[0])
        stream.set_display_matrix([0] * 9)
        for packet in source.demux(source.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                output.mux(packet)
    info = probe_media(hostile)
    assert (info.rotation, info.mirrored, info.display_size) == (0, False, (96, 64))
    result = _transcode(hostile, tmp_path)
    assert (result.width, result.height) == (96, 64)


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
    source = _tiny(
        tmp_path / f"clip.{container}",
        seconds=2.0,
        fps=fps,
        video_codec="libvpx" if container == "webm" else "libx264",
        container_format="webm" if container == "webm" else "matroska",
    )
    result = _transcode(source, tmp_path)
    with av.open(str(result.mp4)) as container_in:
        frames = sum(1 for _ in container_in.decode(video=0))
    assert frames == 60
    assert result.fps == 30.0


def test_matroska_starting_an_hour_in_transcodes_to_its_two_seconds(tmp_path: Path):
    source = _tiny(
        tmp_path / "cut.mkv",
        seconds=2.0,
        fps=10,
        container_format="matroska",
        first_frame_s=3600.0,
    )
    result = _transcode(source, tmp_path)
    assert result.duration_s == pytest.approx(2.0, abs=0.15)
    assert len(result.frames) == 12  # sampled over 2 s, not over 3,602


def test_anamorphic_pixels_come_out_square_at_the_shown_shape(tmp_path: Path):
    # Widescreen PAL DV: stored 720x576, each pixel 64/45 as wide as tall, shown 1024x576.
    source = make_clip(
        tmp_path / "dv.mp4",
        width=720,
        height=576,
        seconds=0.4,
        fps=10,
        audio=None,
        sample_aspect_ratio=Fraction(64, 45),
    )
    info = probe_media(source)
    assert info.display_size == (1024, 576)
    result = _transcode(source, tmp_path)
    assert (result.width, result.height) == (1024, 576)
    with av.open(str(result.mp4)) as container:
        stream = container.streams.video[0]
        assert stream.sample_aspect_ratio in (None, Fraction(1))
    with Image.open(result.poster) as poster:
        assert poster.size == (1024, 576)


def test_an_implausible_pixel_aspect_is_ignored(tmp_path: Path):
    source = _tiny(
        tmp_path / "odd.mp4",
        seconds=0.4,
        fps=10,
        sample_aspect_ratio=Fraction(1000, 1),
    )
    assert probe_media(source).display_size == (64, 64)
    result = _transcode(source, tmp_path)
    assert (result.width, result.height) == (64, 64)


def _full_range_clip(path: Path) -> Path:
    """Black on the left half, white on the right, encoded full range (0-255), as many
    phones record."""
    picture = np.zeros((64, 64, 3), np.uint8)
    picture[:, 32:] = 255
    with av.open(str(path), "w") as output:
        stream = output.add_stream("libx264", rate=10, options={"preset": "ultrafast"})
        stream.width = stream.height = 64
        stream.pix_fmt = "yuv420p"
        stream.codec_context.color_range = 2
        frames = []
        for _ in range(4):
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24").reformat(
                format="yuv420p", dst_color_range=2
            )
            frame.color_range = 2
            frames.append(frame)
        _encode(output, stream, frames)
    return path


def test_full_range_video_is_converted_to_the_limited_range_it_is_tagged_with(tmp_path: Path):
    source = _full_range_clip(tmp_path / "phone.mp4")
    with av.open(str(source)) as container:
        luma = next(container.decode(video=0)).to_ndarray()[:64]
    assert luma[:, :24].mean() < 4 and luma[:, 40:].mean() > 250  # full range: 0 and 255

    result = _transcode(source, tmp_path)

    with av.open(str(result.mp4)) as container:
        frame = next(container.decode(video=0))
        # Limited range; an untagged picture this small is BT.601 by convention, and says so.
        assert (int(frame.color_range), int(frame.colorspace)) == (1, 6)
        luma = frame.to_ndarray()[:64]
    # Limited range puts black at 16 and white at 235; unconverted they stay 0 and 255, which
    # a player reading limited range shows as crushed shadows and clipped highlights.
    assert 12 <= luma[:, :24].mean() <= 20
    assert 231 <= luma[:, 40:].mean() <= 239


def _loudness(samples: np.ndarray, rate: int, start_s: float, end_s: float) -> float:
    return float(np.sqrt(np.mean(samples[int(start_s * rate) : int(end_s * rate)] ** 2)))


def _wav_samples(path: Path) -> np.ndarray:
    with wave.open(str(path)) as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), "<i2").astype(np.float32) / 32768


def _mp4_audio(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as container:
        frames = list(container.decode(audio=0))
    return np.concatenate([f.to_ndarray()[0] for f in frames]), frames[0].sample_rate


def test_audio_that_starts_after_the_picture_stays_in_step_with_it(tmp_path: Path):
    # The picture runs 0-3 s, the tone 1-3 s: the output is silent for its first second in
    # the MP4 and in the speech-recognition copy (transcript timings follow it).
    source = _tiny(tmp_path / "late.mp4", seconds=3.0, audio="tone", audio_start_s=1.0)
    result = _transcode(source, tmp_path)
    asr = _wav_samples(result.audio_wav)
    assert _loudness(asr, 16000, 0.0, 0.8) < 0.01
    assert _loudness(asr, 16000, 1.2, 2.8) > 0.1
    aac, rate = _mp4_audio(result.mp4)
    assert _loudness(aac, rate, 0.1, 0.8) < 0.01
    assert _loudness(aac, rate, 1.2, 2.8) > 0.1


def test_audio_before_the_first_picture_is_cut(tmp_path: Path):
    # The tone runs 0-2 s, the picture 1-3 s: the output starts with the picture, so its audio
    # is the tone's second second, at 0-1 s.
    source = make_clip(tmp_path / "early.mp4", width=64, height=64, seconds=2.0, first_frame_s=1.0)
    result = _transcode(source, tmp_path)
    asr = _wav_samples(result.audio_wav)
    assert len(asr) / 16000 == pytest.approx(1.0, abs=0.1)
    assert _loudness(asr, 16000, 0.05, 0.9) > 0.1
    assert result.duration_s == pytest.approx(2.0, abs=0.15)


def test_a_webm_without_a_duration_is_sampled_over_its_whole_length(tmp_path: Path):
    # What a browser's MediaRecorder writes: no duration in the header. 6 s at 5 fps; each
    # picture's blue level is 7 x its index, so a still tells which frame it was.
    source = _tiny(
        tmp_path / "recorded.webm",
        seconds=6.0,
        fps=5,
        video_codec="libvpx",
        container_format="webm",
        container_options={"live": "1"},
    )
    assert probe_media(source).duration_s is None

    result = _transcode(source, tmp_path)

    def index_of(path: Path) -> int:
        with Image.open(path) as image:
            return round(np.asarray(image.convert("RGB"))[:, 16:, 2].mean() / 7)

    indices = [index_of(path) for path in result.frames]
    # As many as for a clip whose length is known: one a second, at least 12.
    assert len(indices) == 12
    assert [path.name for path in result.frames] == [f"frame_{i:03d}.jpg" for i in range(12)]
    assert indices == sorted(indices) and indices[0] <= 2 and indices[-1] >= 27
    assert max(b - a for a, b in zip(indices, indices[1:], strict=False)) <= 3
    assert 4 <= index_of(result.poster) <= 6  # about 1 s in, not the first frame


def test_an_untagged_hd_picture_is_tagged_bt709_and_its_colours_kept(tmp_path: Path):
    source = make_clip(tmp_path / "hd.mp4", width=1280, height=720, seconds=0.2, fps=10, audio=None)
    with av.open(str(source)) as container:
        before = next(container.decode(video=0))
        assert int(before.colorspace) == 2  # unspecified
        luma_before = before.to_ndarray()[:720].astype(float)
    result = _transcode(source, tmp_path)
    with av.open(str(result.mp4)) as container:
        after = next(container.decode(video=0))
        assert (int(after.color_range), int(after.colorspace)) == (1, 1)
        luma_after = after.to_ndarray()[:720].astype(float)
    # BT.709 in and out: no matrix conversion, the picture as it was (within x264's loss).
    assert abs(luma_after.mean() - luma_before.mean()) < 1.5


def _hdr_picture(transfer: int, *, bt2020_primaries: bool = True) -> np.ndarray:
    """Left half HDR reference white, right half BT.709's red at 40% of it (in BT.2020's
    primaries unless told otherwise)."""
    encode = nits_to_pq if transfer == TRANSFER_PQ else nits_to_hlg
    red = np.array([1.0, 0.0, 0.0]) * 0.4
    if bt2020_primaries:
        red = np.linalg.solve(BT2020_TO_BT709, red)
    picture = np.zeros((64, 128, 3))
    picture[:, :64] = encode(np.full(3, REFERENCE_WHITE_NITS))
    picture[:, 64:] = encode(red * REFERENCE_WHITE_NITS)
    return picture


@pytest.mark.parametrize(
    ("transfer", "primaries", "tag_matrix"),
    [
        (TRANSFER_HLG, 9, True),
        (TRANSFER_PQ, 9, True),
        (TRANSFER_HLG, 9, False),
        (TRANSFER_PQ, 1, True),
    ],
    ids=["hlg", "pq", "hlg-matrix-untagged", "pq-bt709-primaries"],
)
def test_an_hdr_phone_video_is_tone_mapped_to_sdr_bt709(
    tmp_path: Path, transfer: int, primaries: int, tag_matrix: bool
):
    # An iPhone records HLG, many Androids PQ (HDR10): 10-bit HEVC in BT.2020. Passed through
    # as BT.709, its white was a flat grey (HLG 75%, PQ 58%) and its red a dull pink. A file
    # that does not tag its matrix is in BT.2020's all the same; one graded in BT.709's
    # primaries keeps them.
    picture = _hdr_picture(transfer, bt2020_primaries=primaries == 9)
    source = make_hdr_clip(
        tmp_path / "hdr.mp4",
        [picture] * 6,
        transfer=transfer,
        primaries=primaries,
        tag_matrix=tag_matrix,
    )
    result = _transcode(source, tmp_path)
    with av.open(str(result.mp4)) as container:
        frame = next(container.decode(video=0))
        tags = tuple(
            int(getattr(frame, name))
            for name in ("colorspace", "color_primaries", "color_trc", "color_range")
        )
        picture = frame.to_ndarray(format="rgb24").astype(float)
    assert tags == (1, 1, 1, 1)  # BT.709 matrix, primaries and transfer; limited range
    white, red = picture[8:-8, 8:56].mean(axis=(0, 1)), picture[8:-8, 72:-8].mean(axis=(0, 1))
    assert np.all((white > 0.85 * 255) & (white < 0.95 * 255))  # near SDR white, grey
    assert max(white) - min(white) < 6
    assert red[0] == pytest.approx(255 * 0.4 ** (1 / 2.4), abs=6) and max(red[1:]) < 12
    with Image.open(result.poster) as poster:  # the stills the embedder sees are SDR too
        assert np.asarray(poster.convert("RGB"))[8:-8, 8:56].mean() > 0.85 * 255


# The mastering display of an HDR10 master graded to 4,000 nits (BT.2020 primaries, D65).
MASTER_DISPLAY_4000 = (
    "master-display=G(8500,39850)B(6550,2300)R(35400,14600)WP(15635,16450)L(40000000,50)"
)


def _highlight_levels(tmp_path: Path, x265_params: str) -> tuple[float, float]:
    """Output brightness of a PQ clip's 1,000-nit and 4,000-nit grey patches."""
    picture = np.zeros((64, 128, 3))
    picture[:, :64] = nits_to_pq(np.full(3, 1000.0))
    picture[:, 64:] = nits_to_pq(np.full(3, 4000.0))
    source = make_hdr_clip(
        tmp_path / "master.mp4", [picture] * 4, transfer=TRANSFER_PQ, x265_params=x265_params
    )
    result = _transcode(source, tmp_path)
    with av.open(str(result.mp4)) as container:
        shown = next(container.decode(video=0)).to_ndarray(format="rgb24").astype(float)
    return shown[8:-8, 8:56].mean(), shown[8:-8, 72:-8].mean()


@pytest.mark.parametrize(
    "metadata", ["max-cll=4000,400", MASTER_DISPLAY_4000], ids=["content-light", "mastering"]
)
def test_pq_highlights_up_to_the_masters_peak_stay_apart(tmp_path: Path, metadata: str):
    # An HDR10 master says how bright it gets; compressing only up to 1,000 nits made every
    # highlight above that the same flat white (a sky and the sun in it). The shoulder puts
    # them in SDR's top few steps, apart.
    brighter, brightest = _highlight_levels(tmp_path, metadata)
    assert brightest - brighter >= 2
    assert brightest > 0.98 * 255


@pytest.mark.parametrize("metadata", ["", "max-cll=65535,65535"], ids=["none", "beyond-pq"])
def test_pq_without_a_believable_peak_is_compressed_up_to_the_usual_or_pqs_own(
    tmp_path: Path, metadata: str
):
    brighter, brightest = _highlight_levels(tmp_path, metadata)
    if metadata:  # kept to PQ's 10,000 nits: still apart, nothing breaks
        assert brightest - brighter >= 2
    else:  # 1,000 nits, as most phones grade: both at SDR white
        assert brightest == pytest.approx(brighter, abs=0.5)


def test_content_peak_is_read_from_ffmpegs_structures_and_kept_in_range():
    light = struct.pack("<II", 1500, 300)
    mastering = bytes(72) + struct.pack("<ii", 40_000_000, 10_000) + struct.pack("<ii", 1, 1)
    assert content_peak_nits(light_level=light, mastering=mastering) == 1500
    assert content_peak_nits(light_level=None, mastering=mastering) == 4000
    assert content_peak_nits(light_level=struct.pack("<II", 0, 0), mastering=None) == 1000
    assert content_peak_nits(light_level=struct.pack("<II", 50, 10), mastering=None) == 400
    no_luminance = bytes(72) + struct.pack("<ii", 4000, 1) + struct.pack("<ii", 1, 0)
    assert content_peak_nits(light_level=None, mastering=no_luminance) == 1000
    assert content_peak_nits(light_level=b"\x01", mastering=b"short") == 1000


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


def _video_track(path: Path) -> tuple[list[float], list[float], float]:
    """(presentation times, keyframe times, the track's duration) of an MP4's picture."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        packets = [p for p in container.demux(stream) if p.pts is not None]
        duration = float(stream.duration * stream.time_base)
    times = sorted(float(p.pts * p.time_base) for p in packets)
    keyframes = sorted(float(p.pts * p.time_base) for p in packets if p.is_keyframe)
    return times, keyframes, duration


def _playlist_seconds(playlist: Path) -> list[float]:
    return [
        float(line.split(":", 1)[1].rstrip(","))
        for line in playlist.read_text().splitlines()
        if line.startswith("#EXTINF:")
    ]


def test_a_screen_recording_with_pauses_keeps_its_length_and_keyframes(tmp_path: Path):
    # A screen recording sends a frame only when the screen changes: a second of movement, a
    # five-second pause, another second, then a frame every three seconds, with sound for all
    # 16 s. Before, the MP4's picture track said 9.3 s (B-frames stamped with the time of
    # frames before a pause), the HLS playlist added up to 9.3 s for 16 s of media, and the
    # keyframes followed the average frame rate (every 8 frames, 0.27 s apart).
    times = [i / 30 for i in range(30)] + [6 + i / 30 for i in range(30)] + [9.0, 12.0, 15.0]
    source = make_clip(
        tmp_path / "screen.mp4", width=64, height=64, seconds=16, frame_times_s=times
    )

    result = _transcode(source, tmp_path)

    shown, keyframes, track_s = _video_track(result.mp4)
    assert track_s == pytest.approx(16.0, abs=0.2)
    assert max(b - a for a, b in zip(shown, shown[1:], strict=False)) <= 0.15 + 1e-3
    assert shown[-1] >= 15.8
    gaps = [b - a for a, b in zip(keyframes, keyframes[1:], strict=False)]
    assert gaps and min(gaps) >= 1.9 and max(gaps) <= 2.2
    segments = _playlist_seconds(mp4_to_hls(result.mp4, tmp_path / "hls"))
    assert sum(segments) == pytest.approx(16.0, abs=0.3)
    assert max(segments) <= 2.5


def test_a_still_picture_over_sound_lasts_as_long_as_the_sound(tmp_path: Path):
    # One picture and four seconds of sound (a song under a photo): the picture track spans
    # the sound instead of ending after its single frame.
    source = make_clip(tmp_path / "still.mp4", width=64, height=64, seconds=4, frame_times_s=[0])

    result = _transcode(source, tmp_path)

    shown, _, track_s = _video_track(result.mp4)
    assert track_s == pytest.approx(4.0, abs=0.2)
    assert shown[-1] >= 3.8
    assert result.duration_s == pytest.approx(4.0, abs=0.2)


def test_a_steady_frame_rate_gets_no_copies(tmp_path: Path):
    source = _tiny(tmp_path / "ten.mp4", seconds=3.0, fps=10)

    result = _transcode(source, tmp_path)

    shown, keyframes, _ = _video_track(result.mp4)
    assert len(shown) == 30
    assert keyframes[:2] == pytest.approx([0.0, 2.0], abs=1e-3)


def _clip_with_pcm_audio(path: Path, *, rate_hz: int, seconds: float) -> Path:
    """One second of 24 fps FFV1 pictures over `seconds` of mono 16-bit PCM at `rate_hz` (what
    old phones' 3GP recordings and voice recorders hold, once decoded)."""
    with av.open(str(path), "w", format="matroska") as output:
        video = output.add_stream("ffv1", rate=24)
        video.width, video.height, video.pix_fmt = 64, 64, "yuv420p"
        audio = output.add_stream("pcm_s16le", rate=rate_hz, layout="mono")
        for index in range(24):
            picture = np.full((64, 64, 3), index * 9, np.uint8)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24").reformat(format="yuv420p")
            frame.pts, frame.time_base = index, Fraction(1, 24)
            for packet in video.encode(frame):
                output.mux(packet)
        for packet in video.encode(None):
            output.mux(packet)
        total, start = round(seconds * rate_hz), 0
        while start < total:
            length = min(1024, total - start)
            tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(start, start + length) / rate_hz)
            frame = av.AudioFrame.from_ndarray(
                (tone * 32767).astype(np.int16).reshape(1, -1), format="s16", layout="mono"
            )
            frame.sample_rate, frame.pts = rate_hz, start
            for packet in audio.encode(frame):
                output.mux(packet)
            start += length
        for packet in audio.encode(None):
            output.mux(packet)
    return path


def test_low_sample_rate_audio_of_any_length_transcodes(tmp_path: Path):
    # 1 s of 8 kHz audio made the AAC encoder's last packet repeat a time the MP4 writer
    # refuses (its frames had no time stamps): the video failed to transcode.
    for rate_hz, seconds in [(8000, 1.0), (8000, 1.37), (11025, 1.0), (22050, 2.5)]:
        source = _clip_with_pcm_audio(
            tmp_path / f"{rate_hz}-{seconds}.mkv", rate_hz=rate_hz, seconds=seconds
        )
        info = probe_media(source, max_duration_s=180)
        workdir = tmp_path / f"out-{rate_hz}-{seconds}"
        workdir.mkdir()
        result = transcode(source, workdir, info)
        assert result.has_audio, (rate_hz, seconds)
        with av.open(str(workdir / "video.mp4")) as made:
            audio = made.streams.audio[0]
            assert audio.sample_rate == 44100
            assert abs(float(audio.duration * audio.time_base) - seconds) < 0.1, (rate_hz, seconds)
