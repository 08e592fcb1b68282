"""Data archive routes (mounted under /api/)."""

from django.urls import path

from takeout.apis import DataExportDownloadApi, DataExportsApi

urlpatterns = [
    path("me/data-exports", DataExportsApi.as_view(), name="data-exports"),
    path(
        "me/data-exports/<int:export_id>/download",
        DataExportDownloadApi.as_view(),
        name="data-export-download",
    ),
]
