"""Model backends: `cpu` (MiniLM + Whisper tiny.en) and `vllm` (Qwen3-VL-Embedding over HTTP)."""

from __future__ import annotations

from embedder_service.backends.base import Backend, TextEmbeddings
from embedder_service.config import Settings


def make_backend(settings: Settings) -> Backend:
    """Build the backend `EMBEDDER_BACKEND` names (models are loaded later by `load()`)."""
    if settings.backend == "vllm":
        from embedder_service.backends.vllm import VllmBackend

        return VllmBackend(settings)
    from embedder_service.backends.cpu import CpuBackend

    return CpuBackend(settings)


__all__ = ["Backend", "TextEmbeddings", "make_backend"]
