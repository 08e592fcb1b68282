"""Plain text a person typed (a caption, a comment, a report's detail): stripped, within its
limit, no NUL characters, stored as typed (escaping is the renderer's job)."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

# Characters Unicode counts as letters or symbols that draw nothing: the Hangul fillers (the
# usual "blank" comment or name), the braille blank, the combining grapheme joiner and the
# Mongolian vowel separator. Format characters (zero-width space and joiners, direction marks,
# the BOM) and marks with nothing to sit on draw nothing either.
INVISIBLE_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u180e")


def has_visible_text(text: str) -> bool:
    """Whether the text draws anything: a letter, digit, punctuation or symbol (emoji too)."""
    return any(
        unicodedata.category(ch)[0] in "LNPS" and ch not in INVISIBLE_CHARACTERS for ch in text
    )


UNPAIRED_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# Explicit text-direction embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI,
# RLI, FSI, PDI): one in a name turns the rest of the sentence it is put in around ("NAME liked
# your video" read backwards, as a message of the site). The marks (LRM, RLM, ALM) only hint a
# direction and stay.
BIDI_CONTROL_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")


def bidi_controls_strip(text: str) -> str:
    """The text without explicit direction controls (for a name or an excerpt set inside a
    sentence of ours)."""
    return BIDI_CONTROL_RE.sub("", text)


def found_text_clean(value: str | None) -> str:
    """Text found somewhere rather than typed to us (a web page's post, a folder's caption file),
    as it can be stored: stripped, NUL characters dropped and unpaired surrogates (a JSON
    "\\ud800") made U+FFFD, where typed text with either is refused instead."""
    return UNPAIRED_SURROGATE_RE.sub("\ufffd", (value or "").replace("\x00", "")).strip()


def plain_text_clean(
    value: str | None, *, field: str, what: str, max_chars: int, required: bool = False
) -> str:
    """The text as stored, or a ValidationError on `field` naming what is wrong with it. A
    required text must draw something: one made only of zero-width or blank characters is
    refused as empty."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: [f"{what} is empty"]})
    if len(text) > max_chars:
        raise ValidationError(
            {field: [f"{what} is longer than {max_chars} characters ({len(text)})"]}
        )
    if "\x00" in text:
        raise ValidationError({field: [f"{what} contains a NUL character"]})
    if required and not has_visible_text(text):
        raise ValidationError({field: [f"{what} is empty: it has only invisible characters"]})
    return text
