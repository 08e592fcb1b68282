from django.apps import AppConfig


class VideosConfig(AppConfig):
    name = "videos"
    verbose_name = "Videos"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from videos.models import Video
        from videos.receivers import on_video_deleted

        post_delete.connect(on_video_deleted, sender=Video, dispatch_uid="videos.files_follow_rows")
