"""Admin for users and the social graph."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest

from profiles.models import Block, Follow, User
from profiles.services.account_deletion import account_erase
from profiles.services.accounts import (
    USERNAME_PATTERN,
    USERNAME_RULE,
    bio_problem,
    display_name_problem,
    username_claim,
)
from profiles.services.avatars import avatar_image_clean
from profiles.services.graph import (
    account_privacy_set,
    block_create,
    block_delete,
    follow_delete,
)
from tiktok.admin_deletion import DeletesDependentsMixin
from tiktok.storage import storage_delete_later


class UsernameRulesMixin:
    """The username rules of registration: the character rule, reserved names, and no other
    account with the same name in any case (lookups by name are case-insensitive, so a second
    "Alice" beside "alice" would be unreachable). An unchanged name is not checked again, so an
    account named before the rules (createsuperuser) stays editable."""

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if self.instance.pk is not None and "username" not in self.changed_data:
            return username
        if not re.fullmatch(USERNAME_PATTERN, username):
            raise forms.ValidationError(f"a username is {USERNAME_RULE}")
        try:
            # The admin saves in one transaction: the claim's lock is held until the save.
            username_claim(username=username, user=self.instance)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["username"]) from None
        return username


class UserChangeAdminForm(UsernameRulesMixin, UserChangeForm):
    def clean_display_name(self) -> str:
        """The profile's rules (`profile_update`): no name of invisible characters only."""
        display_name = (self.cleaned_data.get("display_name") or "").strip()
        if problem := display_name_problem(display_name):
            raise forms.ValidationError(problem)
        return display_name

    def clean_bio(self) -> str:
        bio = (self.cleaned_data.get("bio") or "").strip()
        if problem := bio_problem(bio):
            raise forms.ValidationError(problem)
        return bio

    def clean_avatar(self) -> Any:
        """A new picture is checked and re-encoded as the profile's (`avatar_image_clean`:
        size and decode limits, formats, its EXIF and location dropped)."""
        avatar = self.cleaned_data.get("avatar")
        if not isinstance(avatar, UploadedFile):  # unchanged, or cleared (False)
            return avatar
        try:
            return avatar_image_clean(avatar)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["avatar"]) from None


class UserCreationAdminForm(UsernameRulesMixin, AdminUserCreationForm):
    pass


def _colleague(request: HttpRequest, obj: User | None) -> bool:
    """Whether a staff member who is not a superuser is looking at another staff account or a
    superuser's."""
    return (
        obj is not None
        and not request.user.is_superuser
        and obj.pk != request.user.pk
        and (obj.is_staff or obj.is_superuser)
    )


@admin.register(User)
class UserAdmin(DeletesDependentsMixin, BaseUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            "Profile",
            {"fields": ("display_name", "bio", "avatar", "is_private", "email_verified_at")},
        ),
        ("Moderation", {"fields": ("suspended_at",)}),
    )
    # "Active" is the suspension's: unticked here alone it would leave the account's videos
    # and sounds served (a suspension hides them too) and ticked again it would let a suspended
    # account sign in with its videos still hidden. Suspend and reinstate from the moderation
    # queue (a case about the account: "Suspend user", "Reinstate").
    readonly_fields = ("suspended_at", "is_active", "email_verified_at")
    list_display = ("username", "display_name", "email", "is_staff", "is_active", "date_joined")
    list_filter = (*BaseUserAdmin.list_filter, ("suspended_at", admin.EmptyFieldListFilter))
    search_fields = ("username", "display_name", "email")

    # Who may do what in the admin: only a superuser grants it.
    PERMISSION_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple:
        """A staff member holding `change_user` edits profiles, not permissions: with the
        permission fields editable it could make itself a superuser."""
        fields = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        return fields + self.PERMISSION_FIELDS

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        """Another staff account (or a superuser) is changed by a superuser only, its password
        included (the password form asks this): a staff member holding `change_user` could
        otherwise set an owner's password and sign in as them."""
        if _colleague(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        """Staff accounts (and superusers) are deleted by a superuser only: a staff member
        holding `delete_user` erases ordinary accounts, not a colleague's or an owner's."""
        staff = obj is not None and (obj.is_staff or obj.is_superuser)
        if staff and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        account_erase(user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            account_erase(user=user)

    def save_model(self, request: HttpRequest, obj: User, form: forms.Form, change: bool) -> None:  # noqa: FBT001
        """Save, with the profiles services' consequences: a new address is unverified; going
        public goes through `account_privacy_set` (pending requests approved and announced);
        a replaced or cleared picture's file is deleted once committed."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        if "email" in form.changed_data:
            obj.email_verified_at = None
        private = obj.is_private
        if "is_private" in form.changed_data:
            obj.is_private = form.initial["is_private"]
        old_avatar = User.objects.filter(pk=obj.pk).values_list("avatar", flat=True).first()
        super().save_model(request, obj, form, change)
        if private != obj.is_private:
            account_privacy_set(user=obj, private=private)
        if old_avatar and "avatar" in form.changed_data and old_avatar != (obj.avatar.name or ""):
            storage_delete_later(names=[old_avatar])


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
