"""Websocket routes of the videos app."""

from django.urls import re_path

from videos.consumers import VideoStatusConsumer

websocket_urlpatterns = [
    re_path(r"^ws/videos/(?P<video_id>\d+)/status/?$", VideoStatusConsumer.as_asgi()),
]
