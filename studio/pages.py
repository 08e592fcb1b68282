"""Studio pages: the creator dashboard and one video's drill-down, drawn by
static/js/studio.js from the studio API (charts by the vendored uPlot)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import ensure_csrf_cookie

from tiktok.web.pages import page_not_found, render_page, sign_in_first
from videos.models import Video


@ensure_csrf_cookie
def studio_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request)
    return render_page(request, "pages/studio.html", {"studio_video_id": None})


@ensure_csrf_cookie
def studio_video_page(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request)
    # another's video is not found, like one that does not exist (nothing tells it is there)
    if not Video.objects.filter(pk=pk, owner_id=request.user.pk).exists():
        return page_not_found(request, "video")
    return render_page(request, "pages/studio.html", {"studio_video_id": pk})


urlpatterns = [
    path("studio", studio_page, name="page-studio"),
    path("studio/videos/<int:pk>", studio_video_page, name="page-studio-video"),
]
