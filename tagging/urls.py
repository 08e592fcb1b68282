"""Tag API routes (included under /api/)."""

from django.urls import path

from tagging.apis import TagDetailApi, TagListApi, TagVideosApi

urlpatterns = [
    path("tags", TagListApi.as_view(), name="tag-list"),
    path("tags/<slug:slug>", TagDetailApi.as_view(), name="tag-detail"),
    path("tags/<slug:slug>/videos", TagVideosApi.as_view(), name="tag-videos"),
]
