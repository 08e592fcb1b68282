"""Account care pages: forgotten password (ask, check your mail, set a new one), address
verification, and the signed-in owner's settings (profile, privacy, email, password, deletion).
The forms post to the JSON API from static/js (auth.js, settings.js)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from profiles.services.email_address import email_verification_enabled, email_verify
from tiktok.errors import InvalidInput
from tiktok.web.pages import render_page, sign_in_first


def _sign_in_first(request: HttpRequest) -> HttpResponse | None:
    if request.user.is_authenticated:
        return None
    return sign_in_first(request)


@ensure_csrf_cookie
def password_reset_request_page(request: HttpRequest) -> HttpResponse:
    return render_page(request, "pages/password_reset_request.html", {})


def password_reset_sent_page(request: HttpRequest) -> HttpResponse:
    return render_page(request, "pages/password_reset_sent.html", {})


@never_cache
@ensure_csrf_cookie
def password_reset_page(request: HttpRequest, uidb64: str) -> HttpResponse:
    """The mailed link, `/reset/<uid>#<token>`: the page's script takes the token from the
    fragment (which no request carries), asks the API whether the link still works, and shows
    the form for the new password or why the link no longer works."""
    return render_page(request, "pages/password_reset.html", {"uid": uidb64})


def password_reset_path_link_page(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """A link mailed before the token moved to the fragment (they work for an hour)."""
    return HttpResponseRedirect(f"/reset/{uidb64}#{token}")


def password_reset_done_page(request: HttpRequest) -> HttpResponse:
    return render_page(request, "pages/password_reset_done.html", {})


@never_cache
def email_verify_page(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The mailed verification link: following it verifies the address it was sent to."""
    try:
        user = email_verify(uidb64=uidb64, token=token)
    except InvalidInput:
        return render_page(request, "pages/email_verify.html", {"verified": False}, status=400)
    return render_page(request, "pages/email_verify.html", {"verified": True, "email": user.email})


@never_cache
@ensure_csrf_cookie
def settings_page(request: HttpRequest) -> HttpResponse:
    if (response := _sign_in_first(request)) is not None:
        return response
    user = request.user
    return render_page(
        request,
        "pages/settings.html",
        {
            "account": user,
            "avatar_url": user.avatar.url if user.avatar else None,
            "email_verified": bool(user.email and user.email_verified_at),
            "verification_enabled": email_verification_enabled(),
            # the "download your data" card (the takeout app's API)
            "takeout_keep_hours": settings.TAKEOUT_KEEP_HOURS,
        },
    )


@never_cache
@ensure_csrf_cookie
def account_delete_page(request: HttpRequest) -> HttpResponse:
    if (response := _sign_in_first(request)) is not None:
        return response
    return render_page(request, "pages/account_delete.html", {"account": request.user})


urlpatterns = [
    path("password-reset", password_reset_request_page, name="page-password-reset"),
    path("password-reset/sent", password_reset_sent_page, name="page-password-reset-sent"),
    path("reset/done", password_reset_done_page, name="page-password-reset-done"),
    path("reset/<str:uidb64>", password_reset_page, name="page-password-reset-set"),
    path("reset/<str:uidb64>/<str:token>", password_reset_path_link_page),
    path("verify-email/<str:uidb64>/<str:token>", email_verify_page, name="page-email-verify"),
    path("settings", settings_page, name="page-settings"),
    path("settings/delete", account_delete_page, name="page-account-delete"),
]
