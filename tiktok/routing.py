"""Websocket routes of every app."""

from videos.routing import websocket_urlpatterns as video_websockets

websocket_urlpatterns = [*video_websockets]
