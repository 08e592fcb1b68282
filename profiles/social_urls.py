"""Social and engagement API routes (included under /api/ by profiles.urls)."""

from django.urls import path

from profiles.social_apis import (
    BlockApi,
    FollowApi,
    FollowingFeedApi,
    MeAnalyticsApi,
    MeProfileApi,
    MeSavedApi,
    UserLikedApi,
    UserProfileApi,
    UserVideosApi,
)
from videos.engagement_apis import CommentApi, LikeApi, SaveApi, ShareApi, VideoCommentsApi

urlpatterns = [
    path("videos/<int:video_id>/like", LikeApi.as_view(), name="video-like"),
    path("videos/<int:video_id>/save", SaveApi.as_view(), name="video-save"),
    path("videos/<int:video_id>/share", ShareApi.as_view(), name="video-share"),
    path("videos/<int:video_id>/comments", VideoCommentsApi.as_view(), name="video-comments"),
    path("comments/<int:comment_id>", CommentApi.as_view(), name="comment"),
    # "me" routes come first: they shadow a user literally named "me".
    path("users/me", MeProfileApi.as_view(), name="me-profile"),
    path("me/saved", MeSavedApi.as_view(), name="me-saved"),
    path("me/analytics", MeAnalyticsApi.as_view(), name="me-analytics"),
    path("users/<str:username>", UserProfileApi.as_view(), name="user-profile"),
    path("users/<str:username>/follow", FollowApi.as_view(), name="user-follow"),
    path("users/<str:username>/block", BlockApi.as_view(), name="user-block"),
    path("users/<str:username>/videos", UserVideosApi.as_view(), name="user-videos"),
    path("users/<str:username>/liked", UserLikedApi.as_view(), name="user-liked"),
    path("feed/following", FollowingFeedApi.as_view(), name="feed-following"),
]
