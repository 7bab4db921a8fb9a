"""The fault server itself: each fault as a client sees it over real HTTP, the seeded plan, the records.

Driven with httpx (the wire) and with langchain_openai.ChatOpenAI (what the model layer sees,
with max_retries=0 so every fault shows once).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, ValidationError

from tests.faults import (
    BLOCK,
    PERMANENT,
    TRANSIENT,
    TRICKLE_PARTS,
    Fault,
    FaultServer,
    fault_server,
    planned_fault,
    suits,
)
from tests.loopback import Reply, schema_name

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
ANSWER = {"intent": "Billing Inquiry", "confidence": 0.93}
TEXT_ANSWER = "Could you share your account number so I can check the invoice?"
SCHEMA = {
    "type": "object",
    "properties": {"intent": {"type": "string"}, "confidence": {"type": "number"}},
    "required": ["intent", "confidence"],
    "additionalProperties": False,
}
TEXT: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Is my invoice wrong?"}]}
STRUCTURED = {
    **TEXT,
    "response_format": {"type": "json_schema", "json_schema": {"name": "Classification", "schema": SCHEMA}},
}
TOOLS = {
    **TEXT,
    "tools": [{"type": "function", "function": {"name": "Classification", "parameters": SCHEMA}}],
    "tool_choice": {"type": "function", "function": {"name": "Classification"}},
}
BODIES = {"text": TEXT, "structured": STRUCTURED, "tools": TOOLS}
SLOW_S = 1.0
TRICKLE_S = 0.05


class Classification(BaseModel):
    intent: str
    confidence: float


def respond(request: dict[str, Any]) -> Reply:
    if schema_name(request) == "Classification" or request.get("tools"):
        return 200, json.dumps(ANSWER)
    return 200, TEXT_ANSWER


def streamed(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "stream": True, "stream_options": {"include_usage": True}}


@pytest.fixture
def server() -> Iterator[FaultServer]:
    """A server that faults only on request (rate 0)."""
    with fault_server(respond, rate=0, slow_s=SLOW_S, trickle_s=TRICKLE_S) as running:
        yield running


@pytest.fixture
def client(server: FaultServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer sk-test"}, timeout=5) as http:
        yield http


def post(client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    return client.post("/chat/completions", json=body)


def sse_data(client: httpx.Client, body: dict[str, Any]) -> list[str]:
    """Return the `data:` payloads of a streamed reply, read to the end of the HTTP response."""
    with client.stream("POST", "/chat/completions", json=body) as response:
        assert response.status_code == 200
        return [line.removeprefix("data: ") for line in response.iter_lines() if line.startswith("data: ")]


def output_of(message: dict[str, Any]) -> str:
    """The structured output of a reply: its content, or its tool call's arguments."""
    if message.get("tool_calls"):
        return str(message["tool_calls"][0]["function"]["arguments"])
    return str(message["content"])


def joined(events: list[dict[str, Any]]) -> tuple[str, list[str | None]]:
    """(text or tool arguments assembled from stream events, every finish_reason seen)."""
    text, finishes = "", []
    for event in events:
        for choice in event["choices"]:
            delta = choice["delta"]
            text += delta.get("content") or ""
            text += "".join(call["function"].get("arguments", "") for call in delta.get("tool_calls", []))
            finishes.append(choice.get("finish_reason"))
    return text, finishes


# --- clean answers ---------------------------------------------------------------------------


def test_clean_replies_answer_each_kind_of_request(server: FaultServer, client: httpx.Client) -> None:
    text = post(client, TEXT).json()
    assert text["choices"][0]["message"]["content"] == TEXT_ANSWER
    assert text["choices"][0]["finish_reason"] == "stop" and text["usage"]["total_tokens"] == 120
    structured = post(client, STRUCTURED).json()["choices"][0]
    assert json.loads(output_of(structured["message"])) == ANSWER and structured["finish_reason"] == "stop"
    tools = post(client, TOOLS).json()["choices"][0]
    assert tools["message"]["tool_calls"][0]["function"]["name"] == "Classification"
    assert json.loads(output_of(tools["message"])) == ANSWER and tools["finish_reason"] == "tool_calls"
    for body, expected, finish in [(TEXT, TEXT_ANSWER, "stop"), (TOOLS, json.dumps(ANSWER), "tool_calls")]:
        data = sse_data(client, streamed(body))
        assert data[-1] == "[DONE]"
        events = [json.loads(d) for d in data[:-1]]
        assert joined(events)[0] == expected
        assert [f for f in joined(events)[1] if f] == [finish]
        assert events[-1]["usage"]["total_tokens"] == 120
    assert server.counts() == {None: 5}
    # All five over one kept-alive connection.
    assert server.connections == 1


def test_connections_stay_open_through_error_replies(server: FaultServer, client: httpx.Client) -> None:
    server.inject(Fault.RATE_LIMIT, Fault.SERVER_ERROR, Fault.UNAVAILABLE, Fault.UNAUTHORIZED, Fault.BAD_REQUEST)
    statuses = [post(client, TEXT).status_code for _ in range(6)]
    assert statuses == [429, 500, 503, 401, 400, 200]
    assert server.connections == 1


# --- each fault on the wire -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "code", "retry_after"),
    [
        (Fault.RATE_LIMIT, 429, "rate_limit_exceeded", "1"),
        (Fault.RATE_LIMIT_NO_RETRY_AFTER, 429, "rate_limit_exceeded", None),
        (Fault.SERVER_ERROR, 500, None, None),
        (Fault.UNAVAILABLE, 503, None, None),
        (Fault.UNAUTHORIZED, 401, "invalid_api_key", None),
        (Fault.MODEL_NOT_FOUND, 404, "model_not_found", None),
        (Fault.BAD_REQUEST, 400, None, None),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_error_statuses(
    server: FaultServer,
    client: httpx.Client,
    fault: Fault,
    status: int,
    code: str | None,
    retry_after: str | None,
    stream: bool,
) -> None:
    server.inject(fault)
    response = post(client, streamed(TEXT) if stream else TEXT)
    assert response.status_code == status
    assert response.headers.get("retry-after") == retry_after
    assert response.json()["error"]["code"] == code
    assert server.requests[0].fault is fault


def test_a_dropped_connection_closes_mid_reply(server: FaultServer, client: httpx.Client) -> None:
    server.inject(Fault.DROP, Fault.DROP)
    with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
        post(client, TEXT)
    with pytest.raises(httpx.RemoteProtocolError), client.stream("POST", "/chat/completions", json=streamed(TEXT)) as r:
        assert r.status_code == 200
        for _ in r.iter_lines():
            pass
    assert post(client, TEXT).status_code == 200
    # Each drop cost its connection; the clean request needed a third.
    assert server.connections == 3


def test_a_slow_reply_outlasts_the_client_timeout(server: FaultServer) -> None:
    server.inject(Fault.SLOW, Fault.SLOW)
    with httpx.Client(base_url=server.base_url, timeout=0.3) as impatient, pytest.raises(httpx.ReadTimeout):
        post(impatient, TEXT)
    with httpx.Client(base_url=server.base_url, timeout=5) as patient:
        started = time.monotonic()
        assert post(patient, TEXT).json()["choices"][0]["message"]["content"] == TEXT_ANSWER
        assert time.monotonic() - started >= SLOW_S


def test_a_trickled_reply_never_trips_a_read_timeout_but_takes_long(server: FaultServer) -> None:
    server.inject(Fault.TRICKLE, Fault.TRICKLE)
    with httpx.Client(base_url=server.base_url, timeout=10 * TRICKLE_S) as client:
        started = time.monotonic()
        assert post(client, TEXT).json()["choices"][0]["message"]["content"] == TEXT_ANSWER
        assert time.monotonic() - started >= (TRICKLE_PARTS - 1) * TRICKLE_S
        started = time.monotonic()
        data = sse_data(client, streamed(TEXT))
        assert data[-1] == "[DONE]"
        assert time.monotonic() - started >= (len(data) - 1) * TRICKLE_S


def test_malformed_bodies_and_stream_chunks(server: FaultServer, client: httpx.Client) -> None:
    server.inject(Fault.MALFORMED, Fault.MALFORMED)
    response = post(client, TEXT)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()
    data = sse_data(client, streamed(TEXT))
    corrupt = []
    for payload in data[:-1]:
        try:
            json.loads(payload)
        except json.JSONDecodeError:
            corrupt.append(payload)
    assert len(corrupt) == 1 and data[-1] == "[DONE]"


@pytest.mark.parametrize("kind", ["structured", "tools"])
@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("fault", [Fault.TRUNCATED_OUTPUT, Fault.INVALID_OUTPUT, Fault.LENGTH])
def test_structured_output_faults(
    server: FaultServer, client: httpx.Client, kind: str, stream: bool, fault: Fault
) -> None:
    server.inject(fault)
    body = BODIES[kind]
    if stream:
        output, finishes = joined([json.loads(d) for d in sse_data(client, streamed(body))[:-1]])
        finish = next(f for f in finishes if f)
    else:
        choice = post(client, body).json()["choices"][0]
        output, finish = output_of(choice["message"]), choice["finish_reason"]
    whole = json.dumps(ANSWER)
    normal_finish = "tool_calls" if kind == "tools" else "stop"
    if fault is Fault.INVALID_OUTPUT:
        broken = json.loads(output)
        assert broken.keys() == ANSWER.keys()
        assert all(type(broken[k]) is not type(v) for k, v in ANSWER.items())
        assert finish == normal_finish
    else:
        assert output == whole[: len(whole) // 2]
        assert finish == ("length" if fault is Fault.LENGTH else normal_finish)


def test_a_stream_can_end_without_a_finish_or_done(server: FaultServer, client: httpx.Client) -> None:
    server.inject(Fault.NO_FINISH)
    data = sse_data(client, streamed(TEXT))
    assert "[DONE]" not in data
    text, finishes = joined([json.loads(d) for d in data])
    assert text == TEXT_ANSWER and set(finishes) == {None}
    # The HTTP response itself was complete: the connection is reused.
    assert post(client, TEXT).status_code == 200 and server.connections == 1


def test_empty_replies_and_tool_calls_where_text_was_expected(server: FaultServer, client: httpx.Client) -> None:
    server.inject(Fault.EMPTY, Fault.TOOL_CALL_FOR_TEXT)
    empty = post(client, TEXT).json()["choices"][0]
    assert (empty["message"]["content"], empty["finish_reason"]) == ("", "stop")
    tool = post(client, TEXT).json()["choices"][0]
    assert tool["message"]["content"] is None and tool["finish_reason"] == "tool_calls"
    assert tool["message"]["tool_calls"][0]["function"] == {"name": "unexpected_tool", "arguments": "{}"}


def test_a_permanent_fault_lasts_until_cleared(server: FaultServer, client: httpx.Client) -> None:
    server.permanent = Fault.UNAUTHORIZED
    assert [post(client, TEXT).status_code for _ in range(3)] == [401, 401, 401]
    server.permanent = None
    assert post(client, TEXT).status_code == 200
    assert server.count(Fault.UNAUTHORIZED) == 3 and server.count(None) == 1


def test_a_model_the_server_lacks_is_not_found() -> None:
    with (
        fault_server(respond, rate=1.0, models={"gpt-4o-mini"}) as server,
        httpx.Client(base_url=server.base_url) as client,
    ):
        missing = post(client, {**TEXT, "model": "gpt-nope"})
    assert missing.status_code == 404
    assert missing.json()["error"]["message"].startswith("The model `gpt-nope` does not exist")
    assert [r.fault for r in server.requests] == [Fault.MODEL_NOT_FOUND]


def test_every_request_is_recorded(server: FaultServer, client: httpx.Client) -> None:
    server.inject(None, Fault.SERVER_ERROR)
    post(client, TEXT)
    post(client, streamed(STRUCTURED))
    first, second = server.requests
    assert (first.number, first.fault, first.body) == (0, None, TEXT)
    assert (second.number, second.fault, second.body) == (1, Fault.SERVER_ERROR, streamed(STRUCTURED))
    assert first.headers["authorization"] == "Bearer sk-test" and first.connection == second.connection == 1


# --- the seeded plan ---------------------------------------------------------------------------


def plan(seed: int, body: dict[str, Any], n: int = 1000, rate: float = 0.2) -> list[Fault | None]:
    return [planned_fault(seed, rate, TRANSIENT, i, body) for i in range(n)]


def test_the_plan_faults_exactly_the_rate_in_every_block_and_repeats_for_a_seed() -> None:
    faults = plan(7, TEXT)
    for start in range(0, 1000, BLOCK):
        assert sum(f is not None for f in faults[start : start + BLOCK]) == 20
    assert plan(7, TEXT) == faults
    assert plan(8, TEXT) != faults
    assert sum(f is not None for f in plan(7, TEXT, rate=0.05)) == 50


def test_the_plan_is_the_same_in_every_process() -> None:
    script = (
        "import json, sys\n"
        "from tests.faults import TRANSIENT, planned_fault\n"
        "body = json.loads(sys.argv[1])\n"
        "print(json.dumps([planned_fault(7, 0.2, TRANSIENT, i, body) for i in range(300)]))\n"
    )
    here = json.dumps(plan(7, STRUCTURED, n=300))
    for hash_seed in ("0", "1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", script, json.dumps(STRUCTURED)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            check=True,
        )
        assert out.stdout.strip() == here


@pytest.mark.parametrize("name", ["text", "structured", "tools"])
@pytest.mark.parametrize("stream", [False, True])
def test_the_plan_draws_every_kind_that_suits_the_request_and_no_other(name: str, stream: bool) -> None:
    body = streamed(BODIES[name]) if stream else BODIES[name]
    drawn = {f for f in plan(3, body, n=3000) if f is not None}
    assert drawn == {f for f in TRANSIENT if suits(f, body)}
    assert not drawn & PERMANENT


def _drive(seed: int, bodies: list[dict[str, Any]]) -> tuple[list[Fault | None], list[Fault | None], list[str]]:
    """Send `bodies` one by one; return (faults recorded, faults planned, what the client saw)."""
    seen = []
    with (
        fault_server(respond, seed=seed, slow_s=0.01, trickle_s=0.001) as server,
        httpx.Client(base_url=server.base_url, timeout=5) as client,
    ):
        for body in bodies:
            try:
                response = post(client, body)
                seen.append(f"{response.status_code}:{response.content[:60]!r}")
            except httpx.HTTPError as exc:
                seen.append(type(exc).__name__)
        planned = [server.planned(r.number, r.body or {}) for r in server.requests]
        return [r.fault for r in server.requests], planned, seen


def test_served_faults_follow_the_plan_and_repeat_for_a_seed() -> None:
    bodies = [[TEXT, STRUCTURED, TOOLS, streamed(TEXT)][i % 4] for i in range(200)]
    faults, planned, seen = _drive(11, bodies)
    assert faults == planned
    assert sum(f is not None for f in faults[:100]) == sum(f is not None for f in faults[100:]) == 20
    assert _drive(11, bodies) == (faults, planned, seen)
    assert _drive(12, bodies)[0] != faults


def test_rate_must_be_a_fraction() -> None:
    with pytest.raises(ValueError, match="rate"), fault_server(respond, rate=20):
        pass


# --- what ChatOpenAI sees ----------------------------------------------------------------------


def chat(server: FaultServer, **extra: Any) -> ChatOpenAI:
    return ChatOpenAI(
        model="gpt-4o-mini", api_key="sk-test", base_url=server.base_url, max_retries=0, **{"timeout": 5, **extra}
    )


def streamed_message(model: ChatOpenAI) -> AIMessageChunk:
    merged: AIMessageChunk | None = None
    for chunk in model.stream("Is my invoice wrong?"):
        merged = chunk if merged is None else merged + chunk
    assert merged is not None
    return merged


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.RATE_LIMIT, openai.RateLimitError),
        (Fault.RATE_LIMIT_NO_RETRY_AFTER, openai.RateLimitError),
        (Fault.SERVER_ERROR, openai.InternalServerError),
        (Fault.UNAVAILABLE, openai.InternalServerError),
        (Fault.DROP, openai.APIConnectionError),
        (Fault.MALFORMED, json.JSONDecodeError),
        (Fault.UNAUTHORIZED, openai.AuthenticationError),
        (Fault.MODEL_NOT_FOUND, openai.NotFoundError),
        (Fault.BAD_REQUEST, openai.BadRequestError),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_chat_openai_raises_on_transport_and_status_faults(
    server: FaultServer, fault: Fault, error: type[Exception], stream: bool
) -> None:
    server.inject(fault)
    model = chat(server)
    with pytest.raises(error) as info:
        streamed_message(model) if stream else model.invoke("Is my invoice wrong?")
    if isinstance(info.value, openai.APIStatusError):
        retry_after = info.value.response.headers.get("retry-after")
        assert retry_after == ("1" if fault is Fault.RATE_LIMIT else None)
    assert len(server.requests) == 1 and server.requests[0].headers["authorization"] == "Bearer sk-test"


def test_chat_openai_times_out_on_a_slow_reply(server: FaultServer) -> None:
    server.inject(Fault.SLOW)
    with pytest.raises(openai.APITimeoutError):
        chat(server, timeout=0.3).invoke("Is my invoice wrong?")


@pytest.mark.parametrize("stream", [False, True])
def test_chat_openai_accepts_replies_a_model_layer_must_question(server: FaultServer, stream: bool) -> None:
    def ask() -> AIMessage | AIMessageChunk:
        return streamed_message(chat(server)) if stream else chat(server).invoke("Is my invoice wrong?")

    server.inject(Fault.LENGTH, Fault.EMPTY, Fault.TOOL_CALL_FOR_TEXT, Fault.NO_FINISH, Fault.TRICKLE)
    length, empty, tool, no_finish, trickle = (ask() for _ in range(5))
    assert length.content == TEXT_ANSWER[: len(TEXT_ANSWER) // 2]
    assert length.response_metadata["finish_reason"] == "length"
    assert empty.content == "" and empty.response_metadata["finish_reason"] == "stop"
    assert tool.content == "" and [c["name"] for c in tool.tool_calls] == ["unexpected_tool"]
    assert no_finish.content == TEXT_ANSWER and no_finish.response_metadata.get("finish_reason") is None
    assert trickle.content == TEXT_ANSWER


def test_chat_openai_structured_output_faults(server: FaultServer) -> None:
    structured = chat(server).with_structured_output(Classification)
    server.inject(None, Fault.TRUNCATED_OUTPUT, Fault.INVALID_OUTPUT, Fault.LENGTH)
    assert structured.invoke("Is my invoice wrong?") == Classification.model_validate(ANSWER)
    with pytest.raises(ValidationError, match="json_invalid"):
        structured.invoke("Is my invoice wrong?")
    with pytest.raises(ValidationError, match="valid string"):
        structured.invoke("Is my invoice wrong?")
    with pytest.raises(openai.LengthFinishReasonError):
        structured.invoke("Is my invoice wrong?")
    assert [schema_name(r.body or {}) for r in server.requests] == ["Classification"] * 4


def test_chat_openai_tool_call_faults(server: FaultServer) -> None:
    # Through tools the broken outputs arrive as parsing errors, not exceptions.
    tools = chat(server).with_structured_output(Classification, method="function_calling", include_raw=True)
    server.inject(None, Fault.TRUNCATED_OUTPUT, Fault.INVALID_OUTPUT)
    clean, truncated, invalid = (tools.invoke("Is my invoice wrong?") for _ in range(3))
    assert isinstance(clean, dict) and clean["parsed"] == Classification.model_validate(ANSWER)
    assert isinstance(truncated, dict) and truncated["parsed"] is None
    assert truncated["raw"].invalid_tool_calls[0]["args"] == json.dumps(ANSWER)[: len(json.dumps(ANSWER)) // 2]
    assert isinstance(invalid, dict) and isinstance(invalid["parsing_error"], ValidationError)


def outcomes(seed: int, calls: int) -> tuple[list[str], list[Fault | None]]:
    seen = []
    # Without SLOW, no outcome hangs on a timeout, so a loaded machine cannot change one.
    kinds = TRANSIENT - {Fault.SLOW}
    with fault_server(respond, seed=seed, rate=0.5, kinds=kinds, trickle_s=0.001) as server:
        model = chat(server)
        for _ in range(calls):
            try:
                reply = model.invoke("Is my invoice wrong?")
                seen.append(f"{reply.content!r} {reply.response_metadata.get('finish_reason')}")
            except Exception as exc:
                seen.append(type(exc).__name__)
        return seen, [r.fault for r in server.requests]


def test_chat_openai_sees_the_same_faults_for_the_same_seed() -> None:
    first = outcomes(5, 100)
    assert first == outcomes(5, 100)
    assert sum(f is not None for f in first[1]) == 50
    assert len(set(first[0])) >= 8
