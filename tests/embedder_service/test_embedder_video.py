"""POST /v1/embed/video on the cpu backend with solid-colour frames (the text part), and its
error paths (frames of real photographs: test_embedder_vision.py)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from embedder_service.client import EmbedderClient
from tests.embedder_service.media import jpeg_bytes, textured_jpeg


def png_bytes(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 0).save(buffer, "PNG")
    return buffer.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size: a decompression bomb."""
    data = bytearray(png_bytes((8, 8)))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def frames_field(blobs: list[bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("frames", (f"f{i}.jpg", blob, "image/jpeg")) for i, blob in enumerate(blobs)]


def test_solid_colour_frames_leave_the_text_part_alone_and_visual_missing(
    embedder_client: EmbedderClient, frame_paths: list[Path]
) -> None:
    result = embedder_client.embed_video(
        frame_paths, transcript="my cat knocks a glass off the table", caption="#cats #funny"
    )
    video = np.asarray(result.video_embedding)
    assert result.missing == ["visual"]
    assert result.visual_embedding is None
    assert result.dim == 384 and video.shape == (384,)
    assert np.isclose(np.linalg.norm(video), 1.0, atol=1e-5)
    assert np.allclose(video, result.text_embedding, atol=1e-6)


def test_video_about_cats_is_closer_to_a_cat_query_than_to_finance(
    embedder_client: EmbedderClient, frame_paths: list[Path]
) -> None:
    caption = "Funny kitten compilation"
    video = embedder_client.embed_video(frame_paths, transcript="", caption=caption)
    cat, finance = embedder_client.embed_texts(["cute cats", "stock market analysis"]).embeddings
    e_video = np.asarray(video.video_embedding)
    assert video.missing == ["visual"]
    assert float(e_video @ np.asarray(cat)) > float(e_video @ np.asarray(finance)) + 0.2


def test_video_of_solid_colours_without_speech_or_caption_is_embedded_not_refused(
    embedder_client: EmbedderClient, frame_paths: list[Path]
) -> None:
    result = embedder_client.embed_video(frame_paths, transcript="  ", caption="")
    assert result.missing == ["visual", "text"]
    assert result.blank_frames == len(frame_paths)
    assert np.isclose(np.linalg.norm(result.video_embedding), 1.0, atol=1e-5)


def test_request_without_frames_is_refused_with_400(http: httpx.Client) -> None:
    response = http.post("/v1/embed/video", data={"transcript": "hello", "caption": "x"})
    assert response.status_code in (400, 415)
    response = http.post(
        "/v1/embed/video",
        data={"transcript": "hello"},
        files={"other": ("a.txt", b"x", "text/plain")},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "no_frames"


def test_more_frames_than_the_limit_are_refused_with_413(http: httpx.Client) -> None:
    blobs = [jpeg_bytes((i * 10, 0, 0), (16, 16)) for i in range(25)]  # limit is 24
    response = http.post("/v1/embed/video", data={"caption": "x"}, files=frames_field(blobs))
    assert response.status_code == 413
    assert response.json()["error"] == "too_many_frames"


def test_frame_that_is_not_an_image_is_refused_with_400(http: httpx.Client) -> None:
    blobs = [jpeg_bytes((10, 10, 10)), b"this is not a jpeg at all"]
    response = http.post("/v1/embed/video", data={"caption": "x"}, files=frames_field(blobs))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_image"
    assert "frame 1" in response.json()["detail"]


def test_frame_over_the_pixel_limit_is_refused_with_400(http: httpx.Client) -> None:
    big = png_bytes((1200, 1000))  # the test service allows 1,000,000 pixels
    response = http.post("/v1/embed/video", data={"caption": "x"}, files=frames_field([big]))
    assert response.status_code == 400
    assert response.json()["error"] == "image_too_large"


def test_decompression_bomb_frame_is_refused_with_400(http: httpx.Client) -> None:
    bomb = png_claiming_size(100_000, 100_000)
    response = http.post("/v1/embed/video", data={"caption": "x"}, files=frames_field([bomb]))
    assert response.status_code == 400
    assert response.json()["error"] == "image_too_large"


def test_non_numeric_weight_is_refused_with_422(http: httpx.Client) -> None:
    files = frames_field([jpeg_bytes((1, 2, 3))])
    response = http.post("/v1/embed/video", data={"caption": "x", "w_vis": "lots"}, files=files)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_weight"


def test_zero_weight_on_the_only_present_part_is_refused_with_422(http: httpx.Client) -> None:
    files = frames_field([jpeg_bytes((1, 2, 3))])
    response = http.post("/v1/embed/video", data={"caption": "x", "w_text": "0"}, files=files)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_weight"


def test_a_thin_strip_of_a_frame_is_refused_with_400(http: httpx.Client) -> None:
    """1 x 20,000 pixels is within the pixel limit, but the image model's short-side resize
    would make it 256 x 5,120,000 (6 GB)."""
    strip = png_bytes((20_000, 1))
    response = http.post("/v1/embed/video", data={"caption": "x"}, files=frames_field([strip]))
    assert response.status_code == 400
    assert response.json()["error"] == "image_aspect"
    assert "20000x1" in response.json()["detail"]


def test_huge_weights_give_the_same_vector_as_equal_small_ones(http: httpx.Client) -> None:
    files = frames_field([textured_jpeg(1), textured_jpeg(2)])
    huge = http.post(
        "/v1/embed/video", data={"caption": "red", "w_vis": "1e308", "w_text": "1e308"}, files=files
    )
    files = frames_field([textured_jpeg(1), textured_jpeg(2)])
    equal = http.post(
        "/v1/embed/video", data={"caption": "red", "w_vis": "1", "w_text": "1"}, files=files
    )
    assert huge.status_code == equal.status_code == 200
    assert huge.json()["missing"] == []
    vector = np.asarray(huge.json()["video_embedding"])
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-5)
    assert np.allclose(vector, equal.json()["video_embedding"], atol=1e-5)
