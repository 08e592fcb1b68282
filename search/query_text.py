"""What a typed query becomes before it reaches SQL (pure: no Django)."""

from __future__ import annotations

import re
import unicodedata

# A query worth logging for suggestions looks like words people share, not like an address,
# a link or a number someone typed about themselves.
# An e-mail address, a link, a long number, or a phone number written with separators
# ("555-123-4567", "+44 20 7946 0958": seven digits or more apart from spaces, dots, dashes
# and brackets; "top 10 of 2024" has five).
_PRIVATE_LOOKING = re.compile(r"@.*\.|https?:|www\.|\d{5,}|\S+\.\S+/|\d(?:[ ().-]{0,2}\d){6,}")


def query_normalise(raw: str) -> str:
    """NFKC, no control characters, runs of whitespace made one space, trimmed."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    return " ".join(text.split())


def query_searchable(query: str) -> bool:
    """Whether the query holds anything to match: a letter, a digit or a symbol such as an
    emoji (punctuation alone matches nothing and is answered with empty results)."""
    return any(
        unicodedata.category(ch)[0] in "LN" or unicodedata.category(ch) == "So" for ch in query
    )


def query_words(query: str) -> str:
    """The query's words without punctuation (for prefix and trigram matching), lower case.
    Combining marks stay: Devanagari and Thai vowel signs are marks (हिन्दी without them is
    हनद, which no name holds)."""
    kept = "".join(
        ch if unicodedata.category(ch)[0] in "LMN" or ch in "_ " else " " for ch in query
    )
    return " ".join(kept.casefold().split())


def like_prefix(text: str) -> str:
    """A LIKE pattern matching strings that start with `text` (its wildcards escaped)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def query_loggable(query: str, max_chars: int) -> bool:
    """Whether a normalised query may be kept for suggestions: short, with words, and not
    looking like an e-mail address, a link or a long number."""
    return (
        2 <= len(query) <= max_chars
        and bool(query_words(query))
        and not _PRIVATE_LOOKING.search(query)
    )


def query_split_negations(query: str) -> tuple[str, list[str]]:
    """The query without its `-word` exclusions (websearch syntax), and the excluded words,
    so the fuzzy paths (trigram, semantic) honour exclusions as full-text search does."""
    kept: list[str] = []
    excluded: list[str] = []
    for token in query.split():
        word = query_words(token[1:]) if token.startswith("-") and len(token) > 1 else ""
        if word:
            excluded.append(word)
        else:
            kept.append(token)
    return " ".join(kept), excluded


# Chinese and Japanese write no spaces, and Korean glues particles to its words: PostgreSQL's
# parser keeps such a run as one word, so "動画" found nothing in "猫の動画です". Documents
# also hold each run's overlapping pairs of characters (and its characters, for one-character
# queries: search.documents), and a query's runs become their pairs (`cjk_query`).
CJK_RUN = "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+"
_CJK_RUN_RE = re.compile(CJK_RUN)


def cjk_pairs(run: str) -> list[str]:
    """A run's overlapping pairs of characters ("猫の動画" -> 猫の の動 動画); a run of one
    character is itself."""
    return [run[i : i + 2] for i in range(max(len(run) - 1, 1))]


def cjk_query(query: str) -> str | None:
    """The query (websearch syntax) with each Chinese, Japanese or Korean run written as the
    phrase of its pairs, as documents hold them; None when it has no such run. Inside a quoted
    phrase the pairs join that phrase; a `-` before a run excludes the whole run."""
    if not _CJK_RUN_RE.search(query):
        return None
    parts = query.split('"')
    for index, part in enumerate(parts):
        # Inside quotes (odd parts) the pairs join that phrase; outside, each run is one.
        template = "{}" if index % 2 else '"{}"'
        parts[index] = _CJK_RUN_RE.sub(
            lambda m, template=template: template.format(" ".join(cjk_pairs(m.group()))), part
        )
    return '"'.join(parts)
