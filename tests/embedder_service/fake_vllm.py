"""A stand-in vLLM pooling server for tests only: checks the request shape, answers like vLLM."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

from embedder_service.config import DEFAULT_VLLM_MODEL

FULL_DIM = 2048  # Qwen3-VL-Embedding-2B's native width; the service truncates to 1024.
EXPECTED_KEYS = {
    "model",
    "messages",
    "encoding_format",
    "continue_final_message",
    "add_special_tokens",
}


def raw_vector_for(body: dict[str, Any]) -> np.ndarray:
    """The un-normalised vector this fake returns for a request: seeded by the user content."""
    user_parts = json.dumps(body["messages"][1]["content"], sort_keys=True).encode()
    seed = int.from_bytes(hashlib.sha256(user_parts).digest()[:8], "little")
    # Scaled up so that a client which forgot to renormalise would be caught.
    return np.random.default_rng(seed).normal(size=FULL_DIM) * 3.0


def shape_problems(body: Any) -> list[str]:
    """Everything wrong with a request compared with the shape Qwen3-VL-Embedding needs."""
    if not isinstance(body, dict):
        return ["body is not an object"]
    problems = []
    if set(body) != EXPECTED_KEYS:
        problems.append(f"keys {sorted(body)} != {sorted(EXPECTED_KEYS)}")
    if body.get("encoding_format") != "float":
        problems.append("encoding_format must be 'float'")
    if body.get("continue_final_message") is not True:
        problems.append("continue_final_message must be true")
    if body.get("add_special_tokens") is not True:
        problems.append("add_special_tokens must be true")
    messages = body.get("messages")
    if not isinstance(messages, list) or [m.get("role") for m in messages] != [
        "system",
        "user",
        "assistant",
    ]:
        return [*problems, "messages must be system, user, assistant"]
    system, user, assistant = messages
    if not (
        isinstance(system["content"], list)
        and system["content"]
        and all(p.get("type") == "text" and p.get("text") for p in system["content"])
    ):
        problems.append("system content must be non-empty text parts")
    parts = user["content"]
    if not isinstance(parts, list) or not parts:
        problems.append("user content must be a non-empty list of parts")
    else:
        for part in parts:
            if part.get("type") == "text" and isinstance(part.get("text"), str):
                continue
            url = (part.get("image_url") or {}).get("url", "")
            if part.get("type") == "image_url" and url.startswith("data:image/"):
                continue
            problems.append(f"bad user part {str(part)[:80]}")
    if assistant.get("content") != "":
        problems.append("assistant turn must be empty")
    return problems


class FakeVllm:
    """Serves GET /health and POST /v1/embeddings on 127.0.0.1; records every request body."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_next = 0  # answer this many embedding requests with HTTP 500 first
        self.reject_all = False  # answer 400 like vLLM does for an input it cannot take
        self.reject_text: str | None = None  # answer 400 for a request holding this text
        self.health_status = 200  # what GET /health answers
        self.unknown_model = False  # answer 404 like vLLM asked for a model it does not serve
        self.delay_s = 0.0  # wait this long before answering an embedding request
        self.models = [DEFAULT_VLLM_MODEL]  # what GET /v1/models lists
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._in_flight = 0  # embedding requests being answered (a delayed one outlives its test)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeVllm:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        """Forget what was asked, once requests still being answered (a client that gave up on a
        delayed answer leaves one behind) have been recorded: they belong to the test before."""
        with self._lock:
            if not self._idle.wait_for(lambda: self._in_flight == 0, timeout=30):
                raise RuntimeError("fake vLLM: a request is still being answered after 30 s")
            self.requests.clear()
            self.fail_next = 0
            self.reject_all = False
            self.reject_text = None
            self.health_status = 200
            self.unknown_model = False
            self.delay_s = 0.0
            self.models = [DEFAULT_VLLM_MODEL]

    def _answer(self, body: Any) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self._in_flight += 1
        try:
            return self._answer_now(body)
        finally:
            with self._lock:
                self._in_flight -= 1
                self._idle.notify_all()

    def _answer_now(self, body: Any) -> tuple[int, dict[str, Any]]:
        if self.delay_s:
            time.sleep(self.delay_s)
        with self._lock:
            self.requests.append(body)
            if self.unknown_model:
                message = f"The model `{body.get('model')}` does not exist."
                return 404, {"object": "error", "message": message, "code": 404}
            if self.fail_next > 0:
                self.fail_next -= 1
                return 500, {"object": "error", "message": "engine overloaded", "code": 500}
            if self.reject_all or (self.reject_text and self.reject_text in json.dumps(body)):
                return 400, {"object": "error", "message": "prompt too long", "code": 400}
        problems = shape_problems(body)
        if problems:
            return 400, {"object": "error", "message": "; ".join(problems), "code": 400}
        vector = raw_vector_for(body).tolist()
        return 200, {
            "id": "embd-test",
            "object": "list",
            "created": 0,
            "model": body["model"],
            "data": [{"object": "embedding", "index": 0, "embedding": vector}],
            "usage": {"prompt_tokens": 12, "total_tokens": 12},
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/health":
                    self.send_response(fake.health_status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                elif self.path == "/v1/models":
                    listed = [{"id": name, "object": "model"} for name in fake.models]
                    self._reply(200, {"object": "list", "data": listed})
                else:
                    self._reply(404, {"message": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                raw = self.rfile.read(length)
                if self.path != "/v1/embeddings":
                    self._reply(404, {"message": "not found"})
                    return
                try:
                    body = json.loads(raw)
                except ValueError:
                    self._reply(400, {"message": "invalid json"})
                    return
                self._reply(*fake._answer(body))

        return Handler
