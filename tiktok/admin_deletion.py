"""Deleting, in the admin, a row that others belong to (an account, a video, a comment).

Some rows are never deleted one by one in the admin (a like: its count is kept by its service)
but go with what they belong to, whose deletion keeps the counts (an account's deletion takes
its likes off the counts first; a video's or a comment's like count goes with it). Their admin
says so (`deleted_with_parent = True`) and refuses deleting them alone; Django would otherwise
list them as "permissions lacking" and refuse deleting their parent, even to a superuser."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class DeletesDependentsMixin(admin.ModelAdmin):
    """For the admin of a parent: its deletion does not need the permission to delete the rows
    that go with it."""

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, ...]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Django names the lacking permissions by verbose name: a name is let go only when no
        # other registered model, whose deletion the parent's would still need, shares it.
        names: dict[str, set[bool]] = {}
        for model, model_admin in self.admin_site._registry.items():
            dependent = getattr(model_admin, "deleted_with_parent", False)
            names.setdefault(str(model._meta.verbose_name), set()).add(dependent)
        dependents_only = {name for name, kinds in names.items() if kinds == {True}}
        return deleted, counts, perms_needed - dependents_only, protected
