"""Feed API routes (mounted under /api/)."""

from django.urls import path

from feed.apis import (
    FeedApi,
    FollowingFeedApi,
    InteractionsApi,
    SimilarVideosApi,
)

urlpatterns = [
    path("feed", FeedApi.as_view(), name="feed"),
    path("feed/following", FollowingFeedApi.as_view(), name="feed-following"),
    path("interactions", InteractionsApi.as_view(), name="interactions"),
    path("videos/<int:pk>/similar", SimilarVideosApi.as_view(), name="video-similar"),
]
