"""Audio with PyAV: what an uploaded file holds, its decoded samples, and the AAC rendition (.m4a)
sound pages play and videos that use the sound are given."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from av.audio.resampler import AudioResampler

PREVIEW_SAMPLE_RATE_HZ = 44100
PREVIEW_BIT_RATE_BPS = 128_000
# Decoding stops here whatever a file's headers claim (a 3-minute cap plus slack).
DECODE_MAX_SECONDS = 200
# The demuxers a sound upload may be read with (FFmpeg names): audio files and the video
# containers a song may come in. As for videos (videos.media.probe), list and playlist formats
# (concat, hls, ...) would read other files of the server named inside the upload, and image
# demuxers would decode a picture (a 2 MB PNG of 16,000 x 16,000 took 2 GB): never allowed.
AUDIO_DEMUXERS = (
    "mp3",
    "aac",
    "wav",
    "w64",
    "flac",
    "ogg",
    "aiff",
    "caf",
    "amr",
    "asf",
    "mov,mp4,m4a,3gp,3g2,mj2",
    "matroska,webm",
    "avi",
    "mpegts",
)
# A video track's picture is never needed, but FFmpeg decodes one to learn a stream's
# parameters: past this many pixels the decoder refuses it instead of allocating it.
MAX_PICTURE_PIXELS = 8192 * 8192


class NotAudio(Exception):
    """The file holds no decodable audio; `code` says why for the API."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class AudioInfo:
    duration_s: float
    sample_rate: int
    channels: int


def audio_open(path: Path) -> av.container.InputContainer:
    """Open an uploaded file for its audio: only the allowed demuxers, only the file itself, no
    giant picture decoded while probing. NotAudio when FFmpeg cannot open it so."""
    try:
        return av.open(
            str(path),
            container_options={
                "format_whitelist": ",".join(AUDIO_DEMUXERS),
                "protocol_whitelist": "file",
            },
            options={"max_pixels": str(MAX_PICTURE_PIXELS)},
            metadata_errors="ignore",
        )
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise NotAudio("the file is not an audio or video file", code="not_audio") from exc


def audio_stream(container: av.container.InputContainer) -> av.audio.stream.AudioStream | None:
    """The first audio stream FFmpeg can decode, or None. A broadcast recording's first track
    may be AC-4 or MPEG-H, which this build has no decoder for (no codec context): reading
    it failed the upload with a 500."""
    return next((s for s in container.streams.audio if s.codec_context is not None), None)


def audio_probe(path: Path) -> AudioInfo:
    """What a file's first audio stream is; NotAudio when it is not media or has no audio."""
    container = audio_open(path)
    with container:
        stream = audio_stream(container)
        if stream is None:
            raise NotAudio("the file has no audio track", code="no_audio_track")
        duration_s = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration_s = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration_s = container.duration / av.time_base
        return AudioInfo(
            duration_s=duration_s,
            sample_rate=stream.codec_context.sample_rate or 0,
            channels=stream.codec_context.channels or 0,
        )


def audio_decode(
    path: Path,
    *,
    rate: int = PREVIEW_SAMPLE_RATE_HZ,
    layout: str = "mono",
    max_seconds: float = DECODE_MAX_SECONDS,
) -> np.ndarray:
    """The first audio stream as float32 samples shaped (channels, samples), resampled to
    `rate`, at most max_seconds long. NotAudio when nothing decodes."""
    limit = int(max_seconds * rate)
    chunks: list[np.ndarray] = []
    total = 0
    resampler = AudioResampler(format="fltp", layout=layout, rate=rate)
    try:
        with audio_open(path) as container:
            stream = audio_stream(container)
            if stream is None:
                raise NotAudio("the file has no audio track", code="no_audio_track")
            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except av.error.FFmpegError:
                    continue  # a damaged packet: skip it, keep the rest
                for frame in frames:
                    frame.pts = None
                    for converted in resampler.resample(frame):
                        chunks.append(converted.to_ndarray())
                        total += converted.samples
                if total >= limit:
                    break
            for converted in resampler.resample(None):
                chunks.append(converted.to_ndarray())
    except av.error.FFmpegError as exc:
        raise NotAudio("the file is not an audio or video file", code="not_audio") from exc
    channels = 1 if layout == "mono" else 2
    if not chunks:
        raise NotAudio("the file's audio track holds no decodable sound", code="no_audio_track")
    samples = np.concatenate(chunks, axis=1)[:, :limit].astype(np.float32)
    if samples.shape[1] == 0:
        raise NotAudio("the file's audio track holds no decodable sound", code="no_audio_track")
    return samples.reshape(channels, -1)


def aac_frames(samples: np.ndarray, *, rate: int, stream: av.audio.stream.AudioStream):  # noqa: ANN201
    """Encode (channels, n) float samples as AAC packets of `stream` (planar float frames)."""
    layout = "mono" if samples.shape[0] == 1 else "stereo"
    frame_size = stream.codec_context.frame_size or 1024
    for start in range(0, samples.shape[1], frame_size):
        chunk = np.ascontiguousarray(samples[:, start : start + frame_size])
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
        frame.sample_rate = rate
        frame.pts = start
        yield from stream.encode(frame)
    yield from stream.encode(None)


def preview_write(samples: np.ndarray, path: Path, *, rate: int = PREVIEW_SAMPLE_RATE_HZ) -> Path:
    """Write (channels, n) samples, all of them, as AAC in an .m4a file: it is the sound laid
    over every video made with it (cut at 60 s, a 70 s video with a 70 s sound went silent for
    its last 10 s, and the page said 70 s while playing 60). The caller caps the length."""
    layout = "mono" if samples.shape[0] == 1 else "stereo"
    with av.open(str(path), "w", format="ipod") as output:
        stream = output.add_stream("aac", rate=rate, layout=layout)
        stream.bit_rate = PREVIEW_BIT_RATE_BPS
        for packet in aac_frames(samples, rate=rate, stream=stream):
            output.mux(packet)
    return path


def is_silent(samples: np.ndarray, *, threshold: float = 1e-3) -> bool:
    """Whether the audio is (near) digital silence: nothing worth calling a sound."""
    return samples.size == 0 or float(np.sqrt(np.mean(np.square(samples)))) < threshold
