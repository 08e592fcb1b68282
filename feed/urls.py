"""Feed routes under /api/ (GET feed/following belongs to the social API)."""

from django.urls import path

from feed.apis import FeedApi, InteractionsApi, SearchApi, SimilarVideosApi

urlpatterns = [
    path("feed", FeedApi.as_view(), name="feed"),
    path("interactions", InteractionsApi.as_view(), name="interactions"),
    path("videos/<int:pk>/similar", SimilarVideosApi.as_view(), name="video-similar"),
    path("search", SearchApi.as_view(), name="search"),
]
