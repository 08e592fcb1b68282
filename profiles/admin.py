"""Admin for users and the social graph."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from profiles.models import Block, Follow, User


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
    list_display = ("follower", "followee", "created_at")
    raw_id_fields = ("follower", "followee")


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("blocker", "blocked", "created_at")
    raw_id_fields = ("blocker", "blocked")
