"""What decoding a source may cost: the limits a transcode works within (`TranscodeLimits`),
the decoder's threads and picture size, and the running budget of frames and pixels per second
of playback that stops a decode bomb (`DecodeBudget`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import av

from videos.media.probe import MediaRejected, picture_too_large

# What decoding one second of a source may cost, whatever its headers claim: 300 frames (slow
# motion is 240 fps) and 4K at 120 fps in pixels (as much as 8K at 30: phones record both; at
# 4K at 60 they were refused after their upload was taken). The first second is always allowed, so a
# frame-count bomb (many tiny frames at tiny time steps) stops after about 300 frames.
# Decoder threads per video, and the largest picture decoded with frame threading (one picture
# per thread in flight); see decoder_threads_limit.
MAX_DECODER_THREADS = 4
FRAME_THREADING_MAX_PIXELS = 3840 * 2160
MAX_DECODED_FPS = 300
MAX_DECODED_PIXELS_PER_SECOND = 3840 * 2160 * 120
# Source timestamps rounded to whole milliseconds (Matroska) may be this much early.
TIMESTAMP_SLACK_S = 0.001


@dataclass(frozen=True)
class TranscodeLimits:
    max_duration_s: float = 180.0
    max_short_side_px: int = 720
    max_fps: float = 30.0
    min_frames: int = 12
    max_frames: int = 24
    crf: int = 23
    preset: str = "superfast"


class DecodeBudget:
    """Timestamps for decoded source frames, and the caps on what decoding may cost.

    A frame without a timestamp is placed one source frame after the previous one (at most
    MAX_DECODED_FPS apart), so files without timestamps count toward the length limit too;
    `keep` drops frames over the output frame-rate cap before they are scaled."""

    def __init__(self, source_fps: float | None, limits: TranscodeLimits) -> None:
        self.limits = limits
        fps = source_fps if source_fps and source_fps > 0 else limits.max_fps
        self.step_s = 1.0 / min(fps, MAX_DECODED_FPS)
        self.first_s: float | None = None
        self.last_s: float | None = None
        self.kept_slot: int | None = None
        self.frames = 0
        self.pixels = 0

    def time_of(self, frame: av.VideoFrame) -> float:
        """Seconds since the first frame; raises MediaRejected when a cap is passed."""
        if picture_too_large(frame.width, frame.height):
            raise too_large_error(frame.width, frame.height)
        self.frames += 1
        self.pixels += frame.width * frame.height
        stamp = float(frame.time) if frame.time is not None else None
        if stamp is not None and self.first_s is None:
            self.first_s = stamp
        if stamp is not None:
            t = max(0.0, stamp - self.first_s)
        else:
            t = 0.0 if self.last_s is None else self.last_s + self.step_s
        self.last_s = t
        limits = self.limits
        if t > limits.max_duration_s + 1.0:
            raise MediaRejected(
                f"the video is longer than the limit of {limits.max_duration_s:.0f} s",
                code="too_long",
            )
        # The budget grows with the time decoded so far, plus one second of slack.
        allowed_s = min(t, limits.max_duration_s) + 1.0
        if self.frames > allowed_s * MAX_DECODED_FPS:
            raise MediaRejected(
                f"the video has more than {MAX_DECODED_FPS} frames per second of playback",
                code="too_many_frames",
            )
        if self.pixels > allowed_s * MAX_DECODED_PIXELS_PER_SECOND:
            raise MediaRejected(
                "the video decodes to more pixels per second than 4K at 120 frames per second",
                code="too_many_frames",
            )
        return t

    def keep(self, t: float) -> bool:
        """Whether a frame at t fits under the output frame rate (and moves time forward): at
        most one frame per slot of 1 / max_fps. Slots, not a minimum gap from the last kept
        frame: Matroska (WebM, MKV) stores whole milliseconds, so a 30 fps source's frames
        arrive 33 ms apart, and a gap of 33.3 ms would drop every third one. A frame counts a
        millisecond early for the same reason."""
        slot = math.floor((t + TIMESTAMP_SLACK_S) * self.limits.max_fps)
        if self.kept_slot is not None and slot <= self.kept_slot:
            return False
        self.kept_slot = slot
        return True


def decoder_threads_limit(stream: av.video.stream.VideoStream, pixels: int) -> None:
    """Decode on at most MAX_DECODER_THREADS threads, and without frame threading (each thread
    holds a whole decoded picture) for pictures over FRAME_THREADING_MAX_PIXELS: the decoder's
    memory stays bounded whatever the host's core count (an 8192x8192 picture is 100 MB)."""
    stream.thread_count = MAX_DECODER_THREADS
    stream.thread_type = "AUTO" if pixels <= FRAME_THREADING_MAX_PIXELS else "SLICE"


def picture_size_check(stream: av.video.stream.VideoStream) -> None:
    """The decoder refuses to allocate a picture over the limit (`limit_decoder`) but, with
    frame threads, says so only by its size: a stream that grew past the limit is refused."""
    context = stream.codec_context
    if picture_too_large(context.width, context.height):
        raise too_large_error(context.width, context.height)


def too_large_error(width: int, height: int) -> MediaRejected:
    return MediaRejected(
        f"a frame of {width}x{height} is too large to process", code="resolution_too_large"
    )
