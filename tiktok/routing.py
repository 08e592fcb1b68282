"""Websocket routes of every app."""

from notifications.routing import websocket_urlpatterns as notification_websockets
from videos.routing import websocket_urlpatterns as video_websockets

websocket_urlpatterns = [*video_websockets, *notification_websockets]
