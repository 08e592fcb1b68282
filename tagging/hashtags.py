"""Creator hashtags in captions (#cats, #CuteCat) and the key they are matched on."""

from __future__ import annotations

import re

from videos.hashtags import hashtag_scan_text

HASHTAG_RE = re.compile(r"(?<![\w#])#(\w[\w-]{0,63})")


def caption_hashtags(caption: str) -> list[str]:
    """Hashtags of a caption without '#', in order, first occurrence only."""
    seen: dict[str, None] = {}
    # Read as the stored hashtags are (videos.hashtags): full-width letters, no URL fragments.
    for match in HASHTAG_RE.finditer(hashtag_scan_text(caption)):
        seen.setdefault(match.group(1), None)
    return list(seen)


def hashtag_key(text: str) -> str:
    """What a hashtag, slug or phrase is compared on: lower-case letters and digits only, so
    #CuteCat matches the phrase "cute cat" and #street_food the slug street-food."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())
