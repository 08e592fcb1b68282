"""Curation UI for the taxonomy: tags with inline phrases, bulk (de)activation, corpus re-tag."""

from __future__ import annotations

import logging

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from tagging.events import tag_videos_changed_announce, video_tags_changed_announce
from tagging.models import Tag, TagCategory, TagPhrase, VideoTag
from tagging.services.taxonomy import tag_phrases_changed, tags_set_active
from tagging.tasks import retag_all
from tiktok.admin_paging import BigTableAdmin

logger = logging.getLogger(__name__)
RETAG_ACTION = "retag_all_videos"


def _enqueue_retag() -> None:
    try:
        retag_all.delay()
    except Exception as exc:  # noqa: BLE001 - the operator sees the failure in the log
        logger.error("could not queue tagging.retag_all: %s", exc)


class TagPhraseFormSet(BaseInlineFormSet):
    """The phrase rules of a taxonomy file (`tagging.taxonomy`): spaces collapsed, and a phrase
    used once, in any case, across the taxonomy (one phrase on two tags, or "Cat" and "cat" on
    one, makes which tag a creator's hashtag or a video matches a guess)."""

    def clean(self) -> None:
        super().clean()
        seen: dict[str, str] = {}
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            phrase = " ".join((form.cleaned_data.get("text") or "").split())
            if not phrase:
                continue
            form.cleaned_data["text"] = phrase
            form.instance.text = phrase
            key = phrase.casefold()
            if key in seen:
                form.add_error("text", f"{phrase!r} is already a phrase of this tag")
            seen[key] = phrase
        if not seen:
            return
        others = (
            TagPhrase.objects.exclude(tag_id=self.instance.pk)
            .annotate(key=Lower("text"))
            .filter(key__in=[key.lower() for key in seen])
            .select_related("tag")
        )
        taken = {phrase.text.casefold(): phrase.tag.slug for phrase in others}
        for form in self.forms:
            text = form.cleaned_data.get("text") if form.cleaned_data else None
            if text and not form.cleaned_data.get("DELETE") and text.casefold() in taken:
                form.add_error(
                    "text", f"{text!r} is already a phrase of tag {taken[text.casefold()]!r}"
                )


class TagPhraseInline(admin.TabularInline):
    model = TagPhrase
    formset = TagPhraseFormSet
    extra = 2


@admin.register(TagCategory)
class TagCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "tag_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[TagCategory]:
        return super().get_queryset(request).annotate(tag_count=Count("tags"))

    @admin.display(ordering="tag_count", description="tags")
    def tag_count(self, category: TagCategory) -> int:
        return category.tag_count


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "category", "is_active", "phrase_count", "video_count")
    list_filter = ("category", "is_active")
    search_fields = ("slug", "name", "phrases__text")
    list_select_related = ("category",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [TagPhraseInline]
    actions = ["activate_tags", "deactivate_tags", RETAG_ACTION]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        # Each count in a subquery of its own: joined in one query, every phrase row was
        # multiplied by every video row of the tag before the DISTINCT counts.
        def count_of(model: type, field: str = "tag") -> Subquery:
            rows = (
                model.objects.filter(**{field: OuterRef("pk")})
                .order_by()
                .values(field)
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(rows), 0)

        return (
            super()
            .get_queryset(request)
            .annotate(phrase_count=count_of(TagPhrase), video_count=count_of(VideoTag))
        )

    @admin.display(ordering="phrase_count", description="phrases")
    def phrase_count(self, tag: Tag) -> int:
        return tag.phrase_count

    @admin.display(ordering="video_count", description="videos")
    def video_count(self, tag: Tag) -> int:
        return tag.video_count

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:  # noqa: ANN001
        super().save_related(request, form, formsets, change)
        # The refresh task embeds only tags whose phrase hash changed, after this commit.
        tag_phrases_changed()
        if change and {"name", "is_active"} & set(form.changed_data):
            # Its videos are found in search by the tag's (active) name.
            tag_videos_changed_announce(tag_ids=[form.instance.pk])

    def delete_model(self, request: HttpRequest, obj: Tag) -> None:
        tag_videos_changed_announce(tag_ids=[obj.pk])  # before the cascade takes the rows
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Tag]) -> None:
        tag_videos_changed_announce(tag_ids=list(queryset.values_list("pk", flat=True)))
        super().delete_queryset(request, queryset)

    def changelist_view(self, request: HttpRequest, extra_context=None):  # noqa: ANN001, ANN201
        # "Re-tag all videos" concerns the whole corpus, so it needs no selected tag.
        if (
            request.method == "POST"
            and request.POST.get("action") == RETAG_ACTION
            and not request.POST.getlist(ACTION_CHECKBOX_NAME)
        ):
            first = Tag.objects.order_by("pk").values_list("pk", flat=True).first()
            if first is not None:
                post = request.POST.copy()
                post.setlist(ACTION_CHECKBOX_NAME, [str(first)])
                request.POST = post
        return super().changelist_view(request, extra_context)

    @admin.action(description="Activate selected tags", permissions=["change"])
    def activate_tags(self, request: HttpRequest, queryset: QuerySet[Tag]) -> None:
        count = tags_set_active(tags=queryset, is_active=True)
        self.message_user(request, f"{count} tag(s) activated.", messages.SUCCESS)

    @admin.action(description="Deactivate selected tags", permissions=["change"])
    def deactivate_tags(self, request: HttpRequest, queryset: QuerySet[Tag]) -> None:
        count = tags_set_active(tags=queryset, is_active=False)
        self.message_user(request, f"{count} tag(s) deactivated.", messages.SUCCESS)

    @admin.action(description="Re-tag all videos (background task)", permissions=["change"])
    def retag_all_videos(self, request: HttpRequest, queryset: QuerySet[Tag]) -> None:
        transaction.on_commit(_enqueue_retag)
        self.message_user(
            request,
            "Re-tagging of all videos was queued; tags update as the worker goes.",
            messages.SUCCESS,
        )


@admin.register(VideoTag)
class VideoTagAdmin(BigTableAdmin):
    """A video's tags to look at: the tagging step writes them (from the taxonomy's scores and the
    creator's hashtags) and every re-tag replaces them, so a row added or edited here would be
    undone by the next one; operators change what videos get through the taxonomy and "Re-tag
    all videos". Deleting stays possible (a tag's or a video's deletion takes its rows, and a
    wrong row can go until the next re-tag) and is announced, so search drops the tag's name."""

    list_display = ("video", "tag", "score", "confidence", "rank", "source", "created_at")
    list_filter = ("source", "tag__category")
    search_fields = ("tag__slug__exact",)
    raw_id_fields = ("video", "tag")
    list_select_related = ("tag", "video")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: VideoTag | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: VideoTag) -> None:
        video_tags_changed_announce(video_ids=[obj.video_id])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[VideoTag]) -> None:
        video_tags_changed_announce(video_ids=list(queryset.values_list("video_id", flat=True)))
        super().delete_queryset(request, queryset)
