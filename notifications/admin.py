"""Notifications in the admin, read-only: what a user was told (support questions)."""

from django.contrib import admin

from notifications.models import Notification
from tiktok.admin_paging import BigTableAdmin


@admin.register(Notification)
class NotificationAdmin(BigTableAdmin):
    list_display = ("id", "recipient", "kind", "actor", "actor_count", "read_at", "updated_at")
    # actor may be null: Django's own select_related follows only non-null keys (a query per row)
    list_select_related = ("recipient", "actor")
    list_filter = ("kind",)
    search_fields = ("recipient__username__exact",)
    raw_id_fields = ("recipient", "actor", "video", "comment")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
