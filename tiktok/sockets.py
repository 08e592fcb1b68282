"""One-way websockets with a cap on each user's open sockets per process.

Each open socket of a user costs the process work on every push (a session read, a database
query at connect), so a user opening thousands stalled every other socket of the process. The
place a socket holds is given back however its consumer ends: Channels calls disconnect() only
for a close it hears, not when a handler raised (a database or Redis outage) or the server
killed a stuck consumer, and a leaked place stayed taken for good."""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from channels.generic.websocket import AsyncJsonWebsocketConsumer

# Too many of this user's sockets of this kind on this process already: the client stops.
CLOSE_TOO_MANY = 4429


class OneWayCappedConsumer(AsyncJsonWebsocketConsumer):
    """A server-to-client socket: what a client sends is dropped unread (not parsed: a
    megabyte of JSON held the event loop, and text that was not JSON raised on every frame),
    and a user holds at most a given number of them in this process (`place_take`)."""

    open_places: ClassVar[Counter[int]]  # each subclass gives its own
    place_user_id: int | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.open_places = Counter()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.place_release()

    def place_take(self, user_id: int, limit: int) -> bool:
        """Hold one of the user's `limit` places; False (nothing held) when all are taken."""
        if self.open_places[user_id] >= limit:
            return False
        self.open_places[user_id] += 1
        self.place_user_id = user_id
        return True

    def place_release(self) -> None:
        user_id, self.place_user_id = self.place_user_id, None
        if user_id is not None:
            self.open_places[user_id] -= 1
            if self.open_places[user_id] <= 0:
                del self.open_places[user_id]

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        return None
