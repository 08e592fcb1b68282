"""'Use this sound': lay a sound over a transcoded video (PyAV). The video stream is copied as
is; the new audio track is the sound, trimmed (or padded with silence) to the video's length,
with the video's own audio mixed under it at a chosen volume (0 replaces it)."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np

from sounds.audio import NotAudio, aac_frames, audio_decode
from videos.media.transcode import AAC_BIT_RATE_BPS, AAC_SAMPLE_RATE_HZ, ASR_SAMPLE_RATE_HZ


def soundtrack_mix(
    *, sound: np.ndarray, own: np.ndarray | None, own_volume: float, samples: int
) -> np.ndarray:
    """(2, samples) float audio: the sound trimmed or padded to `samples`, plus the video's own
    audio at own_volume, kept within [-1, 1]."""
    mixed = np.zeros((2, samples), dtype=np.float32)
    take = min(samples, sound.shape[1])
    mixed[:, :take] = sound[:, :take]
    if own is not None and own_volume > 0:
        take = min(samples, own.shape[1])
        mixed[:, :take] += own_volume * own[:, :take]
    return np.clip(mixed, -1.0, 1.0)


def soundtrack_lay(
    *,
    video_mp4: Path,
    sound_audio: Path,
    out_mp4: Path,
    out_wav: Path,
    own_volume: float,
    duration_s: float,
) -> None:
    """Write out_mp4 (video_mp4's video stream + the mixed AAC track) and out_wav (the mixed
    audio, 16 kHz mono, for speech recognition)."""
    samples = max(1, round(duration_s * AAC_SAMPLE_RATE_HZ))
    sound = audio_decode(
        sound_audio, rate=AAC_SAMPLE_RATE_HZ, layout="stereo", max_seconds=duration_s + 1
    )
    own = None
    if own_volume > 0:
        try:
            own = audio_decode(
                video_mp4, rate=AAC_SAMPLE_RATE_HZ, layout="stereo", max_seconds=duration_s + 1
            )
        except NotAudio:
            own = None  # a silent video keeps only the sound
    mixed = soundtrack_mix(sound=sound, own=own, own_volume=own_volume, samples=samples)
    with (
        av.open(str(video_mp4)) as source,
        av.open(str(out_mp4), "w", format="mp4", options={"movflags": "+faststart"}) as output,
    ):
        video_in = source.streams.video[0]
        video_out = output.add_stream_from_template(video_in)
        audio_out = output.add_stream("aac", rate=AAC_SAMPLE_RATE_HZ, layout="stereo")
        audio_out.bit_rate = AAC_BIT_RATE_BPS
        for packet in source.demux(video_in):
            if packet.dts is None:
                continue  # the demuxer's end-of-stream marker
            packet.stream = video_out
            output.mux(packet)
        for packet in aac_frames(mixed, rate=AAC_SAMPLE_RATE_HZ, stream=audio_out):
            output.mux(packet)
    # The speech-recognition copy, decoded from what viewers will hear.
    asr = audio_decode(out_mp4, rate=ASR_SAMPLE_RATE_HZ, layout="mono", max_seconds=duration_s + 1)
    pcm = (np.clip(asr[0], -1.0, 1.0) * 32767).astype("<i2").tobytes()
    with wave.open(str(out_wav), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(ASR_SAMPLE_RATE_HZ)
        wav.writeframes(pcm)
