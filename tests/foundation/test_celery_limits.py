"""Every task of the project runs under a soft and a hard time limit, the broker never hands a
task still within its limits to a second worker, and a periodic run left waiting in its queue
until the next one is due is dropped."""

from __future__ import annotations

from django.conf import settings

from tiktok.celery import app


def _project_tasks() -> dict:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_project_task_has_soft_and_hard_time_limits() -> None:
    tasks = _project_tasks()
    assert {
        "videos.transcode",
        "videos.embed",
        "tagging.retag_all",
        "feed.trending_refresh",
    } <= set(tasks)
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    for name, task in tasks.items():
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft and hard and soft < hard, name
        assert hard < visibility, name


def test_pipeline_steps_take_their_limits_from_settings() -> None:
    tasks = _project_tasks()
    for step, soft in settings.PIPELINE_STEP_TIME_LIMITS.items():
        task = tasks[f"videos.{step}"]
        assert task.soft_time_limit == soft
        assert task.time_limit == soft + settings.PIPELINE_HARD_LIMIT_GRACE_SECONDS


def test_every_periodic_run_expires_when_the_next_one_is_due():
    # A worker down for hours while beat went on came back to hundreds of stale refreshes and
    # flushes, run first, ahead of mail and notifications.
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert 0 < entry["options"]["expires"] <= entry["schedule"], name
