"""A loopback OpenAI-compatible server that injects provider faults, seeded, and records every request.

    with fault_server(respond, seed=7, rate=0.2) as server:
        model = ChatOpenAI(model="gpt-4o-mini", api_key="sk-test", base_url=server.base_url)
        ...
    server.count(Fault.RATE_LIMIT)    # requests answered 429 with Retry-After
    server.requests[0].fault          # what the first request got (None: a clean answer)

It listens on 127.0.0.1 only, keeps connections alive as real providers do (closing one only
for a dropped-connection fault, or after IDLE_TIMEOUT_S without a request), and every wait in
it is bounded and ends when the server stops.

Which requests are faulted depends only on the seed and the order requests arrive in: of every
BLOCK consecutive requests exactly round(rate * BLOCK) are faulted, at seeded positions, each
with a kind drawn (seeded too) among the `kinds` that suit it: output faults only for
structured-output requests, a tool call where text was expected only for text requests, a
missing finish only for streams (see `suits`). Requests sent concurrently may swap numbers.
`inject` puts chosen faults ahead of the plan; `permanent` answers everything with one
permanent fault (401, 404 model not found, 400) until cleared, and a request for a model
outside `models` gets the 404 a real provider gives.

The test's responder answers every request that is not given an error status, also when a
fault then mangles the answer: `(200, text)` for text, `(200, json)` for a structured-output
request (`response_format` json_schema: the JSON is the content; `tools`: it is the call's
arguments). A responder's own error `(status, message)` is sent as an OpenAI error.
"""

from __future__ import annotations

import json
import random
import socket
import threading
from collections import Counter, deque
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from tests.loopback import OpenAIHandler, Responder, ToolCall, chunks, completion, error_body, serve, sse

BLOCK = 100
IDLE_TIMEOUT_S = 60.0
TRICKLE_PARTS = 8  # a non-streamed body trickles out in this many parts


class Fault(StrEnum):
    """What the server does to a request instead of answering it well."""

    RATE_LIMIT = "rate_limit"
    """429 with a Retry-After header."""
    RATE_LIMIT_NO_RETRY_AFTER = "rate_limit_no_retry_after"
    """429 without one."""
    SERVER_ERROR = "server_error"
    """500."""
    UNAVAILABLE = "unavailable"
    """503."""
    DROP = "drop"
    """Headers and half the body (or half the stream's events) sent, then the connection closed."""
    SLOW = "slow"
    """Nothing for `slow_s`, then the answer: slower than a client's timeout."""
    TRICKLE = "trickle"
    """The answer in parts `trickle_s` apart: every read is quick, the whole reply is not."""
    MALFORMED = "malformed"
    """A 200 whose JSON body is cut short; in a stream, one corrupt `data:` event among good ones."""
    TRUNCATED_OUTPUT = "truncated_output"
    """The structured output (content or tool-call arguments) cut in half, finished as if whole."""
    INVALID_OUTPUT = "invalid_output"
    """Well-formed JSON that breaks the schema: every top-level value of the answer of another type."""
    NO_FINISH = "no_finish"
    """A stream that ends without a finish_reason and without `data: [DONE]`."""
    LENGTH = "length"
    """Half the answer, with finish_reason "length"."""
    EMPTY = "empty"
    """An empty message, finished normally."""
    TOOL_CALL_FOR_TEXT = "tool_call_for_text"
    """A call to a tool nobody offered instead of text."""
    UNAUTHORIZED = "unauthorized"
    """401 invalid_api_key: permanent."""
    MODEL_NOT_FOUND = "model_not_found"
    """404 model_not_found: permanent."""
    BAD_REQUEST = "bad_request"
    """400 invalid_request_error: permanent."""


PERMANENT = frozenset({Fault.UNAUTHORIZED, Fault.MODEL_NOT_FOUND, Fault.BAD_REQUEST})
TRANSIENT = frozenset(Fault) - PERMANENT
_ORDER = {fault: i for i, fault in enumerate(Fault)}

# (status, OpenAI error type, code, message) of the faults answered with an error status.
_ERRORS: dict[Fault, tuple[int, str, str | None, str]] = {
    Fault.RATE_LIMIT: (429, "requests", "rate_limit_exceeded", "Rate limit reached for requests."),
    Fault.RATE_LIMIT_NO_RETRY_AFTER: (429, "requests", "rate_limit_exceeded", "Rate limit reached for requests."),
    Fault.SERVER_ERROR: (500, "server_error", None, "The server had an error while processing your request."),
    Fault.UNAVAILABLE: (503, "server_error", None, "The server is overloaded or not ready yet."),
    Fault.UNAUTHORIZED: (401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    Fault.MODEL_NOT_FOUND: (404, "invalid_request_error", "model_not_found", "The model does not exist."),
    Fault.BAD_REQUEST: (400, "invalid_request_error", None, "Invalid value for 'messages'."),
}


def is_structured(body: dict[str, Any]) -> bool:
    """Return whether the request asks for structured output (a JSON schema, JSON mode or tools)."""
    fmt = body.get("response_format") or {}
    return fmt.get("type") in ("json_schema", "json_object") or bool(body.get("tools"))


def suits(fault: Fault, body: dict[str, Any]) -> bool:
    """Return whether the seeded plan may give `fault` to this request."""
    if fault in (Fault.TRUNCATED_OUTPUT, Fault.INVALID_OUTPUT):
        return is_structured(body)
    if fault is Fault.TOOL_CALL_FOR_TEXT:
        return not is_structured(body)
    if fault is Fault.NO_FINISH:
        return bool(body.get("stream"))
    return True


@lru_cache(maxsize=256)
def _faulted_slots(seed: int, rate: float, block: int) -> frozenset[int]:
    # A string seed is hashed with SHA-512, so the plan is the same in every process and run.
    return frozenset(random.Random(f"{seed}:{block}").sample(range(BLOCK), round(rate * BLOCK)))


def planned_fault(seed: int, rate: float, kinds: Collection[Fault], number: int, body: dict[str, Any]) -> Fault | None:
    """Return the seeded plan's fault for request `number` with this body (None: answer it cleanly)."""
    block, slot = divmod(number, BLOCK)
    if slot not in _faulted_slots(seed, rate, block):
        return None
    # Sorted by declaration: a set's order would differ between processes (string hashing).
    candidates = sorted((k for k in kinds if suits(k, body)), key=_ORDER.__getitem__)
    return random.Random(f"{seed}:{number}:kind").choice(candidates) if candidates else None


@dataclass(frozen=True)
class Recorded:
    """One request as the server saw it, and what it did to it."""

    number: int
    """Arrival order, from 0."""
    body: dict[str, Any] | None
    """The JSON body (None if it was not JSON)."""
    headers: dict[str, str]
    """Request headers, names lower-cased."""
    fault: Fault | None
    """The fault injected, or None for a clean answer."""
    connection: int
    """Which TCP connection carried it, from 1."""


@dataclass
class FaultServer:
    """The running server: where it is, how it faults, what it received."""

    base_url: str
    seed: int
    rate: float
    kinds: frozenset[Fault]
    slow_s: float
    trickle_s: float
    retry_after: str
    models: frozenset[str] | None
    permanent: Fault | None = None
    """When set, every request gets this fault (one of PERMANENT) until it is cleared."""
    requests: list[Recorded] = field(default_factory=list)
    connections: int = 0
    _queued: deque[Fault | None] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)

    def planned(self, number: int, body: dict[str, Any]) -> Fault | None:
        """Return this server's planned fault for request `number` with this body."""
        return planned_fault(self.seed, self.rate, self.kinds, number, body)

    def inject(self, *faults: Fault | None) -> None:
        """Give the next requests these faults (None: a clean answer), in order, before the plan."""
        with self._lock:
            self._queued.extend(faults)

    def clear(self) -> None:
        """Forget the injected faults no request has taken yet."""
        with self._lock:
            self._queued.clear()

    def count(self, fault: Fault | None) -> int:
        """Return how many requests got `fault` (None: how many were answered cleanly)."""
        return self.counts()[fault]

    def counts(self) -> Counter[Fault | None]:
        """Return the number of requests per fault injected (None: clean)."""
        with self._lock:
            return Counter(r.fault for r in self.requests)

    def admit(self, body: dict[str, Any] | None, headers: dict[str, str], connection: int) -> Recorded:
        """Number and record a request, deciding its fault."""
        with self._lock:
            number = len(self.requests)
            if body is None:
                fault: Fault | None = Fault.BAD_REQUEST
            elif self.permanent is not None:
                fault = self.permanent
            elif self.models is not None and body.get("model") not in self.models:
                fault = Fault.MODEL_NOT_FOUND
            elif self._queued:
                fault = self._queued.popleft()
            else:
                fault = self.planned(number, body)
            record = Recorded(number, body, headers, fault, connection)
            self.requests.append(record)
            return record

    def connected(self) -> int:
        """Count a new connection and return its number."""
        with self._lock:
            self.connections += 1
            return self.connections

    def pause(self, seconds: float) -> None:
        """Wait `seconds`, or less if the server is stopping."""
        self._stopping.wait(seconds)


@contextmanager
def fault_server(
    respond: Responder,
    *,
    seed: int = 0,
    rate: float = 0.2,
    kinds: Collection[Fault] = TRANSIENT,
    slow_s: float = 2.0,
    trickle_s: float = 0.5,
    retry_after: str = "1",
    models: Collection[str] | None = None,
) -> Iterator[FaultServer]:
    """Serve /v1/chat/completions on 127.0.0.1 with `respond`'s answers, faulting `rate` of them."""
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must be within [0, 1], not {rate}")
    state = FaultServer(
        base_url="",
        seed=seed,
        rate=rate,
        kinds=frozenset(kinds),
        slow_s=slow_s,
        trickle_s=trickle_s,
        retry_after=retry_after,
        models=None if models is None else frozenset(models),
    )

    class Handler(_FaultHandler):
        server_state = state
        responder = staticmethod(respond)

    with serve(Handler) as base_url:
        state.base_url = base_url
        try:
            yield state
        finally:
            state._stopping.set()


class _FaultHandler(OpenAIHandler):
    server_state: FaultServer
    responder: Responder
    connection_number: int
    timeout = IDLE_TIMEOUT_S

    def setup(self) -> None:
        super().setup()
        self.connection_number = self.server_state.connected()

    def do_POST(self) -> None:
        body = self.read_json()
        headers = {k.lower(): v for k, v in self.headers.items()}
        record = self.server_state.admit(body, headers, self.connection_number)
        try:
            self._answer(body or {}, record)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            # The client gave up (its timeout, a fault it would not read to the end).
            self.close_connection = True

    def _answer(self, body: dict[str, Any], record: Recorded) -> None:
        state, fault = self.server_state, record.fault
        if fault in _ERRORS:
            status, kind, code, message = _ERRORS[fault]
            if fault is Fault.MODEL_NOT_FOUND:
                message = f"The model `{body.get('model')}` does not exist or you do not have access to it."
            retry = {"Retry-After": state.retry_after} if fault is Fault.RATE_LIMIT else {}
            self.send_json(status, error_body(message, kind, code), retry)
            return
        status, answer = self.responder(body)
        if status != 200:
            self.send_json(status, error_body(answer))
            return
        if fault is Fault.SLOW:
            state.pause(state.slow_s)
        content, tool_call, finish = _shape(body, answer, fault)
        if body.get("stream"):
            self._stream(body, content, tool_call, finish, fault)
        else:
            data = completion(body, content, finish_reason=finish, tool_call=tool_call, number=record.number)
            self._whole(json.dumps(data).encode(), fault)

    def _whole(self, data: bytes, fault: Fault | None) -> None:
        if fault is Fault.MALFORMED:
            self.send_json(200, data[: len(data) // 2])
            return
        if fault not in (Fault.DROP, Fault.TRICKLE):
            self.send_json(200, data)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if fault is Fault.DROP:
            self.wfile.write(data[: len(data) // 2])
            self._hang_up()
            return
        step = -(-len(data) // TRICKLE_PARTS)
        for start in range(0, len(data), step):
            self.wfile.write(data[start : start + step])
            self.wfile.flush()
            if start + step < len(data):
                self.server_state.pause(self.server_state.trickle_s)

    def _stream(
        self,
        body: dict[str, Any],
        content: str | None,
        tool_call: ToolCall | None,
        finish: str | None,
        fault: Fault | None,
    ) -> None:
        events: list[dict[str, Any] | str] = [*chunks(body, content, finish_reason=finish, tool_call=tool_call)]
        if fault is not Fault.NO_FINISH:
            events.append("[DONE]")
        if fault is Fault.MALFORMED:
            events.insert(min(2, len(events)), '{"id": "chatcmpl-s", "choices": [{"index": 0, "delta": {"cont')
        self.start_stream()
        if fault is Fault.DROP:
            for event in events[: len(events) // 2]:
                self.send_chunk(sse(event))
            self._hang_up()
            return
        for i, event in enumerate(events):
            if fault is Fault.TRICKLE and i:
                self.server_state.pause(self.server_state.trickle_s)
            self.send_chunk(sse(event))
        self.end_stream()

    def _hang_up(self) -> None:
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)


def _shape(body: dict[str, Any], answer: str, fault: Fault | None) -> tuple[str | None, ToolCall | None, str | None]:
    """Return (content, tool call, finish_reason) of the reply, as `fault` distorts it."""
    tools = body.get("tools") or []
    if fault is Fault.TOOL_CALL_FOR_TEXT:
        return None, ToolCall("unexpected_tool", "{}"), "tool_calls"
    if fault is Fault.EMPTY:
        return "", None, "stop"
    finish: str | None = "tool_calls" if tools else "stop"
    if fault in (Fault.TRUNCATED_OUTPUT, Fault.LENGTH):
        answer = answer[: len(answer) // 2]
        finish = "length" if fault is Fault.LENGTH else finish
    elif fault is Fault.INVALID_OUTPUT:
        answer = _mistyped(answer)
    elif fault is Fault.NO_FINISH:
        finish = None
    if tools:
        return None, ToolCall(_tool_name(body), answer), finish
    return answer, None, finish


def _tool_name(body: dict[str, Any]) -> str:
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and "function" in choice:
        return str(choice["function"]["name"])
    return str(body["tools"][0]["function"]["name"])


def _mistyped(answer: str) -> str:
    # Same keys, wrong types: no schema that typed the answer's values accepts it.
    try:
        value = json.loads(answer)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not value:
        return json.dumps({"unexpected": True})
    return json.dumps({key: 12345 if isinstance(item, str) else "not-a-value" for key, item in value.items()})
