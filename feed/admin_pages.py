"""The admin page of the aggregates dead letter: the entries the flush set aside, with
requeue and drop (what `manage.py aggregates_dead_letter` does)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from feed.dead_letter import (
    aggregates_dead_letter_drop,
    aggregates_dead_letter_requeue,
    aggregates_dead_letter_summaries,
)


def aggregates_dead_letter_page(request: HttpRequest, site: Any) -> HttpResponse:
    if not request.user.is_superuser:  # it changes what every viewer's feed learns
        raise PermissionDenied("superusers only")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "requeue":
            messages.success(request, f"Put {aggregates_dead_letter_requeue()} entries back.")
        elif action == "drop":
            messages.success(request, f"Dropped {aggregates_dead_letter_drop()} entries.")
        else:
            messages.error(request, "Choose requeue or drop.")
        return redirect(request.path)
    context = {
        **site.each_context(request),
        "entries": aggregates_dead_letter_summaries(),
        "max_failures": settings.FEED_AGGREGATES_MAX_FAILURES,
    }
    return TemplateResponse(request, "admin/feed/aggregates_dead_letter.html", context)
