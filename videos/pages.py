"""Pages of videos: upload, one video, a creator's profile (their header and video grid) and a
sound's page (its player over the grid of videos made with it).

They read through the same visibility rules and card shape as the API; everything interactive
is plain JavaScript in static/js calling the JSON API. `video_grid` is the grid every page of
video lists uses (profiles here, tags in the tagging app).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.csrf import ensure_csrf_cookie

from profiles.selectors import user_active_by_username, user_blocks_viewer
from sounds.selectors import sound_payload, sound_visible
from tiktok.errors import ApplicationError, InvalidInput, NotFound
from tiktok.web.pages import page_not_found, page_viewer, render_page, sign_in_first
from videos.cards import video_cards
from videos.models import Video
from videos.selectors.creators import creator_profile, user_videos
from videos.selectors.hashtags import (
    HASHTAG_SORT_ORDERING,
    hashtag_for_name,
    hashtag_page,
    hashtag_videos,
)
from videos.selectors.sounds import SOUND_VIDEO_ORDERS, sound_video_order, sound_videos
from videos.selectors.videos import video_for_viewer

GRID_PAGE_SIZE = 24


def video_grid(request: HttpRequest, videos: QuerySet[Video]) -> dict[str, Any]:
    """One page of a video grid (cards in the API's shape) with page links."""
    paginator = Paginator(videos, GRID_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return {
        "cards": video_cards(videos=list(page.object_list), viewer=page_viewer(request)),
        "page": page,
    }


@ensure_csrf_cookie
def upload_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request)
    max_minutes = settings.MAX_VIDEO_DURATION_SECONDS // 60
    context: dict[str, Any] = {"max_minutes": max_minutes, "sound": None}
    chosen = request.GET.get("sound", "")
    if chosen.isascii() and chosen.isdigit() and len(chosen) < 19:
        # "Use this sound": the form carries the sound (an unknown one is simply not offered).
        with suppress(NotFound):
            sound = sound_visible(sound_id=int(chosen), viewer=request.user)
            context["sound"] = sound_payload(sound=sound, viewer=request.user)
    return render_page(request, "pages/upload.html", context)


@ensure_csrf_cookie
def profile_page(request: HttpRequest, username: str) -> HttpResponse:
    owner = user_active_by_username(username=username)
    viewer = page_viewer(request)
    if owner is None or user_blocks_viewer(user=owner, viewer=viewer):
        return page_not_found(request, f"@{username}")
    profile = creator_profile(user=owner, viewer=viewer)
    videos = user_videos(user=owner, viewer=viewer).order_by("-created_at", "-id")
    return render_page(
        request, "pages/profile.html", {"profile": profile, **video_grid(request, videos)}
    )


@ensure_csrf_cookie
def video_page(request: HttpRequest, video_id: int) -> HttpResponse:
    viewer = page_viewer(request)
    try:
        video = video_for_viewer(video_id=video_id, viewer=viewer)
    except NotFound:
        return page_not_found(request, "this video")
    card = video_cards(videos=[video], viewer=viewer)[0]
    return render_page(request, "pages/video.html", {"card": card})


@ensure_csrf_cookie
def sound_page(request: HttpRequest, sound_id: int) -> HttpResponse:
    """A sound: its player, "Use this sound", and the videos made with it (popular or new)."""
    viewer = page_viewer(request)
    try:
        sound = sound_visible(sound_id=sound_id, viewer=viewer)
        order = sound_video_order(request.GET.get("sort"))
    except NotFound:
        return page_not_found(request, "this sound")
    except InvalidInput:
        return redirect(f"/sound/{sound_id}")
    videos = sound_videos(sound=sound, viewer=viewer).order_by(*order)
    sort = "new" if order == SOUND_VIDEO_ORDERS["new"] else "popular"
    context = {
        "sound": sound_payload(sound=sound, viewer=viewer),
        "sort": sort,
        # the pager keeps the order: "Older" of the newest is not page 2 of the popular
        "pager_prefix": "sort=new&" if sort == "new" else "",
        **video_grid(request, videos),
    }
    return render_page(request, "pages/sound.html", context)


@ensure_csrf_cookie
def hashtag_page_view(request: HttpRequest, name: str) -> HttpResponse:
    """/hashtag/<name>: the header (count, related hashtags, the taxonomy tag it links to) over
    a grid of the videos the viewer may see, most liked or newest first."""
    viewer = page_viewer(request)
    try:
        header = hashtag_page(name=name, viewer=viewer)
    except ApplicationError:
        return page_not_found(request, f"#{name}")
    sort = "new" if request.GET.get("sort") == "new" else "popular"
    videos = hashtag_videos(hashtag=hashtag_for_name(name=header["name"]), viewer=viewer)
    videos = videos.order_by(*HASHTAG_SORT_ORDERING[sort])
    context = {
        "hashtag": header,
        "sort": sort,
        "pager_prefix": "sort=new&" if sort == "new" else "",
        **video_grid(request, videos),
    }
    return render_page(request, "pages/hashtag.html", context)


urlpatterns = [
    path("upload", upload_page, name="page-upload"),
    path("@<str:username>", profile_page, name="page-profile"),
    path("v/<int:video_id>", video_page, name="page-video"),
    path("sound/<int:sound_id>", sound_page, name="page-sound"),
    path("hashtag/<str:name>", hashtag_page_view, name="page-hashtag"),
]
