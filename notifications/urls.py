"""Notification API routes (mounted under /api/)."""

from django.urls import path

from notifications.apis import (
    MarkAllReadApi,
    MarkReadApi,
    NotificationsApi,
    PreferencesApi,
    UnreadCountApi,
)

urlpatterns = [
    path("notifications", NotificationsApi.as_view(), name="notifications"),
    path("notifications/unread-count", UnreadCountApi.as_view(), name="notifications-unread"),
    path("notifications/read", MarkReadApi.as_view(), name="notifications-read"),
    path("notifications/read-all", MarkAllReadApi.as_view(), name="notifications-read-all"),
    path(
        "me/notification-preferences",
        PreferencesApi.as_view(),
        name="notification-preferences",
    ),
]
