"""A loopback OpenAI-compatible server for tests: real HTTP/1.1 with keep-alive, scripted answers.

It behaves like a real provider where it matters to a client: connections stay open between
requests (so a client's connection pool is exercised), streams are sent with chunked transfer
encoding and end with a finish reason, a usage chunk when asked, and `data: [DONE]`.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A reply is (HTTP status, body); for 200 the body is the assistant message content.
Reply = tuple[int, str]
Responder = Callable[[dict[str, Any]], Reply]


@dataclass
class Loopback:
    """The running server: its base URL, every request body and header it received, its connections."""

    base_url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    """Bodies of chat completion requests."""
    headers: list[dict[str, str]] = field(default_factory=list)
    embeddings: list[dict[str, Any]] = field(default_factory=list)
    """Bodies of embedding requests (answered with bag-of-words vectors: near-duplicates are close)."""
    connections: int = 0


@contextmanager
def openai_server(respond: Responder) -> Iterator[Loopback]:
    """Serve /v1/chat/completions on 127.0.0.1, answering each request with `respond`."""
    state = Loopback(base_url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with lock:
                state.connections += 1

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path.endswith("/embeddings"):
                with lock:
                    state.embeddings.append(body)
                self._embed(body)
                return
            with lock:
                state.requests.append(body)
                state.headers.append({k.lower(): v for k, v in self.headers.items()})
            status, content = respond(body)
            if status == 200 and body.get("stream"):
                self._stream(body, content)
                return
            if status == 200:
                payload = {
                    "id": f"chatcmpl-{len(state.requests)}",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"] + "-2024-08-06",
                    "choices": [
                        {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
                    ],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
                }
            else:
                payload = {"error": {"message": content, "type": "invalid_request_error", "code": None}}
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, body: dict[str, Any], content: str) -> None:
            base = {"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 0, "model": body["model"]}
            pieces = [content[i : i + 12] for i in range(0, len(content), 12)]
            events = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": p}}]} for p in pieces]
            events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            if body.get("stream_options", {}).get("include_usage"):
                usage = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
                events.append({**base, "choices": [], "usage": usage})
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for event in [*(f"data: {json.dumps(e)}\n\n" for e in events), "data: [DONE]\n\n"]:
                data = event.encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")

        def _embed(self, body: dict[str, Any]) -> None:
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            data = [{"object": "embedding", "index": i, "embedding": _vector(t)} for i, t in enumerate(texts)]
            payload = json.dumps({"object": "list", "data": data, "model": body["model"], "usage": {}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


EMBEDDING_DIMS = 1536


def _vector(text: str | list[int]) -> list[float]:
    # Each word adds +-1 at a hashed position: texts sharing most words point the same way.
    words = text.lower().split() if isinstance(text, str) else [str(t) for t in text]
    vector = [0.0] * EMBEDDING_DIMS
    for word in words:
        digest = hashlib.sha256(word.strip(".,!?").encode()).digest()
        vector[int.from_bytes(digest[:4], "big") % EMBEDDING_DIMS] += 1.0 if digest[4] % 2 else -1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def schema_name(request: dict[str, Any]) -> str | None:
    """Return the name of the JSON schema a structured-output request asks for."""
    fmt = request.get("response_format") or {}
    return fmt.get("json_schema", {}).get("name") if fmt.get("type") == "json_schema" else None
