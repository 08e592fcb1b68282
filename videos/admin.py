"""Admin: videos with their pipeline steps inline, filters by status, a reprocess action; comments
and likes to look at (read-mostly: moderation acts through its queue)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from profiles.models import User
from tiktok.admin_deletion import DeletesDependentsMixin
from tiktok.admin_paging import BigTableAdmin
from videos.models import Comment, CommentLike, Like, PipelineStep, Video, VideoEmbedding
from videos.pipeline.policy import pipeline_in_progress
from videos.services.engagement import comment_remove
from videos.services.moderation import (
    HIDDEN_BY_MODERATOR,
    HIDDEN_OWNER_SUSPENDED,
    HIDDEN_PENDING_REVIEW,
)
from videos.services.video_edit import video_edit_propagate
from videos.services.videos import video_delete
from videos.tasks import pipeline_enqueue

# Shorter search words find an account only (a trigram index cannot narrow them down).
CAPTION_SEARCH_MIN_CHARS = 3


def _caption_word(word: str) -> bool:
    """Whether a word typed in the video search is searched in captions: enough letters or
    digits for its trigrams to narrow the index down."""
    return sum(ch.isalnum() for ch in word) >= CAPTION_SEARCH_MIN_CHARS


class PipelineStepInline(admin.TabularInline):
    model = PipelineStep
    extra = 0
    can_delete = False
    fields = (
        "name",
        "state",
        "attempts",
        "interrupted",
        "duration_s",
        "last_error",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


class VideoEmbeddingInline(admin.TabularInline):
    model = VideoEmbedding
    extra = 0
    can_delete = False
    fields = ("embedding_version", "dim", "missing", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


NOT_HIDDEN = "none"


class HiddenReasonFilter(admin.SimpleListFilter):
    """The reasons moderation hides a video for, named here: listing the values found in the
    table ran a SELECT DISTINCT over every video on each load of the list."""

    title = "hidden"
    parameter_name = "hidden_reason"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:  # noqa: ANN001
        return [
            (HIDDEN_PENDING_REVIEW, "pending review"),
            (HIDDEN_BY_MODERATOR, "by a moderator"),
            (HIDDEN_OWNER_SUSPENDED, "owner suspended"),
            (NOT_HIDDEN, "not hidden"),
        ]

    def queryset(self, request, queryset: QuerySet[Video]) -> QuerySet[Video]:  # noqa: ANN001
        if self.value() == NOT_HIDDEN:
            return queryset.filter(hidden_at__isnull=True)
        if self.value():
            return queryset.filter(hidden_reason=self.value())
        return queryset


EDITABLE_FIELDS = ("caption", "privacy")
SHOWN_FIELDS = tuple(
    field.name
    for field in Video._meta.concrete_fields
    if not field.primary_key and field.name not in EDITABLE_FIELDS
)


@admin.register(Video)
class VideoAdmin(DeletesDependentsMixin, BigTableAdmin):
    list_display = (
        "id",
        "owner",
        "caption_short",
        "status",
        "privacy",
        "hidden_reason",
        "duration_s",
        "created_at",
    )
    list_filter = ("status", "privacy", HiddenReasonFilter, "has_audio", "steps__state")
    # An account's videos by its name (one indexed lookup), and videos whose caption holds the
    # words typed (`get_search_results`).
    search_fields = ("owner__username__exact",)
    # Only what the change form's save carries on through the services (video_edit_propagate:
    # hashtags, search, Discover, the feed); the rest belongs to the pipeline, engagement and
    # moderation services (counters kept with F(), the sound's use count, the status, copies),
    # shown here and changed there.
    fields = EDITABLE_FIELDS + SHOWN_FIELDS
    readonly_fields = SHOWN_FIELDS
    inlines = [PipelineStepInline, VideoEmbeddingInline]
    actions = ["reprocess"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False  # videos come through an upload or an ingest, which run the pipeline

    @admin.display(description="caption")
    def caption_short(self, video: Video) -> str:
        return video.caption[:60]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Video], search_term: str
    ) -> tuple[QuerySet[Video], bool]:
        """The videos of the account named (in any case, "@" optional), and, when every word
        typed has CAPTION_SEARCH_MIN_CHARS letters or digits or more, the videos whose caption
        holds all of them, in any order and case: a spam campaign is found by its words. Both
        are index lookups (the caption's a trigram index, migration 0015); shorter words, or
        a term of punctuation, would match too much for an index to help, so they find an
        account only."""
        term = search_term.strip()
        words = term.split()
        if term.startswith("@") or not words or not all(_caption_word(w) for w in words):
            return super().get_search_results(request, queryset, search_term)
        owners = list(User.objects.filter(username__iexact=term).values_list("pk", flat=True))
        in_caption = Q()
        for word in dict.fromkeys(words):
            in_caption &= Q(caption__icontains=word)
        return queryset.filter(Q(owner_id__in=owners) | in_caption), False

    def delete_model(self, request, obj: Video) -> None:  # noqa: ANN001
        # Through the service: the row is locked first, so a like or a watch event stored
        # meanwhile does not fail the deletion on its foreign key.
        video_delete(video=obj)

    def delete_queryset(self, request, queryset) -> None:  # noqa: ANN001
        for video in queryset:
            video_delete(video=video)

    def save_model(self, request, obj, form, change) -> None:  # noqa: ANN001
        # The change form runs in one transaction: the announcements go out on its commit.
        super().save_model(request, obj, form, change)
        video_edit_propagate(video=obj, changed=form.changed_data)

    @admin.action(description="Reprocess (run the whole pipeline again)", permissions=["change"])
    def reprocess(self, request, queryset) -> None:  # noqa: ANN001
        count, busy = 0, []
        for video in queryset:
            # Never a second chain beside a run going on, nor beside one asked for meanwhile.
            if pipeline_in_progress(video) or not pipeline_enqueue(video=video, claim=True):
                busy.append(str(video.pk))
                continue
            count += 1
        self.message_user(request, f"queued {count} video(s) for reprocessing", messages.SUCCESS)
        if busy:
            self.message_user(
                request,
                f"skipped {len(busy)} video(s) being processed: {', '.join(busy)}",
                messages.WARNING,
            )


class ReadMostlyAdmin(BigTableAdmin):
    """Rows people create through the product: the admin looks and may delete, never adds."""

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Comment)
class CommentAdmin(DeletesDependentsMixin, ReadMostlyAdmin):
    list_display = ("id", "author", "video", "body_short", "like_count", "hidden_at", "created_at")
    list_filter = (("hidden_at", admin.EmptyFieldListFilter),)
    search_fields = ("author__username__exact",)
    list_select_related = ("author", "video")

    @admin.display(description="body")
    def body_short(self, comment: Comment) -> str:
        return comment.body[:80]

    def delete_model(self, request, obj: Comment) -> None:  # noqa: ANN001
        # Through the service, so the video's comment count stays right.
        comment_remove(comment=obj)

    def delete_queryset(self, request, queryset) -> None:  # noqa: ANN001
        for comment in queryset:
            comment_remove(comment=comment)


@admin.register(Like)
class LikeAdmin(ReadMostlyAdmin):
    list_display = ("id", "user", "video", "created_at")
    search_fields = ("user__username__exact",)
    list_select_related = ("user", "video")
    # Not deleted here, but with their account (the user admin may delete it: its deletion
    # takes them off the counts first, `videos.receivers.on_account_deleting`) or their video.
    deleted_with_parent = True

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False  # the video's like count is kept by the service


@admin.register(CommentLike)
class CommentLikeAdmin(ReadMostlyAdmin):
    list_display = ("id", "user", "comment", "created_at")
    search_fields = ("user__username__exact",)
    list_select_related = ("user", "comment")
    deleted_with_parent = True  # as LikeAdmin's (or with their comment)

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False  # the comment's like count is kept by its service
