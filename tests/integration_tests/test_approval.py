"""Approval before the desk acts, over each real desk (SQLite, PostgreSQL) and the installed CLI.

Approve, reject, an approval sent twice, and a `stagecraft resume --approve` killed right after
the desk acted, then resumed again: each leaves the desk with exactly the RMAs it should hold,
read back from the desk itself. PostgreSQL is STAGECRAFT_TEST_POSTGRES_URL (default: database
`test` on 127.0.0.1:5432), a schema per test; without a server those cases skip (fail under CI).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command
from psycopg import sql

from graphs.orchestrator import build
from state.settings import Settings
from supportdesk import Desk, close_desks, open_desk

pytestmark = pytest.mark.integration

STAGECRAFT = str(Path(sys.executable).parent / "stagecraft")
POSTGRES_URL = os.environ.get("STAGECRAFT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
RETURN = "I want to return my SuperWidget 5000, it arrived broken. Also, where is order A-12345?"


@pytest.fixture(params=["sqlite", "postgres"])
def desk_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The deployment's support desk for this test: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        url = str(tmp_path / "support.sqlite")
        monkeypatch.setenv("STAGECRAFT_SUPPORT_DB", url)
        yield url
        close_desks()
        return
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        reason = f"PostgreSQL unreachable ({POSTGRES_URL}): {' '.join(str(exc).split())}"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(reason)
        pytest.skip(reason)
    schema = f"desk_test_{uuid.uuid4().hex[:12]}"
    url = f"{POSTGRES_URL}{'&' if '?' in POSTGRES_URL else '?'}schema={schema}"
    monkeypatch.setenv("STAGECRAFT_SUPPORT_DB", url)
    try:
        yield url
    finally:
        close_desks()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _desk(url: str) -> Desk:
    return open_desk(url)


async def test_approve_reject_and_an_approval_sent_twice(desk_url: str, settings: Settings, tmp_path: Path) -> None:
    paused = settings.model_copy(update={"approval_above_usd": 50.0})
    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "runs.sqlite")) as saver:
        graph = build().compile(checkpointer=saver)
        approved = {"configurable": {"thread_id": "approved"}}
        rejected = {"configurable": {"thread_id": "rejected"}}
        for config in (approved, rejected):
            await graph.ainvoke({"query": RETURN}, config, context=paused)
            assert len((await graph.aget_state(config)).interrupts) == 1
        assert _desk(desk_url).count_rmas() == 0
        (pending,) = (await graph.aget_state(approved)).interrupts
        answer = Command(resume={pending.id: {"approved": True, "reason": ""}})
        out = await graph.ainvoke(answer, approved, context=settings)
        await graph.ainvoke(answer, approved, context=settings)  # the approver clicked twice
        assert _desk(desk_url).count_rmas() == 1
        assert "RMA-000001" in out["reply"]
        why = "a return this large needs the receipt"
        out = await graph.ainvoke(Command(resume={"approved": False, "reason": why}), rejected, context=settings)
        assert _desk(desk_url).count_rmas() == 1 and why in out["reply"]


def _stagecraft(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([STAGECRAFT, *args], capture_output=True, text=True, timeout=180, env=env)


def _environment(desk_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "STAGECRAFT_"))}
    return {**env, "STAGECRAFT_SUPPORT_DB": desk_url, "LANGSMITH_TRACING": "false"}


def _status(thread: str, runs: str, env: dict[str, str]) -> str:
    listed = _stagecraft("threads", "--runs-db", runs, env=env)
    (line,) = [line for line in listed.stdout.splitlines() if line.startswith(thread)]
    return line.split("$", 1)[1].split(None, 1)[1].strip()


def test_a_resume_killed_right_after_the_approved_desk_write_then_resumed_creates_one_rma(
    desk_url: str, tmp_path: Path
) -> None:
    env = _environment(desk_url)
    runs = str(tmp_path / "runs.sqlite")
    started = _stagecraft(
        "run",
        "orchestrator",
        RETURN,
        "--runs-db",
        runs,
        "--latency",
        "0",
        "--approval-above-usd",
        "50",
        "--json",
        env=env,
    )
    assert started.returncode == 0, started.stderr
    run: dict[str, Any] = json.loads(started.stdout)
    thread = run["thread_id"]
    assert run["waiting_for_approval"][0]["amount_usd"] == 299.0
    assert _status(thread, runs, env) == "waiting for approval" and _desk(desk_url).count_rmas() == 0
    # The approval's run writes the RMA, then writes the reply slowly (30 s a model call): it is
    # killed as soon as the desk holds the RMA, long before it could finish even on a loaded machine
    # (at 5 s a starved poll once saw the RMA only as the run was printing its result).
    resume = [STAGECRAFT, "resume", thread, "--approve", "--runs-db", runs, "--latency", "30", "--json"]
    proc = subprocess.Popen(resume, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while _desk(desk_url).count_rmas() == 0 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert proc.poll() is None, "the resume ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
    assert _desk(desk_url).count_rmas() == 1
    status = _status(thread, runs, env)
    # Killed before its worker's step was saved, the thread still waits for the approval; after, it
    # continues where it stopped. Either way the next resume finishes it with the one RMA.
    assert status == "waiting for approval" or status.startswith("interrupted before"), status
    again = ["--approve"] if status == "waiting for approval" else []
    done = _stagecraft("resume", thread, *again, "--runs-db", runs, "--latency", "0", "--json", env=env)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert _desk(desk_url).count_rmas() == 1 and "RMA-000001" in out["reply"]
    assert _status(thread, runs, env) == "done"
