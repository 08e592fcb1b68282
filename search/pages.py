"""search pages: /search (its results come from the JSON API)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import ensure_csrf_cookie

from tiktok.web.pages import render_page

MAX_QUERY_CHARS_SHOWN = 200
TABS = ("all", "videos", "users", "hashtags", "sounds")


@ensure_csrf_cookie
def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY_CHARS_SHOWN]
    tab = request.GET.get("type", "all")
    return render_page(
        request,
        "pages/search.html",
        {"query": query, "tab": tab if tab in TABS else "all", "tabs": TABS},
    )


urlpatterns = [path("search", search_page, name="page-search")]
