"""Account pages: log in, register, log out (the forms post to the JSON API from static/js)."""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods

from profiles.account_pages import urlpatterns as account_care_urlpatterns
from profiles.services.accounts import user_token_revoke
from tiktok.web.pages import render_page, safe_next


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


urlpatterns = [
    path("login", login_page, name="page-login"),
    path("register", register_page, name="page-register"),
    path("logout", logout_page, name="page-logout"),
    *account_care_urlpatterns,
]
