"""A loopback OpenAI-compatible server for tests: real HTTP/1.1 with keep-alive, scripted answers.

It behaves like a real provider where it matters to a client: connections stay open between
requests (so a client's connection pool is exercised), streams are sent with chunked transfer
encoding and end with a finish reason, a usage chunk when asked, and `data: [DONE]`.

The wire format (`completion`, `chunks`), the handler's writing helpers (`OpenAIHandler`) and
the server's life (`serve`) are shared with the fault-injecting server in `tests/faults.py`.
"""

from __future__ import annotations

import hashlib
import json
import math
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USAGE = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
CHUNK_CHARS = 12


@dataclass
class Loopback:
    """The running server: its base URL, every request body and header it received, its connections."""

    base_url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    """Bodies of chat completion requests."""
    headers: list[dict[str, str]] = field(default_factory=list)
    connections: int = 0
    embeddings: list[dict[str, Any]] = field(default_factory=list)
    """Bodies of embedding requests (answered with bag-of-words vectors: near-duplicates are close)."""


@dataclass(frozen=True)
class ToolCall:
    """A function call the assistant makes: its name and its JSON arguments, as text."""

    name: str
    arguments: str


# A reply is (HTTP status, body); for 200 the body is the assistant message content, or the tool
# calls the assistant makes (an agent's turn: `[ToolCall(name, arguments), ...]`).
Reply = tuple[int, str | list[ToolCall]]
Responder = Callable[[dict[str, Any]], Reply]


def completion(
    body: dict[str, Any],
    content: str | None,
    *,
    finish_reason: str | None = "stop",
    tool_call: ToolCall | None = None,
    number: int = 0,
    tool_calls: list[ToolCall] | None = None,
) -> dict[str, Any]:
    """Return a chat.completion answering `body` (`tool_calls`: several calls, ids unique per request)."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_call is not None:
        message["tool_calls"] = [
            {
                "id": "call_loopback",
                "type": "function",
                "function": {"name": tool_call.name, "arguments": tool_call.arguments},
            }
        ]
    if tool_calls:
        message["tool_calls"] = [
            {"id": f"call_{number}_{i}", "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for i, c in enumerate(tool_calls)
        ]
    return {
        "id": f"chatcmpl-{number}",
        "object": "chat.completion",
        "created": 0,
        "model": body["model"] + "-2024-08-06",
        "choices": [{"index": 0, "finish_reason": finish_reason, "message": message}],
        "usage": USAGE,
    }


def chunks(
    body: dict[str, Any],
    content: str | None,
    *,
    finish_reason: str | None = "stop",
    tool_call: ToolCall | None = None,
    tool_calls: list[ToolCall] | None = None,
    number: int = 0,
) -> list[dict[str, Any]]:
    """Return the chat.completion.chunk events of a streamed answer, without `[DONE]`.

    Content (or a tool call's arguments) comes in pieces of CHUNK_CHARS; then the finish
    (left out when `finish_reason` is None); then usage, when the request asked for it.
    """
    base = {"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 0, "model": body["model"]}

    def event(delta: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, **extra}]}

    events = [event({"role": "assistant", "content": "" if tool_call is None and not tool_calls else None})]
    for piece in _pieces(content or ""):
        events.append(event({"content": piece}))
    if tool_call is not None:
        opening = {"index": 0, "id": "call_loopback", "type": "function"}
        events.append(event({"tool_calls": [{**opening, "function": {"name": tool_call.name, "arguments": ""}}]}))
        for piece in _pieces(tool_call.arguments):
            events.append(event({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}))
    for i, call in enumerate(tool_calls or ()):
        opening = {"index": i, "id": f"call_{number}_{i}", "type": "function"}
        events.append(event({"tool_calls": [{**opening, "function": {"name": call.name, "arguments": ""}}]}))
        for piece in _pieces(call.arguments):
            events.append(event({"tool_calls": [{"index": i, "function": {"arguments": piece}}]}))
    if finish_reason is not None:
        events.append(event({}, finish_reason=finish_reason))
    if body.get("stream_options", {}).get("include_usage"):
        events.append({**base, "choices": [], "usage": USAGE})
    return events


def _pieces(text: str) -> list[str]:
    return [text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)]


def sse(event: dict[str, Any] | str) -> bytes:
    """Return one server-sent event: `data: <json>` (or the text as is) and a blank line."""
    return f"data: {event if isinstance(event, str) else json.dumps(event)}\n\n".encode()


def error_body(message: str, kind: str = "invalid_request_error", code: str | None = None) -> dict[str, Any]:
    """Return an OpenAI error object."""
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


class OpenAIHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler with the writes an OpenAI-compatible server needs."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, the client's delayed ACK adds 40 ms.
    disable_nagle_algorithm = True

    def read_json(self) -> dict[str, Any] | None:
        """Read the whole request body (the connection stays usable); None when it is not JSON."""
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw)
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def send_json(self, status: int, payload: dict[str, Any] | bytes, headers: dict[str, str] | None = None) -> None:
        """Send a whole JSON response with its Content-Length."""
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def start_stream(self) -> None:
        """Send the headers of a chunked text/event-stream response."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def send_chunk(self, data: bytes) -> None:
        """Send one HTTP chunk and flush it to the client."""
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def end_stream(self) -> None:
        """Send the last, empty chunk: the response is complete and the connection reusable."""
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.sockets_lock:
                self.open_sockets.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up mid-reply (a timeout, a dropped stream) is business as usual.
        return


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on a free 127.0.0.1 port and yield the /v1 base URL; close every connection on exit."""
    server = _Server(handler)
    # A short poll interval lets shutdown() return at once rather than after half a second.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        # Kept-alive connections would otherwise hold their handler threads until the client left.
        with server.sockets_lock:
            for sock in server.open_sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        thread.join(timeout=5)


@contextmanager
def openai_server(respond: Responder) -> Iterator[Loopback]:
    """Serve /v1/chat/completions on 127.0.0.1, answering each request with `respond`."""
    state = Loopback(base_url="")
    lock = threading.Lock()

    class Handler(OpenAIHandler):
        def setup(self) -> None:
            super().setup()
            with lock:
                state.connections += 1

        def do_POST(self) -> None:
            body = self.read_json() or {}
            if self.path.endswith("/embeddings"):
                with lock:
                    state.embeddings.append(body)
                texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
                data = [{"object": "embedding", "index": i, "embedding": _vector(t)} for i, t in enumerate(texts)]
                self.send_json(200, {"object": "list", "data": data, "model": body["model"], "usage": {}})
                return
            with lock:
                state.requests.append(body)
                state.headers.append({k.lower(): v for k, v in self.headers.items()})
                number = len(state.requests)
            status, answer = respond(body)
            calls = answer if isinstance(answer, list) else None
            content = None if isinstance(answer, list) else answer
            finish = "tool_calls" if calls else "stop"
            if status != 200:
                self.send_json(status, error_body(str(answer)))
            elif body.get("stream"):
                streamed = chunks(body, content, finish_reason=finish, tool_calls=calls, number=number)
                events: list[dict[str, Any] | str] = [*streamed, "[DONE]"]
                self.start_stream()
                for event in events:
                    self.send_chunk(sse(event))
                self.end_stream()
            else:
                self.send_json(200, completion(body, content, finish_reason=finish, tool_calls=calls, number=number))

    with serve(Handler) as base_url:
        state.base_url = base_url
        yield state


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
