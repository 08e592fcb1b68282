"""Benchmark the media pipeline on this machine: `manage.py bench_pipeline` (make bench-pipeline).

Generates short clips with espeak-ng speech, ingests them as a dedicated user and runs the
pipeline in-process (`pipeline_run`, the same step functions the Celery tasks call), then
prints videos/minute, mean seconds per step and the upload->ready time of a 30 s clip, and
writes the same figures to var/bench/pipeline.json. Media goes to the configured store (the
embedded SeaweedFS by default), in a folder of its own that is emptied afterwards, and every
benchmark video is deleted.

It also measures serving a 5 MB video through the application's media view (daphne, the path
every byte takes) from the object store, against the same view reading a local disk, and
against a presigned URL read straight from the store (MEDIA_DELIVERY=redirect).
"""

from __future__ import annotations

import copy
import json
import os
import platform
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from statistics import mean

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.test import override_settings
from tqdm import tqdm

from tiktok.dev.processes import embedder_available
from tiktok.storage import storage_delete_prefix
from videos.management.media_bench import media_throughput
from videos.models import STEP_ORDER, PipelineStep, VideoStatus
from videos.pipeline.local import pipeline_run
from videos.services.videos import video_create_from_path, video_delete

BENCH_USERNAME = "bench-pipeline"
SENTENCES = [
    "My cat jumps onto the kitchen table every single morning.",
    "Here is how to make a quick tomato pasta in ten minutes.",
    "The dog runs along the beach chasing the waves.",
    "Today we are learning three easy guitar chords for beginners.",
    "This skateboard trick took me two weeks to land.",
    "Look at the sunset over the mountains from our campsite.",
    "A simple home workout with no equipment at all.",
    "We tried the spiciest noodles in the city tonight.",
    "My grandmother shows her secret recipe for apple pie.",
    "Watch this puppy meet a kitten for the very first time.",
]


class Command(BaseCommand):
    help = "Benchmark ingestion + pipeline on generated speech clips (see docs/pipeline.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clips", type=int, default=20)
        parser.add_argument("--width", type=int, default=360)
        parser.add_argument("--height", type=int, default=640)
        parser.add_argument("--fps", type=int, default=24)
        parser.add_argument("--long-seconds", type=float, default=30.0)
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(settings.BASE_DIR) / "var" / "bench" / "pipeline.json",
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        from tests.support.media import make_clip  # the suite's generators; dev install only

        with (
            embedder_available(settings.EMBEDDER_URL, log=self.stdout.write) as embedder_url,
            override_settings(EMBEDDER_URL=embedder_url),
            tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp,
        ):
            tmp_path = Path(tmp)
            self.stdout.write(f"generating {options['clips']} clips + one 30 s clip ...")
            clips = []
            for index in tqdm(range(options["clips"]), desc="clips", disable=None):
                clips.append(
                    make_clip(
                        tmp_path / "clips" / f"clip_{index:02d}.mp4",
                        width=options["width"],
                        height=options["height"],
                        fps=options["fps"],
                        seconds=3.0,
                        audio="speech",
                        speech_text=SENTENCES[index % len(SENTENCES)] + f" Clip {index}.",
                    )
                )
            long_clip = make_clip(
                tmp_path / "long.mp4",
                width=720,
                height=1280,
                fps=30,
                seconds=options["long_seconds"],
                audio="speech",
                speech_text=" ".join(SENTENCES[:4]),
            )
            storages = copy.deepcopy(settings.STORAGES)
            if settings.STORAGE_BACKEND == "s3":
                storages["default"]["OPTIONS"]["location"] = f"bench/{uuid.uuid4().hex}"
            else:
                storages["default"]["OPTIONS"]["location"] = str(tmp_path / "media")
            with override_settings(STORAGES=storages):
                try:
                    report = self._run(clips, long_clip, options)
                    report["media_serving"] = media_throughput(
                        storages=storages, scratch=tmp_path, log=self.stdout.write
                    )
                finally:
                    if settings.STORAGE_BACKEND == "s3":
                        for top in ("videos", "avatars"):
                            storage_delete_prefix(top)
        options["output"].parent.mkdir(parents=True, exist_ok=True)
        options["output"].write_text(json.dumps(report, indent=2))
        self._print(report)
        self.stdout.write(f"wrote {options['output']}")

    def _run(self, clips: list[Path], long_clip: Path, options: dict) -> dict:
        owner, _ = get_user_model().objects.get_or_create(username=BENCH_USERNAME)
        for leftover in owner.videos.all():
            video_delete(video=leftover)
        video_ids: list[int] = []
        try:
            # Warm-up (model loading, first-request costs) is not part of the figures.
            warm, _ = video_create_from_path(owner=owner, path=clips[0], caption="warm-up")
            pipeline_run(video_id=warm.pk)
            video_delete(video=warm)
            started = time.perf_counter()
            statuses = []
            for path in tqdm(clips, desc="pipeline", disable=None):
                video, _ = video_create_from_path(owner=owner, path=path, caption=path.stem)
                video_ids.append(video.pk)
                statuses.append(pipeline_run(video_id=video.pk).status)
            batch_s = time.perf_counter() - started
            per_step = defaultdict(list)
            for step in PipelineStep.objects.filter(video_id__in=video_ids):
                if step.duration_s is not None:
                    per_step[step.name].append(step.duration_s)
            long_started = time.perf_counter()
            long_video, _ = video_create_from_path(owner=owner, path=long_clip, caption="30 s")
            video_ids.append(long_video.pk)
            long_video = pipeline_run(video_id=long_video.pk)
            long_s = time.perf_counter() - long_started
            long_steps = {s.name: round(s.duration_s or 0.0, 3) for s in long_video.steps.all()}
        finally:
            for video in owner.videos.all():
                video_delete(video=video)
            owner.delete()
        return {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "mode": "in-process pipeline_run (same step functions as the Celery tasks)",
            "embedder_url": settings.EMBEDDER_URL,
            "clips": len(clips),
            "clip": {
                "width": options["width"],
                "height": options["height"],
                "fps": options["fps"],
                "speech": "espeak-ng, ~3-5 s",
            },
            "ready": sum(1 for s in statuses if s == VideoStatus.READY),
            "batch_seconds": round(batch_s, 2),
            "videos_per_minute": round(len(clips) / batch_s * 60.0, 2),
            "mean_step_seconds": {
                name: round(mean(per_step[name]), 3) for name in STEP_ORDER if per_step[name]
            },
            "long_clip": {
                "seconds": options["long_seconds"],
                "size": "720x1280@30",
                "status": long_video.status,
                "upload_to_ready_seconds": round(long_s, 2),
                "step_seconds": long_steps,
                "target_seconds": 15,
            },
        }

    def _print(self, report: dict) -> None:
        self.stdout.write("")
        self.stdout.write(f"{'figure':<34} value")
        self.stdout.write(f"{'videos ready':<34} {report['ready']}/{report['clips']}")
        self.stdout.write(f"{'videos/minute (end to end)':<34} {report['videos_per_minute']}")
        for name, seconds in report["mean_step_seconds"].items():
            self.stdout.write(f"{'mean s/step ' + name:<34} {seconds}")
        long = report["long_clip"]
        self.stdout.write(
            f"{'30 s clip upload->ready (s)':<34} {long['upload_to_ready_seconds']} "
            f"({long['status']}; target < {long['target_seconds']})"
        )
        for path, figures in report.get("media_serving", {}).get("paths", {}).items():
            self.stdout.write(
                f"{'5 MB video, ' + path:<34} {figures['mb_per_s']} MB/s, "
                f"p50 {figures['p50_ms']} ms per request"
            )
