"""The one error type the service raises for a request it cannot serve, rendered as JSON."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A request failed with an HTTP status, a machine-readable `error` and a human `detail`."""

    def __init__(self, status_code: int, error: str, detail: Any = None) -> None:
        super().__init__(f"{status_code} {error}: {detail}")
        self.status_code = status_code
        self.error = error
        self.detail = detail

    def body(self) -> dict[str, Any]:
        """The JSON body every error response carries."""
        return {"error": self.error, "detail": self.detail}
