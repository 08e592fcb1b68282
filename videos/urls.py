"""Videos API routes (mounted under /api/): videos, engagement, creators."""

from django.urls import path

from videos.apis.creators import (
    MeProfileApi,
    MeSavedApi,
    UserLikedApi,
    UserProfileApi,
    UserVideosApi,
)
from videos.apis.engagement import (
    CommentApi,
    CommentLikeApi,
    LikeApi,
    SaveApi,
    ShareApi,
    VideoCommentsApi,
)
from videos.apis.hashtags import HashtagApi, HashtagVideosApi
from videos.apis.sounds import SoundUploadApi, SoundVideosApi
from videos.apis.videos import (
    VideoCaptionsApi,
    VideoCaptionsVttApi,
    VideoDetailApi,
    VideoUploadApi,
)

urlpatterns = [
    path("videos", VideoUploadApi.as_view(), name="video-upload"),
    path("videos/<int:pk>", VideoDetailApi.as_view(), name="video-detail"),
    path("videos/<int:pk>/captions", VideoCaptionsApi.as_view(), name="video-captions"),
    path("videos/<int:pk>/captions.vtt", VideoCaptionsVttApi.as_view(), name="video-captions-vtt"),
    path("videos/<int:video_id>/like", LikeApi.as_view(), name="video-like"),
    path("videos/<int:video_id>/save", SaveApi.as_view(), name="video-save"),
    path("videos/<int:video_id>/share", ShareApi.as_view(), name="video-share"),
    path("videos/<int:video_id>/comments", VideoCommentsApi.as_view(), name="video-comments"),
    path("comments/<int:comment_id>", CommentApi.as_view(), name="comment"),
    path("comments/<int:comment_id>/like", CommentLikeApi.as_view(), name="comment-like"),
    # "me" routes come first: they shadow a user literally named "me".
    path("users/me", MeProfileApi.as_view(), name="me-profile"),
    path("me/saved", MeSavedApi.as_view(), name="me-saved"),
    path("users/<str:username>", UserProfileApi.as_view(), name="user-profile"),
    path("users/<str:username>/videos", UserVideosApi.as_view(), name="user-videos"),
    path("users/<str:username>/liked", UserLikedApi.as_view(), name="user-liked"),
    path("sounds", SoundUploadApi.as_view(), name="sound-upload"),
    path("sounds/<int:sound_id>/videos", SoundVideosApi.as_view(), name="sound-videos"),
    path("hashtags/<str:name>", HashtagApi.as_view(), name="hashtag"),
    path("hashtags/<str:name>/videos", HashtagVideosApi.as_view(), name="hashtag-videos"),
]
