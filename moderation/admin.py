"""The moderation queue: open cases, most reporters and oldest first, with the reported item,
its reports and the moderators' actions (services in moderation/services.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from moderation import services
from moderation.models import ACTION_SUSPEND_USER, Case, CaseStatus, Report
from moderation.selectors import case_item, case_target_user, suspensions_in_force
from tiktok.admin_paging import BigTableAdmin
from tiktok.errors import ApplicationError

ALL_STATUSES = "all"
# Deciding a case takes the change permission on cases; view_case only shows the queue.
DECIDE = ["change"]


class CaseStatusFilter(admin.SimpleListFilter):
    """Open cases unless asked otherwise: the queue is what still needs a decision."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):  # noqa: ANN001, ANN201
        return [*CaseStatus.choices, (ALL_STATUSES, "All")]

    def choices(self, changelist):  # noqa: ANN001, ANN201
        current = self.value() or CaseStatus.OPEN
        for value, title in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": title,
            }

    def queryset(self, request, queryset):  # noqa: ANN001, ANN201
        value = self.value() or CaseStatus.OPEN
        if value == ALL_STATUSES:
            return queryset
        return queryset.filter(status=value)


# Reports listed on a case's page: its first ones (the case counts them all).
REPORTS_SHOWN = 100


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0
    can_delete = False
    fields = ("reporter", "reason", "detail", "created_at")
    readonly_fields = fields
    ordering = ("created_at",)

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def get_queryset(self, request):  # noqa: ANN001, ANN201
        # The reporters in the same query: one query per report made a viral item's case page
        # thousands of queries.
        return super().get_queryset(request).select_related("reporter")

    def get_formset(self, request, obj=None, **kwargs):  # noqa: ANN001, ANN003, ANN201
        formset = super().get_formset(request, obj, **kwargs)
        shown = REPORTS_SHOWN

        class FirstReports(formset):
            """The first REPORTS_SHOWN reports of the case (the count is on the case)."""

            def get_queryset(self):  # noqa: ANN202
                if not hasattr(self, "_first"):
                    ids = list(super().get_queryset().values_list("pk", flat=True)[:shown])
                    self._first = super().get_queryset().filter(pk__in=ids)
                return self._first

        return FirstReports


def _item_link(case: Case) -> str:
    item = case_item(case=case)
    if case.kind == "video" and item is not None:
        return format_html(
            '<a href="/v/{}" target="_blank">{}</a>',
            item.pk,
            item.caption[:80] or f"video {item.pk}",
        )
    if case.kind == "comment" and item is not None:
        return format_html(
            '<a href="/v/{}#comments" target="_blank">{}</a>', item.video_id, item.body[:80]
        )
    if case.kind == "sound" and item is not None:
        return format_html('<a href="/sound/{}" target="_blank">♫ {}</a>', item.pk, item.title[:80])
    if case.kind == "user" and item is not None:
        return format_html('<a href="/@{}" target="_blank">@{}</a>', item.username, item.username)
    return format_html("<s>{}</s> (deleted)", case.snapshot[:80])


def _still_suspended(case: Case) -> str | None:
    """After reinstating a suspension: say so when other cases keep the account suspended."""
    user = case_target_user(case=case)
    if case.action != ACTION_SUSPEND_USER or user is None:
        return None
    others = suspensions_in_force(user=user, besides=case)
    if not others:
        return None
    named = ", ".join(f"#{pk}" for pk in others)
    return f"case #{case.pk}: reinstated, but @{user.username} stays suspended by case {named}"


def _case_action(
    service: Callable[..., Case], done: str, note: Callable[[Case], str | None] | None = None
) -> Callable[[admin.ModelAdmin, HttpRequest, QuerySet[Case]], None]:
    def run(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        count = 0
        for case in queryset:
            try:
                resolved = service(case=case, moderator=request.user)
            except ApplicationError as error:
                model_admin.message_user(
                    request, f"case #{case.pk}: {error.message}", messages.ERROR
                )
            else:
                count += 1
                if note is not None and (said := note(resolved)):
                    model_admin.message_user(request, said, messages.WARNING)
        if count:
            model_admin.message_user(request, f"{done}: {count} case(s)", messages.SUCCESS)

    return run


@admin.register(Case)
class CaseAdmin(BigTableAdmin):
    list_display = (
        "id",
        "kind",
        "thumbnail",
        "item",
        "owner",
        "reporter_count",
        "first_reported_at",
        "last_reported_at",
        "hidden_pending_review",
        "status",
        "action",
    )
    list_display_links = ("id",)
    list_filter = ("kind", CaseStatusFilter, "reports__reason", "action")
    ordering = ("-reporter_count", "first_reported_at")
    search_fields = (
        "snapshot",
        "user__username",
        "video__caption",
        "comment__body",
        "sound__title",
    )
    list_select_related = ("video", "comment", "user", "sound", "target_user")
    inlines = [ReportInline]
    fields = (
        "kind",
        "item",
        "thumbnail",
        "owner",
        "snapshot",
        "status",
        "reporter_count",
        "first_reported_at",
        "last_reported_at",
        "auto_hidden_at",
        "action",
        "resolved_at",
        "resolved_by",
        "reinstated_at",
    )
    readonly_fields = fields
    actions = [
        "hide_video",
        "hide_sound",
        "remove_comment",
        "suspend_user",
        "reinstate",
        "dismiss",
    ]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    @admin.display(description="reported item")
    def item(self, case: Case) -> str:
        return _item_link(case)

    @admin.display(description="")
    def thumbnail(self, case: Case) -> str:
        video = case.video
        if video is None or not video.thumbnail:
            return ""
        return format_html('<img src="{}" alt="" width="48">', video.thumbnail.url)

    @admin.display(description="whose")
    def owner(self, case: Case) -> str:
        user = case_target_user(case=case)
        if user is None:
            return ""
        url = reverse("admin:profiles_user_change", args=[user.pk])
        state = " (suspended)" if user.suspended_at else ""
        return format_html('<a href="{}">{}</a>{}', url, user.username, state)

    @admin.display(description="hidden pending review", boolean=True)
    def hidden_pending_review(self, case: Case) -> bool:
        return case.auto_hidden_at is not None

    hide_video = admin.action(description="Hide video", permissions=DECIDE)(
        _case_action(services.case_video_hide, "videos hidden")
    )
    hide_sound = admin.action(description="Hide sound", permissions=DECIDE)(
        _case_action(services.case_sound_hide, "sounds hidden")
    )
    remove_comment = admin.action(description="Remove comment", permissions=DECIDE)(
        _case_action(services.case_comment_remove, "comments removed")
    )
    suspend_user = admin.action(
        description="Suspend user (the account, or the owner / author / sound's creator)",
        permissions=DECIDE,
    )(_case_action(services.case_user_suspend, "accounts suspended"))
    reinstate = admin.action(
        description="Reinstate (undo a hide or suspension)", permissions=DECIDE
    )(_case_action(services.case_reinstate, "reinstated", note=_still_suspended))
    dismiss = admin.action(
        description="Dismiss (nothing wrong; unhide if hidden pending review)", permissions=DECIDE
    )(_case_action(services.case_dismiss, "dismissed"))


@admin.register(Report)
class ReportAdmin(BigTableAdmin):
    list_display = ("id", "case", "reporter", "reason", "created_at")
    # Named: the admin's own select_related() follows only non-null keys, and a report's
    # reporter may be empty (a deleted account's report), so each row would read its reporter.
    list_select_related = ("case", "reporter")
    list_filter = ("reason", "case__kind")
    search_fields = ("reporter__username__exact",)
    raw_id_fields = ("case", "reporter")
    readonly_fields = ("case", "reporter", "reason", "detail", "created_at")

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        # A report is evidence, and its case's reporter_count (the queue's order) and hide
        # pending review were decided by it: cases are dismissed, not their reports deleted.
        return False
