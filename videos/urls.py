"""Videos API routes (mounted under /api/)."""

from django.urls import path

from videos.apis import VideoDetailApi, VideoUploadApi

urlpatterns = [
    path("videos", VideoUploadApi.as_view(), name="video-upload"),
    path("videos/<int:pk>", VideoDetailApi.as_view(), name="video-detail"),
]
