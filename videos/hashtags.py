"""Parsing #hashtags out of captions (pure: no Django), the one definition every writer and page
uses.

A hashtag is `#` (or the full-width `＃`) followed by Unicode letters, digits, underscores and
combining marks (the vowel signs of Devanagari or Thai are marks, so `#हिन्दी` is one tag), with
at least one letter; a zero-width (non-)joiner between two of them is part of the word (Persian
`#ایران‌گردی`). The text is NFKC-normalised first (a decomposed `e + ◌́` and a composed `é`
are the same tag; full-width letters become ASCII), then each name is case-folded with
`str.casefold` (so `#Straße`, `#STRASSE` and `#strasse` are one tag, `strasse`; the Turkish
`#İstanbul` is `#istanbul`) and normalised to NFC again. Punctuation (including `-` and `.`)
ends a tag; a `#` right after a letter, digit, `&`, `/` or another `#` starts none (`a#b`,
`&#39;`, `/#/route`) unless it follows a #word straight on (`#fyp#foryou` is two tags, as
TikTok reads it), nor does one inside a URL (`https://x.org/page#part`). Names longer than
`HASHTAG_MAX_LENGTH` after folding are not hashtags at all (never truncated into another tag);
all-digit ones (`#1`, `#2024`) are not either.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Longest hashtag name (characters, after case-folding): also the column's max_length.
HASHTAG_MAX_LENGTH = 100
# URLs are blanked out before scanning: a fragment is not a hashtag. The scheme is bounded (real
# ones are short): unbounded, a long run of letters was tried from each of its positions,
# quadratic - about 0.5 s for a 2,200-character caption of characters NFKC spells as four
# letters each (U+3389 is "kcal").
_URL_RE = re.compile(r"(?:[a-z][a-z0-9+.-]{0,31}://|www\.)\S*", re.IGNORECASE)
_NOT_BEFORE = frozenset("&/#")


def _tag_char(ch: str) -> bool:
    return ch == "_" or ch.isalnum() or unicodedata.category(ch).startswith("M")


# Zero-width non-joiner and joiner: inside a word they are spelling (Persian writes
# ایران‌گردی with a ZWNJ), so they belong to a tag when a tag character follows them.
JOINERS = frozenset("\u200c\u200d")


def _tag_end(text: str, start: int, inner: str = "") -> int:
    """Where the tag characters from `start` end (a joiner, or a character of `inner`, counts
    between two of them)."""
    end, n = start, len(text)
    while end < n and (
        _tag_char(text[end])
        or (
            (text[end] in JOINERS or text[end] in inner)
            and end + 1 < n
            and _tag_char(text[end + 1])
        )
    ):
        end += 1
    return end


def hashtag_fold(text: str) -> str:
    """`text` as hashtag names are compared: NFKC, case-folded, NFC (`#Straße` is `strasse`,
    full-width `ＣＡＴ` is `cat`, the Turkish `İstanbul` is `istanbul`)."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    # casefold() spells the Turkish İ as i + a combining dot: #İstanbul is #istanbul.
    return unicodedata.normalize("NFC", folded.replace("i\u0307", "i"))


def hashtag_name_normalize(raw: str, *, inner: str = "") -> str | None:
    """The stored name of a hashtag written `raw` (without its `#`; also what a /hashtag/<name>
    URL carries), or None when it is not a valid hashtag. `inner` as for `hashtag_spans`."""
    text = unicodedata.normalize("NFKC", raw or "")
    if text.startswith("#"):
        text = text[1:]
    if not text or not _tag_char(text[0]) or _tag_end(text, 0, inner) != len(text):
        return None
    if unicodedata.category(text[0]).startswith("M"):
        return None
    name = hashtag_fold(text)
    if len(name) > HASHTAG_MAX_LENGTH or not any(ch.isalpha() for ch in name):
        return None
    return name


def hashtag_scan_text(caption: str) -> str:
    """A caption as hashtags are read from it: NFKC (full-width `＃ＣＡＴＳ` is `#CATS`), links
    blanked out (a URL's `#fragment` is no hashtag)."""
    return _URL_RE.sub(" ", unicodedata.normalize("NFKC", caption or ""))


def hashtag_spans(text: str, *, inner: str = "") -> Iterator[tuple[int, int]]:
    """Where the hashtags of a scanned caption (`hashtag_scan_text`) are written: `(start,
    end)` of each name without its `#`, in order, valid or not. A character of `inner` between
    two tag characters joins them into one name (the creator-tag reader takes `#street-food`
    whole, to match the tag `street-food`; a stored hashtag ends at the `-`)."""
    i, n = 0, len(text)
    run_end = -1  # where the last #word that stood on its own ended
    while i < n:
        if text[i] != "#":
            i += 1
            continue
        before = text[i - 1] if i else " "
        end = _tag_end(text, i + 1, inner)
        # "#fyp#foryou#viral": a # right after such a #word starts the next one.
        glued = i == run_end
        if end > i + 1 and (glued or (not _tag_char(before) and before not in _NOT_BEFORE)):
            run_end = end
            yield i + 1, end
        i = max(end, i + 1)


def hashtags_parse(caption: str, *, limit: int, inner: str = "") -> list[str]:
    """The distinct hashtag names of a caption in order of first appearance, at most `limit`
    (the rest of a caption stuffed with hashtags is ignored). `inner` as for `hashtag_spans`."""
    text = hashtag_scan_text(caption)
    names: list[str] = []
    seen: set[str] = set()
    for start, end in hashtag_spans(text, inner=inner):
        if len(names) >= limit:
            break
        name = hashtag_name_normalize(text[start:end], inner=inner)
        if name is not None and name not in seen:
            seen.add(name)
            names.append(name)
    return names
