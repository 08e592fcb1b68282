"""What each pipeline step hands to the later ones, as typed records.

A step's output is stored in its PipelineStep.detail (JSON, shown in the admin) and read back
by the steps that need it: transcode's frames and audio feed transcribe and embed, embed's
version feeds tag and publish. `from_detail` accepts what older versions stored.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


class StepOutput:
    """Base of the step outputs: stored as the step's detail."""

    def as_detail(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload] - every subclass is a dataclass


@dataclass(frozen=True)
class TranscodeOutput(StepOutput):
    frames: list[str] = field(default_factory=list)  # stored names of the sampled frames
    audio: str = ""  # stored name of the 16 kHz mono WAV for speech recognition ("" if none)
    source: dict[str, Any] = field(default_factory=dict)  # the probe of the original
    rotation: int = 0
    mirrored: bool = False
    decode_errors: int = 0

    @classmethod
    def from_detail(cls, detail: dict[str, Any]) -> TranscodeOutput:
        return cls(
            frames=list(detail.get("frames") or []),
            audio=detail.get("audio") or "",
            source=dict(detail.get("source") or {}),
            rotation=int(detail.get("rotation") or 0),
            mirrored=bool(detail.get("mirrored")),
            decode_errors=int(detail.get("decode_errors") or 0),
        )


@dataclass(frozen=True)
class TranscribeOutput(StepOutput):
    language: str = ""
    language_probability: float | None = None
    chars: int = 0

    @classmethod
    def from_detail(cls, detail: dict[str, Any]) -> TranscribeOutput:
        return cls(
            language=detail.get("language") or "",
            language_probability=detail.get("language_probability"),
            chars=int(detail.get("chars") or 0),
        )


@dataclass(frozen=True)
class EmbedOutput(StepOutput):
    embedding_version: str = ""  # "" when the step has not produced a vector
    dim: int = 0
    missing: list[str] = field(default_factory=list)  # parts the embedder could not use
    duplicate_of: int | None = None  # the earlier video this one is a copy of

    @classmethod
    def from_detail(cls, detail: dict[str, Any]) -> EmbedOutput:
        return cls(
            embedding_version=detail.get("embedding_version") or "",
            dim=int(detail.get("dim") or 0),
            missing=list(detail.get("missing") or []),
            duplicate_of=detail.get("duplicate_of"),
        )


@dataclass(frozen=True)
class TagOutput(StepOutput):
    tags: list[str] = field(default_factory=list)  # slugs, best first

    @classmethod
    def from_detail(cls, detail: dict[str, Any]) -> TagOutput:
        return cls(tags=list(detail.get("tags") or []))


@dataclass(frozen=True)
class PublishOutput(StepOutput):
    embedding_version: str = ""

    @classmethod
    def from_detail(cls, detail: dict[str, Any]) -> PublishOutput:
        return cls(embedding_version=detail.get("embedding_version") or "")
