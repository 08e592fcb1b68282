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


CHANGELIST = "/admin/moderation/case/"


def admin_action(client: Any, action: str, *cases: Any, status: str = "open"):  # noqa: ANN201
    """POST a queue action on these cases, as the changelist's action form does (the list shows
    open cases unless `status` says otherwise)."""
    return client.post(
        f"{CHANGELIST}?status={status}",
        {"action": action, "_selected_action": [case.pk for case in cases], "index": 0},
    )
