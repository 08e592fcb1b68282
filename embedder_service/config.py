"""Service settings read from environment variables, each with a documented default."""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass

BACKENDS = ("cpu", "vllm")
DEFAULT_VLLM_MODEL = "Qwen/Qwen3-VL-Embedding-2B"
DEFAULT_INSTRUCTION = "Represent the user's input."
# Version suffix of the vLLM backend's pooling recipe (section 5 of the design); bump it when the
# recipe changes. The CPU backend versions its own recipe (backends/cpu.py).
RECIPE_VERSION = "v1"
# The design's weights suit a model that sees frames and text equally well (Qwen3-VL). The CPU
# image model sees 1000 ImageNet classes, coarser than what a transcript says, so text leads.
DEFAULT_WEIGHTS = {"cpu": (0.4, 0.6), "vllm": (0.7, 0.3)}


def _env_str(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Everything the service needs to know, read once at startup."""

    backend: str = "cpu"
    dim: int = 384
    text_model_path: str = ""
    image_model_path: str = ""
    asr_model_path: str = ""
    asr_device: str = "auto"
    asr_compute_type: str = "auto"
    asr_language: str = "en"
    asr_beam_size: int = 1
    cpu_threads: int = 0
    max_audio_seconds: float = 180.0
    max_frames: int = 24
    max_image_pixels: int = 4096 * 4096
    max_body_bytes: int = 64 * 1024 * 1024
    max_texts: int = 256
    max_text_tokens: int = 256
    # None: the backend's default (DEFAULT_WEIGHTS), filled in by __post_init__.
    w_vis: float = None  # type: ignore[assignment]
    w_text: float = None  # type: ignore[assignment]
    vllm_url: str = "http://127.0.0.1:8000"
    vllm_model: str = DEFAULT_VLLM_MODEL
    vllm_model_tag: str = ""
    vllm_max_concurrency: int = 16
    vllm_timeout_s: float = 60.0
    vllm_max_retries: int = 3
    vllm_retry_backoff_s: float = 0.5
    default_instruction: str = DEFAULT_INSTRUCTION
    # A request the models have not answered within this long gets 503 `deadline` (the
    # caller retries later) instead of running on after the caller gave up: under the Django
    # client's EMBEDDER_TIMEOUT_SECONDS (120).
    request_deadline_s: float = 110.0

    def __post_init__(self) -> None:
        defaults = DEFAULT_WEIGHTS.get(self.backend, DEFAULT_WEIGHTS["cpu"])
        if self.w_vis is None:
            object.__setattr__(self, "w_vis", defaults[0])
        if self.w_text is None:
            object.__setattr__(self, "w_text", defaults[1])

    @classmethod
    def from_env(cls) -> Settings:
        """Read settings from `EMBEDDER_*` / `VLLM_*` environment variables."""
        backend = _env_str("EMBEDDER_BACKEND", "cpu").lower()
        if backend not in BACKENDS:
            raise ValueError(f"EMBEDDER_BACKEND must be one of {BACKENDS}, got {backend!r}")
        is_vllm = backend == "vllm"
        settings = cls(
            backend=backend,
            dim=_env_int("EMBEDDER_DIM", 1024 if is_vllm else 384),
            text_model_path=_env_str("EMBEDDER_TEXT_MODEL_PATH", ""),
            image_model_path=_env_str("EMBEDDER_IMAGE_MODEL_PATH", ""),
            asr_model_path=_env_str("EMBEDDER_ASR_MODEL_PATH", ""),
            asr_device=_env_str("EMBEDDER_ASR_DEVICE", "auto"),
            asr_compute_type=_env_str("EMBEDDER_ASR_COMPUTE_TYPE", "auto"),
            asr_language=_env_str("EMBEDDER_ASR_LANGUAGE", "en"),
            asr_beam_size=_env_int("EMBEDDER_ASR_BEAM_SIZE", 1),
            cpu_threads=_env_int("EMBEDDER_CPU_THREADS", 0),
            max_audio_seconds=_env_float("EMBEDDER_MAX_AUDIO_SECONDS", 180.0),
            max_frames=_env_int("EMBEDDER_MAX_FRAMES", 24),
            max_image_pixels=_env_int("EMBEDDER_MAX_IMAGE_PIXELS", 4096 * 4096),
            max_body_bytes=_env_int("EMBEDDER_MAX_BODY_BYTES", 64 * 1024 * 1024),
            max_texts=_env_int("EMBEDDER_MAX_TEXTS", 256),
            max_text_tokens=_env_int("EMBEDDER_MAX_TEXT_TOKENS", 4096 if is_vllm else 256),
            w_vis=_env_float("EMBEDDER_W_VIS", DEFAULT_WEIGHTS[backend][0]),
            w_text=_env_float("EMBEDDER_W_TEXT", DEFAULT_WEIGHTS[backend][1]),
            vllm_url=_env_str("VLLM_URL", "http://127.0.0.1:8000").rstrip("/"),
            vllm_model=_env_str("VLLM_MODEL", DEFAULT_VLLM_MODEL),
            vllm_model_tag=_env_str("VLLM_MODEL_TAG", ""),
            vllm_max_concurrency=_env_int("VLLM_MAX_CONCURRENCY", 16),
            vllm_timeout_s=_env_float("VLLM_TIMEOUT_S", 60.0),
            vllm_max_retries=_env_int("VLLM_MAX_RETRIES", 3),
            vllm_retry_backoff_s=_env_float("VLLM_RETRY_BACKOFF_S", 0.5),
            default_instruction=_env_str("EMBEDDER_DEFAULT_INSTRUCTION", DEFAULT_INSTRUCTION),
            request_deadline_s=_env_float("EMBEDDER_REQUEST_DEADLINE_S", 110.0),
        )
        settings.validate()
        return settings

    def recipe_suffix(self) -> str:
        """ "" with the backend's default weights and instruction, else "+" and a short hash of
        them: vectors made with other weights or another instruction get a version of their
        own (they are not comparable with the defaults'), while the defaults keep theirs."""
        defaults = (*DEFAULT_WEIGHTS[self.backend], DEFAULT_INSTRUCTION)
        recipe = (self.w_vis, self.w_text, self.default_instruction)
        if recipe == defaults:
            return ""
        digest = hashlib.sha256(repr(recipe).encode()).hexdigest()[:8]
        return f"+{digest}"

    def validate(self) -> None:
        """Reject settings that cannot work, with the variable to fix in the message."""
        if self.backend not in BACKENDS:
            raise ValueError(f"EMBEDDER_BACKEND must be one of {BACKENDS}, got {self.backend!r}")
        positive = {
            "EMBEDDER_DIM": self.dim,
            "EMBEDDER_MAX_AUDIO_SECONDS": self.max_audio_seconds,
            "EMBEDDER_MAX_FRAMES": self.max_frames,
            "EMBEDDER_MAX_IMAGE_PIXELS": self.max_image_pixels,
            "EMBEDDER_MAX_BODY_BYTES": self.max_body_bytes,
            "EMBEDDER_MAX_TEXTS": self.max_texts,
            "EMBEDDER_MAX_TEXT_TOKENS": self.max_text_tokens,
            "EMBEDDER_ASR_BEAM_SIZE": self.asr_beam_size,
            "VLLM_MAX_CONCURRENCY": self.vllm_max_concurrency,
            "VLLM_TIMEOUT_S": self.vllm_timeout_s,
            "EMBEDDER_REQUEST_DEADLINE_S": self.request_deadline_s,
        }
        for name, value in positive.items():
            # NaN compares false with everything: `nan <= 0` let it through.
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be positive, got {value}")
        weights = (self.w_vis, self.w_text)
        if not all(math.isfinite(w) and w >= 0 for w in weights) or sum(weights) <= 0:
            raise ValueError(
                "EMBEDDER_W_VIS and EMBEDDER_W_TEXT must be finite, >= 0 and not both 0"
            )
        if self.vllm_max_retries < 0:
            raise ValueError(f"VLLM_MAX_RETRIES must be >= 0, got {self.vllm_max_retries}")
