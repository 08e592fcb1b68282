"""Development media serving under MEDIA_URL (with range requests and visibility checks)."""

from django.urls import path

from videos.media_serving import media_serve, media_url_prefix

urlpatterns = [path(f"{media_url_prefix()}<path:path>", media_serve, name="media")]
