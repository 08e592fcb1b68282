"""File names in words: what a video's own name says about it (no Django)."""

from __future__ import annotations

import re
import unicodedata

# Camera and app file-name prefixes that say nothing about the video ("VID_20240101_1234").
CAMERA_NAME_WORDS = frozenset(
    {
        "img",
        "vid",
        "video",
        "mov",
        "dsc",
        "dscn",
        "dcim",
        "pxl",
        "mvimg",
        "gopr",
        "gh",
        "clip",
        "screenrecording",
        "screen",
        "recording",
        "trim",
        "final",
        "copy",
        "export",
        "untitled",
    }
)


def caption_from_file_name(stem: str) -> str:
    """A file name in words when it has some ("my_cat-jumping" -> "my cat jumping"), else "":
    digits, hashes and camera prefixes ("VID_20240101_1234", "3fa9c0e1") carry no meaning, and
    the frames and speech describe such a video better than its name would."""
    # NFC: a Mac writes names decomposed (e + a combining accent). Letters keep their marks
    # (Devanagari and Thai vowel signs are marks, not letters).
    text = unicodedata.normalize("NFC", stem)
    spaced = "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in text)
    words = [
        token
        for token in spaced.split()
        if len(token) >= 2 and _is_word(token) and token.casefold() not in CAMERA_NAME_WORDS
    ]
    # A Latin word needs a vowel ("xkcd", "jpg" and hashes' letter runs say nothing); a word in
    # another script (кошка, 猫の動画, बिल्ली) is a word.
    if not any(
        (len(word) >= 3 and re.search(r"[aeiouy]", word, re.IGNORECASE))
        or (not word.isascii() and any(ch.isalpha() and not ch.isascii() for ch in word))
        for word in words
    ):
        return ""
    return " ".join(words)


def _is_word(token: str) -> bool:
    """Letters (with their combining marks), no digits."""
    return any(ch.isalpha() for ch in token) and all(
        ch.isalpha() or unicodedata.category(ch).startswith("M") for ch in token
    )
