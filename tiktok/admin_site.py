"""The admin site: its login form rate-limited per client address like the API's sign-in (the
per-account lockout applies through the authentication backend), and operator pages that are
not a model's (apps register them with `admin_page_register`, the way they register health
checks, so this module imports no app; the admin index links them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from tiktok.api.throttling import RedisWindowThrottle


class AdminLoginThrottle(RedisWindowThrottle):
    """The API's `auth` rate (THROTTLE_AUTH), counted per client address for admin logins."""

    scope = "auth"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": "admin-login", "ident": self.get_ident(request)}


@dataclass(frozen=True)
class AdminPage:
    route: str  # under /admin/, e.g. "feed/aggregates-dead-letter/"
    name: str  # URL name, reversed as "admin:<name>"
    title: str  # the link on the admin index
    view: Callable[..., HttpResponse]  # called with (request, admin_site)


_pages: dict[str, AdminPage] = {}


def admin_page_register(page: AdminPage) -> None:
    """Add a staff-only page to the admin (from an AppConfig.ready())."""
    _pages[page.name] = page


class ProjectAdminSite(admin.AdminSite):
    def get_urls(self) -> list[URLPattern]:
        pages = [
            path(page.route, self.admin_view(self._page_view(page)), name=page.name)
            for page in _pages.values()
        ]
        return pages + super().get_urls()

    def _page_view(self, page: AdminPage) -> Callable[..., HttpResponse]:
        def view(request: HttpRequest) -> HttpResponse:
            return page.view(request, self)

        return view

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        context["operator_pages"] = [
            {"title": page.title, "url": f"{self.name}:{page.name}"} for page in _pages.values()
        ]
        return context

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.method == "POST":
            throttle = AdminLoginThrottle()
            if not throttle.allow_request(request, None):
                wait = throttle.wait()
                response = HttpResponse(
                    "Too many sign-in attempts from this address; try again later.",
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                if wait is not None:
                    response["Retry-After"] = str(max(1, round(wait)))
                return response
        return super().login(request, extra_context)


class ProjectAdminConfig(AdminConfig):
    default_site = "tiktok.admin_site.ProjectAdminSite"

    def ready(self) -> None:
        super().ready()  # every app's admin module, DRF's token admin among them
        # DRF's token admin lists every account's live API key (and the admin log keeps a new
        # one as its name): staff given only its view permission could act as any account,
        # the owner's included. Tokens are made and revoked by signing in and out.
        from rest_framework.authtoken.models import TokenProxy

        if admin.site.is_registered(TokenProxy):
            admin.site.unregister(TokenProxy)
