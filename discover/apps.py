from django.apps import AppConfig


class DiscoverConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "discover"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from discover import lists
        from discover.receivers import (
            on_account_deleting,
            on_caption_edited,
            on_engagement_recorded,
            on_video_published,
            on_videos_finished,
        )
        from feed.events import videos_finished
        from feed.exploration import exploration_list_register
        from profiles.models import User
        from videos.events import caption_edited, engagement_recorded, video_published

        video_published.connect(on_video_published, dispatch_uid="discover.video_published")
        caption_edited.connect(on_caption_edited, dispatch_uid="discover.caption_edited")
        engagement_recorded.connect(on_engagement_recorded, dispatch_uid="discover.engagement")
        videos_finished.connect(on_videos_finished, dispatch_uid="discover.videos_finished")
        pre_delete.connect(
            on_account_deleting, sender=User, dispatch_uid="discover.votes_follow_accounts"
        )
        # Recent videos of open challenges compete for the feed's existing exploration slots
        # (the page reads the list with its feed state: no round trip of its own).
        exploration_list_register(
            "discover.challenges", key=lists.EXPLORATION_KEY, parse=lists.exploration_parse
        )
