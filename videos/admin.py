"""Admin: videos with their pipeline steps inline, filters by status, a reprocess action."""

from __future__ import annotations

from django.contrib import admin, messages

from videos.models import PipelineStep, Video, VideoEmbedding
from videos.tasks import pipeline_enqueue


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


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "caption_short", "status", "privacy", "duration_s", "created_at")
    list_filter = ("status", "privacy", "has_audio", "steps__state")
    search_fields = ("caption", "original_filename", "source_url", "owner__username")
    readonly_fields = (
        "content_hash",
        "original",
        "mp4",
        "hls_playlist",
        "thumbnail",
        "poster",
        "duration_s",
        "width",
        "height",
        "fps",
        "has_audio",
        "transcript",
        "transcript_language",
        "failure_reason",
        "created_at",
        "published_at",
    )
    raw_id_fields = ("owner",)
    inlines = [PipelineStepInline, VideoEmbeddingInline]
    actions = ["reprocess"]

    @admin.display(description="caption")
    def caption_short(self, video: Video) -> str:
        return video.caption[:60]

    @admin.action(description="Reprocess (run the whole pipeline again)")
    def reprocess(self, request, queryset) -> None:  # noqa: ANN001
        count = 0
        for video in queryset:
            pipeline_enqueue(video=video)
            count += 1
        self.message_user(request, f"queued {count} video(s) for reprocessing", messages.SUCCESS)
