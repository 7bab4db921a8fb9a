"""The served graphs on a checkpointer and support desk in PostgreSQL, shared with the CLI.

`langgraph dev --config langgraph.shared.json` runs the same graphs with LangGraph's custom
checkpointer hook (app/served_checkpointer.py): the server saves its threads where
STAGECRAFT_CHECKPOINTER says, so another process (Python, the CLI, a second server) reads the
same runs. Driven with langgraph-sdk; the checkpoints are read back from PostgreSQL directly.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest
from langgraph_sdk import get_client

from app.examples import CUSTOMER_QUERY
from app.persistence import open_checkpointer
from graphs.orchestrator import build
from tests.integration_tests.services import langgraph_dev, require

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
STAGECRAFT = str(Path(sys.executable).parent / "stagecraft")
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
OFFLINE = {"provider": "offline", "offline_latency": 0}


def _served_env(schema: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "STAGECRAFT_"))}
    env.update(
        LANGGRAPH_CLI_NO_ANALYTICS="1",
        LANGGRAPH_NO_VERSION_CHECK="true",
        LANGSMITH_TRACING="false",
        STAGECRAFT_CHECKPOINTER=POSTGRES,
        STAGECRAFT_SUPPORT_DB=f"{POSTGRES}?schema={schema}",
        STAGECRAFT_CACHE="memory://",
        STAGECRAFT_SEMANTIC_STORE="off",
    )
    return env


def test_served_runs_are_saved_in_postgresql_and_read_by_other_processes(tmp_path: Path) -> None:
    require("PostgreSQL", "127.0.0.1", 5432)
    schema = f"desk_served_{uuid.uuid4().hex[:12]}"
    env = _served_env(schema)
    try:
        with langgraph_dev(ROOT, env, tmp_path / "server.log", config="langgraph.shared.json") as url:
            thread, served = asyncio.run(_run_on_the_server(url))
            routed = asyncio.run(_run_the_router_claiming_another_graph(url))
        # The server is gone: its run is in PostgreSQL, and so is what the worker did.
        assert "Using custom checkpointer: PostgresRunsSaver" in (tmp_path / "server.log").read_text()
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            saved = conn.execute("SELECT count(*) FROM checkpoints WHERE thread_id = %s", (thread,)).fetchone()
            cases = conn.execute(f"SELECT count(*) FROM {schema}.cases").fetchone()
        assert saved is not None and saved[0] >= 4 and cases == (1,)
        # Another process reads the same thread with the same graph.
        values = asyncio.run(_read_in_python(thread))
        assert values["reply"] == served["reply"] and values["results"] == served["results"]
        # The CLI lists the served run and shows it; resuming it belongs to the server, and says so.
        cli = {**env, "STAGECRAFT_CHECKPOINTER": POSTGRES}
        listed = subprocess.run([STAGECRAFT, "threads", "--limit", "200"], env=cli, capture_output=True, text=True)
        assert listed.returncode == 0, listed.stderr
        line = next(line for line in listed.stdout.splitlines() if thread in line)
        assert "orchestrator" in line and "done" in line
        line = next(line for line in listed.stdout.splitlines() if routed in line)
        assert "router" in line and "orchestrator" not in line
        shown = subprocess.run([STAGECRAFT, "show", thread, "--json"], env=cli, capture_output=True, text=True)
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["reply"] == served["reply"]
        resumed = subprocess.run([STAGECRAFT, "resume", thread], env=cli, capture_output=True, text=True)
        assert resumed.returncode != 0 and "LangGraph server" in resumed.stderr and "Traceback" not in resumed.stderr
        # Pruning old CLI runs never takes a recent served one.
        subprocess.run([STAGECRAFT, "threads", "--prune", "1"], env=cli, check=True, capture_output=True)
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            kept = conn.execute("SELECT count(*) FROM checkpoints WHERE thread_id = %s", (thread,)).fetchone()
        assert kept == saved
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


async def _run_on_the_server(url: str) -> tuple[str, dict[str, object]]:
    async with get_client(url=url) as client:
        thread = (await client.threads.create())["thread_id"]
        out = await client.runs.wait(thread, "orchestrator", input={"query": CUSTOMER_QUERY}, context=OFFLINE)
        assert isinstance(out, dict) and "CASE-" in out["reply"] and "RMA-" in out["reply"], out
        state = await client.threads.get_state(thread)
        assert state["next"] == []
        return thread, dict(state["values"])  # type: ignore[call-overload]


async def _run_the_router_claiming_another_graph(url: str) -> str:
    # graph_id in a run's metadata is the server's: the CLI reads it to list the run.
    async with get_client(url=url) as client:
        thread = (await client.threads.create())["thread_id"]
        await client.runs.wait(thread, "router", input={"query": "My invoice is wrong."}, context=OFFLINE)
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await client.runs.wait(
                thread,
                "router",
                input={"query": "My invoice is still wrong."},
                context=OFFLINE,
                metadata={"graph_id": "orchestrator"},
            )
        assert refused.value.response.status_code == 422 and "graph_id" in refused.value.response.text
        return thread


async def _read_in_python(thread: str) -> dict[str, object]:
    async with open_checkpointer(POSTGRES) as saver:
        snapshot = await build().compile(checkpointer=saver).aget_state({"configurable": {"thread_id": thread}})
    return dict(snapshot.values)


def test_a_rolled_back_run_leaves_nothing_on_the_shared_checkpointer(tmp_path: Path) -> None:
    # multitask_strategy="rollback" and cancel(action="rollback") make the server delete a run's
    # checkpoints through the custom checkpointer's adelete_for_runs.
    require("PostgreSQL", "127.0.0.1", 5432)
    schema = f"desk_served_{uuid.uuid4().hex[:12]}"
    log = tmp_path / "server.log"
    try:
        with langgraph_dev(ROOT, _served_env(schema), log, config="langgraph.shared.json") as url:
            asyncio.run(_rollbacks(url))
        text = log.read_text()
        assert "not implemented by your custom checkpointer" not in text and "Failed to clean up" not in text
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


SLOW = {"provider": "offline", "offline_latency": 3}


def _checkpoints_of(run_id: str) -> int:
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM checkpoints WHERE metadata->>'run_id' = %s", (run_id,)).fetchone()
    assert row is not None
    return int(row[0])


async def _until_checkpointed(run_id: str) -> None:
    for _ in range(600):
        if await asyncio.to_thread(_checkpoints_of, run_id):
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"run {run_id} wrote no checkpoint")


async def _rollbacks(url: str) -> None:
    async with get_client(url=url) as client:
        # A second run on a busy thread with multitask_strategy="rollback": the first is undone.
        thread = (await client.threads.create())["thread_id"]
        first = await client.runs.create(thread, "orchestrator", input={"query": CUSTOMER_QUERY}, context=SLOW)
        await _until_checkpointed(first["run_id"])
        second = await client.runs.create(
            thread, "orchestrator", input={"query": CUSTOMER_QUERY}, context=OFFLINE, multitask_strategy="rollback"
        )
        out = await asyncio.wait_for(client.runs.join(thread, second["run_id"]), 120)
        assert isinstance(out, dict) and "CASE-" in out["reply"], out
        assert (await client.runs.get(thread, second["run_id"]))["status"] == "success"
        assert _checkpoints_of(first["run_id"]) == 0 and _checkpoints_of(second["run_id"]) >= 4
        history = await client.threads.get_history(thread, limit=100)
        assert {h["metadata"]["run_id"] for h in history} == {second["run_id"]}

        # cancel(action="rollback"): the run and its checkpoints are gone, the thread is as before.
        other = (await client.threads.create())["thread_id"]
        doomed = await client.runs.create(other, "orchestrator", input={"query": CUSTOMER_QUERY}, context=SLOW)
        await _until_checkpointed(doomed["run_id"])
        await asyncio.wait_for(client.runs.cancel(other, doomed["run_id"], wait=True, action="rollback"), 120)
        assert _checkpoints_of(doomed["run_id"]) == 0
        assert await client.threads.get_history(other, limit=10) == []

        # The server still starts runs, on a new thread and on the rolled-back one.
        for target in ((await client.threads.create())["thread_id"], other):
            done = await asyncio.wait_for(
                client.runs.wait(target, "router", input={"query": "My invoice is wrong."}, context=OFFLINE), 120
            )
            assert isinstance(done, dict) and done["response"], done
