from django.apps import AppConfig


class DiscoverConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "discover"

    def ready(self) -> None:
        from discover.challenges import challenge_exploration_video_ids
        from discover.receivers import (
            on_caption_edited,
            on_engagement_recorded,
            on_video_published,
            on_videos_finished,
        )
        from feed.events import videos_finished
        from feed.exploration import exploration_source_register
        from videos.events import caption_edited, engagement_recorded, video_published

        video_published.connect(on_video_published, dispatch_uid="discover.video_published")
        caption_edited.connect(on_caption_edited, dispatch_uid="discover.caption_edited")
        engagement_recorded.connect(on_engagement_recorded, dispatch_uid="discover.engagement")
        videos_finished.connect(on_videos_finished, dispatch_uid="discover.videos_finished")
        # Recent videos of open challenges compete for the feed's existing exploration slots.
        exploration_source_register("discover.challenges", challenge_exploration_video_ids)
