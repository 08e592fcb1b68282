"""A store that accepts connections and never answers (a hung MinIO): the health report asks it
once, for STORAGE_CHECK_TIMEOUT_SECONDS, and names it as failing. With the media client's
retries it asked four times, 60 s each, and the report took four minutes."""

from __future__ import annotations

import copy
import socket
import threading
from collections.abc import Iterator

import pytest

from tiktok import storage


@pytest.fixture
def silent_store() -> Iterator[tuple[str, list[socket.socket]]]:
    """An endpoint that accepts connections and never answers; yields it and the connections."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", held
    server.close()
    for connection in held:
        connection.close()


def test_health_asks_a_silent_store_once_and_names_it(
    client,  # noqa: ANN001
    settings,  # noqa: ANN001
    media_store,  # noqa: ANN001
    silent_store,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    url, connections = silent_store
    monkeypatch.setattr(storage, "STORAGE_CHECK_TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr(storage.check_storage, "__defaults__", (1.0,))
    settings.HEALTH_TOKEN = "token"
    hung = copy.deepcopy(settings.STORAGES)
    hung["default"]["OPTIONS"]["endpoint_url"] = url
    settings.STORAGES = hung
    response = client.get("/api/health", HTTP_AUTHORIZATION="Bearer token")
    report = response.json()
    assert response.status_code == 503
    assert report["storage"]["ok"] is False
    assert "timeout" in report["storage"]["error"].lower()
    assert len(connections) == 1  # one attempt, no retries
