from django.apps import AppConfig


class VideosConfig(AppConfig):
    name = "videos"
    verbose_name = "Videos"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from videos.cards import CARD_CAPTIONS, card_field_register
        from videos.models import Video
        from videos.receivers import on_video_deleted

        card_field_register(CARD_CAPTIONS)

        post_delete.connect(on_video_deleted, sender=Video, dispatch_uid="videos.files_follow_rows")
