"""File names in words: what a video's own name says about it (no Django)."""

from __future__ import annotations

import os
import re
import unicodedata

# Words that cameras, phones and apps put before a counter or a timestamp
# ("VID_20240101_1234", "Screen Recording 2024-05-01 at 10.15.32", "WhatsApp Video 2024-05-01",
# "ssstik.io_1714567890123", "received_1234567890"). They are dropped only there: in
# "funny video of my dog" or "Final Fantasy VII" they are the name's own words.
CAMERA_NAME_WORDS = frozenset(
    {
        "img",
        "vid",
        "video",
        "mov",
        "movie",
        "dsc",
        "dscn",
        "dscf",
        "dcim",
        "pxl",
        "mvimg",
        "gopr",
        "gp",
        "gx",
        "gh",
        "dji",
        "clip",
        "cam",
        "rec",
        "screenrecording",
        "screen",
        "recording",
        "record",
        "trim",
        "final",
        "copy",
        "of",
        "on",
        "at",
        "export",
        "untitled",
        "whatsapp",
        "telegram",
        "signal",
        "snapchat",
        "instagram",
        "tiktok",
        "snaptik",
        "ssstik",
        "io",
        "inshot",
        "capcut",
        "received",
        "vn",
    }
)
# What file managers add to a copy: "Copy of beach" (Google Drive), "beach - Copy (2)"
# (Windows), "beach copy 2" (macOS), "beach_final", "beach (1)" (browsers).
_COPY_PREFIX = re.compile(r"^\s*copy\s+of\s+", re.IGNORECASE)
_COPY_SUFFIX = re.compile(
    r"(?:[\s_.-]*(?:copy|final|edited|trimmed|trim)(?:[\s_]*\(?\d+\)?)?|[\s_]*\(\d+\))+\s*$",
    re.IGNORECASE,
)
_APOSTROPHES = "'\u2019"


def readable_file_name(name: str) -> str:
    """A file name from the file system as text: a name that is not UTF-8 (a Latin-1 name from
    an old disk or archive, which Python holds as surrogate escapes) is read as windows-1252,
    so it can be printed, stored and searched ("f\\udceate.mp4" -> "fête.mp4")."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("cp1252", errors="replace")
    return name


def caption_from_file_name(stem: str) -> str:
    """A file name in words when it has some ("my_cat-jumping" -> "my cat jumping"), else "":
    digits, hashes and camera or app prefixes ("VID_20240101_1234", "3fa9c0e1") carry no
    meaning, and the frames and speech describe such a video better than its name would."""
    # NFC: a Mac writes names decomposed (e + a combining accent). Letters keep their marks
    # (Devanagari and Thai vowel signs are marks, not letters).
    text = unicodedata.normalize("NFC", readable_file_name(stem))
    text = _COPY_SUFFIX.sub("", _COPY_PREFIX.sub("", text))
    tokens = _tokens(text)
    # The words before the first number are a camera's or an app's when all of them are.
    first_number = next((i for i, (_, number) in enumerate(tokens) if number), None)
    if first_number and all(t.casefold() in CAMERA_NAME_WORDS for t, _ in tokens[:first_number]):
        tokens = tokens[first_number:]
    words = [token for token, number in tokens if not number]
    # Some word must say something: a Latin one needs a vowel ("xkcd", "jpg" and hashes' letter
    # runs say nothing), a word in another script (кошка, 猫, बिल्ली) is one, a camera's is not.
    if not any(
        word.casefold() not in CAMERA_NAME_WORDS
        and (
            (len(word) >= 3 and re.search(r"[aeiouy]", word, re.IGNORECASE))
            or any(ch.isalpha() and not ch.isascii() for ch in word)
        )
        for word in words
    ):
        return ""
    return " ".join(words)


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Runs of letters (with their marks, and an apostrophe between two letters: "don't",
    "l'été") and runs holding a digit, each with whether it holds a digit."""
    tokens: list[tuple[str, bool]] = []
    current: list[str] = []

    def close() -> None:
        if current:
            token = "".join(current).strip(_APOSTROPHES)
            if token:
                tokens.append((token, any(ch.isdigit() for ch in token)))
            current.clear()

    for index, ch in enumerate(text):
        category = unicodedata.category(ch)[0]
        inner_apostrophe = (
            ch in _APOSTROPHES
            and 0 < index < len(text) - 1
            and text[index - 1].isalpha()
            and text[index + 1].isalpha()
        )
        if category in "LMN" or inner_apostrophe:
            current.append(ch)
        else:
            close()
    close()
    return tokens
