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


def test_served_runs_are_saved_in_postgresql_and_read_by_other_processes(tmp_path: Path) -> None:
    require("PostgreSQL", "127.0.0.1", 5432)
    schema = f"desk_served_{uuid.uuid4().hex[:12]}"
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
    try:
        with langgraph_dev(ROOT, env, tmp_path / "server.log", config="langgraph.shared.json") as url:
            thread, served = asyncio.run(_run_on_the_server(url))
        # The server is gone: its run is in PostgreSQL, and so is what the worker did.
        assert "Using custom checkpointer: AsyncPostgresSaver" in (tmp_path / "server.log").read_text()
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


async def _read_in_python(thread: str) -> dict[str, object]:
    async with open_checkpointer(POSTGRES) as saver:
        snapshot = await build().compile(checkpointer=saver).aget_state({"configurable": {"thread_id": thread}})
    return dict(snapshot.values)
