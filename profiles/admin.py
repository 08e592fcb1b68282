"""Admin for users and the social graph."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from profiles.models import Block, Follow, User
from profiles.services.graph import block_create, block_delete, follow_delete


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Profile", {"fields": ("display_name", "bio", "avatar", "is_private")}),
        ("Moderation", {"fields": ("suspended_at",)}),
    )
    # "Active" is the suspension's: unticked here alone it would leave the account's videos
    # and sounds served (a suspension hides them too) and ticked again it would let a suspended
    # account sign in with its videos still hidden. Suspend and reinstate from the moderation
    # queue (a case about the account: "Suspend user", "Reinstate").
    readonly_fields = ("suspended_at", "is_active")
    list_display = ("username", "display_name", "email", "is_staff", "is_active", "date_joined")
    list_filter = (*BaseUserAdmin.list_filter, ("suspended_at", admin.EmptyFieldListFilter))
    search_fields = ("username", "display_name", "email")


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    """Follows are listed and removed here, never added or edited: a follow made here would
    skip a private account's approval, a block between the two, and the follow's
    notification. Removing one goes through `follow_delete` (the follow-removed event)."""

    list_display = ("follower", "followee", "created_at")
    list_select_related = ("follower", "followee")
    raw_id_fields = ("follower", "followee")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Follow | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Follow) -> None:
        follow_delete(follower=obj.follower, followee=obj.followee)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Follow]) -> None:
        for follow in queryset.select_related("follower", "followee"):
            follow_delete(follower=follow.follower, followee=follow.followee)


class BlockForm(forms.ModelForm):
    class Meta:
        model = Block
        fields = ("blocker", "blocked")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        blocker, blocked = data.get("blocker"), data.get("blocked")
        if blocker and blocked and blocker.pk == blocked.pk:
            self.add_error("blocked", "an account cannot block itself")
        return data


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    """Blocks are added and removed through `block_create` / `block_delete`, as in the app:
    adding one ends the follows and follow requests between the two both ways (and announces
    the follows ended). A block is not edited: remove it and add another."""

    form = BlockForm
    list_display = ("blocker", "blocked", "created_at")
    list_select_related = ("blocker", "blocked")
    raw_id_fields = ("blocker", "blocked")

    def has_change_permission(self, request: HttpRequest, obj: Block | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Block, form: forms.Form, change: bool) -> None:  # noqa: FBT001
        block_create(blocker=obj.blocker, blocked=obj.blocked)
        saved = Block.objects.get(blocker=obj.blocker, blocked=obj.blocked)
        obj.pk, obj.created_at = saved.pk, saved.created_at

    def delete_model(self, request: HttpRequest, obj: Block) -> None:
        block_delete(blocker=obj.blocker, blocked=obj.blocked)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Block]) -> None:
        for block in queryset.select_related("blocker", "blocked"):
            block_delete(blocker=block.blocker, blocked=block.blocked)
