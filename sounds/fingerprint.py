"""Audio fingerprints: Chromaprint's raw fingerprint (through its `fpcalc` tool), the index keys
a fingerprint is found by, and the bit-error alignment that decides two fingerprints are the
same recording. No Django here: the service, the tests and the benchmark call it directly."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass

import numpy as np

# Chromaprint's raw items are 32-bit words, one every 4096/3 samples at 11025 Hz.
ITEMS_PER_SECOND = 11025 / (4096 / 3)
FINGERPRINT_MAX_SECONDS = 60
FINGERPRINT_RATE_HZ = 11025
FINGERPRINT_VERSION = "chromaprint-raw-2"  # fpcalc's default algorithm (2)
FPCALC_TIMEOUT_SECONDS = 60
# The index keys: the top KEY_BITS of each item over the first KEY_ITEMS items (~30 s). Bit
# errors after re-encoding fall mostly in the low bits, so a copy shares many keys with its
# original while unrelated audio shares almost none (2^-20 per pair of items).
KEY_BITS = 20
KEY_ITEMS = 240
# Two fingerprints are the same recording when, at their best offset, at most this share of the
# bits differ over at least MIN_OVERLAP_ITEMS items (~2 s; a clip of N seconds has about
# 8N - 20 items: Chromaprint needs a window before its first). Unrelated audio sits near 0.35-0.5,
# a re-encoded copy below 0.1.
MATCH_MAX_BIT_ERROR_RATE = 0.2
MIN_OVERLAP_ITEMS = 16
# How far (in items, ~10 s) one fingerprint may start after the other: leading silence, intros.
MAX_OFFSET_ITEMS = 80


class FingerprintFailed(Exception):
    """fpcalc is missing, or could not read any audio from the file."""


@dataclass(frozen=True)
class Fingerprint:
    items: np.ndarray  # uint32
    duration_s: float
    version: str


def fpcalc_path() -> str:
    path = shutil.which("fpcalc")
    if path is None:
        raise FingerprintFailed(
            "fpcalc (Chromaprint, Debian package libchromaprint-tools) is missing"
        )
    return path


def fingerprint_samples(samples: np.ndarray) -> Fingerprint:
    """Chromaprint's raw fingerprint of mono float samples at FINGERPRINT_RATE_HZ (at most the
    first FINGERPRINT_MAX_SECONDS). The samples go to fpcalc as PCM on its standard input, so
    every fingerprint comes from the same decoder (PyAV's) whatever the file was."""
    mono = np.asarray(samples, dtype=np.float32).reshape(-1)[
        : FINGERPRINT_MAX_SECONDS * FINGERPRINT_RATE_HZ
    ]
    pcm = (np.clip(mono, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    command = [fpcalc_path(), "-format", "s16le", "-rate", str(FINGERPRINT_RATE_HZ)]
    command += ["-channels", "1", "-raw", "-json", "-length", str(FINGERPRINT_MAX_SECONDS), "-"]
    try:
        completed = subprocess.run(
            command, input=pcm, capture_output=True, timeout=FPCALC_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise FingerprintFailed("fingerprinting took too long") from exc
    # fpcalc reports the end of a piped stream as a decoding error (exit code 3) after printing
    # the fingerprint: its output decides, not its exit code.
    try:
        result = json.loads(completed.stdout or b"{}")
    except ValueError:
        result = {}
    items = np.asarray(result.get("fingerprint") or [], dtype=np.uint32)
    if items.size == 0:
        raise FingerprintFailed(
            completed.stderr.decode(errors="replace").strip()[:200] or "no audio to fingerprint"
        )
    return Fingerprint(
        items=items, duration_s=mono.size / FINGERPRINT_RATE_HZ, version=FINGERPRINT_VERSION
    )


def fingerprint_keys(items: np.ndarray, *, limit: int = KEY_ITEMS) -> list[int]:
    """The distinct index keys of a fingerprint's first `limit` items, sorted."""
    top = np.asarray(items[:limit], dtype=np.uint32) >> np.uint32(32 - KEY_BITS)
    return sorted({int(key) for key in top})


def best_alignment(
    first: np.ndarray, second: np.ndarray, *, max_offset: int = MAX_OFFSET_ITEMS
) -> tuple[float, int]:
    """(bit error rate, offset) at the offset where the two fingerprints agree best; the offset
    is how many items `second` starts after `first` (negative: before). 1.0 when they never
    overlap by MIN_OVERLAP_ITEMS."""
    first = np.asarray(first, dtype=np.uint32)
    second = np.asarray(second, dtype=np.uint32)
    best = (1.0, 0)
    for offset in range(-max_offset, max_offset + 1):
        a = first[max(0, -offset) :]
        b = second[max(0, offset) :]
        overlap = min(a.size, b.size)
        if overlap < MIN_OVERLAP_ITEMS:
            continue
        errors = int(np.bitwise_count(a[:overlap] ^ b[:overlap]).sum())
        rate = errors / (32 * overlap)
        if rate < best[0]:
            best = (rate, offset)
    return best


def same_recording(first: np.ndarray, second: np.ndarray) -> bool:
    return best_alignment(first, second)[0] <= MATCH_MAX_BIT_ERROR_RATE


def items_to_signed(items: np.ndarray) -> list[int]:
    """uint32 items as the signed 32-bit integers a Postgres int[] column stores."""
    return np.asarray(items, dtype=np.uint32).view(np.int32).tolist()


def items_from_signed(values: list[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).astype(np.int32).view(np.uint32)
