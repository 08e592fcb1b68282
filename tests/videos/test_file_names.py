"""What a video's own file name says: videos.file_names and the sidecar captions of folders."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from videos.file_names import caption_from_file_name
from videos.services.ingest import caption_for_file


@pytest.mark.parametrize(
    ("stem", "caption"),
    [
        ("my_cat-jumping", "my cat jumping"),
        ("кошка_играет", "кошка играет"),
        ("猫の動画", "猫の動画"),
        ("बिल्ली_का_वीडियो", "बिल्ली का वीडियो"),  # vowel signs are marks, kept in the word
        (unicodedata.normalize("NFD", "Café_de_Flore"), "Café de Flore"),  # a Mac's name
        ("VID_20240101_1234", ""),
        ("3fa9c0e1", ""),
        ("xkcd", ""),
        ("猫", "猫"),
        ("don't stop me now", "don't stop me now"),
        ("l’été à Paris", "l’été à Paris"),
        ("f\udceate", "fête"),  # a Latin-1 name from an old disk, as Python reads it
    ],
)
def test_a_file_name_in_words_in_any_script(stem: str, caption: str):
    assert caption_from_file_name(stem) == caption


@pytest.mark.parametrize(
    ("stem", "caption"),
    [
        ("WhatsApp Video 2024-05-01 at 10.15.32", ""),
        ("Screen Recording 2024-05-01 at 10.15.32", ""),
        ("ssstik.io_1714567890123", ""),
        ("InShot_20240501_101532123", ""),
        ("received_1234567890123456", ""),
        ("Snapchat-123456789", ""),
        ("IMG_1234 copy", ""),
        ("Copy of beach trip", "beach trip"),
        ("beach trip - Copy (2)", "beach trip"),
        ("beach trip copy 2", "beach trip"),
        ("beach (1)", "beach"),
        # The same words are the name's own anywhere else.
        ("funny video of my dog", "funny video of my dog"),
        ("Final Fantasy VII speedrun", "Final Fantasy VII speedrun"),
        ("Screen time tips", "Screen time tips"),
        ("recording studio tour", "recording studio tour"),
        (
            "Never Gonna Give You Up (Official Music Video)",
            "Never Gonna Give You Up Official Music Video",
        ),
    ],
)
def test_camera_and_app_names_say_nothing_but_the_same_words_elsewhere_do(stem: str, caption: str):
    assert caption_from_file_name(stem) == caption


def test_sidecars_saved_with_a_byte_order_mark_are_read(tmp_path: Path):
    # Windows Notepad's "UTF-8" starts the file with a byte order mark.
    (tmp_path / "a.json").write_bytes(b"\xef\xbb\xbf" + json.dumps({"caption": "Beach"}).encode())
    (tmp_path / "b.txt").write_bytes("\ufeffSunset walk".encode())

    assert caption_for_file(tmp_path / "a.mp4") == "Beach"
    assert caption_for_file(tmp_path / "b.mp4") == "Sunset walk"


def test_sidecars_from_windows_tools_are_read(tmp_path: Path):
    # Notepad's "Unicode" and PowerShell 5's `>` write UTF-16 (its NULs failed the database
    # write and lost the video); "ANSI" is windows-1252; cameras write CLIP0001.TXT.
    (tmp_path / "a.txt").write_bytes("Beach día".encode("utf-16"))
    (tmp_path / "b.txt").write_bytes("It’s “great” – café".encode("cp1252"))
    (tmp_path / "CLIP0001.TXT").write_text("Snow", encoding="utf-8")

    assert caption_for_file(tmp_path / "a.mp4") == "Beach día"
    assert caption_for_file(tmp_path / "b.mp4") == "It’s “great” – café"
    assert caption_for_file(tmp_path / "CLIP0001.MP4") == "Snow"


def test_a_sidecar_json_too_deep_to_parse_falls_back_to_the_file_name(tmp_path: Path):
    # json.loads raises RecursionError here, which stopped the whole folder run.
    (tmp_path / "deep_dive.json").write_text("[" * 100_000 + "]" * 100_000)

    assert caption_for_file(tmp_path / "deep_dive.mp4") == "deep dive"
