"""Web pages: server-rendered shells for the feed, upload, profiles, videos, tags and accounts.

Pages read through the same visibility rules and card shape as the API (videos.visibility,
videos.cards); everything interactive is plain JavaScript in static/js calling the JSON API.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods
from django.views.generic import RedirectView

from profiles.models import User
from profiles.social_selectors import profile_json, user_videos
from tagging.hashtags import hashtag_key
from tagging.models import Tag
from videos.cards import video_cards
from videos.models import Video
from videos.visibility import video_visible_to, visible_videos

GRID_PAGE_SIZE = 24
# Hashtags in captions link to /tag/<word>: letters, digits, underscores and hyphens.
HASHTAG_SLUG_RE = re.compile(r"^[\w-]{1,64}$")


def _viewer(request: HttpRequest) -> User | None:
    return request.user if request.user.is_authenticated else None


def _viewer_context(request: HttpRequest) -> dict[str, Any]:
    """What the page's JavaScript needs to know about the person looking at it."""
    viewer = _viewer(request)
    if viewer is None:
        return {"authenticated": False, "username": None}
    return {"authenticated": True, "username": viewer.username}


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    context = {"viewer": _viewer_context(request), **context}
    return render(request, template, context, status=status)


def _not_found(request: HttpRequest, what: str) -> HttpResponse:
    return _page(request, "pages/not_found.html", {"what": what}, status=404)


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=False):
        return target
    return default


def _grid(request: HttpRequest, videos: QuerySet[Video]) -> dict[str, Any]:
    """One page of a video grid (cards in the API's shape) with page links."""
    paginator = Paginator(videos, GRID_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return {
        "cards": video_cards(videos=list(page.object_list), viewer=_viewer(request)),
        "page": page,
    }


@ensure_csrf_cookie
def feed_page(request: HttpRequest, tab: str = "foryou") -> HttpResponse:
    return _page(request, "pages/feed.html", {"tab": tab})


@ensure_csrf_cookie
def following_page(request: HttpRequest) -> HttpResponse:
    return feed_page(request, tab="following")


@ensure_csrf_cookie
def upload_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"/login?next={request.path}")
    max_minutes = getattr(settings, "MAX_VIDEO_DURATION_SECONDS", 180) // 60
    return _page(request, "pages/upload.html", {"max_minutes": max_minutes})


@ensure_csrf_cookie
def profile_page(request: HttpRequest, username: str) -> HttpResponse:
    owner = User.objects.filter(username=username, is_active=True).first()
    if owner is None:
        return _not_found(request, f"@{username}")
    viewer = _viewer(request)
    profile = profile_json(user=owner, viewer=viewer)
    videos = user_videos(user=owner, viewer=viewer).order_by("-created_at", "-id")
    return _page(request, "pages/profile.html", {"profile": profile, **_grid(request, videos)})


@ensure_csrf_cookie
def video_page(request: HttpRequest, video_id: int) -> HttpResponse:
    video = Video.objects.filter(pk=video_id).first()
    viewer = _viewer(request)
    if video is None or not video_visible_to(video=video, viewer=viewer):
        return _not_found(request, "this video")
    card = video_cards(videos=[video], viewer=viewer)[0]
    return _page(request, "pages/video.html", {"card": card})


def _tag_for_slug(slug: str) -> Tag | None:
    """The active tag a /tag/<slug> link means: its slug, or a hashtag spelling of it
    (#CuteCat and #cute_cat both mean the tag cute-cat)."""
    tag = Tag.objects.filter(slug=slug.lower(), is_active=True).first()
    if tag is not None:
        return tag
    key = hashtag_key(slug)
    for candidate in Tag.objects.filter(is_active=True).only("id", "slug", "name"):
        if hashtag_key(candidate.slug) == key:
            return candidate
    return None


@ensure_csrf_cookie
def tag_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Videos carrying the tag (auto or creator), plus captions with the matching #hashtag."""
    if not HASHTAG_SLUG_RE.match(slug):
        return _not_found(request, f"#{slug}")
    tag = _tag_for_slug(slug)
    matches = Q(caption__iregex=rf"#{re.escape(slug)}([^[:alnum:]_-]|$)")
    if tag is not None:
        matches |= Q(video_tags__tag=tag)
    videos = (
        visible_videos(viewer=_viewer(request))
        .filter(matches)
        .distinct()
        .order_by("-published_at", "-created_at", "-id")
    )
    title = tag.name if tag is not None else slug
    context = {"tag": tag, "slug": slug, "title": title, **_grid(request, videos)}
    return _page(request, "pages/tag.html", context)


@ensure_csrf_cookie
def search_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "pages/search.html", {"query": request.GET.get("q", "")[:200]})


@ensure_csrf_cookie
def login_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "pages/login.html", {"next": _safe_next(request)})


@ensure_csrf_cookie
def register_page(request: HttpRequest) -> HttpResponse:
    return _page(request, "pages/register.html", {"next": _safe_next(request)})


@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def logout_page(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation; POST (CSRF-checked) signs out and goes home."""
    if request.method == "POST":
        logout(request)
        return redirect("/")
    return _page(request, "pages/logout.html", {})


urlpatterns = [
    path("", feed_page, name="page-feed"),
    path("following", following_page, name="page-following"),
    path("upload", upload_page, name="page-upload"),
    path("@<str:username>", profile_page, name="page-profile"),
    path("v/<int:video_id>", video_page, name="page-video"),
    path("tag/<str:slug>", tag_page, name="page-tag"),
    path("search", search_page, name="page-search"),
    path("login", login_page, name="page-login"),
    path("register", register_page, name="page-register"),
    path("logout", logout_page, name="page-logout"),
    path("favicon.ico", RedirectView.as_view(url="/static/img/icon.svg", permanent=True)),
]
