"""Studio pages: the creator dashboard and one video's drill-down, drawn by
static/js/studio.js from the studio API (charts by the vendored uPlot)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.csrf import ensure_csrf_cookie

from tiktok.web.pages import page_not_found, render_page
from videos.models import Video


@ensure_csrf_cookie
def studio_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"/login?next={request.path}")
    return render_page(request, "pages/studio.html", {"studio_video_id": None})


@ensure_csrf_cookie
def studio_video_page(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"/login?next={request.path}")
    owner_id = Video.objects.filter(pk=pk).values_list("owner_id", flat=True).first()
    if owner_id is None:
        return page_not_found(request, "video")
    if owner_id != request.user.pk:
        raise PermissionDenied("only the video's creator sees its analytics")
    return render_page(request, "pages/studio.html", {"studio_video_id": pk})


urlpatterns = [
    path("studio", studio_page, name="page-studio"),
    path("studio/videos/<int:pk>", studio_video_page, name="page-studio-video"),
]
