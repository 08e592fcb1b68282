"""Reporting through the API, as clients do, for the moderation tests."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient


def report(client: APIClient, kind: str, item: Any, reason: str = "spam", **extra: Any):  # noqa: ANN201
    """POST /api/reports about a video, comment (by id) or user (by username)."""
    body: dict[str, Any] = {"kind": kind, "reason": reason, **extra}
    if kind == "user":
        body["username"] = item.username
    else:
        body["id"] = item.pk
    return client.post("/api/reports", body, format="json")
