"""HDR and BT.2020 pictures made SDR BT.709: the maths of the lookup table (no media)."""

from __future__ import annotations

import numpy as np
import pytest

from videos.media.tone_mapping import (
    BT2020_TO_BT709,
    HDR_PEAK_NITS,
    LUT_POINTS_PER_SIDE,
    REFERENCE_WHITE_NITS,
    SDR_DISPLAY_GAMMA,
    TRANSFER_HLG,
    TRANSFER_PQ,
    hlg_to_nits,
    lut_cube_text,
    nits_to_hlg,
    nits_to_pq,
    pq_to_nits,
    to_sdr_bt709,
)

TRANSFER_BT2020_10BIT = 14  # SDR BT.2020: the gamut is converted, nothing is tone-mapped
ENCODERS = {TRANSFER_PQ: nits_to_pq, TRANSFER_HLG: nits_to_hlg}


def _grey(transfer: int, nits: float) -> float:
    signal = ENCODERS[transfer](np.array([nits] * 3, float))
    return float(to_sdr_bt709(signal, transfer)[0])


def test_pq_decodes_to_the_light_it_encodes():
    nits = np.array([0.0, 0.1, 1.0, 100.0, 203.0, 1000.0, 10000.0])
    assert pq_to_nits(nits_to_pq(nits)) == pytest.approx(nits, rel=1e-6, abs=1e-6)


def test_hlg_decodes_to_the_light_it_encodes():
    nits = np.array([[0.0, 0.0, 0.0], [100.0, 20.0, 5.0], [1000.0, 1000.0, 1000.0]])
    assert hlg_to_nits(nits_to_hlg(nits)) == pytest.approx(nits, rel=1e-6, abs=1e-6)


def test_hlg_reference_white_is_75_percent_signal_at_203_nits():
    # BT.2408: HDR reference white on a 1000-nit HLG display is a 75% signal.
    assert nits_to_hlg(np.array([REFERENCE_WHITE_NITS] * 3)) == pytest.approx(0.75, abs=0.001)
    assert hlg_to_nits(np.array([0.75, 0.75, 0.75])) == pytest.approx(203.0, rel=0.01)
    assert hlg_to_nits(np.array([1.0, 1.0, 1.0])) == pytest.approx(HDR_PEAK_NITS)


@pytest.mark.parametrize("transfer", [TRANSFER_PQ, TRANSFER_HLG])
def test_reference_white_is_shown_near_sdr_white_and_the_peak_at_white(transfer: int):
    # Untouched, PQ's reference white is a 58% signal and HLG's 75%: the grey flat picture.
    assert 0.85 <= _grey(transfer, REFERENCE_WHITE_NITS) <= 0.95
    assert _grey(transfer, HDR_PEAK_NITS) == pytest.approx(1.0)
    assert _grey(transfer, 0.0) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("transfer", [TRANSFER_PQ, TRANSFER_HLG])
def test_shadows_and_midtones_keep_their_light_relative_to_reference_white(transfer: int):
    for nits in (1.0, 10.0, 50.0, 100.0):
        expected = (nits / REFERENCE_WHITE_NITS) ** (1 / SDR_DISPLAY_GAMMA)
        assert _grey(transfer, nits) == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize("transfer", [TRANSFER_PQ, TRANSFER_HLG])
def test_a_grey_ramp_stays_grey_and_in_order(transfer: int):
    signals = np.linspace(0.0, 1.0, 257)
    out = to_sdr_bt709(np.repeat(signals[:, None], 3, axis=1), transfer)
    assert np.allclose(out[:, 0], out[:, 1], atol=1e-6) and np.allclose(out[:, 1], out[:, 2])
    assert np.all(np.diff(out[:, 1]) >= -1e-9)
    assert out.min() >= 0.0 and out.max() <= 1.0


@pytest.mark.parametrize("transfer", [TRANSFER_PQ, TRANSFER_HLG, TRANSFER_BT2020_10BIT])
def test_a_bt709_red_written_in_bt2020_comes_back_red(transfer: int):
    # BT.709's red in BT.2020 primaries is (0.63, 0.07, 0.02): read as BT.709 it is a dull
    # pink. Converted, the red channel leads and the others are near zero.
    linear = np.linalg.solve(BT2020_TO_BT709, np.array([1.0, 0.0, 0.0])) * 0.4
    if transfer in ENCODERS:
        signal = ENCODERS[transfer](linear * REFERENCE_WHITE_NITS)
    else:
        signal = linear ** (1 / SDR_DISPLAY_GAMMA)
    red, green, blue = to_sdr_bt709(signal, transfer)
    assert red == pytest.approx(0.4 ** (1 / SDR_DISPLAY_GAMMA), abs=0.02)
    assert green < 0.05 and blue < 0.05


def test_sdr_bt2020_greys_pass_unchanged():
    greys = np.repeat(np.linspace(0, 1, 11)[:, None], 3, axis=1)
    assert to_sdr_bt709(greys, TRANSFER_BT2020_10BIT) == pytest.approx(greys, abs=1e-3)


def test_the_cube_table_samples_the_conversion_with_red_varying_fastest():
    text = lut_cube_text(TRANSFER_HLG, points=5)
    lines = text.splitlines()
    assert "LUT_3D_SIZE 5" in lines
    rows = [line for line in lines if line[:1].isdigit()]
    assert len(rows) == 5**3
    table = np.array([[float(value) for value in row.split()] for row in rows])
    # Row 1 is red's second step (green and blue at 0); row 5 is green's; row 25 is blue's.
    for row, point in ((1, [0.25, 0, 0]), (5, [0, 0.25, 0]), (25, [0, 0, 0.25]), (124, [1, 1, 1])):
        expected = to_sdr_bt709(np.array(point, float), TRANSFER_HLG)
        assert table[row] == pytest.approx(expected, abs=1e-5)
    assert LUT_POINTS_PER_SIDE >= 17
