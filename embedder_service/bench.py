"""Benchmark the embedder: text throughput, ASR speed vs real time, the CPU image model's
frames/s, and video embedding latency with 12 and 24 frames.

Run `python -m embedder_service.bench` (starts a service with the current environment's
backend) or `--url http://host:port` to target a running one. Writes var/bench/embedder.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image

from embedder_service.client import EmbedderClient, EmbedderUnavailable

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "var" / "bench" / "embedder.json"
STARTUP_TIMEOUT_SECONDS = 240
TEXT_BATCH = 64
VIDEO_FRAME_COUNTS = (12, 24)  # the pipeline samples 12..24 frames per video
IMAGE_MODEL_FRAMES = 48
SPEECH = (
    "Today I am showing you how to make a quick pasta dinner. First boil the water and add "
    "plenty of salt. While the pasta cooks, fry some garlic in olive oil, add chopped tomatoes "
    "and a little chili. When the pasta is ready, mix everything together, add fresh basil and "
    "grated cheese, and serve it right away. It takes fifteen minutes and tastes amazing. "
    "Follow for more easy recipes every week, and tell me in the comments what to cook next."
)
SENTENCE_WORDS = [
    "cat",
    "dog",
    "skate",
    "surf",
    "dance",
    "cook",
    "recipe",
    "guitar",
    "drums",
    "travel",
    "beach",
    "mountain",
    "city",
    "night",
    "music",
    "tutorial",
    "funny",
    "prank",
    "workout",
    "yoga",
    "football",
    "goal",
    "match",
    "coffee",
    "latte",
    "painting",
    "drawing",
]


@contextmanager
def started_service(port: int) -> Iterator[str]:
    """Run `python -m embedder_service` with this environment until the block ends."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "embedder_service", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        with EmbedderClient(url, timeout_s=5) as client:
            deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"embedder exited with {process.returncode}")
                try:
                    client.health()
                    break
                except EmbedderUnavailable:
                    if time.monotonic() > deadline:
                        raise SystemExit("embedder did not become healthy") from None
                    time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sample_texts(count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(SENTENCE_WORDS, size=16)) for _ in range(count)]


def bench_text(client: EmbedderClient, rounds: int) -> dict[str, float]:
    client.embed_texts(sample_texts(TEXT_BATCH, seed=0))  # warm-up
    batches = [sample_texts(TEXT_BATCH, seed=i + 1) for i in range(rounds)]
    started = time.perf_counter()
    for batch in batches:
        client.embed_texts(batch)
    elapsed = time.perf_counter() - started
    return {"batch": TEXT_BATCH, "rounds": rounds, "texts_per_s": TEXT_BATCH * rounds / elapsed}


def make_speech(folder: Path, repeats: int) -> Path:
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise SystemExit("espeak-ng is needed for the ASR benchmark: apt-get install -y espeak-ng")
    path = folder / "speech.wav"
    text = " ".join([SPEECH] * repeats)
    subprocess.run([binary, "-v", "en-us", "-s", "160", "-w", str(path), text], check=True)
    return path


def bench_asr(client: EmbedderClient, folder: Path, rounds: int) -> dict[str, float]:
    clip = make_speech(folder, repeats=2)
    client.transcribe(clip)  # warm-up
    audio_s = wall_s = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        result = client.transcribe(clip)
        wall_s += time.perf_counter() - started
        audio_s += result["duration_s"]
    return {
        "clip_s": audio_s / rounds,
        "rounds": rounds,
        "audio_s_per_wall_s": audio_s / wall_s,
    }


def make_frames(folder: Path, count: int) -> list[Path]:
    rng = np.random.default_rng(7)
    paths = []
    for index in range(count):
        # A smooth gradient plus noise: JPEG size close to a real 360p frame.
        base = np.linspace(0, 255, 640, dtype=np.float32)[None, :, None]
        pixels = base + rng.normal(0, 25, size=(360, 640, 3)) + index * 10
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        path = folder / f"frame_{index:02d}.jpg"
        path.write_bytes(buffer.getvalue())
        paths.append(path)
    return paths


def bench_video(
    client: EmbedderClient, folder: Path, requests: int, frame_count: int
) -> dict[str, float]:
    frames = make_frames(folder, frame_count)
    transcript, caption = SPEECH, "Fifteen minute pasta #cooking #recipe #dinner"
    client.embed_video(frames, transcript, caption)  # warm-up
    latencies = []
    for _ in range(requests):
        started = time.perf_counter()
        client.embed_video(frames, transcript, caption)
        latencies.append((time.perf_counter() - started) * 1000)
    quantiles = statistics.quantiles(latencies, n=20, method="inclusive")
    return {
        "frames": frame_count,
        "requests": requests,
        "p50_ms": statistics.median(latencies),
        "p95_ms": quantiles[18],
    }


def bench_image_model(folder: Path) -> dict[str, float] | None:
    """EfficientNet-Lite0 in this process (the CPU backend's image model): frames/s."""
    from embedder_service.vision import BATCH_SIZE, ImageModel, bundled_weights_path

    weights = bundled_weights_path()
    if weights is None:
        return None
    model = ImageModel(weights)
    model.load()
    images = []
    for path in make_frames(folder, IMAGE_MODEL_FRAMES):
        with Image.open(path) as image:
            images.append(image.convert("RGB"))
    model.analyse(images[:BATCH_SIZE])  # warm-up
    started = time.perf_counter()
    model.analyse(images)
    elapsed = time.perf_counter() - started
    return {"frames": len(images), "batch": BATCH_SIZE, "frames_per_s": len(images) / elapsed}


def run(url: str, args: argparse.Namespace) -> dict[str, object]:
    with EmbedderClient(url, timeout_s=300) as client, tempfile.TemporaryDirectory() as tmp:
        health = client.health()
        folder = Path(tmp)
        return {
            "service": health,
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
            "embed_text": bench_text(client, args.text_rounds),
            "transcribe": bench_asr(client, folder, args.asr_rounds),
            "image_model": bench_image_model(folder)
            if health.get("image_model") == "efficientnet-lite0"
            else None,
            "embed_video": [
                bench_video(client, folder, args.video_requests, count)
                for count in VIDEO_FRAME_COUNTS
            ],
        }


def print_table(report: dict) -> None:
    service = report["service"]
    rows = [
        ("backend", f"{service['backend']} ({service['embedding_version']})"),
        ("machine", f"{report['machine']['cpus']} CPUs"),
        (
            f"/v1/embed/text batch {report['embed_text']['batch']}",
            f"{report['embed_text']['texts_per_s']:.1f} texts/s",
        ),
        (
            f"/v1/transcribe ({service['asr_model']}, {report['transcribe']['clip_s']:.0f} s clip)",
            f"{report['transcribe']['audio_s_per_wall_s']:.1f}x real time",
        ),
    ]
    if report.get("image_model"):
        image = report["image_model"]
        rows.append(
            (
                f"image model ({service['image_model']}, batch {image['batch']})",
                f"{image['frames_per_s']:.1f} frames/s",
            )
        )
    for video in report["embed_video"]:
        rows.append(
            (
                f"/v1/embed/video {video['frames']} frames p50 / p95",
                f"{video['p50_ms']:.0f} / {video['p95_ms']:.0f} ms",
            )
        )
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and write the JSON report."""
    parser = argparse.ArgumentParser(prog="python -m embedder_service.bench", description=__doc__)
    parser.add_argument("--url", help="benchmark a running service instead of starting one")
    parser.add_argument("--text-rounds", type=int, default=10)
    parser.add_argument("--asr-rounds", type=int, default=3)
    parser.add_argument("--video-requests", type=int, default=20)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if args.url:
        report = run(args.url.rstrip("/"), args)
    else:
        with started_service(free_port()) as url:
            report = run(url, args)
    print_table(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
