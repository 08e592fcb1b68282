"""Feed pages: For You, Following, and search (their content comes from the JSON API)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import ensure_csrf_cookie

from tiktok.web.pages import render_page

MAX_QUERY_CHARS_SHOWN = 200


@ensure_csrf_cookie
def feed_page(request: HttpRequest, tab: str = "foryou") -> HttpResponse:
    return render_page(request, "pages/feed.html", {"tab": tab})


@ensure_csrf_cookie
def following_page(request: HttpRequest) -> HttpResponse:
    return feed_page(request, tab="following")


@ensure_csrf_cookie
def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY_CHARS_SHOWN]
    return render_page(request, "pages/search.html", {"query": query})


urlpatterns = [
    path("", feed_page, name="page-feed"),
    path("following", following_page, name="page-following"),
    path("search", search_page, name="page-search"),
]
