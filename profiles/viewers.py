"""Who is looking: the one test for "this viewer is a signed-in user" (a request's user may be
a User, an AnonymousUser or None)."""

from __future__ import annotations

from typing import Any


def is_signed_in(viewer: Any) -> bool:
    """True for a signed-in user; False for AnonymousUser, None and anything else."""
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False))


def viewer_id(viewer: Any) -> int | None:
    """The signed-in user's id, or None for anonymous viewers."""
    return viewer.pk if is_signed_in(viewer) else None
