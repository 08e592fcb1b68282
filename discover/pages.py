"""Discover pages: the sections, a section's "see all" page, and a challenge with its
leaderboard (they read the same selectors as the API)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import ensure_csrf_cookie

from discover.selectors import (
    SECTION_TITLES,
    challenge_detail,
    challenge_get,
    challenge_leaderboard,
    discover_overview,
    discover_section,
)
from tiktok.errors import NotFound
from tiktok.web.pages import page_not_found, page_viewer, render_page

SEE_ALL_PAGE_SIZE = 24
LEADERBOARD_PAGE_SIZE = 20


# Deeper pages than this are the last one (the lists are a few hundred long; a leaderboard's
# offset stays a small number).
MAX_PAGE_NUMBER = 500


def _page_number(request: HttpRequest) -> int:
    try:
        return min(MAX_PAGE_NUMBER, max(1, int(request.GET.get("page", "1"))))
    except ValueError:
        return 1


@ensure_csrf_cookie
def discover_page(request: HttpRequest) -> HttpResponse:
    sections = discover_overview(viewer=page_viewer(request))
    return render_page(request, "pages/discover.html", {"sections": sections})


@ensure_csrf_cookie
def discover_section_page(request: HttpRequest, section: str) -> HttpResponse:
    if section not in SECTION_TITLES:
        return page_not_found(request, f"Discover section {section}")
    number = _page_number(request)
    body = discover_section(
        viewer=page_viewer(request),
        section=section,
        offset=(number - 1) * SEE_ALL_PAGE_SIZE,
        limit=SEE_ALL_PAGE_SIZE,
    )
    return render_page(
        request,
        "pages/discover_section.html",
        {
            "section": section,
            "title": body["title"],
            "items": body["results"],
            "number": number,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if body["next_offset"] is not None else None,
        },
    )


@ensure_csrf_cookie
def challenge_page(request: HttpRequest, challenge_id: int) -> HttpResponse:
    try:
        challenge = challenge_get(challenge_id=challenge_id)
    except NotFound:
        return page_not_found(request, f"challenge {challenge_id}")
    number = _page_number(request)
    board = challenge_leaderboard(
        challenge=challenge,
        viewer=page_viewer(request),
        offset=(number - 1) * LEADERBOARD_PAGE_SIZE,
        limit=LEADERBOARD_PAGE_SIZE,
    )
    return render_page(
        request,
        "pages/challenge.html",
        {
            "challenge": challenge_detail(challenge=challenge, viewer=page_viewer(request)),
            "entries": board["results"],
            "number": number,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if board["next_offset"] is not None else None,
        },
    )


urlpatterns = [
    path("discover", discover_page, name="page-discover"),
    path("discover/<str:section>", discover_section_page, name="page-discover-section"),
    path("challenge/<int:challenge_id>", challenge_page, name="page-challenge"),
]
