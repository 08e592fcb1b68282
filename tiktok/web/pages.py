"""What every app's HTML pages render with: the viewer's context for the page's JavaScript, the
not-found page, and a safe `next` redirect target."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme


def page_viewer(request: HttpRequest) -> Any:
    """The signed-in user looking at the page, or None."""
    return request.user if request.user.is_authenticated else None


def viewer_context(request: HttpRequest) -> dict[str, Any]:
    """What the page's JavaScript needs to know about the person looking at it."""
    viewer = page_viewer(request)
    if viewer is None:
        return {"authenticated": False, "username": None}
    return {"authenticated": True, "username": viewer.username}


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, template, {"viewer": viewer_context(request), **context}, status=status)


def page_not_found(request: HttpRequest, what: str) -> HttpResponse:
    return render_page(request, "pages/not_found.html", {"what": what}, status=404)


# Longer, and the sign-in comes back without the query string (or to the home page): a query of
# 6,000 "&", quoted into `next`, passed Django's limit on a redirect's length (a 400 and an
# ERROR traceback).
SIGN_IN_NEXT_MAX_CHARS = 2000


def sign_in_first(request: HttpRequest) -> HttpResponseRedirect:
    """To the sign-in page, which comes back to this page as it was asked for (its query string
    too: a search, a studio period)."""
    for target in (request.get_full_path(), request.path):
        quoted = quote(target, safe="/")
        if len(quoted) <= SIGN_IN_NEXT_MAX_CHARS:
            return redirect(f"/login?next={quoted}")
    return redirect("/login")


def safe_next(request: HttpRequest, default: str = "/") -> str:
    """The `next` query parameter when it points at this site, else `default`."""
    target = request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=False):
        return target
    return default
