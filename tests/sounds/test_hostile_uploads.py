"""Sound uploads a hostile client may send: a concat list naming a file of the server, a picture
that would take gigabytes to decode. Both are refused before anything is decoded, as for videos
(tests/videos/test_media_hostile.py); ordinary audio and video files still open."""

from __future__ import annotations

import struct
import tempfile
import zlib
from pathlib import Path

import pytest

from sounds.audio import PREVIEW_SAMPLE_RATE_HZ, NotAudio, audio_decode, audio_probe
from sounds.models import Sound
from tests.sounds.media import melody, write_audio
from tests.support.errors import assert_error_shape

pytestmark = pytest.mark.django_db


def _png_of_zeros(path: Path, side: int) -> Path:
    """A 16-bit RGBA PNG of side x side zeros: a couple of MB on disk, 8 bytes a pixel decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" * (1 + side * 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 16, 6, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
    return path


def test_a_concat_list_naming_a_file_of_the_server_is_refused(auth_client, tmp_path):  # noqa: ANN001
    # a file in the system temporary folder, where uploads are spooled before they are read
    secret = Path(tempfile.mkdtemp()) / "neighbour.ts"
    write_audio(secret, melody(7), container="mpegts")
    listing = secret.parent / "upload.mp3"
    listing.write_text(f"ffconcat version 1.0\nfile {secret.name}\n")
    with pytest.raises(NotAudio) as caught:
        audio_probe(listing)
    assert caught.value.code == "not_audio"
    with listing.open("rb") as handle:
        answer = auth_client.post(
            "/api/sounds", {"file": handle, "title": "innocent"}, format="multipart"
        )
    assert 400 <= answer.status_code < 500
    assert not Sound.objects.filter(title="innocent").exists()


def test_a_picture_is_not_decoded_to_look_for_audio(auth_client, tmp_path):  # noqa: ANN001
    # 16,000 x 16,000 at 8 bytes a pixel: 2 GB decoded, from about 2 MB of upload
    picture = _png_of_zeros(tmp_path / "cover.mp3", 16_000)
    assert picture.stat().st_size < 3_000_000
    with pytest.raises(NotAudio) as caught:
        audio_probe(picture)
    assert caught.value.code == "not_audio"  # never opened, so never decoded
    with picture.open("rb") as handle:
        answer = auth_client.post(
            "/api/sounds", {"file": handle, "title": "big"}, format="multipart"
        )
    assert_error_shape(answer, 415, "not_audio")


def test_ordinary_audio_and_video_containers_still_open(tmp_path):  # noqa: ANN001
    samples = melody(3)
    for name, container, codec in [
        ("a.m4a", "ipod", "aac"),
        ("a.mp3", "mp3", "libmp3lame"),
        ("a.wav", "wav", "pcm_s16le"),
        ("a.flac", "flac", "flac"),
        ("a.mkv", "matroska", "aac"),
        ("a.ts", "mpegts", "aac"),
    ]:
        path = write_audio(tmp_path / name, samples, container=container, codec=codec)
        assert audio_probe(path).channels == 1, name
        assert audio_decode(path, max_seconds=1).shape == (1, PREVIEW_SAMPLE_RATE_HZ), name


def test_an_audio_track_ffmpeg_cannot_decode_is_no_audio_not_a_crash(tmp_path):  # noqa: ANN001
    # Its codec context is None: reading its sample rate raised AttributeError (a 500).
    from tests.support.media import make_clip_with_undecodable_audio

    odd = make_clip_with_undecodable_audio(tmp_path / "odd.mkv")
    for read in (audio_probe, audio_decode):
        with pytest.raises(NotAudio) as refused:
            read(odd)
        assert refused.value.code == "no_audio_track"
