"""File names in words: what a video's own name says about it (no Django)."""

from __future__ import annotations

import re

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
    words = [
        token
        for token in re.split(r"[\W_]+", stem)
        if len(token) >= 2 and token.isalpha() and token.casefold() not in CAMERA_NAME_WORDS
    ]
    if not any(len(word) >= 3 and re.search(r"[aeiouy]", word, re.IGNORECASE) for word in words):
        return ""
    return " ".join(words)
