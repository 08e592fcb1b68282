from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"

    def ready(self) -> None:
        from search.receivers import on_video_changed, on_video_tags_changed
        from tagging.events import video_tags_changed
        from videos.events import caption_edited, video_published

        video_published.connect(on_video_changed, dispatch_uid="search.video_published")
        caption_edited.connect(on_video_changed, dispatch_uid="search.caption_edited")
        video_tags_changed.connect(on_video_tags_changed, dispatch_uid="search.video_tags_changed")
