"""The support agent served by a real `langgraph dev`: offline, on an OpenAI-compatible provider, with an approval."""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from app.examples import CUSTOMER_QUERY
from supportdesk import SupportDesk
from tests.conftest import CUSTOMER_TASKS
from tests.integration_tests.services import langgraph_dev
from tests.loopback import Loopback, Reply, ToolCall, openai_server

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
OFFLINE = {"provider": "offline", "offline_latency": 0}
RETURN = "I want to return my SuperWidget 5000, it arrived broken. And where is order A-12346?"


def _agent_replies(request: dict[str, Any]) -> Reply:
    """A provider's model: one tool call, then text from its answer."""
    answers = [json.loads(m["content"]) for m in request["messages"] if m["role"] == "tool"]
    if not answers:
        return 200, [ToolCall("order_status", json.dumps({"order_id": "A-12347"}))]
    return 200, f"Hello, your order is {answers[0]['facts']['status']}. Best regards"


@dataclass
class Served:
    url: str
    log: Path
    provider: Loopback
    support_db: Path

    def counts(self) -> tuple[int, int]:
        desk = SupportDesk(self.support_db)
        try:
            return desk.count_cases(), desk.count_rmas()
        finally:
            desk.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    scratch = tmp_path_factory.mktemp("agent-server")
    log = scratch / "langgraph-dev.log"
    with openai_server(_agent_replies) as provider:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "STAGECRAFT_", "LANGSMITH_API"))}
        env.update(
            LANGGRAPH_CLI_NO_ANALYTICS="1",
            LANGGRAPH_NO_VERSION_CHECK="true",
            LANGSMITH_TRACING="false",
            OPENAI_API_KEY="sk-loopback-agent",
            OPENAI_BASE_URL=provider.base_url,
            STAGECRAFT_SUPPORT_DB=str(scratch / "support.sqlite"),
            STAGECRAFT_CACHE="off",
            STAGECRAFT_SEMANTIC_STORE="off",
        )
        with langgraph_dev(ROOT, env, log) as url:
            yield Served(url, log, provider, scratch / "support.sqlite")
    assert "BlockingError" not in log.read_text(), "a node blocked the server's event loop"


@pytest.fixture
async def client(served: Served) -> AsyncIterator[LangGraphClient]:
    async with get_client(url=served.url) as sdk:
        yield sdk


async def test_the_served_agent_does_the_orchestrators_job_offline(client: LangGraphClient, served: Served) -> None:
    cases, rmas = served.counts()
    thread = (await client.threads.create())["thread_id"]
    out = await client.runs.wait(thread, "support_agent", input={"query": CUSTOMER_QUERY}, context=OFFLINE)
    assert isinstance(out, dict) and out["tasks"] == CUSTOMER_TASKS
    assert [c["name"] for c in out["tool_calls"]] == ["lookup_invoice", "create_rma", "order_status", "open_case"]
    assert re.search(r"CASE-\d{5}", out["reply"]) and re.search(r"RMA-\d{6}", out["reply"])
    assert [len(c["tool_calls"]) for c in out["ledger"]] == [3, 1, 0]
    assert served.counts() == (cases + 1, rmas + 1)
    # The same message again on the thread is a new request: a case and an RMA of its own.
    await client.runs.wait(thread, "support_agent", input={"query": CUSTOMER_QUERY}, context=OFFLINE)
    assert served.counts() == (cases + 2, rmas + 2)


async def test_the_served_agent_calls_tools_on_an_openai_compatible_provider(
    client: LangGraphClient, served: Served
) -> None:
    served.provider.requests.clear()
    out = await client.runs.wait(None, "support_agent", input={"query": "Where is A-12347?"})
    assert isinstance(out, dict) and out["reply"].startswith("Hello, your order is Delivered")
    assert out["tool_calls"][0]["result"]["facts"]["tracking_number"] == "LC55120"
    first, second = served.provider.requests
    assert len(first["tools"]) == 5 and [m["role"] for m in second["messages"]][-2:] == ["assistant", "tool"]
    assert [c["model"] for c in out["ledger"]] == ["gpt-4o-2024-08-06"] * 2


async def test_a_costly_return_waits_for_an_approval_answered_through_the_sdk(
    client: LangGraphClient, served: Served
) -> None:
    _, rmas = served.counts()
    thread = (await client.threads.create())["thread_id"]
    context = {**OFFLINE, "approval_above_usd": 50}
    await client.runs.wait(thread, "support_agent", input={"query": RETURN}, context=context)
    assert (await client.threads.get(thread))["status"] == "interrupted"
    (pending,) = (await client.threads.get_state(thread))["interrupts"]
    assert pending["value"]["action"] == "issue_rma" and pending["value"]["amount_usd"] == 299.0
    assert served.counts()[1] == rmas
    answer = {"resume": {"approved": True, "reason": ""}}
    out = await client.runs.wait(thread, "support_agent", command=answer, context=OFFLINE)  # type: ignore[arg-type]
    assert isinstance(out, dict) and served.counts()[1] == rmas + 1
    assert re.search(r"RMA-\d{6}", out["reply"]) and "SF482913" in out["reply"]
    assert [len(c["tool_calls"]) for c in out["ledger"]] == [2, 0]  # the turn before the pause, once
    await client.runs.wait(thread, "support_agent", command=answer, context=OFFLINE)  # type: ignore[arg-type]
    assert served.counts()[1] == rmas + 1


async def test_the_served_agent_pipeline_runs_its_tools_offline(client: LangGraphClient) -> None:
    message = "How much is invoice INV-7893? And where is order A-12346?"
    out = await client.runs.wait(None, "desk_lookup", input={"message": message}, context=OFFLINE)
    assert isinstance(out, dict) and "1450.00 EUR" in out["look_up"] and "Shipped" in out["look_up"]
    turns = [c for c in out["ledger"] if c["stage"] == "look_up"]
    assert [len(c["tool_calls"]) for c in turns] == [2, 0] and out["sms"]
