"""Small real media files for tests and benchmarks, made with PyAV (and espeak-ng for speech)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

from tests.support.speech import make_speech_wav

TONE_HZ = 440.0
AUDIO_RATE_HZ = 44100


def _picture(width: int, height: int, index: int, fps: float) -> np.ndarray:
    """A moving colour gradient with a bright bar on the left edge (so tests can tell which
    way up a picture is)."""
    t = index / fps
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    red = (np.sin(2 * np.pi * (x + t / 3)) * 0.5 + 0.5) * 200 + y * 0
    green = (y * 180 + x * 0 + 40 * math.sin(t)).clip(0, 255)
    blue = np.full((height, width), (index * 7) % 256, dtype=np.float32)
    frame = np.stack([red, green, blue], axis=-1).clip(0, 255).astype(np.uint8)
    frame[:, : max(2, width // 8)] = 255
    return frame


def _speech_samples(text: str, workdir: Path) -> tuple[np.ndarray, int]:
    wav = make_speech_wav(text, workdir / "speech.wav")
    with av.open(str(wav)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=AUDIO_RATE_HZ)
        chunks = []
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    wav.unlink()
    return np.concatenate(chunks).astype(np.float32), AUDIO_RATE_HZ


def make_clip(
    path: Path,
    *,
    width: int = 160,
    height: int = 284,
    seconds: float = 2.0,
    fps: int = 10,
    audio: str | None = "tone",
    speech_text: str = "",
    video_codec: str = "libx264",
    audio_codec: str = "aac",
    container_format: str | None = None,
    rotation: int = 0,
    faststart: bool = True,
    metadata: dict[str, str] | None = None,
    first_frame_s: float = 0.0,
    sample_aspect_ratio: Fraction | None = None,
    audio_start_s: float = 0.0,
    container_options: dict[str, str] | None = None,
    frame_times_s: list[float] | None = None,
) -> Path:
    """Write a clip: audio is "tone", "speech" (espeak-ng saying speech_text, the clip as long
    as the speech if that is longer), "silence" (a silent track) or None (no audio stream).
    `rotation` stores a display matrix (counter-clockwise degrees) like a phone does;
    `metadata` tags the container and the video stream (a phone's location, make, title...);
    `first_frame_s` starts the video's timestamps there (a recording cut from a longer one);
    `sample_aspect_ratio` makes the pixels non-square (anamorphic DV, broadcast);
    `audio_start_s` starts the audio track that much after the picture; `container_options`
    go to the muxer (`{"live": "1"}` writes WebM as a browser's MediaRecorder does, with no
    duration); `frame_times_s` gives each frame's time instead of `fps` (a variable frame
    rate: a screen recording sends a frame only when the screen changes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    samples = None
    if audio == "speech":
        samples, _ = _speech_samples(speech_text or "hello from the test suite", path.parent)
        seconds = max(seconds, len(samples) / AUDIO_RATE_HZ + 0.3)
    options = {"movflags": "+faststart"} if faststart and path.suffix in (".mp4", ".mov") else {}
    options |= container_options or {}
    with av.open(str(path), "w", format=container_format, options=options) as output:
        vstream = output.add_stream(
            video_codec, rate=fps, options={"preset": "ultrafast"} if "264" in video_codec else {}
        )
        vstream.width, vstream.height = width, height
        vstream.pix_fmt = "yuv420p"
        if sample_aspect_ratio is not None:
            vstream.codec_context.sample_aspect_ratio = sample_aspect_ratio
        if metadata:
            output.metadata.update(metadata)
            vstream.metadata.update(metadata)
        if "vpx" in video_codec:
            vstream.bit_rate = 200_000
        if rotation:
            vstream.set_display_rotation(rotation)
        astream = None
        if audio is not None:
            rate = 48000 if audio_codec == "libopus" else AUDIO_RATE_HZ
            astream = output.add_stream(audio_codec, rate=rate, layout="mono")
        if frame_times_s is None:
            time_base = Fraction(1, fps)
            stamps = [index + round(first_frame_s * fps) for index in range(round(seconds * fps))]
        else:
            time_base = Fraction(1, 1000)
            stamps = [round((first_frame_s + t) * 1000) for t in frame_times_s]
            vstream.codec_context.time_base = time_base
        for index, pts in enumerate(stamps or [0]):
            frame = av.VideoFrame.from_ndarray(_picture(width, height, index, fps), format="rgb24")
            frame.pts = pts
            frame.time_base = time_base
            for packet in vstream.encode(frame):
                output.mux(packet)
        for packet in vstream.encode(None):
            output.mux(packet)
        if astream is not None:
            _write_audio(output, astream, audio, samples, seconds, audio_start_s)
    return path


def write_tone(
    output: av.container.OutputContainer, astream: av.AudioStream, seconds: float
) -> None:
    """`seconds` of a steady tone into `astream` (added to `output` before its first packet)."""
    _write_audio(output, astream, "tone", None, seconds)


def _write_audio(output, astream, kind: str, samples, seconds: float, start_s: float = 0.0):  # noqa: ANN001, ANN201
    total = int(seconds * AUDIO_RATE_HZ)
    rate = astream.codec_context.rate
    written = round(start_s * rate)  # the track's first timestamp, in samples
    if kind == "speech":
        signal = np.zeros(total, dtype=np.float32)
        signal[: min(total, len(samples))] = samples[:total]
    elif kind == "silence":
        signal = np.zeros(total, dtype=np.float32)
    else:
        t = np.arange(total, dtype=np.float32) / AUDIO_RATE_HZ
        signal = (0.3 * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)
    resampler = av.AudioResampler(
        format=astream.codec_context.format.name, layout="mono", rate=astream.codec_context.rate
    )
    chunk = 1024
    for start in range(0, total, chunk):
        piece = signal[start : start + chunk].reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(piece, format="flt", layout="mono")
        frame.sample_rate = AUDIO_RATE_HZ
        frame.pts = None
        for converted in resampler.resample(frame):
            converted.pts, written = written, written + converted.samples
            for packet in astream.encode(converted):
                output.mux(packet)
    for converted in resampler.resample(None):
        converted.pts, written = written, written + converted.samples
        for packet in astream.encode(converted):
            output.mux(packet)
    for packet in astream.encode(None):
        output.mux(packet)


def make_webm(path: Path, **kwargs) -> Path:  # noqa: ANN003
    """A VP9 + Opus WebM clip (what imageboards serve)."""
    kwargs.setdefault("audio", "tone")
    return make_clip(
        path, video_codec="libvpx-vp9", audio_codec="libopus", container_format="webm", **kwargs
    )


# Kr, Kb of the Y'CbCr matrices by FFmpeg's number: BT.709, BT.2020 (non-constant luminance).
LUMA_WEIGHTS = {1: (0.2126, 0.0722), 9: (0.2627, 0.0593)}


def make_hdr_clip(
    path: Path,
    pictures: Iterable[np.ndarray],
    *,
    transfer: int,
    primaries: int = 9,
    matrix: int = 9,
    fps: int = 10,
    preset: str = "medium",
    tag_matrix: bool = True,
    x265_params: str = "",
) -> Path:
    """A 10-bit HEVC MP4, by default BT.2020 tagged with `transfer` (16 PQ, 18 HLG: what an
    HDR phone records); one frame per picture: non-linear R'G'B' in 0..1, (height, width, 3),
    even sides, made limited-range Y'CbCr with the matrix's weights (tagged unless
    `tag_matrix` is false, as some phones' files are). `x265_params` adds to the encoder's
    (`max-cll=4000,400` or `master-display=...`: the HDR10 metadata an HDR master carries)."""
    red_weight, blue_weight = LUMA_WEIGHTS[matrix]
    with av.open(str(path), "w", format="mp4") as output:
        stream = output.add_stream("libx265", rate=fps)
        stream.pix_fmt = "yuv420p10le"
        params = ":".join(filter(None, ["log-level=error", x265_params]))
        stream.options = {"x265-params": params, "preset": preset}
        context = stream.codec_context
        context.colorspace = matrix if tag_matrix else 2  # 2: unspecified
        context.color_primaries, context.color_range = primaries, 1
        context.color_trc = transfer
        for index, picture in enumerate(pictures):
            height, width, _ = picture.shape
            if index == 0:
                stream.width, stream.height = width, height
            red, green, blue = (picture[..., channel] for channel in range(3))
            luma = red_weight * red + (1 - red_weight - blue_weight) * green + blue_weight * blue

            def quarter(plane: np.ndarray, h: int = height, w: int = width) -> np.ndarray:
                return plane.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))

            planes = [
                64 + 876 * luma,
                512 + 896 * quarter((blue - luma) / (2 - 2 * blue_weight)),
                512 + 896 * quarter((red - luma) / (2 - 2 * red_weight)),
            ]
            frame = av.VideoFrame(width, height, "yuv420p10le")
            for plane, values in zip(frame.planes, planes, strict=True):
                rows = np.zeros((values.shape[0], plane.line_size // 2), np.uint16)
                rows[:, : values.shape[1]] = np.round(values)
                plane.update(rows.tobytes())
            frame.pts = index
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return Path(path)


def make_gif(path: Path, *, width: int = 120, height: int = 90, frames: int = 12) -> Path:
    """An animated GIF (Pillow), 10 frames per second."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    images = [
        Image.fromarray(_picture(width, height, index, 10.0)).convert("P", palette=Image.ADAPTIVE)
        for index in range(frames)
    ]
    images[0].save(path, save_all=True, append_images=images[1:], duration=100, loop=0)
    return Path(path)


def make_audio_only(path: Path, *, seconds: float = 2.0) -> Path:
    """An M4A-style MP4 with only an AAC track."""
    path = Path(path)
    with av.open(str(path), "w", format="mp4") as output:
        astream = output.add_stream("aac", rate=AUDIO_RATE_HZ, layout="mono")
        _write_audio(output, astream, "tone", None, seconds)
    return path


def make_audio_with_cover(path: Path, *, seconds: float = 2.0) -> Path:
    """A song or podcast file: an AAC track and its cover art (an attached JPEG picture)."""
    path = Path(path)
    with av.open(str(path), "w", format="mp4") as output:
        astream = output.add_stream("aac", rate=AUDIO_RATE_HZ, layout="mono")
        cover = output.add_stream("mjpeg")
        cover.width = cover.height = 64
        cover.pix_fmt = "yuvj420p"
        cover.disposition = av.stream.Disposition.attached_pic
        _write_audio(output, astream, "tone", None, seconds)
        picture = av.VideoFrame.from_ndarray(_picture(64, 64, 0, 1.0), format="rgb24")
        for packet in cover.encode(picture.reformat(format="yuvj420p")):
            output.mux(packet)
        for packet in cover.encode(None):
            output.mux(packet)
    return path


def make_long_video(path: Path, *, seconds: float = 600.0) -> Path:
    """A long video made cheaply: 32x32 pixels at 1 fps, no audio."""
    return make_clip(path, width=32, height=32, seconds=seconds, fps=1, audio=None)


def make_truncated_mp4(path: Path, *, keep_fraction: float = 0.5) -> Path:
    """An MP4 cut off mid-file (index at the end, so the index is gone - a failed download)."""
    path = Path(path)
    full = path.with_name(path.stem + ".full.mp4")
    make_clip(full, faststart=False, seconds=2.0)
    data = full.read_bytes()
    full.unlink()
    path.write_bytes(data[: int(len(data) * keep_fraction)])
    return path


def make_text_as_mp4(path: Path) -> Path:
    """A text file with a video extension."""
    path = Path(path)
    path.write_text("this is not a video, just some text pretending to be one\n" * 20)
    return path


def make_clip_with_undecodable_audio(path: Path, *, seconds: float = 2.0) -> Path:
    """A Matroska clip whose only audio track is in a codec this FFmpeg has no decoder for
    (AC-4 or MPEG-H in a broadcast recording): an AAC track's codec id renamed."""
    source = make_clip(path.with_suffix(".aac.mkv"), seconds=seconds, container_format="matroska")
    data = source.read_bytes()
    assert data.count(b"A_AAC") == 1
    path.write_bytes(data.replace(b"A_AAC", b"A_ZZZ"))
    source.unlink()
    return path
