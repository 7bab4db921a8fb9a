"""The support agent on the openai provider, over HTTP to a loopback server that answers with tool calls."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphs.support_agent import build
from models.faults import ProviderUnavailable
from state.settings import Settings
from supportdesk import SupportDesk
from tests.loopback import Loopback, OpenAIHandler, Reply, ToolCall, openai_server, serve

pytestmark = pytest.mark.integration

QUERY = "Where is my order A-12345? Also I want to return my SuperWidget 5000, it arrived broken."
STAGECRAFT = str(Path(sys.executable).parent / "stagecraft")


def agent_replies(request: dict[str, Any]) -> Reply:
    """A model that calls two desk tools at once, then writes from what they answered."""
    results = [json.loads(m["content"]) for m in request["messages"] if m["role"] == "tool"]
    if not results:
        return 200, [
            ToolCall("order_status", json.dumps({"order_id": "A-12345"})),
            ToolCall("create_rma", json.dumps({"product_name": "SuperWidget 5000", "reason_for_return": "broken"})),
        ]
    facts = [value for result in results for value in result["facts"].values()]
    return 200, "Hello,\n\n" + "\n".join(facts) + "\n\nBest regards"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Loopback]:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback")
    with openai_server(agent_replies) as running:
        monkeypatch.setenv("OPENAI_BASE_URL", running.base_url)
        yield running


def test_the_agent_loop_runs_over_http_with_real_tool_calls(server: Loopback, desk: SupportDesk) -> None:
    # Blocking invoke here (the CLI test below runs the async path): an async client's kept-alive
    # connection outlives a test's event loop and is reported by a later test's unraisable check.
    out = build().compile().invoke({"query": QUERY}, context=Settings(provider="openai", cache=False))
    first, second = server.requests
    # The tools went out as OpenAI functions, their parameters described from the docstrings.
    tools = {t["function"]["name"]: t["function"] for t in first["tools"]}
    assert set(tools) == {"lookup_invoice", "open_case", "order_status", "create_rma", "hand_to_colleague"}
    assert "order id" in tools["order_status"]["parameters"]["properties"]["order_id"]["description"]
    assert "tool_choice" not in first and first["model"] == "gpt-4o"
    # The second turn carried the first's tool calls and each tool's answer, by call id.
    answered = [m["tool_call_id"] for m in second["messages"] if m["role"] == "tool"]
    assert answered == ["call_1_0", "call_1_1"]
    assert out["tasks"] == [
        {"query_type": "StatusUpdate", "order_id": "A-12345"},
        {"query_type": "ProductReturn", "product_name": "SuperWidget 5000", "reason_for_return": "broken"},
    ]
    assert desk.count_rmas() == 1 and "SP40802" in out["reply"] and "For your records" not in out["reply"]
    turns = out["ledger"]
    assert [c["tool_calls"][0].split("(")[0] if c["tool_calls"] else "" for c in turns] == ["order_status", ""]
    assert [(c["model"], c["input_tokens"], c["output_tokens"]) for c in turns] == [("gpt-4o-2024-08-06", 100, 20)] * 2


def test_the_cli_streams_the_agent_and_its_report_shows_the_tool_calls(server: Loopback, tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200", "STAGECRAFT_SUPPORT_DB": str(tmp_path / "desk.sqlite")}
    shown = subprocess.run(
        [STAGECRAFT, "run", "support_agent", QUERY, "--stream", "--no-cache", "--provider", "openai"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert shown.returncode == 0, shown.stderr
    assert any(r.get("stream") for r in server.requests)  # the turns were streamed, tool calls and all
    assert 'support_agent turn 1: order_status(order_id="A-12345"),\n' in shown.stdout, shown.stdout
    assert 'create_rma(product_name="SuperWidget 5000",' in shown.stdout
    assert "support_agent turn 2: answered in text" in shown.stdout and "SP40802" in shown.stdout
    assert shown.stdout.count("100 in / 20 out tokens") == 0 and "200 in / 40 out tokens, 2 calls" in shown.stdout


def test_the_agent_loop_runs_on_anthropics_wire_with_tool_use_blocks(
    monkeypatch: pytest.MonkeyPatch, desk: SupportDesk
) -> None:
    """Anthropic's messages API: the tools as input schemas, two tool_use blocks, then tool_result blocks."""
    bodies: list[dict[str, Any]] = []
    lock = threading.Lock()

    class Handler(OpenAIHandler):
        def do_POST(self) -> None:
            body = self.read_json() or {}
            with lock:
                bodies.append(body)
            results = [
                json.loads(block["content"] if isinstance(block["content"], str) else block["content"][0]["text"])
                for m in body["messages"]
                if isinstance(m["content"], list)
                for block in m["content"]
                if block.get("type") == "tool_result"
            ]
            if results:
                text = "Hello,\n" + "\n".join(v for r in results for v in r["facts"].values())
                content: list[dict[str, Any]] = [{"type": "text", "text": text}]
                stop = "end_turn"
            else:
                calls = [
                    ("order_status", {"order_id": "A-12345"}),
                    ("create_rma", {"product_name": "SuperWidget 5000", "reason_for_return": "broken"}),
                ]
                content = [
                    {"type": "tool_use", "id": f"toolu_{i}", "name": n, "input": a} for i, (n, a) in enumerate(calls)
                ]
                stop = "tool_use"
            self.send_json(
                200,
                {
                    "id": f"msg_{len(bodies)}",
                    "type": "message",
                    "role": "assistant",
                    "model": body["model"],
                    "content": content,
                    "stop_reason": stop,
                    "stop_sequence": None,
                    "usage": {"input_tokens": 100, "output_tokens": 20},
                },
            )

    with serve(Handler) as base_url:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-loopback")
        monkeypatch.setenv("STAGECRAFT_ALLOWED_MODELS", "*")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", base_url.removesuffix("/v1"))
        settings = Settings(model_balanced="anthropic:claude-sonnet-4-5", cache=False)
        out = build().compile().invoke({"query": QUERY}, context=settings)
    first, second = bodies
    assert {t["name"] for t in first["tools"]} >= {"order_status", "create_rma"}
    assert "order_id" in first["tools"][2]["input_schema"]["properties"]
    answered = [
        b["tool_use_id"]
        for m in second["messages"]
        if isinstance(m["content"], list)
        for b in m["content"]
        if b.get("type") == "tool_result"
    ]
    assert answered == ["toolu_0", "toolu_1"]
    assert desk.count_rmas() == 1 and "SP40802" in out["reply"] and "For your records" not in out["reply"]
    assert [c["provider"] for c in out["ledger"]] == ["anthropic", "anthropic"]
    assert out["ledger"][0]["tool_calls"][0] == 'order_status(order_id="A-12345")'


@pytest.mark.parametrize("arguments", ["[1, 2]", "{not json"])
def test_tool_call_arguments_that_are_no_json_object_are_asked_again_then_fail_in_one_line(
    monkeypatch: pytest.MonkeyPatch, desk: SupportDesk, arguments: str
) -> None:
    bad = {"left": 1}

    def replies(request: dict[str, Any]) -> Reply:
        if bad["left"]:
            bad["left"] -= 1
            return 200, [ToolCall("order_status", arguments)]
        return agent_replies(request)

    monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback")
    with openai_server(replies) as running:
        monkeypatch.setenv("OPENAI_BASE_URL", running.base_url)
        settings = Settings(provider="openai", cache=False)
        # Once: the turn is asked again and the run goes on.
        out = build().compile().invoke({"query": QUERY}, context=settings)
        assert len(running.requests) == 3 and "SP40802" in out["reply"] and desk.count_rmas() == 1
        # Every time: the run fails with one line naming the stage, after the seam's attempts.
        bad["left"] = 100
        with pytest.raises(ProviderUnavailable, match=r"support_agent.*5 attempts failed"):
            build().compile().invoke({"query": QUERY}, context=settings)
        assert len(running.requests) == 8 and desk.count_rmas() == 1
