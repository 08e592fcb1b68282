"""HDR (BT.2100 PQ and HLG) and wide-gamut BT.2020 pictures made into the SDR BT.709 the
output is: the maths, as a 3D lookup table for FFmpeg's `lut3d` filter.

The bundled FFmpeg has no `zscale`, which its `tonemap` filter needs to reach linear light, so
the whole conversion (transfer to linear light, the highlights compressed to SDR, BT.2020
primaries to BT.709, BT.1886 encoding) is sampled into one table that `lut3d` interpolates.
Without it an iPhone's HLG or an Android's HDR10 video was shown as if it were BT.709: greyish,
flat, its colours muted (BT.2020 primaries read as BT.709 ones).

Pure numpy: no Django, no PyAV."""

from __future__ import annotations

import math
import struct
from pathlib import Path

import numpy as np

# FFmpeg's transfer characteristics (AVColorTransferCharacteristic) and primaries.
TRANSFER_PQ = 16  # SMPTE ST 2084: HDR10, HDR10+, Dolby Vision profile 8.1
TRANSFER_HLG = 18  # ARIB STD-B67: iPhone HDR (Dolby Vision 8.4), broadcast HDR
PRIMARIES_BT2020 = 9
TONE_MAPPED_TRANSFERS = frozenset({TRANSFER_PQ, TRANSFER_HLG})

# BT.2408: HDR reference ("graphics") white, which SDR shows near its own white.
REFERENCE_WHITE_NITS = 203.0
# The brightest highlight kept apart from white: HLG's nominal display peak, and what phones
# and most HDR10 masters are graded to. A PQ picture that says how bright it gets (its content
# light level, else its mastering display's peak) is compressed up to that instead, between
# PQ_PEAK_MIN_NITS and PQ's own 10,000 (`content_peak_nits`).
HDR_PEAK_NITS = 1000.0
PQ_PEAK_MIN_NITS = 400.0
PQ_PEAK_MAX_NITS = 10000.0
# Up to this share of SDR white the picture is left as it is (scaled to the reference white);
# above, highlights up to HDR_PEAK_NITS are compressed smoothly into what remains.
TONE_CURVE_KNEE = 0.5
# HLG's system gamma on a 1000-nit display (BT.2100 OOTF).
HLG_SYSTEM_GAMMA = 1.2
# BT.1886: SDR displays decode with a 2.4 power.
SDR_DISPLAY_GAMMA = 2.4
# Points per side of the table: 33 is what grading tools export; lut3d interpolates between
# them tetrahedrally, and the inputs are perceptually encoded (PQ, HLG), so steps are even.
LUT_POINTS_PER_SIDE = 33

# Chromaticities (x, y) of the red, green and blue primaries; both use the D65 white point.
BT709_PRIMARIES = ((0.640, 0.330), (0.300, 0.600), (0.150, 0.060))
BT2020_PRIMARIES = ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046))
D65_WHITE = (0.3127, 0.3290)


def rgb_to_xyz(
    primaries: tuple[tuple[float, float], ...], white: tuple[float, float]
) -> np.ndarray:
    """The linear RGB -> CIE XYZ matrix of a colour space (SMPTE RP 177): white (1, 1, 1) is
    the white point at Y = 1."""
    columns = np.array([[x / y, 1.0, (1 - x - y) / y] for x, y in primaries]).T
    white_xyz = np.array([white[0] / white[1], 1.0, (1 - white[0] - white[1]) / white[1]])
    return columns * np.linalg.solve(columns, white_xyz)


# Linear BT.2020 RGB to linear BT.709 RGB (BT.2087's matrix, exact: white stays white).
BT2020_TO_BT709 = np.linalg.solve(
    rgb_to_xyz(BT709_PRIMARIES, D65_WHITE), rgb_to_xyz(BT2020_PRIMARIES, D65_WHITE)
)
BT2020_LUMA = np.array([0.2627, 0.6780, 0.0593])

_PQ_M1 = 2610 / 16384
_PQ_M2 = 2523 / 4096 * 128
_PQ_C1 = 3424 / 4096
_PQ_C2 = 2413 / 4096 * 32
_PQ_C3 = 2392 / 4096 * 32
_HLG_A = 0.17883277
_HLG_B = 1 - 4 * _HLG_A
_HLG_C = 0.5 - _HLG_A * np.log(4 * _HLG_A)


def pq_to_nits(signal: np.ndarray) -> np.ndarray:
    """SMPTE ST 2084 EOTF: PQ-encoded values (0..1) to display light in nits."""
    power = np.power(np.clip(signal, 0.0, 1.0), 1 / _PQ_M2)
    return 10000.0 * np.power(
        np.maximum(power - _PQ_C1, 0.0) / (_PQ_C2 - _PQ_C3 * power), 1 / _PQ_M1
    )


def nits_to_pq(nits: np.ndarray) -> np.ndarray:
    """The inverse of `pq_to_nits` (tests and tools make PQ pictures with it)."""
    y = np.power(np.clip(np.asarray(nits, float) / 10000.0, 0.0, 1.0), _PQ_M1)
    return np.power((_PQ_C1 + _PQ_C2 * y) / (1 + _PQ_C3 * y), _PQ_M2)


def hlg_to_nits(rgb: np.ndarray) -> np.ndarray:
    """BT.2100 HLG inverse OETF and OOTF on a 1000-nit display: HLG R'G'B' (..., 3) to display
    light in nits (the OOTF works on luminance, so it needs the three channels)."""
    signal = np.clip(rgb, 0.0, 1.0)
    scene = np.where(
        signal <= 0.5,
        signal**2 / 3,
        (np.exp((signal - _HLG_C) / _HLG_A) + _HLG_B) / 12,
    )
    luminance = scene @ BT2020_LUMA
    gain = np.power(np.maximum(luminance, 1e-12), HLG_SYSTEM_GAMMA - 1)
    return HDR_PEAK_NITS * scene * gain[..., None]


def nits_to_hlg(nits: np.ndarray) -> np.ndarray:
    """The inverse of `hlg_to_nits`: display light in nits (..., 3) to HLG R'G'B' (tests and
    tools make HLG pictures with it)."""
    display = np.asarray(nits, float) / HDR_PEAK_NITS
    luminance = np.maximum(display @ BT2020_LUMA, 1e-12)
    scene = display / np.power(luminance, (HLG_SYSTEM_GAMMA - 1) / HLG_SYSTEM_GAMMA)[..., None]
    return np.where(
        scene <= 1 / 12,
        np.sqrt(3 * np.maximum(scene, 0.0)),
        _HLG_A * np.log(np.maximum(12 * scene - _HLG_B, 1e-12)) + _HLG_C,
    )


def tone_curve(relative: np.ndarray, peak: float) -> np.ndarray:
    """Light relative to SDR white (1.0 = reference white) to SDR's 0..1: unchanged up to
    TONE_CURVE_KNEE, then a rational shoulder with the same slope at the knee that reaches 1.0
    at `peak` (the brightest light kept, relative to reference white) and stays there."""
    knee = TONE_CURVE_KNEE
    if peak <= 1.0:
        return np.clip(relative, 0.0, 1.0)
    # The shoulder g(u) = (1 + a) u / (1 + a u) runs from (0, 0) to (1, 1); its slope at 0 is
    # 1 + a, which a matches to the straight part's.
    bend = (peak - knee) / (1 - knee) - 1
    u = np.clip((relative - knee) / (peak - knee), 0.0, 1.0)
    shoulder = knee + (1 - knee) * (1 + bend) * u / (1 + bend * u)
    return np.where(relative <= knee, np.maximum(relative, 0.0), shoulder)


def content_peak_nits(*, light_level: bytes | None, mastering: bytes | None) -> float:
    """How bright a PQ picture gets, from what it says about itself: its content light level's
    MaxCLL (FFmpeg's AVContentLightMetadata: MaxCLL, MaxFALL as 32-bit unsigned), else its
    mastering display's peak (AVMasteringDisplayMetadata: primaries, white point, minimum and
    maximum luminance as rationals, then has_primaries, has_luminance), else HDR_PEAK_NITS;
    kept within PQ_PEAK_MIN_NITS..PQ_PEAK_MAX_NITS (a zero, a nonsense or a hostile value
    changes nothing beyond that)."""
    peak = 0.0
    if light_level is not None and len(light_level) >= 8:
        peak = float(struct.unpack("<I", light_level[:4])[0])
    if peak <= 0 and mastering is not None and len(mastering) >= 88:
        numerator, denominator = struct.unpack("<ii", mastering[72:80])
        has_luminance = struct.unpack("<i", mastering[84:88])[0]
        if has_luminance and denominator > 0 and numerator > 0:
            peak = numerator / denominator
    if not math.isfinite(peak) or peak <= 0:
        return HDR_PEAK_NITS
    return min(max(peak, PQ_PEAK_MIN_NITS), PQ_PEAK_MAX_NITS)


def to_sdr_bt709(
    rgb: np.ndarray,
    transfer: int,
    *,
    bt2020_primaries: bool = True,
    peak_nits: float = HDR_PEAK_NITS,
) -> np.ndarray:
    """Non-linear BT.2020 R'G'B' (..., 3), full range 0..1, encoded with `transfer` (PQ, HLG,
    or anything else for SDR BT.2020), to BT.1886-encoded BT.709 R'G'B' in 0..1.

    HDR light is taken relative to the reference white and its highlights compressed by
    `tone_curve` on the largest channel (so hue and saturation hold), up to `peak_nits` for
    PQ (`content_peak_nits`; HLG's peak is its nominal display's); the primaries are then
    converted (unless `bt2020_primaries` is false: HDR graded in BT.709's) and what falls
    outside BT.709 is clipped."""
    rgb = np.asarray(rgb, float)
    if transfer == TRANSFER_PQ:
        relative = pq_to_nits(rgb) / REFERENCE_WHITE_NITS
        peak = peak_nits / REFERENCE_WHITE_NITS
    elif transfer == TRANSFER_HLG:
        relative = hlg_to_nits(rgb) / REFERENCE_WHITE_NITS
        peak = HDR_PEAK_NITS / REFERENCE_WHITE_NITS
    else:
        relative = np.power(np.clip(rgb, 0.0, 1.0), SDR_DISPLAY_GAMMA)
        peak = 1.0
    largest = relative.max(axis=-1, keepdims=True)
    mapped = tone_curve(largest, peak)
    scaled = np.where(largest > 0, relative * (mapped / np.maximum(largest, 1e-12)), 0.0)
    gamut = BT2020_TO_BT709 if bt2020_primaries else np.eye(3)
    linear = np.clip(scaled @ gamut.T, 0.0, 1.0)
    return np.power(linear, 1 / SDR_DISPLAY_GAMMA)


def lut_cube_text(
    transfer: int,
    points: int = LUT_POINTS_PER_SIDE,
    *,
    bt2020_primaries: bool = True,
    peak_nits: float = HDR_PEAK_NITS,
) -> str:
    """`to_sdr_bt709` sampled as an Adobe/Resolve `.cube` table (red varies fastest), the
    format lut3d reads."""
    axis = np.linspace(0.0, 1.0, points)
    blue, green, red = np.meshgrid(axis, axis, axis, indexing="ij")
    grid = np.stack([red, green, blue], axis=-1).reshape(-1, 3)
    table = to_sdr_bt709(grid, transfer, bt2020_primaries=bt2020_primaries, peak_nits=peak_nits)
    header = (
        f'TITLE "BT.2020 transfer {transfer} to SDR BT.709"\n'
        f"LUT_3D_SIZE {points}\nDOMAIN_MIN 0 0 0\nDOMAIN_MAX 1 1 1\n"
    )
    return header + "\n".join(f"{r:.6f} {g:.6f} {b:.6f}" for r, g, b in table) + "\n"


def lut_cube_write(
    directory: Path,
    transfer: int,
    *,
    bt2020_primaries: bool = True,
    peak_nits: float = HDR_PEAK_NITS,
) -> Path:
    """Write the table for `transfer` into `directory` (a transcode's own working folder)."""
    path = directory / f"to_sdr_bt709_{transfer}_{int(bt2020_primaries)}_{peak_nits:.0f}.cube"
    text = lut_cube_text(transfer, bt2020_primaries=bt2020_primaries, peak_nits=peak_nits)
    path.write_text(text, encoding="ascii")
    return path
