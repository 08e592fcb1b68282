"""HTTP client for the embedder service; the one way Django code talks to it (httpx + stdlib)."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

# The service refuses more than EMBEDDER_MAX_TEXTS (default 256) texts per request.
TEXT_BATCH_SIZE = 256


class EmbedderError(Exception):
    """Base for errors from the embedder; carries the HTTP status and the service's error body."""

    def __init__(
        self, message: str, status_code: int | None = None, error: str = "", detail: Any = None
    ):
        super().__init__(message)
        self.status_code = status_code
        self.error = error
        self.detail = detail


class EmbedderUnavailable(EmbedderError):
    """Transient: connection refused, timeout, models loading, 5xx. Callers retry later."""


class EmbedderUnreachable(EmbedderUnavailable):
    """The service itself is down or not ready (no connection; 503: models loading, or the model
    server behind it down; a proxy's 502/504 with no answer from the service): an outage that
    ends when it comes back, unlike a failure of one request (a read timeout, a 500, the
    service's own 502 about one bad response)."""


# The service's answer when it is not serving at all; 502/504 count only from a proxy in front
# of it (a body that is not the service's JSON error).
OUTAGE_STATUS = 503
PROXY_OUTAGE_STATUSES = {502, 504}


class EmbedderRejected(EmbedderError):
    """Permanent: the service refused this input (4xx). Retrying the same input won't help."""


@dataclass(frozen=True)
class EmbedTextResult:
    """Unit-length vectors, one per input text, in input order."""

    embeddings: list[list[float]]
    dim: int
    embedding_version: str
    truncated: list[bool]


@dataclass(frozen=True)
class EmbedVideoResult:
    """One vector per video plus its parts; `missing` names the parts that could not be made
    and `blank_frames` counts the frames left out as showing nothing."""

    video_embedding: list[float]
    visual_embedding: list[float] | None
    text_embedding: list[float] | None
    embedding_version: str
    dim: int
    missing: list[str]
    blank_frames: int = 0
    look_embedding: list[float] | None = None  # compare only within one look_version
    look_version: str | None = None


class EmbedderClient:
    """Synchronous client; one instance may be reused (it keeps a connection pool)."""

    def __init__(self, base_url: str, timeout_s: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        # What messages name: a password in the URL (an auth proxy in front of a remote GPU
        # host) stays out of logs and of the pipeline errors uploaders are shown.
        self.shown_url = url_shown(self.base_url)
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout_s)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> EmbedderClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def health(self) -> dict[str, Any]:
        """GET /healthz; raises EmbedderUnavailable while models load or a dependency is down."""
        return self._request("GET", "/healthz")

    def transcribe(self, audio_path: str | Path) -> dict[str, Any]:
        """Transcribe an audio (or video) file: `{text, language, duration_s, segments, ...}`."""
        path = Path(audio_path)
        with path.open("rb") as handle:
            files = {"audio": (path.name, handle, _content_type(path, "application/octet-stream"))}
            return self._request("POST", "/v1/transcribe", files=files)

    def embed_texts(self, texts: list[str], instruction: str | None = None) -> EmbedTextResult:
        """Embed any number of texts (sent in batches the service accepts)."""
        if not texts:
            raise EmbedderRejected("embed_texts needs at least one text", error="empty_texts")
        embeddings: list[list[float]] = []
        truncated: list[bool] = []
        dim, version = 0, ""
        for batch in _batches(texts, TEXT_BATCH_SIZE):
            body: dict[str, Any] = {"texts": batch}
            if instruction is not None:
                body["instruction"] = instruction
            payload = self._request("POST", "/v1/embed/text", json=body)
            if version and payload["embedding_version"] != version:
                raise EmbedderUnavailable(
                    "embedding_version changed between batches (service restarted with another "
                    "model?); retry the whole call",
                    error="version_changed",
                )
            embeddings.extend(payload["embeddings"])
            truncated.extend(payload.get("truncated", [False] * len(batch)))
            dim, version = payload["dim"], payload["embedding_version"]
        return EmbedTextResult(
            embeddings=embeddings, dim=dim, embedding_version=version, truncated=truncated
        )

    def embed_video(
        self,
        frame_paths: list[Path],
        transcript: str,
        caption: str,
        w_vis: float | None = None,
        w_text: float | None = None,
    ) -> EmbedVideoResult:
        """Embed one video from its sampled frames, transcript and caption."""
        data: dict[str, str] = {"transcript": transcript, "caption": caption}
        if w_vis is not None:
            data["w_vis"] = repr(float(w_vis))
        if w_text is not None:
            data["w_text"] = repr(float(w_text))
        with ExitStack() as stack:
            files = [
                (
                    "frames",
                    (Path(p).name, stack.enter_context(Path(p).open("rb")), _content_type(Path(p))),
                )
                for p in frame_paths
            ]
            payload = self._request("POST", "/v1/embed/video", data=data, files=files)
        return EmbedVideoResult(
            video_embedding=payload["video_embedding"],
            visual_embedding=payload["visual_embedding"],
            text_embedding=payload["text_embedding"],
            embedding_version=payload["embedding_version"],
            dim=payload["dim"],
            missing=payload["missing"],
            blank_frames=int(payload.get("blank_frames") or 0),
            look_embedding=payload.get("look_embedding"),
            look_version=payload.get("look_version"),
        )

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise EmbedderUnreachable(
                f"cannot reach embedder at {self.shown_url}: {type(exc).__name__}: {_shown(exc)}"
            ) from exc
        except httpx.TimeoutException as exc:
            raise EmbedderUnavailable(f"embedder timed out on {method} {path}: {exc}") from exc
        except httpx.TransportError as exc:
            raise EmbedderUnavailable(
                f"lost the embedder at {self.shown_url}: {type(exc).__name__}: {_shown(exc)}"
            ) from exc
        if response.status_code < 400:
            try:
                payload = response.json()
            except ValueError:
                payload = None
            if not isinstance(payload, dict):
                # Not the embedder answering (a proxy's maintenance page with 200): as down.
                raise EmbedderUnavailable(
                    f"{method} {path} -> {response.status_code}, not an embedder's JSON answer: "
                    f"{response.text[:200]!r}",
                    status_code=response.status_code,
                    error="not_json",
                    detail=None,
                )
            return payload
        error, detail = _error_body(response)
        message = f"{method} {path} -> {response.status_code} {error}: {detail}"
        from_proxy = response.status_code in PROXY_OUTAGE_STATUSES and error == "http_error"
        if response.status_code == OUTAGE_STATUS or from_proxy:
            kind: type[EmbedderError] = EmbedderUnreachable
        else:
            kind = EmbedderRejected if response.status_code < 500 else EmbedderUnavailable
        raise kind(message, status_code=response.status_code, error=error, detail=detail)


# The user:password@ of a URL, to its last @ (a password may hold "/" or "@" unencoded).
_USERINFO = re.compile(r"//\S*@")


def url_shown(text: str) -> str:
    """Text naming a URL, for messages: its user:password@ hidden."""
    return _USERINFO.sub("//***@", text)


def _shown(exc: Exception) -> str:
    """An error's text with any URL's user:password@ hidden."""
    return _USERINFO.sub("//***@", str(exc))


def _error_body(response: httpx.Response) -> tuple[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return "http_error", response.text[:500]
    if isinstance(payload, dict):
        return str(payload.get("error", "http_error")), payload.get("detail")
    return "http_error", payload


def _content_type(path: Path, default: str = "image/jpeg") -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or default


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
