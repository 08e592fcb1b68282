"""The Celery application shared by workers, beat and the web process (for enqueueing)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiktok.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

app = Celery("tiktok")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
