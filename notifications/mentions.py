"""@mentions in captions and comments: which usernames a text names (pure; no Django)."""

from __future__ import annotations

import re

# Django's usernames are letters, digits and @ . + - _; a mention stops at any other character,
# and not after a word character or another @ (so e-mail addresses are not mentions). A
# trailing "." or "-" is punctuation ("thanks @ana."), not part of the name.
# Usernames are ASCII letters, digits, "_" and "." (registration), Latin letters with accents
# in accounts made by hand (`zoë`): a mention ends at any other character, so
# "@mariaさん ありがとう" or "@maria님" mentions maria.
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9\u00c0-\u024f_.+-]{1,150})")
MAX_MENTIONS_PER_TEXT = 10


def mentioned_usernames(text: str, *, limit: int = MAX_MENTIONS_PER_TEXT) -> list[str]:
    """Distinct usernames mentioned in the text, in order, case-folded, at most `limit` (a text
    naming hundreds of people notifies the first few, not all)."""
    names: list[str] = []
    seen: set[str] = set()
    for match in _MENTION.finditer(text or ""):
        name = match.group(1).rstrip(".-+")
        key = name.casefold()
        if not name or key in seen:
            continue
        seen.add(key)
        names.append(name)
        if len(names) >= limit:
            break
    return names


def mention_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, username) of each mention, for rendering links (start at the "@")."""
    spans = []
    for match in _MENTION.finditer(text or ""):
        name = match.group(1).rstrip(".-+")
        if name:
            spans.append((match.start(), match.start() + 1 + len(name), name))
    return spans
