from django.apps import AppConfig


class VideosConfig(AppConfig):
    name = "videos"
    verbose_name = "Videos"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, pre_delete

        from profiles.models import User
        from sounds.selectors import sound_audience_register
        from tiktok.api.health import health_check_register
        from videos.cards import CARD_CAPTIONS, CARD_SOUND, card_field_register
        from videos.models import Video
        from videos.receivers import (
            on_account_deleting,
            on_video_deleted,
        )
        from videos.selectors.pipeline import pipeline_backlog
        from videos.visibility import sound_audience

        card_field_register(CARD_CAPTIONS)
        card_field_register(CARD_SOUND)
        # An original sound is shown while a video anyone may see uses it.
        sound_audience_register(sound_audience)
        # Informational: a backlog during an outage is expected (the embedder's check fails).
        health_check_register("pipeline", pipeline_backlog, position=45)

        post_delete.connect(on_video_deleted, sender=Video, dispatch_uid="videos.files_follow_rows")
        pre_delete.connect(
            on_account_deleting, sender=User, dispatch_uid="videos.counters_follow_accounts"
        )
