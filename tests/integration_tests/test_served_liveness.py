"""A served `langgraph dev` answers requests while a large input keeps the offline engine busy.

The server runs every run on its one event loop. The offline engine's work on a run's input is
CPU: done on that loop, one 40,000-newline query froze the whole server for 46 s. Done in a worker
thread, as a provider's work happens elsewhere, it leaves the loop free to answer everyone else.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from tests.integration_tests.services import langgraph_dev

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
OFFLINE = {"provider": "offline", "offline_latency": 0}
# About 1.5 MB of customer text: the router's classification alone reads it for seconds of CPU.
LARGE = "".join(
    f"Invoice {n} for the router was charged twice, and the app keeps crashing since update {n}. "
    for n in range(16_000)
)
MAX_CHARS = 2_000_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `langgraph dev` with no key, no caches and room for the large input; yield its URL."""
    scratch = tmp_path_factory.mktemp("server")
    log = scratch / "langgraph-dev.log"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "STAGECRAFT_", "LANGSMITH_API", "LANGGRAPH_API", "LANGCHAIN_API"))
    }
    env.update(
        LANGGRAPH_CLI_NO_ANALYTICS="1",
        LANGGRAPH_NO_VERSION_CHECK="true",
        LANGSMITH_TRACING="false",
        STAGECRAFT_SUPPORT_DB=str(scratch / "support.sqlite"),
        STAGECRAFT_CACHE="off",
        STAGECRAFT_SEMANTIC_STORE="off",
        STAGECRAFT_MAX_INPUT_CHARS=str(MAX_CHARS),
    )
    with langgraph_dev(ROOT, env, log) as url:
        yield url
    assert "BlockingError" not in log.read_text(), "a node blocked the server's event loop"


@pytest.fixture
async def client(server: str) -> AsyncIterator[LangGraphClient]:
    """An SDK client, closed with its event loop."""
    async with get_client(url=server) as sdk:
        yield sdk


async def test_requests_are_answered_while_a_large_input_is_classified(client: LangGraphClient, server: str) -> None:
    # `langgraph dev` runs one run at a time: the other requests are another client's, asking how
    # the large run is doing (as Studio does), not a second run, which would wait its turn anyway.
    events: list[str] = []
    classifying = asyncio.Event()
    large_run: dict[str, str] = {}

    async def large() -> None:
        thread = await client.threads.create()
        async for part in client.runs.stream(
            thread["thread_id"], "router", input={"query": LARGE}, context=OFFLINE, stream_mode="updates"
        ):
            if part.event == "metadata":
                large_run.update(thread_id=thread["thread_id"], run_id=part.data["run_id"])
            if part.event == "updates":
                events.extend(f"large {node}" for node in part.data)
                if "intake" in part.data:
                    classifying.set()  # its next stage reads the whole input

    # The server's first offline call loads the embedder, a second of file reads off the loop:
    # done here, so that what follows the large run's intake is its classification's CPU.
    warm = await client.threads.create()
    await client.runs.wait(warm["thread_id"], "router", input={"query": "Is the shop open?"}, context=OFFLINE)
    running = asyncio.create_task(large())
    await asyncio.wait_for(classifying.wait(), timeout=120)
    statuses: list[str] = []
    async with get_client(url=server) as other:
        while "large classify" not in events and not running.done():
            run = await other.runs.get(large_run["thread_id"], large_run["run_id"])
            statuses.append(run["status"])
            events.append("answered")
    await asyncio.wait_for(running, timeout=300)

    # A loop busy with the classification answers nothing until it ends: then at most the one
    # request that waited, before the next stage takes the loop again.
    during = events[: events.index("large classify")].count("answered")
    assert during >= 3, f"{during} request(s) answered while the large input was classified"
    assert set(statuses) == {"running"}, statuses
