"""One decode pass over a source file: upright H.264/AAC MP4 + poster, thumbnail, sampled
frames for the embedder and 16 kHz mono WAV for speech recognition."""

from __future__ import annotations

import math
import wave
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
from av.audio.resampler import AudioResampler

from videos.media.images import THUMBNAIL_BOX_PIXELS, save_embed_frame, save_jpeg
from videos.media.probe import MediaInfo, MediaRejected

ASR_SAMPLE_RATE_HZ = 16000
AAC_SAMPLE_RATE_HZ = 44100
AAC_BIT_RATE_BPS = 128_000
# Long side of the 720p-max output; the short side is capped by MAX_VIDEO_DIMENSION_PIXELS.
LONG_SIDE_PER_SHORT_SIDE = 16 / 9
MAX_GOP_FRAMES = 60
GOP_SECONDS = 2.0
# Every output rotation expressed as the filters that make the picture upright.
UPRIGHT_FILTERS = {
    0: [],
    90: [("transpose", "cclock")],
    180: [("hflip", ""), ("vflip", "")],
    270: [("transpose", "clock")],
}


@dataclass(frozen=True)
class TranscodeLimits:
    max_duration_s: float = 180.0
    max_short_side_px: int = 720
    max_fps: float = 30.0
    min_frames: int = 12
    max_frames: int = 24
    crf: int = 23
    preset: str = "superfast"


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


class _Upright:
    """Rotate (by the display matrix), scale and convert decoded frames with a filter graph."""

    def __init__(self, first: av.VideoFrame, rotation: int, size: tuple[int, int]) -> None:
        self.format = first.format.name
        self.source_size = (first.width, first.height)
        self.graph = av.filter.Graph()
        nodes = [
            self.graph.add_buffer(
                width=first.width,
                height=first.height,
                format=first.format.name,
                time_base=first.time_base or Fraction(1, 1000),
            )
        ]
        for name, argument in UPRIGHT_FILTERS[rotation]:
            nodes.append(self.graph.add(name, argument))
        nodes.append(self.graph.add("scale", f"{size[0]}:{size[1]}"))
        nodes.append(self.graph.add("format", "yuv420p"))
        nodes.append(self.graph.add("buffersink"))
        self.graph.link_nodes(*nodes).configure()

    def push(self, frame: av.VideoFrame | None) -> list[av.VideoFrame]:
        if frame is not None and (
            (frame.width, frame.height) != self.source_size or frame.format.name != self.format
        ):
            # Mid-stream size or palette changes (GIFs do this) would break the buffer source.
            pts, time_base = frame.pts, frame.time_base
            frame = frame.reformat(*self.source_size, format=self.format)
            frame.pts, frame.time_base = pts, time_base
        self.graph.push(frame)
        frames = []
        while True:
            try:
                frames.append(self.graph.pull())
            except (av.error.BlockingIOError, av.error.EOFError):
                return frames


class _Stills:
    """Poster, thumbnail and uniformly sampled frames, picked as frames stream past."""

    def __init__(self, workdir: Path, duration_s: float | None, limits: TranscodeLimits) -> None:
        self.workdir = workdir
        self.limits = limits
        self.frames_dir = workdir / "frames"
        self.frames_dir.mkdir(parents=True, exist_ok=True)
        self.known_duration = bool(duration_s)
        self.targets = (
            sample_times(duration_s, min_frames=limits.min_frames, max_frames=limits.max_frames)
            if duration_s
            else []
        )
        self.poster_at_s = min(1.0, duration_s / 2) if duration_s else 0.0
        self.poster: Path | None = None
        self.frames: list[Path] = []
        self.next_unknown_s = 0.0
        self.last_frame: av.VideoFrame | None = None

    def offer(self, frame: av.VideoFrame, t: float) -> None:
        wanted = 0
        if self.known_duration:
            while self.targets and self.targets[0] <= t:
                self.targets.pop(0)
                wanted += 1
        elif t >= self.next_unknown_s:
            wanted, self.next_unknown_s = 1, math.floor(t) + 1.0
        needs_poster = self.poster is None and t >= self.poster_at_s
        if not (wanted or needs_poster):
            self.last_frame = frame
            return
        image = frame.to_image()
        for _ in range(wanted):
            self.frames.append(
                save_embed_frame(image, self.frames_dir / f"frame_{len(self.frames):03d}.jpg")
            )
        if needs_poster:
            self.poster = save_jpeg(image, self.workdir / "poster.jpg")
        self.last_frame = frame

    def finish(self) -> tuple[Path, Path, list[Path]]:
        last = self.last_frame
        # Sample times past the last decoded frame (container durations round up) take it.
        missing = len(self.targets) if self.known_duration else int(not self.frames)
        if last is not None and (self.poster is None or missing):
            image = last.to_image()
            if self.poster is None:
                self.poster = save_jpeg(image, self.workdir / "poster.jpg")
            for _ in range(missing):
                name = f"frame_{len(self.frames):03d}.jpg"
                self.frames.append(save_embed_frame(image, self.frames_dir / name))
        if len(self.frames) > self.limits.max_frames:
            step = len(self.frames) / self.limits.max_frames
            keep = {self.frames[int(i * step)] for i in range(self.limits.max_frames)}
            for path in self.frames:
                if path not in keep:
                    path.unlink()
            self.frames = [path for path in self.frames if path in keep]
        from PIL import Image

        with Image.open(self.poster) as poster:
            thumbnail = save_jpeg(poster, self.workdir / "thumb.jpg", box=THUMBNAIL_BOX_PIXELS)
        return self.poster, thumbnail, self.frames


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
    rotation = info.rotation
    min_frame_gap_s = 1.0 / limits.max_fps
    source_fps = info.fps or limits.max_fps
    out_fps = min(source_fps, limits.max_fps)
    decode_errors = 0
    video_frames = 0
    last_t = -1.0
    first_pts_s: float | None = None
    asr_chunks: list[bytes] = []
    audio_samples = 0

    with (
        av.open(str(source), metadata_errors="ignore") as container,
        av.open(str(mp4_path), "w", format="mp4", options={"movflags": "+faststart"}) as output,
    ):
        video_in = container.streams.video[0]
        video_in.thread_type = "AUTO"
        audio_in = container.streams.audio[0] if container.streams.audio else None
        display_w, display_h = info.display_size
        size = output_size(display_w, display_h, limits.max_short_side_px)
        video_out = _add_video_stream(output, size, out_fps, limits)
        audio_out = None
        upright: _Upright | None = None
        aac_resampler = asr_resampler = None
        if audio_in is not None:
            audio_out = output.add_stream("aac", rate=AAC_SAMPLE_RATE_HZ, layout="stereo")
            audio_out.bit_rate = AAC_BIT_RATE_BPS
            aac_resampler = AudioResampler(format="fltp", layout="stereo", rate=AAC_SAMPLE_RATE_HZ)
            asr_resampler = AudioResampler(format="s16", layout="mono", rate=ASR_SAMPLE_RATE_HZ)
        time_base = Fraction(1, 90000)

        def encode_video(frames: list[av.VideoFrame]) -> None:
            nonlocal last_t, video_frames
            for frame in frames:
                t = float(frame.pts * frame.time_base) if frame.pts is not None else None
                if t is None:
                    t = last_t + 1.0 / out_fps if last_t >= 0 else 0.0
                if last_t >= 0 and t < last_t + min_frame_gap_s * 0.999:
                    continue  # over the frame-rate cap, or a non-increasing timestamp
                last_t = t
                stills.offer(frame, t)
                frame.pts = round(t / time_base)
                frame.time_base = time_base
                frame.pict_type = av.video.frame.PictureType.NONE
                for packet in video_out.encode(frame):
                    output.mux(packet)
                video_frames += 1

        def encode_audio(frame: av.AudioFrame | None) -> None:
            nonlocal audio_samples
            for converted in aac_resampler.resample(frame):
                for packet in audio_out.encode(converted):
                    output.mux(packet)
            for converted in asr_resampler.resample(frame):
                asr_chunks.append(bytes(converted.planes[0])[: converted.samples * 2])
                audio_samples += converted.samples

        streams = [video_in] + ([audio_in] if audio_in is not None else [])
        for packet in container.demux(*streams):
            try:
                decoded = packet.decode()
            except av.error.FFmpegError:
                decode_errors += 1
                continue
            for frame in decoded:
                t_in = float(frame.time) if frame.time is not None else None
                if packet.stream.type == "video":
                    if first_pts_s is None:
                        first_pts_s = t_in or 0.0
                        upright = _Upright(frame, rotation, size)
                    relative = (t_in - first_pts_s) if t_in is not None else None
                    if relative is not None and relative > limits.max_duration_s + 1.0:
                        raise MediaRejected(
                            f"the video is longer than the limit of {limits.max_duration_s:.0f} s",
                            code="too_long",
                        )
                    if relative is not None:
                        frame.pts = round(max(0.0, relative) / frame.time_base)
                    encode_video(upright.push(frame))
                elif audio_out is not None:
                    if (
                        t_in is not None
                        and first_pts_s is not None
                        and t_in - first_pts_s > limits.max_duration_s + 1.0
                    ):
                        continue
                    frame.pts = None
                    encode_audio(frame)
        if upright is None:
            raise MediaRejected("no decodable video frames", code="undecodable")
        encode_video(upright.push(None))
        for packet in video_out.encode(None):
            output.mux(packet)
        if audio_out is not None:
            encode_audio(None)
            for packet in audio_out.encode(None):
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
        rotation=rotation,
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
    # Keyframes every ~2 s so HLS segments (cut on keyframes) stay short and seekable.
    stream.codec_context.gop_size = max(1, min(MAX_GOP_FRAMES, round(fps * GOP_SECONDS)))
    return stream
