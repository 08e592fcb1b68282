"""Feed pages: For You and Following (their content comes from the JSON API)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import ensure_csrf_cookie

from tiktok.web.pages import render_page


@ensure_csrf_cookie
def feed_page(request: HttpRequest, tab: str = "foryou") -> HttpResponse:
    return render_page(request, "pages/feed.html", {"tab": tab})


@ensure_csrf_cookie
def following_page(request: HttpRequest) -> HttpResponse:
    return feed_page(request, tab="following")


urlpatterns = [
    path("", feed_page, name="page-feed"),
    path("following", following_page, name="page-following"),
]
