"""Plain text a person typed (a caption, a comment, a report's detail): stripped, within its
limit, no NUL characters, stored as typed (escaping is the renderer's job)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def plain_text_clean(
    value: str | None, *, field: str, what: str, max_chars: int, required: bool = False
) -> str:
    """The text as stored, or a ValidationError on `field` naming what is wrong with it."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: [f"{what} is empty"]})
    if len(text) > max_chars:
        raise ValidationError(
            {field: [f"{what} is longer than {max_chars} characters ({len(text)})"]}
        )
    if "\x00" in text:
        raise ValidationError({field: [f"{what} contains a NUL character"]})
    return text
