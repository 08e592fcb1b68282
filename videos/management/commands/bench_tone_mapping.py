"""What tone mapping costs a transcode: `manage.py bench_tone_mapping` (make bench-tone-mapping).

Writes two 10-bit HEVC clips of the same moving picture, the shape an iPhone records
(1080x1920, 30 fps): one tagged HLG BT.2020 (tone-mapped by the transcode's lookup table) and
one tagged SDR BT.709 (the plain path). Transcodes them alternately, prints each one's median
wall time and writes them to var/bench/tone_mapping.json.
"""

from __future__ import annotations

import json
import platform
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tests.support.media import make_hdr_clip
from videos.media.probe import probe_media
from videos.media.tone_mapping import PRIMARIES_BT2020, TRANSFER_HLG
from videos.media.transcode import transcode
from videos.pipeline.steps import transcode_limits

WIDTH, HEIGHT, FPS = 1080, 1920, 30
BT709 = 1


def _pictures(seconds: float) -> Iterator[np.ndarray]:
    """A moving picture (R'G'B', 0..1): a diagonal ramp and colour waves shifting each frame."""
    rows = np.arange(HEIGHT)[:, None] / HEIGHT
    columns = np.arange(WIDTH)[None, :] / WIDTH
    for index in range(round(seconds * FPS)):
        shift = index / FPS
        yield np.stack(
            [
                (rows + columns + shift) % 1.0,
                0.5 + 0.4 * np.sin(6 * rows + 3 * shift) + 0 * columns,
                0.5 + 0.4 * np.cos(5 * columns - 2 * shift) + 0 * rows,
            ],
            axis=-1,
        )


def _clip(path: Path, seconds: float, primaries: int, transfer: int, matrix: int) -> Path:
    return make_hdr_clip(
        path,
        _pictures(seconds),
        transfer=transfer,
        primaries=primaries,
        matrix=matrix,
        fps=FPS,
        preset="ultrafast",
    )


class Command(BaseCommand):
    help = "Transcode the same HLG and SDR clip alternately: what tone mapping costs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=float, default=10.0)
        parser.add_argument("--repeats", type=int, default=3)
        parser.add_argument("--output", default=str(Path(settings.VAR_DIR) / "bench"))

    def handle(self, *args: object, **options: object) -> None:
        seconds, repeats = float(options["seconds"]), int(options["repeats"])
        limits = transcode_limits()
        timings: dict[str, list[float]] = {"hlg": [], "sdr": []}
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            # (primaries, transfer, matrix): BT.2020 HLG as an iPhone records, SDR BT.709.
            tags = {"hlg": (PRIMARIES_BT2020, TRANSFER_HLG, 9), "sdr": (BT709, BT709, BT709)}
            sources = {
                name: _clip(folder / f"{name}.mp4", seconds, *tag) for name, tag in tags.items()
            }
            for repeat in range(repeats):
                for name, source in sources.items():
                    workdir = folder / f"{name}-{repeat}"
                    started = time.perf_counter()
                    transcode(source, workdir, probe_media(source), limits)
                    timings[name].append(time.perf_counter() - started)
        medians = {name: statistics.median(values) for name, values in timings.items()}
        overhead = medians["hlg"] / medians["sdr"] - 1
        self.stdout.write(
            f"{seconds:g} s of {WIDTH}x{HEIGHT} {FPS} fps 10-bit HEVC, {repeats} each"
        )
        self.stdout.write("| source | median transcode s | runs |")
        self.stdout.write("|---|---|---|")
        for name, values in timings.items():
            runs = ", ".join(f"{value:.2f}" for value in values)
            self.stdout.write(f"| {name} | {medians[name]:.2f} | {runs} |")
        self.stdout.write(f"tone mapping adds {overhead:+.0%}")
        report = {
            "seconds": seconds,
            "shape": [WIDTH, HEIGHT, FPS],
            "timings_s": timings,
            "median_s": medians,
            "overhead": overhead,
            "machine": platform.platform(),
        }
        target = Path(str(options["output"]))
        target.mkdir(parents=True, exist_ok=True)
        (target / "tone_mapping.json").write_text(json.dumps(report, indent=2))
