"""Moderation API routes (mounted under /api/)."""

from django.urls import path

from moderation.apis import ReportsApi

urlpatterns = [
    path("reports", ReportsApi.as_view(), name="reports"),
]
