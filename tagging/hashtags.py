"""Creator hashtags in captions (#cats, #CuteCat) and the key they are matched on.

They are read as the stored hashtags are (`videos.hashtags`: NFKC, links blanked out, marks of
Indic scripts inside the word, `#funny#cats` two tags), with one difference: a `-` between two
words joins them, so `#street-food` names the tag `street-food` (a stored hashtag ends at the
`-`)."""

from __future__ import annotations

import unicodedata

from videos.hashtags import hashtag_fold, hashtags_parse

# More than a caption stores (HASHTAGS_PER_CAPTION_MAX): a tag named late in a long caption
# still counts, the work stays bounded.
CREATOR_HASHTAGS_MAX = 100


def caption_hashtags(caption: str) -> list[str]:
    """Hashtags of a caption without '#', case-folded, in order, first occurrence only."""
    return hashtags_parse(caption, limit=CREATOR_HASHTAGS_MAX, inner="-")


def hashtag_key(text: str) -> str:
    """What a hashtag, slug or phrase is compared on: its letters, digits and marks, folded as
    hashtags are (`hashtag_fold`), so #CuteCat matches the phrase "cute cat", #street_food the
    slug street-food, and a vowel sign of #हिन्दी is not dropped."""
    return "".join(
        ch for ch in hashtag_fold(text) if ch.isalnum() or unicodedata.category(ch).startswith("M")
    )
