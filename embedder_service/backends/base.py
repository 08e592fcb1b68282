"""What every backend offers the HTTP layer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from embedder_service.asr import SpeechRecognizer
from embedder_service.images import Frame
from embedder_service.threads import in_thread


@dataclass(frozen=True)
class TextEmbeddings:
    """Unit-length vectors, one row per input text, and whether each text was cut short."""

    vectors: np.ndarray
    truncated: list[bool]


@dataclass(frozen=True)
class FrameEmbeddings:
    """Per frame: a unit vector in the shared space (`vectors`, N x dim) and a unit vector of
    how the frame looks (`looks`, N x F), compared only with looks of the same `look_version`
    to find re-encoded, resized or cropped copies of a video."""

    vectors: np.ndarray
    looks: np.ndarray


class Backend(Protocol):
    """A set of models behind the service's endpoints."""

    name: str
    model: str
    dim: int
    embedding_version: str
    device: str
    has_image_model: bool
    image_model: str | None  # what embeds frames (None: nothing does)
    look_version: str | None  # what the frame looks are comparable with
    speech: SpeechRecognizer

    def load(self) -> None:
        """Load models (blocking; runs in a background thread at startup)."""

    async def embed_texts(self, texts: list[str], instruction: str | None) -> TextEmbeddings:
        """Embed texts into unit vectors of `dim` components."""

    async def embed_images(self, frames: list[Frame]) -> FrameEmbeddings:
        """Embed frames, one row per frame (only if `has_image_model`)."""

    async def unavailable_reason(self) -> str | None:
        """None when the backend can serve, else why not (checked by /healthz)."""

    async def aclose(self) -> None:
        """Release connections."""


async def transcribe(backend: Backend, samples: np.ndarray) -> dict[str, Any]:
    """Run the backend's Whisper off the event loop, in its own thread."""
    return await in_thread(backend.speech.thread, backend.speech.transcribe, samples)


def embedding_version(model_tag: str, dim: int, recipe: str) -> str:
    """`<model>:<dim>:<recipe>`: vectors with different versions are never compared."""
    return f"{model_tag}:{dim}:{recipe}"
