"""The FastAPI application: health, transcription, text and video embedding endpoints."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from embedder_service import audio, images
from embedder_service.backends import Backend, make_backend
from embedder_service.backends.base import transcribe
from embedder_service.config import Settings
from embedder_service.errors import ServiceError
from embedder_service.limits import BodySizeLimitMiddleware
from embedder_service.parsing import (
    form_files,
    form_int,
    form_text,
    form_weight,
    parse_text_request,
    read_form,
    read_json_body,
)
from embedder_service.video import embed_video

logger = logging.getLogger(__name__)
T = TypeVar("T")


class ModelState:
    """Loads the backend's models in a background thread so /healthz can answer meanwhile."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.status = "loading"
        self.error: str | None = None
        self._thread = threading.Thread(target=self._load, name="model-loader", daemon=True)

    def start(self) -> None:
        """Begin loading."""
        self._thread.start()

    def _load(self) -> None:
        try:
            self.backend.load()
        except Exception as exc:
            logger.exception("model loading failed")
            self.error = f"{type(exc).__name__}: {exc}"
            self.status = "error"
            return
        logger.info("models loaded: %s", self.backend.embedding_version)
        self.status = "ok"

    def require_ready(self) -> None:
        """Refuse work until the models are loaded (503, transient)."""
        if self.status == "loading":
            raise ServiceError(503, "loading", "models are still loading; retry shortly")
        if self.status == "error":
            raise ServiceError(503, "load_failed", self.error)


def create_app(settings: Settings | None = None, backend: Backend | None = None) -> FastAPI:
    """Build the app; models start loading when the app starts (lifespan)."""
    settings = settings or Settings.from_env()
    backend = backend or make_backend(settings)
    state = ModelState(backend)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.start()
        yield
        await backend.aclose()

    app = FastAPI(title="embedder", lifespan=lifespan)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.state.models = state
    _install_error_handlers(app)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        info: dict[str, Any] = {
            "status": state.status,
            "backend": backend.name,
            "model": backend.model,
            "image_model": backend.image_model,
            "dim": backend.dim,
            "embedding_version": backend.embedding_version,
            "device": backend.device,
            "asr_model": backend.speech.model_name,
        }
        if state.status != "ok":
            error = "loading" if state.status == "loading" else "load_failed"
            detail = state.error or "models are still loading"
            return JSONResponse({"error": error, "detail": detail, **info}, status_code=503)
        reason = await backend.unavailable_reason()
        if reason:
            info["status"] = "unavailable"
            body = {"error": f"{backend.name}_unavailable", "detail": reason, **info}
            return JSONResponse(body, status_code=503)
        return JSONResponse(info)

    @app.post("/v1/transcribe")
    async def transcribe_audio(request: Request) -> dict[str, Any]:
        state.require_ready()
        form = await read_form(request)
        uploads = form_files(form, "audio")
        if len(uploads) != 1:
            raise ServiceError(422, "missing_audio", "send exactly one file in the 'audio' field")
        upload = uploads[0]
        data = await upload.read()
        limit = settings.max_audio_seconds
        if audio.is_raw_f32le(upload.content_type, form_text(form, "format")):
            rate = form_int(form, "sample_rate", audio.SAMPLE_RATE_HZ)
            samples = audio.decode_raw_f32le(data, rate, limit)
        else:
            samples = await asyncio.to_thread(audio.decode_audio, data, limit)
        return await _within(settings, transcribe(backend, samples))

    @app.post("/v1/embed/text")
    async def embed_text(request: Request) -> dict[str, Any]:
        state.require_ready()
        parsed = parse_text_request(await read_json_body(request), settings.max_texts)
        result = await _within(settings, backend.embed_texts(parsed.texts, parsed.instruction))
        return {
            "embeddings": result.vectors.astype("float32").tolist(),
            "dim": backend.dim,
            "embedding_version": backend.embedding_version,
            "truncated": result.truncated,
        }

    @app.post("/v1/embed/video")
    async def embed_video_route(request: Request) -> dict[str, Any]:
        state.require_ready()
        form = await read_form(request)
        uploads = form_files(form, "frames")
        if not uploads:
            raise ServiceError(400, "no_frames", "send 1 or more images in the 'frames' field")
        if len(uploads) > settings.max_frames:
            raise ServiceError(
                413,
                "too_many_frames",
                f"{len(uploads)} frames sent; the limit is {settings.max_frames}",
            )
        blobs = [await upload.read() for upload in uploads]
        frames = await asyncio.to_thread(
            lambda: [
                images.decode_frame(blob, index, settings.max_image_pixels)
                for index, blob in enumerate(blobs)
            ]
        )
        w_vis = form_weight(form, "w_vis", settings.w_vis)
        w_text = form_weight(form, "w_text", settings.w_text)
        result = await _within(
            settings,
            embed_video(
                backend,
                frames=frames,
                transcript=form_text(form, "transcript"),
                caption=form_text(form, "caption"),
                w_vis=w_vis,
                w_text=w_text,
            ),
        )
        result["embedding_version"] = _version_for_weights(backend, settings, w_vis, w_text)
        return result

    return app


def _version_for_weights(backend: Backend, settings: Settings, w_vis: float, w_text: float) -> str:
    """The version of a video vector made with these weights: the service's own, or for other
    weights the version a service configured with them reports (its recipe suffix), so vectors
    of other weights are never taken for comparable ones."""
    if (w_vis, w_text) == (settings.w_vis, settings.w_text):
        return backend.embedding_version
    own = settings.recipe_suffix()
    base = backend.embedding_version.removesuffix(own) if own else backend.embedding_version
    return base + dataclasses.replace(settings, w_vis=w_vis, w_text=w_text).recipe_suffix()


async def _within(settings: Settings, work: Awaitable[T]) -> T:
    """The models' answer, or 503 `deadline` once EMBEDDER_REQUEST_DEADLINE_S has passed: the
    caller (which gives up a little later) retries, instead of the service answering no one.
    Work already running in a model's thread finishes there; vLLM requests are cancelled."""
    try:
        return await asyncio.wait_for(work, timeout=settings.request_deadline_s)
    except TimeoutError as exc:
        raise ServiceError(
            503,
            "deadline",
            f"the models did not answer within {settings.request_deadline_s:g} s "
            "(busy or slow); retry later",
        ) from exc


def _install_error_handlers(app: FastAPI) -> None:
    async def service_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ServiceError)
        if exc.status_code >= 500:
            logger.warning("%s %s -> %s", request.method, request.url.path, exc)
        return JSONResponse(exc.body(), status_code=exc.status_code)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        error = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse({"error": error, "detail": exc.detail}, status_code=exc.status_code)

    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        body = {"error": "internal_error", "detail": f"{type(exc).__name__}: {exc}"}
        return JSONResponse(body, status_code=500)

    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
