"""Tagging quality on a labeled set: read labels.csv, compute precision@k / recall@k (no Django)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

LABELS_FILENAME = "labels.csv"
TAG_SEPARATOR = "|"


class DatasetError(ValueError):
    """The dataset folder or its labels.csv is unusable; the message says what and where."""


@dataclass(frozen=True)
class LabeledVideo:
    path: Path
    expected: tuple[str, ...]


@dataclass(frozen=True)
class EvaluatedVideo:
    filename: str
    expected: tuple[str, ...]
    predicted: tuple[str, ...]


@dataclass(frozen=True)
class TaggingMetrics:
    videos: int
    labeled: int
    precision_at_1: float
    precision_at_3: float
    fit_at_3: float  # share of labeled videos with at least one expected tag in their top 3
    recall_at_5: float
    no_tag_share: float
    tags_on_unlabeled: int


def labels_read(dataset_dir: Path, known_slugs: set[str] | None = None) -> list[LabeledVideo]:
    """The videos of a dataset folder and their expected tag slugs (empty: expects no tag)."""
    dataset_dir = Path(dataset_dir)
    if not dataset_dir.is_dir():
        raise DatasetError(f"{dataset_dir}: not a directory")
    labels = dataset_dir / LABELS_FILENAME
    if not labels.is_file():
        raise DatasetError(f"{labels}: missing (expected a CSV with columns filename,tags)")
    try:
        with labels.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"{labels}: unreadable CSV: {exc}") from exc
    if not rows or [cell.strip() for cell in rows[0]] != ["filename", "tags"]:
        raise DatasetError(f"{labels} line 1: the header must be exactly 'filename,tags'")
    videos: list[LabeledVideo] = []
    seen: set[str] = set()
    for line, row in enumerate(rows[1:], start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise DatasetError(f"{labels} line {line}: expected 2 columns, got {len(row)}")
        filename, tags = row[0].strip(), row[1].strip()
        path = dataset_dir / filename
        if not filename or not path.is_file():
            raise DatasetError(f"{labels} line {line}: video file {filename!r} not found")
        if filename in seen:
            raise DatasetError(f"{labels} line {line}: {filename!r} is listed twice")
        seen.add(filename)
        expected = tuple(slug.strip() for slug in tags.split(TAG_SEPARATOR) if slug.strip())
        unknown = [slug for slug in expected if known_slugs is not None and slug not in known_slugs]
        if unknown:
            raise DatasetError(f"{labels} line {line}: unknown tag slug(s) {', '.join(unknown)}")
        videos.append(LabeledVideo(path=path, expected=expected))
    if not videos:
        raise DatasetError(f"{labels}: lists no videos")
    return videos


def tagging_metrics(results: Sequence[EvaluatedVideo]) -> TaggingMetrics:
    """precision@k = hits in the top k / k and recall@5 = hits in the top 5 / |expected|, averaged
    over videos that expect tags (a video with no predicted tag scores 0); no_tag_share over all."""
    labeled = [result for result in results if result.expected]

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    def hits(result: EvaluatedVideo, k: int) -> int:
        return len(set(result.predicted[:k]) & set(result.expected))

    return TaggingMetrics(
        videos=len(results),
        labeled=len(labeled),
        precision_at_1=mean([hits(result, 1) / 1 for result in labeled]),
        precision_at_3=mean([hits(result, 3) / 3 for result in labeled]),
        fit_at_3=mean([1.0 if hits(result, 3) else 0.0 for result in labeled]),
        recall_at_5=mean([hits(result, 5) / len(result.expected) for result in labeled]),
        no_tag_share=mean([0.0 if result.predicted else 1.0 for result in results]),
        tags_on_unlabeled=sum(len(result.predicted) for result in results if not result.expected),
    )
