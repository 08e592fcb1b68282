"""The CPU image model: EfficientNet-Lite0 loads offline, names what a real photograph shows, and
its frames reach the text space, so a silent video with no caption is embedded from its frames."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from embedder_service.client import EmbedderClient
from embedder_service.vision import ImageModel, LabelBridge, bundled_weights_path, class_phrases
from tests.embedder_service.media import jpeg_bytes
from tests.support.photos import photo_jpeg


def write_frames(folder: Path, blobs: list[bytes]) -> list[Path]:
    paths = []
    for index, blob in enumerate(blobs):
        path = folder / f"frame_{index}.jpg"
        path.write_bytes(blob)
        paths.append(path)
    return paths


def test_the_image_model_loads_from_the_installed_package_with_no_network(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def no_network(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the image model tried to open a network connection")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket.socket, "connect", no_network)
    weights = bundled_weights_path()
    assert weights is not None and weights.is_file()
    model = ImageModel(weights)
    model.load()
    (tmp_path / "bee.jpg").write_bytes(photo_jpeg("european-honey-bee.jpg"))
    with Image.open(tmp_path / "bee.jpg") as image:
        analysis = model.analyse([image.convert("RGB")])
    names, _ = class_phrases()
    top = analysis.top_classes(names, k=3)[0]
    assert top[0][0] == "bee", top
    assert analysis.features.shape == (1, 1280)
    assert np.isclose(np.linalg.norm(analysis.features[0]), 1.0, atol=1e-5)
    assert np.isclose(analysis.probabilities.sum(), 1.0, atol=1e-4)


def test_a_missing_weights_file_is_an_error_not_a_download(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="EMBEDDER_IMAGE_MODEL_PATH"):
        ImageModel(tmp_path / "absent.pth").load()


def test_the_bridge_mixes_the_likeliest_classes_by_probability() -> None:
    labels = np.eye(1000, 4, dtype=np.float32)[:, :4]  # classes 0..3 point along the axes
    labels[4:] = np.array([0, 0, 0, 1], dtype=np.float32)  # every other class: axis 3
    bridge = LabelBridge(labels, top_k=2)
    probs = np.zeros((1, 1000))
    probs[0, 0], probs[0, 1], probs[0, 2] = 0.6, 0.3, 0.1  # class 2 is outside the top 2
    vector = bridge(probs)[0]
    assert vector[2] == 0 and vector[3] == 0
    assert np.isclose(vector[0] / vector[1], 2.0)
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-6)


def test_a_silent_uncaptioned_video_is_embedded_from_its_frames(
    embedder_client: EmbedderClient, tmp_path: Path
) -> None:
    frames = write_frames(tmp_path, [photo_jpeg("european-honey-bee.jpg")] * 2)
    result = embedder_client.embed_video(frames, transcript="", caption="")
    assert result.missing == ["text"]
    video = np.asarray(result.video_embedding)
    assert np.allclose(video, result.visual_embedding, atol=1e-6)
    insects, cars, finance = (
        np.asarray(v)
        for v in embedder_client.embed_texts(
            ["bees and insects", "sports cars", "stock market"]
        ).embeddings
    )
    assert float(video @ insects) > float(video @ cars) + 0.1
    assert float(video @ insects) > float(video @ finance) + 0.1


def test_frames_and_text_are_combined_by_the_documented_weights(
    embedder_client: EmbedderClient, tmp_path: Path
) -> None:
    frames = write_frames(tmp_path, [photo_jpeg("Kleiber_by_Lukas_Baubkus.jpg")])
    result = embedder_client.embed_video(
        frames, transcript="the bird feeder in our garden", caption="", w_vis=0.4, w_text=0.6
    )
    assert result.missing == []
    vis, text = np.asarray(result.visual_embedding), np.asarray(result.text_embedding)
    expected = 0.4 * vis + 0.6 * text
    assert np.allclose(result.video_embedding, expected / np.linalg.norm(expected), atol=1e-5)


def test_blank_frames_are_left_out_of_the_visual_part(
    embedder_client: EmbedderClient, tmp_path: Path
) -> None:
    photo = photo_jpeg("LadyBird.jpg")
    black = jpeg_bytes((0, 0, 0), size=(320, 568))
    with_black = embedder_client.embed_video(
        write_frames(tmp_path, [black, photo, black]), transcript="", caption=""
    )
    (tmp_path / "only").mkdir()
    photo_only = embedder_client.embed_video(
        write_frames(tmp_path / "only", [photo]), transcript="", caption=""
    )
    assert np.allclose(with_black.visual_embedding, photo_only.visual_embedding, atol=1e-5)
    assert with_black.blank_frames == 2


def test_an_all_black_video_with_no_text_is_still_embedded_and_says_nothing_was_seen(
    embedder_client: EmbedderClient, tmp_path: Path
) -> None:
    black = jpeg_bytes((0, 0, 0), size=(320, 568))
    result = embedder_client.embed_video(
        write_frames(tmp_path, [black, black]), transcript="", caption=""
    )
    assert result.missing == ["visual", "text"]
    assert np.isclose(np.linalg.norm(result.video_embedding), 1.0, atol=1e-5)


def test_a_resized_and_cropped_copy_looks_like_its_original_and_another_photo_does_not(
    embedder_client: EmbedderClient, tmp_path: Path
) -> None:
    import io

    def variant(jpeg: bytes) -> bytes:
        with Image.open(io.BytesIO(jpeg)) as image:
            width, height = image.size
            crop = image.crop(
                (width // 16, height // 16, width - width // 16, height - height // 16)
            )
            small = crop.resize((width * 2 // 3, height * 2 // 3))
        buffer = io.BytesIO()
        small.save(buffer, "JPEG", quality=60)
        return buffer.getvalue()

    def look(name: str, blobs: list[bytes]) -> np.ndarray:
        (tmp_path / name).mkdir()
        result = embedder_client.embed_video(
            write_frames(tmp_path / name, blobs), transcript="", caption=""
        )
        assert result.look_version == "efficientnet-lite0-features:1280"
        return np.asarray(result.look_embedding)

    flower = [photo_jpeg("FreshFlower.jpg")]
    original = look("original", flower)
    copy = look("copy", [variant(blob) for blob in flower])
    other_flower = look("other", [photo_jpeg("YellowFlower.jpg")])
    assert float(original @ copy) > 0.9
    assert float(original @ other_flower) < 0.85
