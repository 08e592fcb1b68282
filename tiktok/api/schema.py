"""The OpenAPI schema (/api/schema, /api/docs) as the endpoints answer: each operation described
by its own view's or method's docstring, DELETEs answering 200 with a body unless they say
otherwise, and the query parameters the list endpoints read."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter


class ApiSchema(AutoSchema):
    def get_description(self) -> str:  # type: ignore[override]
        """The method's docstring, else the view's own: not one inherited from a base class
        (35 operations were described as "Base view: 401 (not 403) for anonymous writes")."""
        method = getattr(self.view, getattr(self.view, "action", self.method.lower()), None)
        own = [getattr(method, "__doc__", None), self.view.__class__.__dict__.get("__doc__")]
        return next((" ".join(doc.split()) for doc in own if doc and doc.strip()), "")

    def _get_response_bodies(self, direction: str = "response") -> Any:
        """A DELETE answers 200 with the resulting state (`{"following": false, ...}`) unless
        its view declares codes (drf-spectacular assumes 204, no body)."""
        declared = self.get_response_serializers()
        if self.method == "DELETE" and declared is not None and not isinstance(declared, dict):
            return {"200": self._get_response_for_code(declared, "200", direction=direction)}
        return super()._get_response_bodies(direction)


def query(name: str, kind: OpenApiTypes, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description)


CURSOR = query(
    "cursor", OpenApiTypes.STR, "the `next_cursor` (or `next` link's) of the page before"
)
LIMIT = query("limit", OpenApiTypes.INT, "items per page, 1..100")
PAGE = [CURSOR, LIMIT]
PERIOD = [
    query("from", OpenApiTypes.DATE, "first day (UTC), YYYY-MM-DD; default: 28 days up to `to`"),
    query("to", OpenApiTypes.DATE, "last day (UTC), YYYY-MM-DD; default: today"),
]
