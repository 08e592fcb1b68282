"""studio API routes (mounted under /api/)."""

from django.urls import path

from studio.apis import MeAnalyticsApi, StudioOverviewApi, StudioVideoApi

urlpatterns = [
    path("studio/overview", StudioOverviewApi.as_view(), name="studio-overview"),
    path("studio/videos/<int:pk>", StudioVideoApi.as_view(), name="studio-video"),
    path("me/analytics", MeAnalyticsApi.as_view(), name="me-analytics"),
]
