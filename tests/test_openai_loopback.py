"""The openai provider over a real HTTP connection to a loopback OpenAI-compatible server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openai
import pytest

from graphs.router import build
from models.prices import cost_usd
from state.settings import Settings
from tests.loopback import Reply, openai_server, schema_name

pytestmark = pytest.mark.integration

QUERY = "I think there is a mistake on my last invoice."


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback")


def settings_for(base_url: str, **extra: Any) -> Settings:
    return Settings(provider="openai", base_url=base_url, request_timeout=10, **extra)


def router_replies(request: dict[str, Any]) -> Reply:
    if schema_name(request) == "Classification":
        return 200, json.dumps({"intent": "Billing Inquiry", "confidence": 0.93})
    return 200, "Could you share your account number so I can check the invoice?"


async def test_router_runs_on_an_openai_compatible_server() -> None:
    with openai_server(router_replies) as server:
        out = await build().compile().ainvoke({"query": QUERY}, context=settings_for(server.base_url))
    assert out["intent"] == "Billing Inquiry" and "account number" in out["response"]
    classify, handler = server.requests
    # Each stage asked for its tier's model; the query only ever appears in a user message.
    assert (classify["model"], handler["model"]) == ("gpt-4o-mini", "gpt-4o")
    assert all(QUERY not in m["content"] for m in classify["messages"] if m["role"] == "system")
    ledger = out["ledger"]
    assert [c["model"] for c in ledger] == ["gpt-4o-mini-2024-08-06", "gpt-4o-2024-08-06"]
    assert ledger[0]["input_tokens"] == 100 and ledger[0]["cost_usd"] == pytest.approx(cost_usd("gpt-4o-mini", 100, 20))


async def test_truncated_json_is_reasked_with_the_error() -> None:
    replies = iter(
        [(200, '{"intent": "Billing Inq'), (200, json.dumps({"intent": "Billing Inquiry", "confidence": 0.8}))]
    )

    def respond(request: dict[str, Any]) -> Reply:
        return next(replies) if schema_name(request) else (200, "Noted.")

    with openai_server(respond) as server:
        out = await build().compile().ainvoke({"query": QUERY}, context=settings_for(server.base_url))
    assert out["intent"] == "Billing Inquiry"
    _first, second = (r for r in server.requests if schema_name(r))
    assert "invalid" in second["messages"][-1]["content"]
    assert [c["outcome"] for c in out["ledger"] if c["stage"] == "classify"] == ["invalid", "ok"]


async def test_a_400_is_not_retried() -> None:
    with openai_server(lambda request: (400, "bad request")) as server:
        with pytest.raises(openai.BadRequestError):
            await build().compile().ainvoke({"query": QUERY}, context=settings_for(server.base_url))
    assert len(server.requests) == 1


async def test_a_500_is_retried_a_bounded_number_of_times() -> None:
    with openai_server(lambda request: (500, "upstream exploded")) as server:
        with pytest.raises(openai.InternalServerError):
            await (
                build().compile().ainvoke({"query": QUERY}, context=settings_for(server.base_url, client_max_retries=1))
            )
    # (1 + 1 client retry) per attempt x 2 node attempts.
    assert len(server.requests) == 4


def test_cli_streams_from_an_openai_compatible_server() -> None:
    with openai_server(router_replies) as server:
        out = subprocess.run(
            [str(Path(sys.executable).parent / "stagecraft"), "run", "router", QUERY, "--stream", "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "OPENAI_API_KEY": "sk-loopback", "OPENAI_BASE_URL": server.base_url},
        )
    assert out.returncode == 0, out.stderr
    assert any(r.get("stream") for r in server.requests)
    assert "account number" in out.stdout
