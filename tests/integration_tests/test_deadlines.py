"""Deadlines that hold over real HTTP: a stage in all, the semantic cache's embedding, a whole run.

Each test fails on code where the bound was per attempt, where the embedding call had none, or
where a call past its deadline kept its thread for as long as the server kept trickling.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from graphs.router import build as build_router
from models.faults import StageTimeout
from state.settings import Settings
from tests.faults import Fault, fault_server
from tests.loopback import OpenAIHandler, Reply, completion, schema_name, serve

pytestmark = pytest.mark.integration

QUERY = {"query": "My internet connection keeps dropping."}
ROOT = Path(__file__).resolve().parents[2]


def respond(request: dict[str, Any]) -> Reply:
    if schema_name(request) == "Classification":
        return 200, json.dumps({"intent": "Technical Support", "confidence": 0.9})
    return 200, "Sorry to hear that; which router do you use?"


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-deadlines")


async def test_a_stage_ends_by_its_deadline_in_all_however_often_it_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each attempt ended at the 1 s read timeout, a transient fault, and was retried: five attempts
    # and their pauses took 12 s against a stage deadline of 3 s (325-632 s with the defaults).
    context = Settings(provider="openai", cache=False, request_timeout=1, stage_timeout_s=3)
    with fault_server(respond, rate=1.0, kinds=[Fault.SLOW], slow_s=30) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        with pytest.raises(StageTimeout, match=r"stage 'classify': no complete reply within stage_timeout_s \(3 s"):
            await build_router().compile().ainvoke(QUERY, context=context)
        # Attempts at 0, 1.5 and 3.5 s at the earliest (1 s each, then 0.5 s and 1 s of backoff).
        assert len(server.requests) <= 3


def test_calls_past_their_deadline_under_invoke_leave_no_worker_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    # Forty calls to a provider that trickles its replies for 40 s each, all past their 1 s deadline:
    # their workers stayed busy until the trickle ended, the pool of 32 filled, and every later
    # call failed with a timeout, even to a healthy provider.
    context = Settings(provider="openai", cache=False, request_timeout=10, stage_timeout_s=1)
    graph = build_router().compile()
    with fault_server(respond, rate=0.0, trickle_s=5.0) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        server.inject(*([Fault.TRICKLE] * 40))
        failures: list[BaseException] = []

        def call() -> None:
            try:
                graph.invoke(QUERY, context=context)
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=call) for _ in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert len(failures) == 40 and all(isinstance(f, StageTimeout) for f in failures)
        # On a loaded machine a call can pass its 1 s deadline before its request reaches the
        # server, leaving a 40 s trickle queued for the healthy call below: the provider is healthy now.
        server.clear()
        healthy = graph.invoke(QUERY, context=context.model_copy(update={"stage_timeout_s": 20}))
    assert healthy["intent"] == "Technical Support"


class _SilentEmbeddings(OpenAIHandler):
    """Chat completions answered at once; embeddings never answered."""

    def do_POST(self) -> None:
        body = self.read_json() or {}
        if self.path.endswith("/embeddings"):
            time.sleep(60)
            return
        status, content = respond(body)
        self.send_json(status, completion(body, content))


@contextmanager
def _silent_embeddings() -> Iterator[str]:
    with serve(_SilentEmbeddings) as base_url:
        yield base_url


@pytest.mark.parametrize("call", ["ainvoke", "invoke"])
async def test_an_embedder_that_never_answers_costs_the_stage_a_share_of_its_deadline(
    call: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The semantic cache's embedding call had no deadline: the router waited for the 30 s read
    # timeout (with the defaults, 60 s) before its classifier was even asked.
    # The provider's embeddings are chosen explicitly (unset, WordLlama embeds locally), and each
    # variant asks its own question: the process's memory store must not answer the second one.
    monkeypatch.setenv("STAGECRAFT_SEMANTIC_STORE", "memory://")
    context = Settings(
        provider="openai", request_timeout=30, stage_timeout_s=4, embeddings="openai:text-embedding-3-small"
    )
    query = {"query": f"My internet connection keeps dropping ({call})."}
    graph = build_router().compile()
    with _silent_embeddings() as base_url:
        monkeypatch.setenv("OPENAI_BASE_URL", base_url)
        run = (
            graph.ainvoke(query, context=context)
            if call == "ainvoke"
            else asyncio.to_thread(graph.invoke, query, context=context)
        )
        out = await asyncio.wait_for(run, timeout=20)
    assert out["intent"] == "Technical Support"
    assert out["ledger"][0]["cache"] == "miss"


def test_a_run_that_times_out_ends_its_process(tmp_path: Path) -> None:
    # The run's deadline ended the run, but a thread still waiting on the embedder kept the process
    # (asyncio.run waits for its worker threads) alive long after the error was printed.
    script = """
import asyncio, sys
from graphs.registry import spec_for
from app.runner import RunTimeout, run
from state.settings import Settings

settings = Settings(
    provider="openai", request_timeout=60, stage_timeout_s=60, run_timeout_s=2,
    embeddings="openai:text-embedding-3-small",
)
try:
    asyncio.run(run(spec_for("router"), {"query": "My internet connection keeps dropping."}, settings))
except RunTimeout as exc:
    print("timed out:", exc)
    sys.exit(1)
"""
    with _silent_embeddings() as base_url:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "OPENAI_API_KEY": "sk-deadlines",
            "OPENAI_BASE_URL": base_url,
            "STAGECRAFT_SEMANTIC_STORE": "memory://",
            "STAGECRAFT_CACHE": "off",
            "LANGSMITH_TRACING": "false",
        }
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        elapsed = time.monotonic() - started
    assert done.returncode == 1 and "timed out" in done.stdout, done.stderr[-2000:]
    assert elapsed < 30, elapsed  # the embedder holds its thread for 60 s
