from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class FeedConfig(AppConfig):
    name = "feed"
    verbose_name = "Feed"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from feed.admin_pages import aggregates_dead_letter_page
        from feed.receivers import (
            check_feed_aggregates,
            on_embedding_version_served,
            on_engagement_recorded,
            on_user_logged_in,
            on_video_published,
        )
        from tiktok.admin_site import AdminPage, admin_page_register
        from tiktok.api.health import health_check_register
        from videos.events import embedding_version_served, engagement_recorded, video_published

        checks.register(candidates_within_ef_search)
        video_published.connect(on_video_published, dispatch_uid="feed.video_published")
        engagement_recorded.connect(on_engagement_recorded, dispatch_uid="feed.engagement")
        user_logged_in.connect(on_user_logged_in, dispatch_uid="feed.signed_in")
        embedding_version_served.connect(
            on_embedding_version_served, dispatch_uid="feed.embedding_version_served"
        )
        health_check_register("feed_aggregates", check_feed_aggregates, position=40)
        admin_page_register(
            AdminPage(
                route="feed/aggregates-dead-letter/",
                name="feed_aggregates_dead_letter",
                title="Aggregate updates set aside (dead letter)",
                view=aggregates_dead_letter_page,
            )
        )


def candidates_within_ef_search(app_configs=None, **kwargs) -> list[checks.CheckMessage]:  # noqa: ANN001, ANN003, ARG001
    """Without iterative scans an HNSW scan returns at most hnsw.ef_search rows: asking for more
    candidates than that silently returns fewer."""
    if settings.HNSW_ITERATIVE_SCAN == "off" and settings.FEED_CANDIDATES > settings.HNSW_EF_SEARCH:
        return [
            checks.Error(
                f"FEED_CANDIDATES ({settings.FEED_CANDIDATES}) is above HNSW_EF_SEARCH "
                f"({settings.HNSW_EF_SEARCH}): the HNSW scan would return at most "
                f"{settings.HNSW_EF_SEARCH} candidates",
                hint="raise HNSW_EF_SEARCH, lower FEED_CANDIDATES, or turn HNSW_ITERATIVE_SCAN on",
                id="feed.E001",
            )
        ]
    return []
