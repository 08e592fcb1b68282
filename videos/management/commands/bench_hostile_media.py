"""Memory of one worker on hostile 200 MB files: `manage.py bench_hostile_media` (make
bench-hostile).

Writes four ~200 MB files built to hurt a media worker - 8192x8192 JPEG frames (the largest
picture the decoder accepts), 4K JPEG frames at 30 fps, half a million 16x16 frames packed into
half a second, and a tiny picture with 8 channels of 96 kHz 32-bit audio - and runs the
transcode step's media work (probe, then transcode) on each in a fresh process, as a worker
would. Prints each file's outcome (accepted, or the rejection code), wall time and the process's
peak resident memory, and writes them to var/bench/hostile_media.json.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

TARGET_BYTES = 200 * 1024 * 1024

# The child: what the transcode step does with a source file, in a process of its own.
CHILD = """
import json, sys, tempfile
from pathlib import Path
import django
django.setup()
from videos.media.probe import MediaRejected, probe_media
from videos.pipeline.steps import transcode_limits
from videos.media.transcode import transcode
limits = transcode_limits()
try:
    info = probe_media(Path(sys.argv[1]), max_duration_s=limits.max_duration_s)
    with tempfile.TemporaryDirectory() as workdir:
        result = transcode(Path(sys.argv[1]), Path(workdir), info, limits)
    outcome = "accepted"
except MediaRejected as exc:
    outcome = f"rejected: {exc.code}"
from tiktok.dev.processes import peak_rss_kb
peak_kb = peak_rss_kb()
print(json.dumps({"outcome": outcome, "peak_kb": peak_kb}))
"""


def _noise_frames(width: int, height: int, count: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    # yuv420p planes stacked as PyAV expects: (height * 3 / 2, width)
    return [
        rng.integers(0, 256, size=(height * 3 // 2, width), dtype=np.uint8) for _ in range(count)
    ]


def _write_mjpeg(path: Path, *, width: int, height: int, fps: int) -> None:
    """Noisy JPEG frames (they compress badly, so few frames make the size) until the target."""
    frames = _noise_frames(width, height, 3, seed=width)
    with av.open(str(path), "w", format="matroska") as container:
        stream = container.add_stream("mjpeg", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuvj420p"
        stream.codec_context.qmax = 2
        index = written = 0
        while written < TARGET_BYTES:
            frame = av.VideoFrame.from_ndarray(frames[index % len(frames)], format="yuv420p")
            frame.pts = index
            for packet in stream.encode(frame.reformat(format="yuvj420p")):
                written += packet.size
                container.mux(packet)
            index += 1
        for packet in stream.encode():
            container.mux(packet)


def write_8k_frames(path: Path) -> None:
    _write_mjpeg(path, width=8192, height=8192, fps=2)


def write_4k_frames(path: Path) -> None:
    _write_mjpeg(path, width=3840, height=2160, fps=30)


def write_frame_bomb(path: Path) -> None:
    """Half a million 16x16 raw frames one microsecond apart: 0.55 s of "playback"."""
    frame_bytes = 16 * 16 * 3 // 2
    count = TARGET_BYTES // frame_bytes
    with av.open(str(path), "w", format="matroska") as container:
        stream = container.add_stream("rawvideo", rate=1000)
        stream.width, stream.height, stream.pix_fmt = 16, 16, "yuv420p"
        stream.time_base = Fraction(1, 1_000_000)
        picture = av.VideoFrame.from_ndarray(
            np.full((24, 16), 128, dtype=np.uint8), format="yuv420p"
        )
        for index in range(count):
            picture.pts = index
            picture.time_base = stream.time_base
            for packet in stream.encode(picture):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def write_audio_bomb(path: Path) -> None:
    """A 64x64 picture once a second over 8 channels of 96 kHz 32-bit PCM, to the target."""
    rate, channels = 96_000, 8
    seconds = int(TARGET_BYTES / (rate * channels * 4)) + 1
    with av.open(str(path), "w", format="matroska") as container:
        video = container.add_stream("mjpeg", rate=1)
        video.width, video.height, video.pix_fmt = 64, 64, "yuvj420p"
        audio = container.add_stream("pcm_s32le", rate=rate, layout="7.1")
        rng = np.random.default_rng(7)
        # packed samples: one row of rate x channels interleaved values
        chunk = rng.integers(-(2**30), 2**30, size=(1, rate * channels), dtype=np.int32)
        picture = av.VideoFrame.from_ndarray(
            np.full((96, 64), 128, dtype=np.uint8), format="yuv420p"
        ).reformat(format="yuvj420p")
        for second in range(seconds):
            picture.pts = second
            for packet in video.encode(picture):
                container.mux(packet)
            sound = av.AudioFrame.from_ndarray(chunk, format="s32", layout="7.1")
            sound.sample_rate, sound.pts = rate, second * rate
            for packet in audio.encode(sound):
                container.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode():
                container.mux(packet)


CASES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "8k-frames": ("8192x8192 noisy JPEG frames, 2 fps", write_8k_frames),
    "4k-frames": ("3840x2160 noisy JPEG frames, 30 fps", write_4k_frames),
    "frame-bomb": ("546k 16x16 frames in 0.55 s", write_frame_bomb),
    "audio-bomb": ("64x64 at 1 fps, 8 x 96 kHz s32 audio", write_audio_bomb),
}


class Command(BaseCommand):
    help = "Peak memory of the media worker on hostile 200 MB files (see README, Measured)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", choices=sorted(CASES), action="append", default=[])

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        rows = []
        names = options["only"] or list(CASES)
        with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
            for name in names:
                description, write = CASES[name]
                source = Path(folder) / f"{name}.mkv"
                write(source)
                size_mb = source.stat().st_size / 2**20
                outcome, seconds, peak_mb = _measure(source)
                rows.append(
                    {
                        "file": name,
                        "what": description,
                        "size_mb": round(size_mb, 1),
                        "outcome": outcome,
                        "seconds": round(seconds, 1),
                        "peak_rss_mb": round(peak_mb, 1),
                    }
                )
                source.unlink()
                self.stdout.write(
                    f"{name:11} {size_mb:6.0f} MB  {outcome:38} {seconds:6.1f} s  "
                    f"peak RSS {peak_mb:6.0f} MB"
                )
        out = settings.VAR_DIR / "bench" / "hostile_media.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "rows": rows,
            "peak_rss_mb_max": max(row["peak_rss_mb"] for row in rows),
        }
        out.write_text(json.dumps(report, indent=2))
        self.stdout.write(f"wrote {out}")


def _measure(source: Path) -> tuple[str, float, float]:
    """(outcome, seconds, peak RSS in MB) of the transcode step's media work on `source`, in a
    process of its own."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(source)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"the worker process failed on {source.name}:\n{result.stderr[-2000:]}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["outcome"], seconds, report["peak_kb"] / 1024
