"""Re-run pipeline steps: `manage.py reprocess [--step embed] [--only] [--all|--failed|ID...]
[--force]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from videos.models import STEP_ORDER, Video, VideoStatus
from videos.pipeline.local import pipeline_run
from videos.pipeline.policy import pipeline_in_progress
from videos.tasks import pipeline_enqueue


class Command(BaseCommand):
    help = (
        "Re-run the pipeline from a step (default transcode) for chosen videos - e.g. "
        "`--step embed --all` re-embeds (and re-tags) everything after the embedding model "
        "changed. Ready videos stay in the feed while later steps re-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="video ids")
        parser.add_argument("--step", default="transcode", choices=STEP_ORDER)
        parser.add_argument("--only", action="store_true", help="run just that step")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--all", action="store_true", help="every video")
        group.add_argument("--failed", action="store_true", help="every failed video")
        parser.add_argument(
            "--sync", action="store_true", help="run in this process instead of Celery"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="also videos whose processing is going on (skipped and listed otherwise)",
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        if options["all"]:
            videos = Video.objects.all()
        elif options["failed"]:
            videos = Video.objects.filter(status=VideoStatus.FAILED)
        elif options["ids"]:
            videos = Video.objects.filter(pk__in=options["ids"])
            missing = set(options["ids"]) - set(videos.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"no such video(s): {', '.join(map(str, sorted(missing)))}")
        else:
            raise CommandError("name video ids, or pass --all or --failed")
        ids = list(videos.order_by("pk").values_list("pk", flat=True))
        failed, busy = [], []
        for video_id in tqdm(
            ids, desc="reprocess", unit="video", disable=None, file=self.stderr._out
        ):
            video = Video.objects.filter(pk=video_id).first()
            if video is None:
                continue  # deleted since the list was read
            if not options["force"] and pipeline_in_progress(video):
                busy.append(video_id)  # a second chain would run beside the one going on
                continue
            # Claimed: a run asked for by anyone else since the video was read wins.
            if options["sync"]:
                video = pipeline_run(
                    video_id=video_id,
                    from_step=options["step"],
                    only=options["only"],
                    claim_from=video.pipeline_requested_at,
                )
                if video is not None and video.status == VideoStatus.FAILED:
                    failed.append(f"{video_id} ({video.failure_reason})")
            elif not pipeline_enqueue(
                video=video, from_step=options["step"], only=options["only"], claim=True
            ):
                busy.append(video_id)
        verb = "ran" if options["sync"] else "queued"
        steps = options["step"] + (" only" if options["only"] else " onwards")
        summary = f"{verb} {steps} for {len(ids) - len(busy)} video(s)"
        if busy:
            summary += (
                f"; skipped {len(busy)} being processed (--force to run them anyway): "
                + ", ".join(map(str, busy))
            )
        if failed:
            raise CommandError(f"{summary}; failed: {', '.join(failed)}")
        self.stdout.write(summary)
