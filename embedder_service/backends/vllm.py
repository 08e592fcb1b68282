"""vLLM backend: Qwen3-VL-Embedding served by `vllm serve --runner pooling`, plus Whisper on GPU."""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import re
import string
from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar

import httpx
import numpy as np
from PIL import Image

from embedder_service.asr import SpeechRecognizer
from embedder_service.backends.base import FrameEmbeddings, TextEmbeddings, embedding_version
from embedder_service.config import RECIPE_VERSION, Settings
from embedder_service.errors import ServiceError
from embedder_service.images import Frame
from embedder_service.pooling import DegenerateVectorError, truncate_matryoshka

T = TypeVar("T")

logger = logging.getLogger(__name__)

# No tokenizer runs here (the weights live with vLLM), so texts are cut by an estimate: an ASCII
# letter or space is a quarter of a token (English averages ~4 characters per token); an ASCII
# digit or punctuation mark a whole one (Qwen's tokenizer splits numbers into single digits, so
# a text of digits is a token a character, and runs of symbols merge little); any other
# character (Chinese, Japanese, Korean, emoji, accents) a whole one. With max_text_tokens 4096
# that leaves room to spare in an 8192-token context even at two tokens a character.
CHARS_PER_TOKEN = 4
_WHOLE_TOKEN_ASCII = frozenset(string.digits + string.punctuation)
_WHOLE_TOKEN_ASCII_RE = re.compile(f"[{re.escape(string.digits + string.punctuation)}]")
HEALTH_TIMEOUT_SECONDS = 2.0
# Frames larger than this are scaled down before they are sent: Qwen3-VL spends a token per
# 32x32 patch, and a 4096x4096 frame alone (16k tokens) would not fit the context.
MAX_FRAME_PIXELS = 1280 * 1280
FRAME_JPEG_QUALITY = 90
# What vLLM answers about an input it cannot take; any other 4xx (404 for a model it does not
# serve, 401/403) is about how it is set up, not about the input.
INPUT_REJECTED_STATUSES = (400, 413, 422)


def budget_cut(text: str, max_tokens: int) -> str:
    """The longest prefix of `text` whose estimated tokens fit `max_tokens`."""
    budget = max_tokens * CHARS_PER_TOKEN  # in quarter tokens
    text = text[:budget]
    if text.isascii():
        dense = len(_WHOLE_TOKEN_ASCII_RE.findall(text))
        if len(text) + (CHARS_PER_TOKEN - 1) * dense <= budget:
            return text
    spent = 0
    for index, char in enumerate(text):
        whole = not char.isascii() or char in _WHOLE_TOKEN_ASCII
        spent += CHARS_PER_TOKEN if whole else 1
        if spent > budget:
            return text[:index]
    return text


def model_tag(model: str) -> str:
    """`Qwen/Qwen3-VL-Embedding-2B` -> `qwen3-vl-emb-2b`; other names are slugified."""
    name = model.rstrip("/").rsplit("/", 1)[-1].lower()
    name = name.replace("-embedding-", "-emb-")
    return re.sub(r"[^a-z0-9.]+", "-", name).strip("-")


def chat_embedding_request(model: str, instruction: str, parts: list[dict]) -> dict[str, Any]:
    """The body of one vLLM chat-embeddings request for Qwen3-VL-Embedding.

    The empty assistant turn plus `continue_final_message` ends the prompt right after
    `<|im_start|>assistant\\n`, where the model was trained to pool its embedding.
    """
    return {
        "model": model,
        "messages": [
            {"role": "system", "content": [{"type": "text", "text": instruction}]},
            {"role": "user", "content": parts},
            {"role": "assistant", "content": ""},
        ],
        "encoding_format": "float",
        "continue_final_message": True,
        "add_special_tokens": True,
    }


def image_part(frame: Frame) -> dict[str, Any]:
    """An `image_url` content part carrying the frame as a base64 data URL: its own bytes, or a
    JPEG of it scaled to MAX_FRAME_PIXELS when it is larger."""
    data, mime_type = frame.data, frame.mime_type
    width, height = frame.image.size
    if width * height > MAX_FRAME_PIXELS:
        scale = (MAX_FRAME_PIXELS / (width * height)) ** 0.5
        size = (max(1, int(width * scale)), max(1, int(height * scale)))
        buffer = io.BytesIO()
        frame.image.resize(size, Image.Resampling.BICUBIC).save(
            buffer, "JPEG", quality=FRAME_JPEG_QUALITY
        )
        data, mime_type = buffer.getvalue(), "image/jpeg"
    encoded = base64.b64encode(data).decode("ascii")
    return {"type": "image_url", "image_url": {"url": f"data:{mime_type};base64,{encoded}"}}


def text_part(text: str) -> dict[str, Any]:
    """A text content part."""
    return {"type": "text", "text": text}


class VllmBackend:
    """Talks to a vLLM pooling server; one request per item, fired concurrently so vLLM batches."""

    name = "vllm"
    has_image_model = True

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.model = settings.vllm_model
        self.image_model = settings.vllm_model  # one model sees frames and reads text
        self.dim = settings.dim
        tag = settings.vllm_model_tag or model_tag(settings.vllm_model)
        self.embedding_version = embedding_version(
            tag, settings.dim, RECIPE_VERSION + settings.recipe_suffix()
        )
        self.look_version = f"{tag}-frames:{settings.dim}"
        self.speech = SpeechRecognizer(settings)
        self.device = self.speech.device
        self._client: httpx.AsyncClient | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self._native_dim: int | None = None  # the width of vLLM's vectors, once probed

    def load(self) -> None:
        """Only Whisper loads here; the embedding model lives in the vLLM process."""
        self.speech.load()

    def _http(self) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        # Created on first use so both belong to the event loop that serves requests.
        if self._client is None or self._semaphore is None:
            self._client = httpx.AsyncClient(
                base_url=self._settings.vllm_url, timeout=self._settings.vllm_timeout_s
            )
            self._semaphore = asyncio.Semaphore(self._settings.vllm_max_concurrency)
        return self._client, self._semaphore

    async def embed_texts(self, texts: list[str], instruction: str | None) -> TextEmbeddings:
        """Embed each text as its own request; over-long texts are cut to the budget."""
        max_tokens = self._settings.max_text_tokens
        cut = [budget_cut(text, max_tokens) for text in texts]
        instruction = instruction or self._settings.default_instruction
        vectors = await _all(self._embed_one(instruction, [text_part(text)]) for text in cut)
        truncated = [len(short) < len(text) for short, text in zip(cut, texts, strict=True)]
        return TextEmbeddings(vectors=np.stack(vectors), truncated=truncated)

    async def embed_images(self, frames: list[Frame]) -> FrameEmbeddings:
        """Embed each frame as its own request (the service pools them); Qwen3-VL's frame
        vectors are also the looks."""
        instruction = self._settings.default_instruction
        vectors = await _all(self._embed_one(instruction, [image_part(frame)]) for frame in frames)
        stacked = np.stack(vectors)
        return FrameEmbeddings(vectors=stacked, looks=stacked)

    async def _embed_one(self, instruction: str, parts: list[dict]) -> np.ndarray:
        body = chat_embedding_request(self.model, instruction, parts)
        payload = await self._post_with_retries("/v1/embeddings", body)
        try:
            raw = np.asarray(payload["data"][0]["embedding"], dtype=np.float64)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise ServiceError(
                502, "vllm_bad_response", f"unexpected embeddings response: {exc!r}"
            ) from exc
        try:
            return truncate_matryoshka(raw, self.dim)
        except (ValueError, DegenerateVectorError) as exc:
            raise ServiceError(502, "vllm_bad_response", str(exc)) from exc

    async def _post_with_retries(
        self, path: str, body: dict[str, Any], *, probe: bool = False
    ) -> dict[str, Any]:
        client, semaphore = self._http()
        attempts = self._settings.vllm_max_retries + 1
        last_problem = ""
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(self._settings.vllm_retry_backoff_s * 2 ** (attempt - 1))
            try:
                async with semaphore:
                    response = await client.post(path, json=body)
            except httpx.TransportError as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
                logger.warning("vLLM request failed (attempt %d): %s", attempt + 1, last_problem)
                continue
            if response.status_code >= 500:
                last_problem = f"HTTP {response.status_code}: {response.text[:300]}"
                logger.warning("vLLM answered %s (attempt %d)", last_problem, attempt + 1)
                continue
            if response.status_code in INPUT_REJECTED_STATUSES:
                raise ServiceError(422, "vllm_rejected_input", _vllm_message(response))
            if response.status_code >= 400:
                # Not the input's fault: a wrong VLLM_MODEL, a server started without
                # `--runner pooling`, a proxy refusing us. Transient for the caller (it waits
                # and retries), and /healthz names it.
                raise ServiceError(
                    503,
                    "vllm_misconfigured",
                    f"vLLM at {self._settings.vllm_url} refused the request "
                    f"({_vllm_message(response)}); check VLLM_MODEL={self.model} and that it "
                    "runs with --runner pooling",
                )
            try:
                return response.json()
            except ValueError as exc:
                raise ServiceError(502, "vllm_bad_response", "vLLM answered non-JSON") from exc
        problem = f"vLLM at {self._settings.vllm_url} failed {attempts} times; last: {last_problem}"
        if not probe and await self.unavailable_reason() is None:
            # vLLM is up and serves the model, yet fails on this item every time: the item's
            # failure (the caller retries it a few times, then gives it up), not an outage to
            # wait out for hours.
            raise ServiceError(502, "vllm_failed_item", f"{problem} (vLLM itself is healthy)")
        raise ServiceError(503, "vllm_unavailable", problem)

    async def unavailable_reason(self) -> str | None:
        """Ask vLLM's /health so /healthz reports a dead vLLM instead of failing later."""
        client, _ = self._http()
        try:
            response = await client.get("/health", timeout=HEALTH_TIMEOUT_SECONDS)
        except httpx.TransportError as exc:
            return f"vLLM at {self._settings.vllm_url} is unreachable: {type(exc).__name__}"
        if response.status_code != 200:
            return f"vLLM at {self._settings.vllm_url} /health answered {response.status_code}"
        return await self._model_missing(client) or await self._too_narrow()

    async def _too_narrow(self) -> str | None:
        """Why vLLM's vectors cannot be cut to EMBEDDER_DIM (None when they can), from one probe
        embedding, made once: a model narrower than the dimension failed every request."""
        if self._native_dim is None:
            body = chat_embedding_request(
                self.model, self._settings.default_instruction, [text_part("dimension probe")]
            )
            try:
                payload = await self._post_with_retries("/v1/embeddings", body, probe=True)
                self._native_dim = len(payload["data"][0]["embedding"])
            except (ServiceError, KeyError, IndexError, TypeError):
                return None  # told by the requests themselves
        if self._native_dim < self.dim:
            return (
                f"vLLM's {self.model} gives {self._native_dim}-d vectors, narrower than "
                f"EMBEDDER_DIM={self.dim}: set EMBEDDER_DIM to {self._native_dim} or less"
            )
        return None

    async def _model_missing(self, client: httpx.AsyncClient) -> str | None:
        """Why vLLM cannot serve VLLM_MODEL (None when /v1/models lists it)."""
        where = f"vLLM at {self._settings.vllm_url}"
        try:
            response = await client.get("/v1/models", timeout=HEALTH_TIMEOUT_SECONDS)
            served = [entry["id"] for entry in response.json()["data"]]
        except httpx.TransportError as exc:
            return f"{where} is unreachable: {type(exc).__name__}"
        except (ValueError, KeyError, TypeError):
            return f"{where} /v1/models answered {response.status_code}, not a model list"
        if self.model not in served:
            return f"{where} serves {', '.join(served) or 'no model'}, not VLLM_MODEL={self.model}"
        return None

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None


async def _all(work: Iterable[Awaitable[T]]) -> list[T]:
    """Every item's answer, in order; on the first failure the others are cancelled (gather
    left them running: a text vLLM refused answered 422 while its ten siblings still went to
    vLLM, their errors logged as never retrieved)."""
    tasks = [asyncio.ensure_future(item) for item in work]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def _vllm_message(response: httpx.Response) -> str:
    try:
        payload = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:300]}"
    message = payload.get("message") or payload.get("error") or payload
    return f"HTTP {response.status_code}: {message}"
