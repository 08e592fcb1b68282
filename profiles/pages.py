"""Account pages: log in, register, log out (the forms post to the JSON API from static/js),
and a user's followers and following lists."""

from __future__ import annotations

from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods

from profiles.account_pages import urlpatterns as account_care_urlpatterns
from profiles.selectors import (
    followers_of,
    following_of,
    hidden_user_ids,
    profile_locked,
    user_active_by_username,
    user_blocks_viewer,
    user_card,
)
from profiles.services.accounts import user_token_revoke
from tiktok.web.pages import page_not_found, page_viewer, render_page, safe_next

PEOPLE_PAGE_SIZE = 50


@ensure_csrf_cookie
def login_page(request: HttpRequest) -> HttpResponse:
    return render_page(request, "pages/login.html", {"next": safe_next(request)})


@ensure_csrf_cookie
def register_page(request: HttpRequest) -> HttpResponse:
    return render_page(request, "pages/register.html", {"next": safe_next(request)})


@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def logout_page(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation; POST (CSRF-checked) signs out, revoking the API token the
    sign-in handed out too, and goes home."""
    if request.method == "POST":
        if request.user.is_authenticated:
            user_token_revoke(user=request.user)
        logout(request)
        return redirect("/")
    return render_page(request, "pages/logout.html", {})


@ensure_csrf_cookie
def people_page(request: HttpRequest, username: str, which: str) -> HttpResponse:
    """Followers or following of a user, as the API lists them; the owner of the list of
    followers may remove one. A private account's lists are for its followers."""
    user = user_active_by_username(username=username)
    viewer = page_viewer(request)
    if user is None or user_blocks_viewer(user=user, viewer=viewer):
        return page_not_found(request, f"@{username}")
    hidden = hidden_user_ids(viewer=viewer)
    # An account the viewer blocked shows only its name, as its header does (`restricted`).
    locked = profile_locked(user=user, viewer=viewer) or user.pk in hidden
    person = "follower" if which == "followers" else "followee"
    rows = followers_of(user=user) if which == "followers" else following_of(user=user)
    paginator = Paginator(rows if not locked else rows.none(), PEOPLE_PAGE_SIZE)
    if which == "followers" and not locked:
        # The count the follow triggers keep (active followers, profiles/0008): counting the
        # rows took 111 ms a view at 100,000 followers, for anyone who asked.
        paginator.count = user.follower_count
    page = paginator.get_page(request.GET.get("page"))
    people = [
        user_card(getattr(row, person))
        for row in page.object_list
        if getattr(row, f"{person}_id") not in hidden
    ]
    is_self = viewer is not None and viewer.pk == user.pk
    context = {
        "owner": user_card(user),
        "which": which,
        "people": people,
        "page": page,
        "locked": locked,
        "can_remove": is_self and which == "followers",
    }
    return render_page(request, "pages/people.html", context)


urlpatterns = [
    path("login", login_page, name="page-login"),
    path("register", register_page, name="page-register"),
    path("logout", logout_page, name="page-logout"),
    path("@<str:username>/followers", people_page, {"which": "followers"}, name="page-followers"),
    path("@<str:username>/following", people_page, {"which": "following"}, name="page-following"),
    *account_care_urlpatterns,
]
