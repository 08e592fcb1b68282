"""WSGI entry point (HTTP only; the stack runs ASGI through tiktok.asgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiktok.settings")
application = get_wsgi_application()
