"""Root URLs: admin, health, API schema, then each app's JSON API (under /api/) and pages."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from tiktok.api.health import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/health", health, name="health"),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include("profiles.urls")),
    path("api/", include("videos.urls")),
    path("api/", include("sounds.urls")),
    path("api/", include("tagging.urls")),
    path("api/", include("feed.urls")),
    path("api/", include("discover.urls")),
    path("api/", include("search.urls")),
    path("api/", include("studio.urls")),
    path("api/", include("moderation.urls")),
    path("api/", include("notifications.urls")),
    path("api/", include("takeout.urls")),
    path("", include("feed.pages")),
    path("", include("videos.pages")),
    path("", include("tagging.pages")),
    path("", include("profiles.pages")),
    path("", include("discover.pages")),
    path("", include("search.pages")),
    path("", include("studio.pages")),
    path("", include("notifications.pages")),
    path("", include("videos.media_urls")),
    path("favicon.ico", RedirectView.as_view(url="/static/img/icon.svg", permanent=True)),
]

handler400 = "tiktok.api.views.bad_request"
handler403 = "tiktok.api.views.permission_denied"
handler404 = "tiktok.api.views.not_found"
handler500 = "tiktok.api.views.server_error"
