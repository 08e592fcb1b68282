"""The notifications page: the list (drawn by static/js/notifications.js from the API), pending
follow requests for a private account, and per-kind preferences."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import ensure_csrf_cookie

from tiktok.web.pages import render_page, sign_in_first


@ensure_csrf_cookie
def notifications_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request)
    return render_page(request, "pages/notifications.html", {})


urlpatterns = [path("notifications", notifications_page, name="page-notifications")]
