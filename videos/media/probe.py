"""Read what a file is before accepting it: a video stream, its size, length and rotation."""

from __future__ import annotations

import math
import struct
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.sidedata.sidedata import Type as SideDataType

from sounds.audio import audio_stream

# Beyond this many pixels per frame a decoder allocation is a denial of service, not a video.
MAX_INPUT_PIXELS = 8192 * 8192
MAX_INPUT_SIDE_PIXELS = 16384
# The demuxers an upload may be read with (FFmpeg names). Playlist and list formats (hls,
# concat, ...) open the files and URLs named inside the upload - a playlist pointing at another
# video's segments would make the probe an oracle on private media - so they are never allowed,
# whatever the file is called. FLV and MPEG-PS are left out too: they expose no streams before
# FFmpeg probes them, so the pixel cap cannot reach the decoder that probing opens.
ALLOWED_DEMUXERS = (
    "mov,mp4,m4a,3gp,3g2,mj2",
    "matroska,webm",
    "avi",
    "gif",
    "mpegts",
    "asf",
    "ogg",
)
MIN_PIXEL_ASPECT, MAX_PIXEL_ASPECT = Fraction(1, 4), Fraction(4)
SUPPORTED_CONTAINERS = "MP4/MOV, WebM/MKV, AVI, GIF, MPEG-TS, WMV, Ogg"
SOURCE_OPEN_OPTIONS = {
    "format_whitelist": ",".join(ALLOWED_DEMUXERS),
    "protocol_whitelist": "file",
}


class MediaRejected(Exception):
    """The file is not a video we can process; `code` is a stable machine name."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class MediaInfo:
    """What probing found. Width/height are as stored (before rotation)."""

    format_name: str
    duration_s: float | None
    width: int
    height: int
    fps: float | None
    video_codec: str
    has_audio: bool
    audio_codec: str | None
    rotation: int
    # Width of a stored pixel over its height as shown (the sample aspect ratio): 1 for square
    # pixels, 64/45 for widescreen PAL DV stored at 720x576.
    pixel_aspect: float = 1.0
    # The display matrix also mirrors the picture (some front cameras and editing apps store a
    # selfie unmirrored and ask players to flip it): `rotation` and this say how it is shown.
    mirrored: bool = False

    @property
    def display_size(self) -> tuple[int, int]:
        """Width and height as shown to viewers (pixel aspect and rotation applied)."""
        width = max(1, round(self.width * self.pixel_aspect))
        if self.rotation in (90, 270):
            return self.height, width
        return width, self.height

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pixel_aspect_of(stream: av.video.stream.VideoStream) -> Fraction:
    """The stream's sample aspect ratio; 1 when unset or implausible (outside 1/4..4, which no
    camera or broadcast format uses: a hostile value would squash the picture to a line)."""
    ratio = stream.sample_aspect_ratio or stream.codec_context.sample_aspect_ratio
    if not ratio or not MIN_PIXEL_ASPECT <= ratio <= MAX_PIXEL_ASPECT:
        return Fraction(1)
    return Fraction(ratio).limit_denominator(10_000)


def _rotation_of(stream: av.video.stream.VideoStream) -> int:
    """Counter-clockwise display rotation in {0, 90, 180, 270} from the stream's old-style
    `rotate` tag (clockwise degrees); the display matrix is read from decoded frames."""
    tag = stream.metadata.get("rotate")
    if tag:
        try:
            return (-int(float(tag))) % 360 // 90 * 90
        except (ValueError, OverflowError):  # not a number, or "inf" / "nan"
            return 0
    return 0


def normalise_rotation(degrees: float | int | None) -> int:
    """Snap any rotation to the nearest quarter turn in [0, 360)."""
    if not degrees or not math.isfinite(degrees):
        return 0
    return int(round(float(degrees) / 90.0)) % 4 * 90


def frame_side_data(frame: av.VideoFrame, kind: SideDataType) -> bytes | None:
    """One kind of a decoded frame's side data as bytes (a display matrix, HDR metadata), or
    None when the frame has none."""
    side_data = frame.side_data
    return bytes(side_data[kind]) if kind in side_data else None


def frame_orientation(frame: av.VideoFrame) -> tuple[int, bool]:
    """How a decoded frame is meant to be shown: its counter-clockwise quarter turn and whether
    its display matrix mirrors it (a negative determinant). FFmpeg reads a mirroring matrix's
    angle too (a plain left-right mirror reads as a half turn), so the two together name one of
    the eight orientations."""
    data = frame_side_data(frame, SideDataType.DISPLAYMATRIX)
    if data is None or len(data) < 36:
        return 0, False
    a, b, _, c, d = struct.unpack("<5i", data[:20])
    determinant = a * d - b * c
    if determinant == 0:  # a picture squashed to a line or a point: no orientation to apply
        return 0, False
    return normalise_rotation(frame.rotation), determinant < 0


def open_source(path: Path) -> av.container.InputContainer:
    """Open an uploaded file for decoding: only the allowed demuxers, only the file itself.

    Raises MediaRejected when FFmpeg cannot open it with those."""
    try:
        # max_pixels reaches the decoders FFmpeg opens to find the streams' parameters too: a
        # header claiming a giant picture is not allocated even while probing.
        return av.open(
            str(path),
            container_options=SOURCE_OPEN_OPTIONS,
            options={"max_pixels": str(MAX_INPUT_PIXELS)},
            metadata_errors="ignore",
        )
    except av.error.FFmpegError as exc:
        raise MediaRejected(
            f"not a readable video file in a supported container ({SUPPORTED_CONTAINERS}): "
            f"{_ffmpeg_reason(exc)}",
            code="not_a_video",
        ) from exc


def picture_streams(container: av.container.InputContainer) -> list[av.video.stream.VideoStream]:
    """The container's moving-picture streams: decodable, and not an attached picture (the
    cover art of a song or podcast, which FFmpeg lists as a video stream of one frame)."""
    return [
        stream
        for stream in container.streams.video
        if stream.codec_context is not None
        and not stream.disposition & av.stream.Disposition.attached_pic
    ]


def limit_decoder(stream: av.video.stream.VideoStream) -> None:
    """Make the decoder refuse pictures over the pixel limit before allocating them (a stream
    may change resolution mid-way); see `picture_too_large`."""
    stream.codec_context.options = {"max_pixels": str(MAX_INPUT_PIXELS)}


def picture_too_large(width: int, height: int) -> bool:
    return max(width, height) > MAX_INPUT_SIDE_PIXELS or width * height > MAX_INPUT_PIXELS


def probe_media(path: Path, *, max_duration_s: float | None = None) -> MediaInfo:
    """Open the file, find a decodable video stream, and check the hard limits.

    Raises MediaRejected with a human sentence naming the problem.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MediaRejected(f"cannot read the file: {exc.strerror}", code="unreadable") from exc
    if size == 0:
        raise MediaRejected("the file is empty (0 bytes)", code="empty_file")
    with open_source(path) as container:
        videos = picture_streams(container)
        if not videos:
            kind = "an audio-only file" if container.streams.audio else "not a video"
            raise MediaRejected(f"no video stream: the file is {kind}", code="no_video_stream")
        stream = videos[0]
        width, height = stream.codec_context.width, stream.codec_context.height
        if not width or not height:
            raise MediaRejected(
                "the video stream has no usable picture size (none, or one over the "
                f"{MAX_INPUT_PIXELS / 1e6:.0f}-megapixel limit)",
                code="not_a_video",
            )
        if picture_too_large(width, height):
            raise MediaRejected(
                f"resolution {width}x{height} is too large to process", code="resolution_too_large"
            )
        audio = audio_stream(container)
        duration_s = _duration_of(container, stream, audio)
        if max_duration_s is not None and duration_s is not None and duration_s > max_duration_s:
            raise MediaRejected(
                f"the video is {duration_s:.0f} s long; the limit is {max_duration_s:.0f} s",
                code="too_long",
            )
        rate = stream.average_rate or stream.guessed_rate
        rotation, mirrored = _rotation_of(stream), False
        limit_decoder(stream)
        if not rotation:
            rotation, mirrored = _first_frame_orientation(container, stream)
        return MediaInfo(
            format_name=container.format.name,
            duration_s=duration_s,
            width=width,
            height=height,
            fps=float(rate) if rate else None,
            video_codec=stream.codec_context.name,
            has_audio=audio is not None,
            audio_codec=audio.codec_context.name if audio is not None else None,
            rotation=rotation,
            pixel_aspect=float(_pixel_aspect_of(stream)),
            mirrored=mirrored,
        )


def _duration_of(container: av.container.InputContainer, stream, audio) -> float | None:  # noqa: ANN001
    """The longer of the picture's and the sound's stated lengths (a song under a one-frame
    picture is the song's length: it was let through at the picture's), else the container's."""
    stated = [
        float(s.duration * s.time_base)
        for s in (stream, audio)
        if s is not None and s.duration and s.time_base
    ]
    if stated:
        return max(stated)
    if container.duration:
        seconds = container.duration / av.time_base
        start_s = (container.start_time or 0) / av.time_base
        if container.format.name.startswith("matroska") and 0 < start_s < seconds:
            # Matroska's Duration runs from timestamp 0, not from the first frame: a 2 s
            # recording remuxed with its original timestamps (starting at 3600 s) says 3602 s.
            seconds -= start_s
        return seconds
    return None


def _first_frame_orientation(container: av.container.InputContainer, stream) -> tuple[int, bool]:  # noqa: ANN001
    """The display matrix arrives as frame side data; decode one frame to read it. A file whose
    first frame cannot be decoded is rejected here rather than deep in the pipeline."""
    try:
        for frame in container.decode(stream):
            return frame_orientation(frame)
    except av.error.FFmpegError as exc:
        raise MediaRejected(
            f"the video stream cannot be decoded ({_ffmpeg_reason(exc)})", code="undecodable"
        ) from exc
    raise MediaRejected("the video stream has no frames", code="undecodable")


def _ffmpeg_reason(exc: av.error.FFmpegError) -> str:
    return getattr(exc, "strerror", None) or str(exc)
