"""Data archive tasks: build one (pipeline queue: it copies videos), and the hourly sweep."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from takeout.build import data_export_build
from takeout.sweep import data_exports_sweep


# A long account (hundreds of videos) takes minutes to copy: the corpus-wide jobs' limits.
@shared_task(
    name="takeout.build",
    ignore_result=True,
    soft_time_limit=settings.LONG_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.LONG_TASK_TIME_LIMIT,
)
def data_export_build_task(*, export_id: int) -> str:
    return data_export_build(export_id=export_id)


@shared_task(name="takeout.sweep", ignore_result=True)
def data_exports_sweep_task() -> dict[str, int]:
    """The sweep, then the requests whose build task was lost are sent again."""
    done, lost = data_exports_sweep()
    for export_id in lost:
        data_export_build_task.delay(export_id=export_id)
    return {**done, "requeued": len(lost)}
