"""Make real speech clips for tests with the espeak-ng binary."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


class EspeakNotInstalled(RuntimeError):
    """espeak-ng is missing from PATH."""


def make_speech_wav(text: str, path: Path, voice: str = "en-us", speed_wpm: int = 150) -> Path:
    """Speak `text` into a WAV file at `path` (22.05 kHz mono, 16-bit) and return the path."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise EspeakNotInstalled(
            "espeak-ng is not installed; install it with `apt-get install -y espeak-ng`"
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [binary, "-v", voice, "-s", str(speed_wpm), "-w", str(path), text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    if not path.exists() or path.stat().st_size <= 44:
        raise RuntimeError(f"espeak-ng produced no audio for {text!r} at {path}")
    return path
