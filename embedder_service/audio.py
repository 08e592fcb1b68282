"""Decode uploaded audio (any container PyAV reads, or raw f32le) into 16 kHz mono float32."""

from __future__ import annotations

import io

import av
import numpy as np

from embedder_service.errors import ServiceError

SAMPLE_RATE_HZ = 16_000
RAW_F32LE_CONTENT_TYPE = "audio/x-raw-f32le"
RAW_F32LE_FORMAT = "f32le"
# The demuxers an uploaded audio file may be read with (FFmpeg names). List and playlist
# formats (concat, hls, ...) would read files of this host named inside the upload (a concat
# list of "file secret.wav" decoded the service's own files), and image demuxers would decode a
# picture: never allowed. Nor is any protocol but reading the upload itself.
AUDIO_DEMUXERS = (
    "wav",
    "w64",
    "flac",
    "mp3",
    "aac",
    "ogg",
    "aiff",
    "caf",
    "mov,mp4,m4a,3gp,3g2,mj2",
    "matroska,webm",
)
AUDIO_OPEN_OPTIONS = {"format_whitelist": ",".join(AUDIO_DEMUXERS), "protocol_whitelist": ""}


def is_raw_f32le(content_type: str | None, format_field: str | None) -> bool:
    """True when the upload declares itself raw 16 kHz mono float32 (header or form field)."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    return media_type == RAW_F32LE_CONTENT_TYPE or (format_field or "").lower() == RAW_F32LE_FORMAT


def decode_raw_f32le(data: bytes, sample_rate: int, max_seconds: float) -> np.ndarray:
    """Read little-endian float32 mono samples; only 16 kHz is accepted (no resampling)."""
    if sample_rate != SAMPLE_RATE_HZ:
        raise ServiceError(
            422, "unsupported_sample_rate", f"raw f32le audio must be {SAMPLE_RATE_HZ} Hz mono"
        )
    if len(data) == 0 or len(data) % 4:
        raise ServiceError(
            400, "audio_undecodable", "raw f32le audio must be a non-empty multiple of 4 bytes"
        )
    samples = np.frombuffer(data, dtype="<f4").astype(np.float32)
    _check_duration(len(samples), max_seconds)
    if not np.all(np.isfinite(samples)):
        raise ServiceError(400, "audio_undecodable", "raw f32le audio contains NaN or infinity")
    return samples


def decode_audio(data: bytes, max_seconds: float) -> np.ndarray:
    """Decode a wav/flac/mp3/ogg/... file to 16 kHz mono float32, refusing over-long input."""
    if not data:
        raise ServiceError(400, "audio_undecodable", "the audio file is empty")
    try:
        container = av.open(io.BytesIO(data), mode="r", container_options=AUDIO_OPEN_OPTIONS)
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise ServiceError(400, "audio_undecodable", f"cannot open audio: {exc}") from exc
    with container:
        # The first stream FFmpeg can decode (an AC-4 track has no codec context here).
        stream = next((s for s in container.streams.audio if s.codec_context is not None), None)
        if stream is None:
            raise ServiceError(400, "audio_undecodable", "the file has no decodable audio stream")
        # Refuse early from the header when it states the length, before decoding anything.
        if stream.duration is not None and stream.time_base is not None:
            _check_duration_seconds(float(stream.duration * stream.time_base), max_seconds)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE_HZ)
        chunks: list[np.ndarray] = []
        total = 0
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    total += len(chunk)
                _check_duration(total, max_seconds)
            for out in resampler.resample(None):
                chunk = out.to_ndarray().reshape(-1)
                chunks.append(chunk)
                total += len(chunk)
        except (av.FFmpegError, ValueError) as exc:
            raise ServiceError(400, "audio_undecodable", f"cannot decode audio: {exc}") from exc
    _check_duration(total, max_seconds)
    if total == 0:
        raise ServiceError(400, "audio_undecodable", "the audio stream has no samples")
    return np.concatenate(chunks).astype(np.float32, copy=False)


def _check_duration(num_samples: int, max_seconds: float) -> None:
    _check_duration_seconds(num_samples / SAMPLE_RATE_HZ, max_seconds)


def _check_duration_seconds(seconds: float, max_seconds: float) -> None:
    # 10 ms of slack for resampler rounding, so a clip exactly at the limit is accepted.
    if seconds > max_seconds + 0.01:
        raise ServiceError(
            413,
            "audio_too_long",
            f"audio is longer than the limit of {max_seconds:g} s (got at least {seconds:.1f} s)",
        )
