"""The openai provider over a real HTTP connection to a loopback OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import openai
import pytest

from graphs.orchestrator import graph as orchestrator
from graphs.router import build
from graphs.router import graph as router
from models.faults import TRANSIENT_ATTEMPTS, ProviderRefused, ProviderUnavailable
from models.prices import cost_usd
from state.settings import Settings
from tests.loopback import Loopback, Reply, Responder, openai_server, schema_name

Serve = Callable[[Responder], AbstractContextManager[Loopback]]

pytestmark = pytest.mark.integration

QUERY = "I think there is a mistake on my last invoice."
STAGECRAFT = str(Path(sys.executable).parent / "stagecraft")


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-loopback")


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch) -> Callable[[Responder], AbstractContextManager[Loopback]]:
    """Start a loopback server and point the deployment's OPENAI_BASE_URL at it."""

    @contextmanager
    def start(respond: Responder) -> Iterator[Loopback]:
        with openai_server(respond) as server:
            monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
            yield server

    return start


def settings_for(**extra: Any) -> Settings:
    return Settings(provider="openai", request_timeout=10, **{"cache": False, **extra})


def router_replies(request: dict[str, Any]) -> Reply:
    if schema_name(request) == "Classification":
        return 200, json.dumps({"intent": "Billing Inquiry", "confidence": 0.93})
    return 200, "Could you share your account number so I can check the invoice?"


async def test_router_runs_on_an_openai_compatible_server(serve: Serve) -> None:
    with serve(router_replies) as server:
        out = await build().compile().ainvoke({"query": QUERY}, context=settings_for())
    assert out["intent"] == "Billing Inquiry" and "account number" in out["response"]
    classify, handler = server.requests
    # Each stage asked for its tier's model; the query only ever appears in a user message.
    assert (classify["model"], handler["model"]) == ("gpt-4o-mini", "gpt-4o")
    assert all(QUERY not in m["content"] for m in classify["messages"] if m["role"] == "system")
    ledger = out["ledger"]
    assert [c["model"] for c in ledger] == ["gpt-4o-mini-2024-08-06", "gpt-4o-2024-08-06"]
    assert ledger[0]["input_tokens"] == 100 and ledger[0]["cost_usd"] == pytest.approx(cost_usd("gpt-4o-mini", 100, 20))


async def test_truncated_json_is_reasked_with_the_error(serve: Serve) -> None:
    replies = iter(
        [(200, '{"intent": "Billing Inq'), (200, json.dumps({"intent": "Billing Inquiry", "confidence": 0.8}))]
    )

    def respond(request: dict[str, Any]) -> Reply:
        return next(replies) if schema_name(request) else (200, "Noted.")

    with serve(respond) as server:
        out = await build().compile().ainvoke({"query": QUERY}, context=settings_for())
    assert out["intent"] == "Billing Inquiry"
    _first, second = (r for r in server.requests if schema_name(r))
    assert "invalid" in second["messages"][-1]["content"]
    assert [c["outcome"] for c in out["ledger"] if c["stage"] == "classify"] == ["invalid", "ok"]


@pytest.mark.parametrize("status", [400, 401, 404])
async def test_a_permanent_fault_fails_at_once_naming_the_stage_and_cause(serve: Serve, status: int) -> None:
    refused = rf"stage 'classify': the provider refused the request: \w+ \({status}\)"
    with serve(lambda request: (status, "no")) as server:
        with pytest.raises(ProviderRefused, match=refused) as err:
            await build().compile().ainvoke({"query": QUERY}, context=settings_for())
    assert isinstance(err.value.__cause__, openai.APIStatusError)
    assert len(server.requests) == 1


async def test_a_500_is_retried_a_bounded_number_of_times(serve: Serve) -> None:
    with serve(lambda request: (500, "upstream exploded")) as server:
        with pytest.raises(ProviderUnavailable, match=rf"stage 'classify': {TRANSIENT_ATTEMPTS} attempts failed"):
            await build().compile().ainvoke({"query": QUERY}, context=settings_for(client_max_retries=1))
    # The stage's attempts x (1 + the client's own retry); LangGraph's node retry adds none.
    assert len(server.requests) == TRANSIENT_ATTEMPTS * 2


def test_cli_streams_from_an_openai_compatible_server() -> None:
    env = {**os.environ, "OPENAI_API_KEY": "sk-loopback"}
    with openai_server(router_replies) as server:
        shown = subprocess.run(
            [STAGECRAFT, "run", "router", QUERY, "--stream", "--no-cache"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**env, "OPENAI_BASE_URL": server.base_url, "COLUMNS": "200"},
        )
        streamed = [r for r in server.requests if r.get("stream")]
        server.requests.clear()
        quiet = subprocess.run(
            [STAGECRAFT, "run", "router", QUERY, "--stream", "--json", "--no-cache"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**env, "OPENAI_BASE_URL": server.base_url},
        )
    assert shown.returncode == 0, shown.stderr
    assert streamed and "account number" in shown.stdout
    # Nothing but the run's one status line: no serialisation warnings quoting the model's output.
    assert len(shown.stderr.strip().splitlines()) == 1 and "thread:" in shown.stderr, shown.stderr
    # Every call is billed, the streamed ones too (langchain-openai's streamed path once dropped the usage).
    assert shown.stdout.count("100 in / 20 out tokens") == 2, shown.stdout
    # With --json nobody reads the tokens: they are not streamed, and stdout holds only the result.
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    assert not any(r.get("stream") for r in server.requests)
    ledger = json.loads(quiet.stdout)["ledger"]
    assert [(c["stage"], c["input_tokens"], c["output_tokens"]) for c in ledger] == [
        ("classify", 100, 20),
        ("billing", 100, 20),
    ]


def test_invoke_and_ainvoke_work_twenty_times_over_kept_alive_connections(serve: Serve) -> None:
    # Real providers keep connections open; a pooled client must never outlive the loop it used.
    context = settings_for()
    with serve(router_replies) as server:
        sync_runs = [router.invoke({"query": QUERY}, context=context) for _ in range(20)]
        loop_per_run = [asyncio.run(router.ainvoke({"query": QUERY}, context=context)) for _ in range(20)]

        async def twenty_in_one_loop() -> list[dict[str, Any]]:
            return [await router.ainvoke({"query": QUERY}, context=context) for _ in range(20)]

        one_loop = asyncio.run(twenty_in_one_loop())
    for out in sync_runs + loop_per_run + one_loop:
        assert out["intent"] == "Billing Inquiry" and "account number" in out["response"]
    assert len(server.requests) == 120
    # 60 runs of two calls each went over far fewer connections than requests.
    assert server.connections < 30


async def test_invoke_from_inside_a_running_loop_uses_the_provider(serve: Serve) -> None:
    # As in a notebook: synchronous invoke while an event loop runs in this thread.
    with serve(router_replies) as server:
        outs = [router.invoke({"query": QUERY}, context=settings_for()) for _ in range(3)]
    assert all(out["intent"] == "Billing Inquiry" for out in outs)
    assert len(server.requests) == 6


def test_orchestrator_fans_out_concurrently_under_invoke(serve: Serve) -> None:
    # Three workers of one message, each with a model call on a slow server, overlap under invoke too.
    def slow(request: dict[str, Any]) -> Reply:
        import time

        name = schema_name(request)
        if name == "Decomposition":
            tasks = [{"query_type": "BillingInquiry", "invoice_number": f"INV-789{i}"} for i in range(3)]
            return 200, json.dumps({"tasks": tasks})
        if name == "Concern":
            time.sleep(0.5)
            return 200, json.dumps({"concern": "It is higher than expected."})
        return 200, "Dear customer, " + " ".join(f"CASE-{i:05d}" for i in range(1, 4))

    with serve(slow):
        out = orchestrator.invoke({"query": "three invoices: INV-7890, INV-7891, INV-7892"}, context=settings_for())
    concern = [c for c in out["ledger"] if c["stage"] == "billing_concern"]
    assert len(concern) == 3
    assert max(c["started"] for c in concern) < min(c["ended"] for c in concern)


@pytest.mark.parametrize("flags", [[], ["--json"], ["--quiet"]])
def test_a_provider_error_that_echoes_the_key_never_shows_it(flags: list[str]) -> None:
    # Some gateways echo the request's Authorization header in their error body.
    key = "loopback-secret-7f3a9c2e1b"
    echo = f"invalid credentials for Authorization: Bearer {key} (key {key})"
    with openai_server(lambda request: (401, echo)) as server:
        done = subprocess.run(
            [STAGECRAFT, "run", "router", QUERY, "--no-cache", *flags],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "OPENAI_API_KEY": key, "OPENAI_BASE_URL": server.base_url, "COLUMNS": "300"},
        )
    assert done.returncode == 1 and "invalid credentials" in done.stderr, done.stderr
    assert key not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_credentials_in_the_base_url_are_never_printed_or_stored(tmp_path: Path) -> None:
    # A user:password in OPENAI_BASE_URL is sent as Basic auth; a gateway that echoed it put it on
    # stderr, in the batch results file and in seven rows of runs.sqlite.
    import base64

    from tests.loopback import OpenAIHandler, serve

    class Echo(OpenAIHandler):
        def do_POST(self) -> None:
            self.read_json()
            headers = "; ".join(f"{k}: {v}" for k, v in self.headers.items())
            self.send_json(401, {"error": {"message": f"denied, you sent {headers}", "type": "auth"}})

    password, user = "hunter2-gateway-pass", "gateway-user"
    pair = base64.b64encode(f"{user}:{password}".encode()).decode()
    inputs = tmp_path / "queries.jsonl"
    inputs.write_text(json.dumps({"id": "q1", "query": QUERY}) + "\n")
    with serve(Echo) as base_url:
        url = base_url.replace("http://", f"http://{user}:{password}@")
        env = {**os.environ, "OPENAI_API_KEY": "sk-loopback-echoed-key", "OPENAI_BASE_URL": url, "COLUMNS": "300"}
        runs = [
            subprocess.run(
                [STAGECRAFT, *command, "--runs-db", str(tmp_path / "runs.sqlite")],
                capture_output=True,
                text=True,
                timeout=120,
                cwd=tmp_path,
                env=env,
            )
            for command in (["run", "router", QUERY, "--no-cache"], ["batch", "router", str(inputs), "--no-cache"])
        ]
    assert [done.returncode for done in runs] == [1, 1], [done.stderr for done in runs]
    assert "denied" in runs[0].stderr
    written = [path.read_bytes() for path in tmp_path.rglob("*") if path.is_file() and path != inputs]
    shown = "".join(done.stdout + done.stderr for done in runs).encode()
    for secret in (password, pair, "sk-loopback-echoed-key"):
        assert secret.encode() not in shown, secret
        assert not any(secret.encode() in blob for blob in written), secret
