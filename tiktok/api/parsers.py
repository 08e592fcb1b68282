"""The API's JSON parser: DRF's, plus the two bodies that made it fail with a 500.

- Nesting deeper than Python's recursion limit (a 10 KB body of `[[[[...]]]]`): DRF catches only
  ValueError, so the RecursionError escaped.
- An unpaired surrogate escape (`"\\ud800"`): valid JSON, but the string cannot be stored,
  sent to Redis or even echoed back in a validation error (UTF-8 cannot encode it).
"""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _unencodable_string(data: Any) -> bool:
    """Whether any string (value or key) in parsed JSON cannot be encoded as UTF-8; walks
    without recursion, since the data may be as deep as the parser allowed."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply") from None
        if _unencodable_string(data):
            raise ParseError(
                "JSON parse error - a string holds an unpaired surrogate escape (\\ud800-\\udfff)"
            )
        return data
