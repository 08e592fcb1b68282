"""Run the real pipeline on a labeled video set and print tagging precision/recall."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from profiles.models import User
from tagging.evaluation import (
    DatasetError,
    EvaluatedVideo,
    TaggingMetrics,
    labels_read,
    tagging_metrics,
)
from tagging.models import Tag, VideoTag
from tagging.scoring import POOLINGS
from tagging.services.assign import choose_tags, score_videos
from tagging.services.vectors import tag_index_load
from videos.file_names import caption_from_file_name
from videos.models import VideoEmbedding
from videos.pipeline.local import pipeline_run
from videos.services.videos import video_create_from_path, video_delete


def _metrics_line(label: str, metrics: TaggingMetrics) -> str:
    return (
        f"{label:<10} precision@1={metrics.precision_at_1:.3f} "
        f"precision@3={metrics.precision_at_3:.3f} fit@3={metrics.fit_at_3:.3f} "
        f"recall@5={metrics.recall_at_5:.3f} "
        f"no-tag share={metrics.no_tag_share:.3f}"
    )


class Command(BaseCommand):
    help = (
        "Ingest every video of DATASET (a folder with labels.csv: filename,tags with "
        "'|'-separated slugs) as a throwaway user, run the full pipeline (needs the embedder), "
        "print precision@1, precision@3, recall@5 and the share of videos with no tag, then "
        "delete the videos and the user."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset", help="folder with the videos and labels.csv")
        parser.add_argument(
            "--quiet", action="store_true", help="print only the metrics, not one row per video"
        )
        parser.add_argument(
            "--transcripts",
            action="store_true",
            help="under each video's row, print what speech recognition heard",
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
        known = set(Tag.objects.filter(is_active=True).values_list("slug", flat=True))
        try:
            labeled = labels_read(Path(options["dataset"]), known_slugs=known)
        except DatasetError as exc:
            raise CommandError(str(exc)) from exc

        owner = User.objects.create(username=f"tagging-eval-{uuid.uuid4().hex[:10]}")
        owner.set_unusable_password()
        owner.save(update_fields=["password"])
        videos = []
        results: list[EvaluatedVideo] = []
        try:
            for item in labeled:
                video, _ = video_create_from_path(
                    owner=owner,
                    path=item.path,
                    caption=caption_from_file_name(item.path.stem),
                    privacy="private",
                )
                videos.append(video)
                video = pipeline_run(video_id=video.pk)
                predicted = tuple(
                    VideoTag.objects.filter(video=video)
                    .order_by("rank")
                    .values_list("tag__slug", flat=True)
                )
                results.append(
                    EvaluatedVideo(item.path.name, expected=item.expected, predicted=predicted)
                )
                if not options["quiet"]:
                    failure = ""
                    if video.status == "failed":
                        failure = f" [failed: {video.failure_reason}]"
                    self.stdout.write(
                        f"{item.path.name}: expected={','.join(item.expected) or '-'} "
                        f"predicted={','.join(predicted) or '-'}{failure}"
                    )
                    if options["transcripts"]:
                        self.stdout.write(f"  heard: {video.transcript or '-'}")
            self.stdout.write(
                f"videos={len(results)} labeled={sum(1 for r in results if r.expected)} "
                f"pooling={settings.TAGGING_PHRASE_POOLING} "
                f"template={settings.TAGGING_PHRASE_TEMPLATE!r} "
                f"min_confidence={settings.TAGGING_MIN_CONFIDENCE} "
                f"relative_floor={settings.TAGGING_RELATIVE_FLOOR} "
                f"max_tags={settings.TAGGING_MAX_TAGS}"
            )
            self.stdout.write(_metrics_line("pipeline", tagging_metrics(results)))
            self._compare_poolings(videos, labeled, VideoEmbedding)
        finally:
            for video in videos:
                video_delete(video=video)
            owner.delete()

    def _compare_poolings(self, videos, labeled, embedding_model) -> None:  # noqa: ANN001
        """Re-score the stored video vectors with each phrase pooling (same thresholds)."""
        rows = {
            row.video_id: row
            for row in embedding_model.objects.filter(video__in=videos).order_by("created_at")
        }
        pairs = [(video, item) for video, item in zip(videos, labeled, strict=False)]
        embedded = [(video, item) for video, item in pairs if video.pk in rows]
        if not embedded:
            return
        version = rows[embedded[0][0].pk].embedding_version
        index = tag_index_load(embedding_version=version)
        if index is None:
            return
        slugs = dict(Tag.objects.values_list("pk", "slug"))
        vectors = np.vstack([np.asarray(rows[video.pk].embedding) for video, _ in embedded])
        for pooling in POOLINGS:
            scores, confidences = score_videos(vectors, index, pooling=pooling)
            results = []
            for i, (_, item) in enumerate(embedded):
                choices = choose_tags(scores[i], confidences[i], index)
                predicted = tuple(slugs[choice.tag_id] for choice in choices)
                results.append(EvaluatedVideo(item.path.name, item.expected, predicted))
            self.stdout.write(_metrics_line(f"{pooling}-pool", tagging_metrics(results)))
