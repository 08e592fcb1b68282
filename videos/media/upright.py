"""Decoded pictures made as shown: turned and mirrored as the display matrix says, scaled to
square pixels, converted to limited-range 4:2:0 in a colour matrix players read right, HDR and
BT.2020 pictures tone-mapped to SDR BT.709 (`tone_mapping`). One FFmpeg filter graph per
video (`Upright`); `transcode` feeds it every decoded frame."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.sidedata.sidedata import Type as SideDataType

from videos.media.probe import frame_side_data
from videos.media.tone_mapping import (
    HDR_PEAK_NITS,
    PRIMARIES_BT2020,
    TONE_MAPPED_TRANSFERS,
    TRANSFER_PQ,
    content_peak_nits,
    lut_cube_write,
)

# FFmpeg's colour matrices (AVColorSpace) by swscale's names for them: BT.709, FCC, BT.601
# (625 and 525 lines), SMPTE 240M, BT.2020. BT.709 and BT.601 pass through unconverted (a
# conversion is a full pass over every picture); the others are converted to BT.709.
COLOUR_MATRIX_NAMES = {1: "bt709", 4: "fcc", 5: "bt601", 6: "bt601", 7: "smpte240m", 9: "bt2020"}
KEPT_COLOUR_MATRICES = frozenset({1, 5, 6})
COLOUR_MATRIX_BT709, COLOUR_MATRIX_BT601, COLOUR_MATRIX_BT2020 = 1, 6, 9
COLOUR_MATRIX_BT601_625 = 5
COLOUR_RANGE_LIMITED, COLOUR_RANGE_FULL = 1, 2
PRIMARIES_BT709, TRANSFER_BT709 = 1, 1
# Every orientation a display matrix can ask for (counter-clockwise quarter turn, mirrored) as
# the filters that make the picture as shown: the choices FFmpeg's own autorotation makes.
UPRIGHT_FILTERS = {
    (0, False): [],
    (90, False): [("transpose", "cclock")],
    (180, False): [("hflip", ""), ("vflip", "")],
    (270, False): [("transpose", "clock")],
    (0, True): [("vflip", "")],
    (90, True): [("transpose", "clock_flip")],
    (180, True): [("hflip", "")],
    (270, True): [("transpose", "cclock_flip")],
}


def _source_colour_matrix(frame: av.VideoFrame) -> int:
    """The frame's colour matrix; untagged, the convention players follow: BT.709 for HD
    (1280 wide or over 576 lines), BT.601 below."""
    tagged = int(frame.colorspace)
    if tagged in COLOUR_MATRIX_NAMES:
        return tagged
    if _source_transfer(frame) is not None:
        return COLOUR_MATRIX_BT2020  # HDR and BT.2020 pictures come in BT.2020's matrix
    high_definition = frame.width >= 1280 or frame.height > 576
    return COLOUR_MATRIX_BT709 if high_definition else COLOUR_MATRIX_BT601


def _source_transfer(frame: av.VideoFrame) -> int | None:
    """The transfer to tone-map from (PQ or HLG), or any other for BT.2020 primaries (a gamut
    to convert); None for a picture that is SDR BT.709 or BT.601 (or says nothing)."""
    transfer = int(frame.color_trc)
    if transfer in TONE_MAPPED_TRANSFERS:
        return transfer
    if int(frame.color_primaries) == PRIMARIES_BT2020:
        return transfer
    return None


class Upright:
    """Turn and mirror (as the display matrix says), scale to square pixels and convert decoded
    frames to limited-range 4:2:0 with a filter graph.

    `size` is the shape shown (`MediaInfo.display_size`: anamorphic DV and broadcast pictures
    are stored narrower or wider than shown), so scaling to it and `setsar=1` make the pixels
    square. The buffer source is told the source's colour range (phones often record full-range
    video), and `scale` its colour matrix (`_source_colour_matrix`): full range is
    converted to limited, so blacks and whites are not crushed, and the output is tagged with
    its matrix and range (`output_colour`), so players do not guess. HDR (PQ, HLG) and BT.2020
    pictures go through a lookup table to SDR BT.709 (`tone_mapping`) and say so."""

    def __init__(
        self,
        first: av.VideoFrame,
        orientation: tuple[int, bool],
        size: tuple[int, int],
        workdir: Path,
    ) -> None:
        self.format = first.format.name
        self.source_size = (first.width, first.height)
        self.graph = av.filter.Graph()
        time_base = first.time_base or Fraction(1, 1000)
        arguments = [
            f"video_size={first.width}x{first.height}",
            f"pix_fmt={first.format.name}",
            f"time_base={time_base.numerator}/{time_base.denominator}",
        ]
        if int(first.color_range) in (COLOUR_RANGE_LIMITED, COLOUR_RANGE_FULL):
            arguments.append(f"range={int(first.color_range)}")
        matrix = _source_colour_matrix(first)
        # What the first frame's pixels mean, for frames of another size (`_fitted`); swscale
        # names BT.601's 525-line matrix by its 625-line twin (the same coefficients).
        self.colour_matrix = COLOUR_MATRIX_BT601_625 if matrix == COLOUR_MATRIX_BT601 else matrix
        self.colour_range = int(first.color_range) or COLOUR_RANGE_LIMITED
        nodes = [self.graph.add("buffer", ":".join(arguments))]
        if first.interlaced_frame:
            # Camcorders (AVCHD, DV) and TV recordings store two fields per frame: shown as
            # they are, every moving edge has comb teeth. One frame per frame (the rate is
            # kept), and only frames marked interlaced are touched.
            nodes.append(self.graph.add("bwdif", "mode=send_frame:parity=auto:deint=interlaced"))
        for name, argument in UPRIGHT_FILTERS[orientation]:
            nodes.append(self.graph.add(name, argument))
        transfer = _source_transfer(first)
        if transfer is None:
            kept = matrix if matrix in KEPT_COLOUR_MATRICES else COLOUR_MATRIX_BT709
            # What the output is, and says it is: that matrix, limited range.
            self.output_colour = {
                "colorspace": COLOUR_MATRIX_BT601 if kept != COLOUR_MATRIX_BT709 else kept,
                "color_range": COLOUR_RANGE_LIMITED,
            }
            nodes.append(
                self.graph.add(
                    "scale",
                    f"{size[0]}:{size[1]}:in_color_matrix={COLOUR_MATRIX_NAMES[matrix]}"
                    f":out_color_matrix={COLOUR_MATRIX_NAMES[kept]}:out_range=tv",
                )
            )
        else:
            # HDR or BT.2020: scaled to RGB (16 bits, a 10-bit source keeps its steps), through
            # the table that makes it SDR BT.709 (tone_mapping), back to limited-range BT.709;
            # the output says all of it, so no player reads the source's HDR tags into it.
            self.output_colour = {
                "colorspace": COLOUR_MATRIX_BT709,
                "color_range": COLOUR_RANGE_LIMITED,
                "color_primaries": PRIMARIES_BT709,
                "color_trc": TRANSFER_BT709,
            }
            nodes.append(
                self.graph.add(
                    "scale", f"{size[0]}:{size[1]}:in_color_matrix={COLOUR_MATRIX_NAMES[matrix]}"
                )
            )
            nodes.append(self.graph.add("format", "gbrp16le"))
            # HDR graded in BT.709's primaries (rare, but tagged so) keeps its colours.
            bt2020 = int(first.color_primaries) != PRIMARIES_BT709
            peak = HDR_PEAK_NITS
            if transfer == TRANSFER_PQ:
                peak = content_peak_nits(
                    light_level=frame_side_data(first, SideDataType.CONTENT_LIGHT_LEVEL),
                    mastering=frame_side_data(first, SideDataType.MASTERING_DISPLAY_METADATA),
                )
            table = lut_cube_write(workdir, transfer, bt2020_primaries=bt2020, peak_nits=peak)
            nodes.append(self.graph.add("lut3d", file=str(table), interp="tetrahedral"))
            nodes.append(self.graph.add("scale", "out_color_matrix=bt709:out_range=tv"))
        nodes.append(self.graph.add("setsar", "1"))
        nodes.append(self.graph.add("format", "yuv420p"))
        nodes.append(self.graph.add("buffersink"))
        self.graph.link_nodes(*nodes).configure()

    def push(self, frame: av.VideoFrame | None) -> list[av.VideoFrame]:
        if frame is not None and (frame.width, frame.height) != self.source_size:
            frame = self._fitted(frame)
        elif frame is not None and frame.format.name != self.format:
            # A mid-stream palette change (GIFs do this) would break the buffer source.
            pts, time_base = frame.pts, frame.time_base
            frame = frame.reformat(format=self.format)
            frame.pts, frame.time_base = pts, time_base
        self.graph.push(frame)
        frames = []
        while True:
            try:
                frames.append(self.graph.pull())
            except (av.error.BlockingIOError, av.error.EOFError):
                return frames

    def _fitted(self, frame: av.VideoFrame) -> av.VideoFrame:
        """A frame of another size (a recording whose camera turned, a stream that changes
        resolution) as the graph takes frames: scaled to fit the first frame's size with its
        shape kept, and bordered in black. Stretched to that size, a portrait picture in a
        landscape recording came out squashed."""
        width, height = self.source_size
        scale = min(width / frame.width, height / frame.height)
        fit_w = max(2, min(width, round(frame.width * scale)))
        fit_h = max(2, min(height, round(frame.height * scale)))
        # Through RGB (any source format), in the first frame's colour matrix and range.
        yuv = self.format.startswith(("yuv", "nv", "p0", "p2"))
        colours = {"src_color_range": self.colour_range, "dst_color_range": COLOUR_RANGE_FULL}
        to_rgb = {"src_colorspace": self.colour_matrix, **colours} if yuv else {}
        picture = frame.reformat(fit_w, fit_h, format="rgb24", **to_rgb).to_ndarray()
        canvas = np.zeros((height, width, 3), np.uint8)
        top, left = (height - fit_h) // 2, (width - fit_w) // 2
        canvas[top : top + fit_h, left : left + fit_w] = picture
        back = {
            "dst_colorspace": self.colour_matrix,
            "src_color_range": COLOUR_RANGE_FULL,
            "dst_color_range": self.colour_range,
        }
        fitted = av.VideoFrame.from_ndarray(canvas, format="rgb24").reformat(
            format=self.format, **(back if yuv else {})
        )
        fitted.pts, fitted.time_base = frame.pts, frame.time_base
        return fitted
