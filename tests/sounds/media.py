"""Audio the sound tests make: melodies (random note sequences with a harmonic and a little
noise, so Chromaprint has something to hold on to), written as audio files or under a video."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

RATE_HZ = 44100
NOTE_SECONDS = 0.25


def melody(seed: int, seconds: float = 12.0, rate: int = RATE_HZ) -> np.ndarray:
    """Mono float32 samples of a random melody; the same seed gives the same melody."""
    rng = np.random.default_rng(seed)
    total = int(seconds * rate)
    notes = rng.uniform(200, 900, size=int(seconds / NOTE_SECONDS) + 1)
    pitch = np.repeat(notes, int(rate * NOTE_SECONDS))[:total]
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    noise = rng.standard_normal(total)
    return (0.4 * np.sin(phase) + 0.2 * np.sin(2.1 * phase) + 0.03 * noise).astype(np.float32)


def _encode_audio(output, stream, samples: np.ndarray, rate: int) -> None:  # noqa: ANN001
    resampler = av.AudioResampler(
        format=stream.codec_context.format.name, layout="mono", rate=stream.codec_context.rate
    )
    for start in range(0, samples.size, 1024):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples[start : start + 1024].reshape(1, -1)),
            format="flt",
            layout="mono",
        )
        frame.sample_rate = rate
        for converted in resampler.resample(frame):
            for packet in stream.encode(converted):
                output.mux(packet)
    for converted in resampler.resample(None):
        for packet in stream.encode(converted):
            output.mux(packet)
    for packet in stream.encode(None):
        output.mux(packet)


def write_audio(
    path: Path,
    samples: np.ndarray,
    *,
    container: str = "ipod",
    codec: str = "aac",
    bit_rate: int = 128_000,
    leading_silence_s: float = 0.0,
    rate: int = RATE_HZ,
) -> Path:
    """An audio-only file (AAC in .m4a by default; e.g. container="mp3", codec="libmp3lame")."""
    if leading_silence_s:
        samples = np.concatenate([np.zeros(int(leading_silence_s * rate), np.float32), samples])
    with av.open(str(path), "w", format=container) as output:
        stream = output.add_stream(codec, rate=rate, layout="mono")
        stream.bit_rate = bit_rate
        _encode_audio(output, stream, samples, rate)
    return path


def write_reencoded_copy(path: Path, samples: np.ndarray) -> Path:
    """What a re-upload looks like: a 64 kb/s MP3 of the samples with 1 s of silence in front."""
    return write_audio(
        path,
        samples,
        container="mp3",
        codec="libmp3lame",
        bit_rate=64_000,
        leading_silence_s=1.0,
    )


def write_video(
    path: Path, samples: np.ndarray | None, *, seconds: float, fps: int = 10, rate: int = RATE_HZ
) -> Path:
    """A small H.264 MP4 of a moving gradient, with `samples` as its AAC track (None: no audio)."""
    with av.open(str(path), "w", format="mp4") as output:
        video = output.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        video.width, video.height, video.pix_fmt = 96, 160, "yuv420p"
        audio = output.add_stream("aac", rate=rate, layout="mono") if samples is not None else None
        for index in range(max(1, round(seconds * fps))):
            picture = np.zeros((160, 96, 3), np.uint8)
            picture[..., 0] = (index * 9) % 256
            picture[..., 1] = np.linspace(0, 255, 96, dtype=np.uint8)[None, :]
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, fps)
            for packet in video.encode(frame):
                output.mux(packet)
        for packet in video.encode(None):
            output.mux(packet)
        if audio is not None:
            _encode_audio(output, audio, samples[: int(seconds * rate)], rate)
    return path
