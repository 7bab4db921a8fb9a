"""Runs that survive what operators see: a killed process, many processes on one store, secrets."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from supportdesk import SupportDesk
from tests.integration_tests.services import lines_until, require
from tests.loopback import Reply, openai_server, schema_name

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
STAGECRAFT = str(Path(sys.executable).parent / "stagecraft")
_IDS = re.compile(r"(CASE-\d{5}|RMA-\d{6})")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path


def _env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "STAGECRAFT_"))}
    return {**base, "LANGSMITH_TRACING": "false", **extra}


def _comparable(out: dict[str, Any]) -> dict[str, Any]:
    keep = {k: out[k] for k in ("tasks", "overflow", "ended_by")}
    results = sorted(out["results"], key=lambda r: r["index"])
    return json.loads(_IDS.sub("<id>", json.dumps({**keep, "results": results, "reply": out["reply"]})))


def test_a_run_killed_mid_fan_out_resumes_without_redoing_or_duplicating_anything(folder: Path) -> None:
    uninterrupted = subprocess.run(
        [STAGECRAFT, "run", "orchestrator", "--file", "examples/message.txt", "--json", "--latency", "0"],
        cwd=folder,
        env=_env(STAGECRAFT_SUPPORT_DB=str(folder / "other-desk.sqlite")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    # The workers' model call takes 1.5 s: kill the process while it is in flight.
    proc = subprocess.Popen(
        [STAGECRAFT, "run", "orchestrator", "--file", "examples/message.txt", "--latency", "1.5", "--no-cache"],
        cwd=folder,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = lines_until(proc, "> billing_concern")
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()
    thread = next(line.split("thread: ")[1].split()[0] for line in seen if "thread: " in line)
    finished_before = {line.split()[1] for line in seen if line.startswith("+ ")}
    assert "decompose" in finished_before and "billing_concern" not in finished_before

    listed = subprocess.run([STAGECRAFT, "threads"], cwd=folder, env=_env(), capture_output=True, text=True)
    assert thread in listed.stdout and "interrupted" in listed.stdout
    resumed = subprocess.run(
        [STAGECRAFT, "resume", thread, "--json", "--latency", "0", "--no-cache"],
        cwd=folder,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resumed.returncode == 0, resumed.stderr
    out = json.loads(resumed.stdout)
    # Every stage ran once in all: what finished before the kill was not run again.
    stages = [c["stage"] for c in out["ledger"]]
    assert sorted(stages) == sorted(["decompose", "billing_concern", "synthesize_reply"])
    assert out["resumed"]["from_checkpoint"] == ["decompose"] and "decompose" not in out["resumed"]["run_now"]
    desk = SupportDesk(folder / ".stagecraft" / "support.sqlite")
    assert desk.count_cases() == 1 and desk.count_rmas() == 1
    assert _comparable(out) == _comparable(json.loads(uninterrupted.stdout))


def test_thirty_simultaneous_runs_on_one_store_all_finish_and_every_side_effect_has_a_checkpoint(
    folder: Path,
) -> None:
    runs = 30
    procs = [
        subprocess.Popen(
            [
                STAGECRAFT,
                "run",
                "orchestrator",
                f"Hello, this is customer {i}. I would like to return the 'SuperWidget 5000' I bought "
                "because it's not compatible with my system.",
                "--json",
            ],
            cwd=folder,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(runs)
    ]
    outs = [proc.communicate(timeout=300) for proc in procs]
    failures = [err for (_, err), proc in zip(outs, procs, strict=True) if proc.returncode != 0]
    assert failures == [], failures[:2]
    assert all("locked" not in err for _, err in outs)
    desk = sqlite3.connect(folder / ".stagecraft" / "support.sqlite")
    rma_requests = {row[0] for row in desk.execute("SELECT request_id FROM rmas")}
    assert len(rma_requests) == runs
    # Each RMA belongs to a request some checkpoint holds: a crash could resume it, not redo it.
    # One thread read back through the CLI, all of them in this process (30 more CLI start-ups
    # would take longer than the runs).
    threads = [json.loads(stdout)["thread_id"] for stdout, _ in outs]
    shown = subprocess.run(
        [STAGECRAFT, "show", threads[0], "--json"], cwd=folder, env=_env(), capture_output=True, text=True
    )
    assert shown.returncode == 0 and json.loads(shown.stdout)["results"], shown.stderr
    saved_requests = asyncio.run(_saved_requests(folder / ".stagecraft" / "runs.sqlite", threads))
    assert rma_requests <= saved_requests


async def _saved_requests(store: Path, threads: list[str]) -> set[str]:
    from app.persistence import open_checkpointer
    from app.runner import compile_spec
    from app.threads import config_of
    from graphs.registry import GRAPHS

    async with open_checkpointer(f"sqlite:///{store}") as saver:
        graph = compile_spec(GRAPHS["orchestrator"], saver)
        # The desk keys a request by its thread and id (nodes.orchestrator.desk_request).
        return {f"{t}/{(await graph.aget_state(config_of(t))).values['request_id']}" for t in threads}


def _replies(request: dict[str, Any]) -> Reply:
    if schema_name(request):
        return 200, json.dumps({"intent": "Billing Inquiry", "confidence": 0.9})
    return 200, "Could you send your account number?"


def test_canary_secrets_never_reach_the_store_the_caches_the_logs_or_the_output(folder: Path) -> None:
    require("PostgreSQL", "127.0.0.1", 5432)
    key, password = "sk-canary-4f1d9e", "pw-canary-77b2"
    store = f"postgresql://postgres:{password}@127.0.0.1:5432/test"
    with openai_server(_replies) as server:
        env = _env(
            OPENAI_API_KEY=key,
            OPENAI_BASE_URL=server.base_url,
            STAGECRAFT_API_KEY="operator-canary-31",
            STAGECRAFT_CHECKPOINTER=store,
        )
        done = subprocess.run(
            [STAGECRAFT, "run", "router", "My invoice is wrong.", "--provider", "openai", "--json"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        (folder / "huge.txt").write_text("x " * 100_001, encoding="utf-8")
        failed = subprocess.run(
            [STAGECRAFT, "run", "router", "--file", "huge.txt", "--provider", "openai"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    assert server.headers[0]["authorization"] == f"Bearer {key}"  # it was used, where it belongs
    assert failed.returncode == 2
    thread = json.loads(done.stdout)["thread_id"]
    dumped = subprocess.run(
        ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "--data-only", "-t", "checkpoint*"],
        capture_output=True,
    ).stdout
    assert thread.encode() in dumped  # the run is there...
    texts = [done.stdout, done.stderr, failed.stdout, failed.stderr]
    files = [p.read_bytes() for p in (folder / ".stagecraft").rglob("*") if p.is_file()]
    for secret in (key, password, "operator-canary-31"):
        assert secret.encode() not in dumped  # ...its secrets are not
        assert all(secret not in text for text in texts)
        assert all(secret.encode() not in blob for blob in files)


def test_a_run_started_by_one_worker_is_resumed_by_another_sharing_postgresql(tmp_path: Path) -> None:
    require("PostgreSQL", "127.0.0.1", 5432)
    schema = f"desk_test_{uuid.uuid4().hex[:12]}"
    shared = {
        "STAGECRAFT_CHECKPOINTER": "postgresql://postgres@127.0.0.1:5432/test",
        "STAGECRAFT_SUPPORT_DB": f"postgresql://postgres@127.0.0.1:5432/test?schema={schema}",
    }
    one, two = tmp_path / "worker-one", tmp_path / "worker-two"
    shutil.copytree(ROOT / "examples", one / "examples")
    two.mkdir()
    proc = subprocess.Popen(
        [STAGECRAFT, "run", "orchestrator", "--file", "examples/message.txt", "--latency", "1.5", "--no-cache"],
        cwd=one,
        env=_env(**shared),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = lines_until(proc, "> billing_concern")
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()
    thread = next(line.split("thread: ")[1].split()[0] for line in lines if "thread: " in line)
    # Another worker, another folder: nothing local is shared, only PostgreSQL.
    resumed = subprocess.run(
        [STAGECRAFT, "resume", thread, "--json", "--latency", "0"],
        cwd=two,
        env=_env(**shared),
        capture_output=True,
        text=True,
        timeout=120,
    )
    try:
        assert resumed.returncode == 0, resumed.stderr
        out = json.loads(resumed.stdout)
        assert sorted(c["stage"] for c in out["ledger"]) == ["billing_concern", "decompose", "synthesize_reply"]
        assert "SP40802" in out["reply"] and "RMA-" in out["reply"] and "CASE-" in out["reply"]
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
            cases = conn.execute(f"SELECT count(*) FROM {schema}.cases").fetchone()
            rmas = conn.execute(f"SELECT count(*) FROM {schema}.rmas").fetchone()
        assert cases == (1,) and rmas == (1,)
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


async def test_two_workers_sharing_postgresql_cannot_resume_one_thread_at_once() -> None:
    from app.persistence import open_checkpointer
    from app.threads import ThreadBusy, resuming

    require("PostgreSQL", "127.0.0.1", 5432)
    url = "postgresql://postgres@127.0.0.1:5432/test"
    thread = uuid.uuid4().hex[:12]
    async with open_checkpointer(url) as one, open_checkpointer(url) as two:
        async with resuming(one, thread, url):
            with pytest.raises(ThreadBusy, match="being resumed by another process"):
                async with resuming(two, thread, url):
                    pass
            async with resuming(two, uuid.uuid4().hex[:12], url):  # another thread is free
                pass
        async with resuming(two, thread, url):  # released with its holder
            pass
