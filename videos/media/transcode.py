"""One decode pass over a source file: upright H.264/AAC MP4 + poster, thumbnail, sampled
frames for the embedder and 16 kHz mono WAV for speech recognition."""

from __future__ import annotations

import math
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.audio.resampler import AudioResampler
from PIL import Image

from sounds.audio import audio_stream
from videos.media.decoding import (
    DecodeBudget,
    TranscodeLimits,
    decoder_threads_limit,
    picture_size_check,
)
from videos.media.images import (
    EMBED_FRAME_MAX_SIDE_PIXELS,
    THUMBNAIL_BOX_PIXELS,
    fit_within,
    save_embed_frame,
    save_jpeg,
)
from videos.media.probe import (
    MediaInfo,
    MediaRejected,
    limit_decoder,
    open_source,
    picture_streams,
)
from videos.media.upright import Upright

ASR_SAMPLE_RATE_HZ = 16000
AAC_SAMPLE_RATE_HZ = 44100
AAC_BIT_RATE_BPS = 128_000
# Long side of the 720p-max output; the short side is capped by MAX_VIDEO_DIMENSION_PIXELS.
LONG_SIDE_PER_SHORT_SIDE = 16 / 9
MAX_GOP_FRAMES = 60
# A keyframe at least this often in time, whatever the frame rate (HLS cuts on keyframes).
GOP_SECONDS = 2.0
# The output never shows one picture longer than this: a longer pause between a source's
# frames (a screen recording sends a frame only when the screen changes), or a picture track
# that ends before the sound, is filled with copies of the picture on screen. Gaps between
# frames make the encoder's decode timestamps lag its presentation timestamps by whole gaps
# (B-frames are stamped with earlier frames' times), so a screen recording's MP4 said its
# picture ended seconds early and its HLS playlist was seconds shorter than its segments.
MAX_FRAME_GAP_S = 0.1


# Stills are first kept at most this far apart (_Stills: then half as often, and so on).
UNKNOWN_DURATION_FIRST_STEP_S = 0.125
# ...and never more often than this (a short clip's header: its frames, up to 60 fps).
MIN_STILL_STEP_S = 1 / 60
# Audio gaps and offsets up to this much are left alone (encoder padding, rounding); longer
# ones are filled with silence so sound stays in step with the picture (_AudioTimeline).
AUDIO_SLACK_S = 0.05
# Audio decoded before the first picture waits for it, up to this much.
PENDING_AUDIO_S = 5.0


@dataclass
class TranscodeResult:
    mp4: Path
    poster: Path
    thumbnail: Path
    frames: list[Path]
    audio_wav: Path | None
    duration_s: float
    width: int
    height: int
    fps: float
    has_audio: bool
    decode_errors: int = 0
    rotation: int = 0
    mirrored: bool = False
    notes: list[str] = field(default_factory=list)


def output_size(width: int, height: int, max_short_side_px: int) -> tuple[int, int]:
    """Fit within max_short_side_px x (16/9 of it) in the picture's own orientation, keeping
    the aspect ratio, never upscaling, both sides even (H.264 4:2:0 needs that)."""
    short, long = min(width, height), max(width, height)
    max_long = round(max_short_side_px * LONG_SIDE_PER_SHORT_SIDE)
    scale = min(1.0, max_short_side_px / short, max_long / long)
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def sample_times(duration_s: float, *, min_frames: int, max_frames: int) -> list[float]:
    """Uniform sample times: one per second of video, at least min_frames, at most max_frames,
    each in the middle of its slice."""
    count = min(max_frames, max(min_frames, math.ceil(duration_s)))
    return [(index + 0.5) * duration_s / count for index in range(count)]


class _Stills:
    """Poster, thumbnail and uniformly sampled frames, picked as frames stream past.

    The samples are spread over the length actually decoded, never the header's: a truncated
    download says 60 s and holds 6 (all but two samples were copies of its last frame), and a
    hostile header says 2 s of a 60 s file (every sample came from its first 2 s, so the
    embedding, tags and moderation saw other pictures than the feed plays). Frames are kept
    (at the embedder's size, in memory) every `step` seconds (from the header's length if any),
    and each time twice max_frames are kept every other one is dropped and the step doubles;
    at the end the kept frame nearest each of `sample_times` of the decoded length is taken.
    The poster is the frame at 1 s (or half the stated length, or the last one)."""

    def __init__(self, workdir: Path, duration_s: float | None, limits: TranscodeLimits) -> None:
        self.workdir = workdir
        self.limits = limits
        self.frames_dir = workdir / "frames"
        self.frames_dir.mkdir(parents=True, exist_ok=True)
        self.poster_at_s = min(1.0, duration_s / 2) if duration_s else 1.0
        self.poster: Path | None = None
        # Fine enough that a short clip gives max_frames distinct frames, whatever it claims.
        stated_step_s = duration_s / (2 * limits.max_frames) if duration_s else 1.0
        self.step_s = min(UNKNOWN_DURATION_FIRST_STEP_S, max(MIN_STILL_STEP_S, stated_step_s))
        # Kept in memory at the embedder's size (at most 2 x max_frames of 512 px, ~21 MB):
        # only the frames sampled at the end are encoded as JPEGs.
        self.kept: list[tuple[float, Image.Image]] = []
        self.next_s = 0.0
        self.last_frame: av.VideoFrame | None = None
        self.last_t = 0.0
        self.frame_s = 0.0  # how long the last frame offered lasts (its gap to the one before)

    def _wanted(self, t: float) -> bool:
        if t < self.next_s:
            return False
        if len(self.kept) >= 2 * self.limits.max_frames:
            self.kept = self.kept[::2]
            self.step_s *= 2
        self.next_s = (math.floor(t / self.step_s) + 1) * self.step_s
        return True

    def offer(self, frame: av.VideoFrame, t: float) -> None:
        wanted = self._wanted(t)
        needs_poster = self.poster is None and t >= self.poster_at_s
        if self.last_frame is not None:
            self.frame_s = t - self.last_t
        self.last_frame, self.last_t = frame, t
        if wanted:
            self.kept.append((t, _embed_size_image(frame)))
        if needs_poster:
            self.poster = save_jpeg(frame.to_image(), self.workdir / "poster.jpg")

    def _sampled(self) -> list[Image.Image]:
        """The kept frame nearest each sample time of the decoded length, in order (a frame
        nearest two times is taken for both)."""
        if not self.kept:
            return []
        times = [t for t, _ in self.kept]
        length_s = self.last_t + self.frame_s
        chosen = []
        for target in sample_times(
            length_s, min_frames=self.limits.min_frames, max_frames=self.limits.max_frames
        ):
            index = min(range(len(times)), key=lambda i: abs(times[i] - target))
            chosen.append(self.kept[index][1])
        return chosen

    def finish(self) -> tuple[Path, Path, list[Path]]:
        last = self.last_frame
        if last is not None and (self.poster is None or not self.kept):
            image = last.to_image()
            if self.poster is None:
                self.poster = save_jpeg(image, self.workdir / "poster.jpg")
            if not self.kept:
                self.kept.append((self.last_t, _embed_size_image(last)))
        chosen = self._sampled()
        # Named in order from 0, as the embed step reads them (frames/frame_NNN.jpg).
        frames = [
            save_embed_frame(image, self.frames_dir / f"frame_{index:03d}.jpg")
            for index, image in enumerate(chosen)
        ]
        self.kept = []
        with Image.open(self.poster) as poster:
            thumbnail = save_jpeg(poster, self.workdir / "thumb.jpg", box=THUMBNAIL_BOX_PIXELS)
        return self.poster, thumbnail, frames


def _embed_size_image(frame: av.VideoFrame) -> Image.Image:
    """The frame at the embedder's size (`save_embed_frame` keeps it as it is), scaled by
    swscale's area filter: cheaper than a full-size picture through Pillow."""
    side = EMBED_FRAME_MAX_SIDE_PIXELS
    width, height = fit_within((frame.width, frame.height), (side, side))
    return frame.reformat(width, height, format="rgb24", interpolation="AREA").to_image()


class _AudioTimeline:
    """Puts decoded audio on the video's timeline, which starts at the first video frame.

    The encoder and the speech-recognition copy take samples back to back, so a track that
    starts after the picture (a second late, say) or has a gap would slide towards the start and
    drift out of sync with the picture, and with the transcript's timings. Each frame is placed
    by its timestamp: a gap over AUDIO_SLACK_S is filled with silence (made in the outputs'
    formats, a second at a time: `transcode`'s encode_silence), a frame wholly before the
    first picture or behind the samples already placed is dropped. Frames that arrive before
    the first picture is decoded wait, up to PENDING_AUDIO_S; past that (a file that is all
    audio up front) the first audio frame is taken as the start instead."""

    def __init__(self, max_duration_s: float) -> None:
        self.max_duration_s = max_duration_s
        self.placed_s = 0.0
        self.origin_s: float | None = None
        self.pending: list[av.AudioFrame] = []

    def place(
        self, frame: av.AudioFrame, video_first_s: float | None
    ) -> Iterator[av.AudioFrame | float]:
        """What to encode for this frame: nothing while it waits; after a gap, the seconds of
        silence to put before it (a number); the frame."""
        if self.origin_s is None:
            self.pending.append(frame)
            waited_s = sum(f.samples / f.sample_rate for f in self.pending)
            if video_first_s is None and waited_s <= PENDING_AUDIO_S:
                return iter(())
            return self.flush(video_first_s)
        return self._place(frame)

    def flush(self, video_first_s: float | None) -> Iterator[av.AudioFrame | float]:
        """Place the waiting frames, from the first picture's time if known."""
        if self.origin_s is None:
            stamps = [float(f.time) for f in self.pending if f.time is not None]
            self.origin_s = video_first_s if video_first_s is not None else min(stamps, default=0.0)
        pending, self.pending = self.pending, []
        return (placed for frame in pending for placed in self._place(frame))

    def _place(self, frame: av.AudioFrame) -> Iterator[av.AudioFrame | float]:
        length_s = frame.samples / frame.sample_rate if frame.sample_rate else 0.0
        start_s = float(frame.time) - self.origin_s if frame.time is not None else self.placed_s
        if start_s > self.max_duration_s + 1.0:
            # As a picture past the limit is (DecodeBudget): a song under a still picture was
            # cut at the limit without a word, its header having said the picture's length.
            raise MediaRejected(
                f"the sound is longer than the limit of {self.max_duration_s:.0f} s",
                code="too_long",
            )
        if start_s + length_s <= 0 or start_s + length_s <= self.placed_s - AUDIO_SLACK_S:
            return  # before the first picture, or a repeat of audio already placed
        gap_s = start_s - self.placed_s
        if gap_s > AUDIO_SLACK_S:
            yield gap_s
            self.placed_s = start_s
        frame.pts = None
        self.placed_s += length_s
        yield frame


def transcode(
    source: Path, workdir: Path, info: MediaInfo, limits: TranscodeLimits | None = None
) -> TranscodeResult:
    """Write video.mp4, poster.jpg, thumb.jpg, frames/*.jpg and audio.wav into `workdir`.

    Raises MediaRejected for files that cannot become a playable video (no decodable frames,
    longer than the cap once decoded).
    """
    limits = limits or TranscodeLimits()
    workdir.mkdir(parents=True, exist_ok=True)
    mp4_path = workdir / "video.mp4"
    wav_path = workdir / "audio.wav"
    stills = _Stills(workdir, info.duration_s, limits)
    orientation = (info.rotation, info.mirrored)
    source_fps = info.fps or limits.max_fps
    out_fps = min(source_fps, limits.max_fps)
    budget = DecodeBudget(info.fps, limits)
    decode_errors = 0
    video_frames = 0
    last_t = -1.0
    last_keyframe_t: float | None = None
    shown: av.VideoFrame | None = None
    asr_chunks: list[bytes] = []
    audio_samples = 0
    # Samples handed to the AAC encoder so far: each frame is stamped with it. Frames without
    # stamps made the encoder invent them, and for some lengths (1 s of 8 kHz audio) its last
    # packet then repeated a time the MP4 writer refuses.
    aac_pts = 0
    audio_timeline = _AudioTimeline(limits.max_duration_s)

    with (
        open_source(source) as container,
        av.open(str(mp4_path), "w", format="mp4", options={"movflags": "+faststart"}) as output,
    ):
        video_in = picture_streams(container)[0]
        decoder_threads_limit(video_in, info.width * info.height)
        limit_decoder(video_in)
        audio_in = audio_stream(container)
        display_w, display_h = info.display_size
        size = output_size(display_w, display_h, limits.max_short_side_px)
        video_out = _add_video_stream(output, size, out_fps, limits)
        audio_out = None
        upright: Upright | None = None
        aac_resampler = asr_resampler = None
        if audio_in is not None:
            audio_out = output.add_stream("aac", rate=AAC_SAMPLE_RATE_HZ, layout="stereo")
            audio_out.bit_rate = AAC_BIT_RATE_BPS
            aac_resampler = AudioResampler(format="fltp", layout="stereo", rate=AAC_SAMPLE_RATE_HZ)
            asr_resampler = AudioResampler(format="s16", layout="mono", rate=ASR_SAMPLE_RATE_HZ)
        time_base = Fraction(1, 90000)

        def encode_video(frames: list[av.VideoFrame]) -> None:
            # Frames arrive here under the frame-rate cap, stamped by the budget (increasing).
            nonlocal shown
            for frame in frames:
                t = float(frame.pts * frame.time_base)
                hold_picture(until_s=t)
                stills.offer(frame, t)
                for name, value in upright.output_colour.items():
                    setattr(frame, name, value)
                    if video_frames == 0:  # the encoder opens on its first frame
                        setattr(video_out.codec_context, name, value)
                encode_picture(frame, t)
                shown = frame

        def hold_picture(until_s: float) -> None:
            """Copies of the picture on screen, evenly spaced up to `until_s`, when it would
            otherwise be shown more than 1.5 x MAX_FRAME_GAP_S (sources of 7 fps and more
            are left as they are). The encoder keeps its own copy of each frame it is sent."""
            start = last_t
            if shown is None or until_s - start <= 1.5 * MAX_FRAME_GAP_S:
                return
            copies = math.ceil((until_s - start) / MAX_FRAME_GAP_S) - 1
            for step in range(1, copies + 1):
                encode_picture(shown, start + step * (until_s - start) / (copies + 1))

        def encode_picture(frame: av.VideoFrame, t: float) -> None:
            nonlocal last_t, last_keyframe_t, video_frames
            frame.pts = round(t / time_base)
            frame.time_base = time_base
            keyframe = last_keyframe_t is None or t - last_keyframe_t >= GOP_SECONDS - 1e-6
            frame.pict_type = (
                av.video.frame.PictureType.I if keyframe else av.video.frame.PictureType.NONE
            )
            if keyframe:
                last_keyframe_t = t
            for packet in video_out.encode(frame):
                output.mux(packet)
            last_t = t
            video_frames += 1

        def encode_aac(frame: av.AudioFrame) -> None:
            nonlocal aac_pts
            frame.pts = aac_pts
            frame.time_base = Fraction(1, AAC_SAMPLE_RATE_HZ)
            aac_pts += frame.samples
            for packet in audio_out.encode(frame):
                output.mux(packet)

        def encode_audio(frame: av.AudioFrame | None) -> None:
            nonlocal audio_samples
            for converted in aac_resampler.resample(frame):
                encode_aac(converted)
            for converted in asr_resampler.resample(frame):
                asr_chunks.append(bytes(converted.planes[0])[: converted.samples * 2])
                audio_samples += converted.samples

        def encode_silence(seconds: float) -> None:
            # In the outputs' own formats, a second at a time: a hostile gap of minutes is
            # never in memory at once (and 8-channel planar frames are not built at all).
            nonlocal audio_samples
            aac_total = round(seconds * AAC_SAMPLE_RATE_HZ)
            for start in range(0, aac_total, AAC_SAMPLE_RATE_HZ):
                length = min(AAC_SAMPLE_RATE_HZ, aac_total - start)
                silence = av.AudioFrame.from_ndarray(
                    np.zeros((2, length), np.float32), format="fltp", layout="stereo"
                )
                silence.sample_rate = AAC_SAMPLE_RATE_HZ
                encode_aac(silence)
            asr_total = round(seconds * ASR_SAMPLE_RATE_HZ)
            for start in range(0, asr_total, ASR_SAMPLE_RATE_HZ):
                length = min(ASR_SAMPLE_RATE_HZ, asr_total - start)
                asr_chunks.append(bytes(2 * length))
                audio_samples += length

        def encode_placed(placed: av.AudioFrame | float) -> None:
            if isinstance(placed, float):
                encode_silence(placed)
            else:
                encode_audio(placed)

        streams = [video_in] + ([audio_in] if audio_in is not None else [])
        for packet in container.demux(*streams):
            try:
                decoded = packet.decode()
            except av.error.FFmpegError:
                decoded = None
                decode_errors += 1
            if packet.stream is video_in:
                picture_size_check(video_in)
            if decoded is None:
                continue
            for frame in decoded:
                if packet.stream.type == "video":
                    t = budget.time_of(frame)
                    if not budget.keep(t):
                        continue  # over the frame-rate cap: dropped before any scaling
                    frame.pts = round(t / time_base)
                    frame.time_base = time_base
                    if upright is None:
                        upright = Upright(frame, orientation, size, workdir)
                    encode_video(upright.push(frame))
                elif audio_out is not None:
                    for placed in audio_timeline.place(frame, budget.first_s):
                        encode_placed(placed)
        picture_size_check(video_in)
        if upright is None:
            raise MediaRejected("no decodable video frames", code="undecodable")
        encode_video(upright.push(None))
        if audio_out is not None:
            for placed in audio_timeline.flush(budget.first_s):
                encode_placed(placed)
            encode_audio(None)
            for packet in audio_out.encode(None):
                output.mux(packet)
        # The last picture stays on screen while the sound goes on (a still picture over a
        # song, a recording whose screen stopped changing).
        hold_picture(until_s=audio_samples / ASR_SAMPLE_RATE_HZ)
        for packet in video_out.encode(None):
            output.mux(packet)

    if video_frames == 0:
        raise MediaRejected("no decodable video frames", code="undecodable")
    has_audio = audio_samples > 0
    if has_audio:
        with wave.open(str(wav_path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(ASR_SAMPLE_RATE_HZ)
            for chunk in asr_chunks:
                wav.writeframes(chunk)
    poster, thumbnail, frames = stills.finish()
    duration_s = max(last_t + 1.0 / out_fps, audio_samples / ASR_SAMPLE_RATE_HZ)
    return TranscodeResult(
        mp4=mp4_path,
        poster=poster,
        thumbnail=thumbnail,
        frames=frames,
        audio_wav=wav_path if has_audio else None,
        duration_s=round(duration_s, 3),
        width=video_out.codec_context.width,
        height=video_out.codec_context.height,
        fps=round(min(out_fps, video_frames / max(duration_s, 1e-6) + 0.5), 3),
        has_audio=has_audio,
        decode_errors=decode_errors,
        rotation=info.rotation,
        mirrored=info.mirrored,
    )


def _add_video_stream(
    output: av.container.OutputContainer,
    size: tuple[int, int],
    fps: float,
    limits: TranscodeLimits,
) -> av.video.stream.VideoStream:
    rate = Fraction(fps).limit_denominator(1001)
    stream = output.add_stream(
        "libx264",
        rate=rate,
        options={"crf": str(limits.crf), "preset": limits.preset, "profile": "high"},
    )
    stream.width, stream.height = size
    stream.pix_fmt = "yuv420p"
    stream.codec_context.time_base = Fraction(1, 90000)
    stream.time_base = Fraction(1, 90000)
    # Keyframes every ~2 s so HLS segments (cut on keyframes) stay short and seekable: at most
    # MAX_GOP_FRAMES apart, and transcode forces one every GOP_SECONDS of time (a variable
    # frame rate needs both).
    stream.codec_context.gop_size = MAX_GOP_FRAMES
    return stream
