"""langgraph.json served by a real `langgraph dev`, driven with the official langgraph-sdk client."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from app.examples import BUSINESS_DOCUMENT, CUSTOMER_QUERY, ENERGY_SOURCES
from app.registry import GRAPHS

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
CONFIG = json.loads((ROOT / "langgraph.json").read_text())
FAST = {"offline_latency": 0}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `langgraph dev` on a free loopback port; yield its URL."""
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "langgraph-dev.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LANGSMITH_API"))}
    env.update(LANGGRAPH_CLI_NO_ANALYTICS="1", LANGGRAPH_NO_VERSION_CHECK="true", LANGSMITH_TRACING="false")
    langgraph = str(Path(sys.executable).parent / "langgraph")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [langgraph, "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/ok", timeout=2):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"langgraph dev did not start:\n{log.read_text()[-3000:]}") from None
                    time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    assert "BlockingError" not in log.read_text(), "a node blocked the server's event loop"


@pytest.fixture
async def client(server: str) -> AsyncIterator[LangGraphClient]:
    """An SDK client for one test, closed with its event loop."""
    async with get_client(url=server) as sdk:
        yield sdk


async def test_every_graph_in_langgraph_json_is_served(client: LangGraphClient) -> None:
    assert set(CONFIG["graphs"]) == set(GRAPHS)
    assistants = await client.assistants.search(limit=50)
    assert {a["graph_id"] for a in assistants} == set(CONFIG["graphs"])


async def test_settings_schema_is_published_for_studio(client: LangGraphClient) -> None:
    (assistant,) = await client.assistants.search(graph_id="router")
    schemas = await client.assistants.get_schemas(assistant["assistant_id"])
    props = schemas["context_schema"]["properties"]
    assert {"provider", "offline_latency", "stage_tiers", "max_tasks"} <= set(props)
    assert "OPENAI_API_KEY" in props["provider"]["description"]


CASES: dict[str, tuple[dict[str, Any], str]] = {
    "router": ({"query": "My internet connection is not working."}, "intent"),
    "summarize_translate": ({"text": ENERGY_SOURCES[0]["content"], "target_language": "French"}, "translation"),
    "faq": ({"sources": ENERGY_SOURCES, "num_questions": 3}, "faq"),
    "orchestrator": ({"query": CUSTOMER_QUERY}, "reply"),
    "analysis": ({"document": BUSINESS_DOCUMENT}, "synthesis"),
    "report": ({"document": BUSINESS_DOCUMENT}, "report"),
}


@pytest.mark.parametrize("graph_id", sorted(CASES))
async def test_each_graph_runs_on_the_server(client: LangGraphClient, graph_id: str) -> None:
    payload, key = CASES[graph_id]
    thread = await client.threads.create()
    out = await client.runs.wait(thread["thread_id"], graph_id, input=payload, context=FAST)
    assert isinstance(out, dict) and out.get(key), out
    assert out["ledger"] and all(call["provider"] == "offline" for call in out["ledger"])
    if graph_id == "router":
        assert out["intent"] == "Technical Support"
    if graph_id == "orchestrator":
        assert "SP40802" in out["reply"]
