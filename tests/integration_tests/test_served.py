"""langgraph.json served by a real `langgraph dev`, driven with the official langgraph-sdk client.

The server runs as an operator would run it: an API key of its own (STAGECRAFT_API_KEY), an
OpenAI key and endpoint in its environment (a loopback recorder stands in for the provider),
and a support desk at a path it chose. A second loopback server plays the address a malicious
client would like the key sent to.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from app.examples import BUSINESS_DOCUMENT, CUSTOMER_QUERY, ENERGY_SOURCES
from graphs.registry import GRAPHS
from tests.integration_tests.services import langgraph_dev
from tests.loopback import Loopback, Reply, openai_server, schema_name

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CONFIG = json.loads((ROOT / "langgraph.json").read_text())
OFFLINE = {"provider": "offline", "offline_latency": 0}
OPERATOR_KEY = "operator-key-3f9a"
OPENAI_KEY = "sk-canary-served-7d21"


def _router_replies(request: dict[str, Any]) -> Reply:
    if schema_name(request) == "Classification":
        return 200, json.dumps({"intent": "Billing Inquiry", "confidence": 0.9})
    return 200, "Could you send your account number?"


@dataclass
class Served:
    """The running server and what surrounds it."""

    url: str
    log: Path
    provider: Loopback
    attacker: Loopback
    support_db: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Start `langgraph dev` on a free loopback port with an operator's environment."""
    scratch = tmp_path_factory.mktemp("server")
    log = scratch / "langgraph-dev.log"
    with openai_server(_router_replies) as provider, openai_server(_router_replies) as attacker:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("OPENAI_", "STAGECRAFT_", "LANGSMITH_API", "LANGGRAPH_API", "LANGCHAIN_API"))
        }
        env.update(
            LANGGRAPH_CLI_NO_ANALYTICS="1",
            LANGGRAPH_NO_VERSION_CHECK="true",
            LANGSMITH_TRACING="false",
            OPENAI_API_KEY=OPENAI_KEY,
            OPENAI_BASE_URL=provider.base_url,
            STAGECRAFT_API_KEY=OPERATOR_KEY,
            STAGECRAFT_SUPPORT_DB=str(scratch / "support.sqlite"),
            STAGECRAFT_CACHE=f"sqlite:///{scratch / 'cache.sqlite'}",
            STAGECRAFT_SEMANTIC_STORE=f"sqlite:///{scratch / 'semantic.sqlite'}",
            STAGECRAFT_MAX_INPUT_CHARS="100000",
        )
        with langgraph_dev(ROOT, env, log) as url:
            yield Served(url, log, provider, attacker, scratch / "support.sqlite")
    text = log.read_text()
    assert "BlockingError" not in text, "a node blocked the server's event loop"


@pytest.fixture
async def client(served: Served) -> AsyncIterator[LangGraphClient]:
    """An SDK client with the operator's key, closed with its event loop."""
    async with get_client(url=served.url, api_key=OPERATOR_KEY) as sdk:
        yield sdk


async def test_every_graph_in_langgraph_json_is_served(client: LangGraphClient) -> None:
    assert set(CONFIG["graphs"]) == set(GRAPHS)
    assistants = await client.assistants.search(limit=50)
    assert {a["graph_id"] for a in assistants} == set(CONFIG["graphs"])


@pytest.mark.parametrize("key", [None, "wrong-key"])
async def test_a_request_without_the_operator_key_is_refused(served: Served, key: str | None) -> None:
    async with get_client(url=served.url, api_key=key) as anonymous:
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await anonymous.assistants.search(limit=1)
    assert refused.value.response.status_code == 401


@pytest.mark.parametrize("graph_id", sorted(GRAPHS))
async def test_studio_gets_input_output_and_context_schemas(client: LangGraphClient, graph_id: str) -> None:
    # The assistant the server made from langgraph.json (a dev server keeps assistants a client made).
    (assistant,) = await client.assistants.search(graph_id=graph_id, metadata={"created_by": "system"})
    schemas = await client.assistants.get_schemas(assistant["assistant_id"])
    for kind in ("input_schema", "output_schema", "context_schema"):
        schema = schemas[kind]
        assert schema is not None and schema["properties"], (graph_id, kind)
        undocumented = [name for name, prop in schema["properties"].items() if not prop.get("description")]
        assert undocumented == [], (graph_id, kind, undocumented)
    assert "OPENAI_API_KEY" in schemas["context_schema"]["properties"]["provider"]["description"]


CASES: dict[str, tuple[dict[str, Any], str]] = {
    "router": ({"query": "My internet connection is not working."}, "intent"),
    "summarize_translate": ({"text": ENERGY_SOURCES[0]["content"], "target_language": "French"}, "translation"),
    "faq": ({"sources": ENERGY_SOURCES, "num_questions": 3}, "faq"),
    "orchestrator": ({"query": CUSTOMER_QUERY}, "reply"),
    "analysis": ({"document": BUSINESS_DOCUMENT}, "synthesis"),
    "report": ({"document": BUSINESS_DOCUMENT}, "report"),
    # Pipelines from pipelines/*.yaml, served by name like the graphs written by hand.
    "contract_review": ({"contract": BUSINESS_DOCUMENT}, "verdict"),
    "meeting_digest": ({"notes": BUSINESS_DOCUMENT}, "digest"),
    "support_triage": ({"message": "My internet connection is not working."}, "technical_reply"),
}


@pytest.mark.parametrize("graph_id", sorted(CASES))
async def test_each_graph_runs_on_the_server(client: LangGraphClient, graph_id: str, served: Served) -> None:
    payload, key = CASES[graph_id]
    thread = await client.threads.create()
    out = await client.runs.wait(thread["thread_id"], graph_id, input=payload, context=OFFLINE)
    assert isinstance(out, dict) and out.get(key), out
    assert out["ledger"] and all(call["provider"] == "offline" for call in out["ledger"])
    if graph_id == "router":
        assert out["intent"] == "Technical Support"
    if graph_id == "support_triage":
        assert out["route"] == "technical_reply"
    if graph_id == "orchestrator":
        assert "SP40802" in out["reply"]
        assert served.support_db.exists()


async def test_custom_stream_shows_each_stage_and_the_cost_so_far(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    events = [
        part.data
        async for part in client.runs.stream(
            thread["thread_id"],
            "faq",
            input={"sources": ENERGY_SOURCES, "num_questions": 3},
            context={**OFFLINE, "cache": False},
            stream_mode="custom",
        )
        if part.event == "custom"
    ]
    kinds = [e["event"] for e in events]
    assert kinds.count("stage_started") == kinds.count("stage_finished") >= 4
    assert {"event": "fan_out", "node": "answer_question", "count": 3} in events
    finished = [e for e in events if e["event"] == "stage_finished"]
    assert finished[-1]["cost_so_far"] == pytest.approx(sum(e["cost_usd"] for e in finished))


async def test_the_key_only_ever_goes_to_the_deployments_endpoint(client: LangGraphClient, served: Served) -> None:
    thread = await client.threads.create()
    query = {"query": "My invoice is wrong."}
    out = await client.runs.wait(thread["thread_id"], "router", input=query, context={"provider": "openai"})
    assert isinstance(out, dict) and out["intent"] == "Billing Inquiry"
    assert served.provider.headers and all(
        h["authorization"] == f"Bearer {OPENAI_KEY}" for h in served.provider.headers
    )
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await client.runs.wait(
            None,
            "router",
            input={"query": "My invoice is wrong."},
            context={"provider": "openai", "base_url": served.attacker.base_url},
        )
    assert refused.value.response.status_code == 422 and "OPENAI_BASE_URL" in refused.value.response.text
    with pytest.raises(httpx.HTTPStatusError):
        await client.assistants.create("router", context={"base_url": served.attacker.base_url})
    assert served.attacker.requests == [] and served.attacker.connections == 0


async def test_a_client_chosen_path_creates_no_file(client: LangGraphClient, tmp_path: Path) -> None:
    target = tmp_path / "planted.sqlite"
    thread = await client.threads.create()
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await client.runs.wait(
            thread["thread_id"], "orchestrator", input={"query": CUSTOMER_QUERY}, context={"support_db": str(target)}
        )
    assert refused.value.response.status_code == 422 and "STAGECRAFT_SUPPORT_DB" in refused.value.response.text
    assert not target.exists()


async def test_an_oversized_input_is_refused_before_the_run_exists(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await client.runs.wait(thread["thread_id"], "analysis", input={"document": "word " * 40_000}, context=OFFLINE)
    assert refused.value.response.status_code == 413 and "STAGECRAFT_MAX_INPUT_CHARS" in refused.value.response.text
    assert (await client.threads.get_state(thread["thread_id"]))["values"] in ({}, None, [])


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"bogus": 1}, "valid settings: provider"),
        ({"stage_tiers": {"nonexistent": "FAST"}}, "stages: "),
        ({"model_fast": "gpt-ultra-9000"}, "not allowed"),
        ({"request_timeout": -1}, "request_timeout"),
        ({"confidence_threshold": 5}, "confidence_threshold"),
    ],
)
async def test_unusable_context_is_refused_with_the_reason(
    client: LangGraphClient, context: dict[str, Any], message: str
) -> None:
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await client.runs.wait(None, "router", input={"query": "hello"}, context=context)
    assert refused.value.response.status_code == 422 and message in refused.value.response.text


async def test_settings_in_an_assistants_or_crons_config_are_checked_too(
    client: LangGraphClient, served: Served
) -> None:
    # The server reads an assistant's config.configurable as the run's context: checked like context.
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await client.assistants.create("router", config={"configurable": {"base_url": served.attacker.base_url}})
    assert refused.value.response.status_code == 422 and "OPENAI_BASE_URL" in refused.value.response.text
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await client.crons.create(
            "router", schedule="0 0 1 1 *", input={"query": "hello"}, context={"base_url": served.attacker.base_url}
        )
    assert refused.value.response.status_code == 422 and "OPENAI_BASE_URL" in refused.value.response.text
    assert served.attacker.requests == []


async def test_a_state_written_around_the_intake_buys_no_oversized_call(
    client: LangGraphClient, served: Served
) -> None:
    # threads.update_state can write the query as if the intake had checked it; the model seam
    # refuses a prompt no checked input can make, so nothing reaches the provider.
    thread = await client.threads.create(metadata={"graph_id": "router"})
    before = len(served.provider.requests)
    await client.threads.update_state(thread["thread_id"], {"query": "word " * 100_000}, as_node="intake")
    await client.runs.wait(thread["thread_id"], "router", input=None, context={"provider": "openai"}, raise_error=False)
    assert len(served.provider.requests) == before
    runs = await client.runs.list(thread["thread_id"])
    assert runs[0]["status"] == "error"


@pytest.mark.parametrize("path", ["/metrics", "/docs", "/openapi.json", "/info"])
async def test_the_servers_own_routes_require_the_key_too(served: Served, path: str) -> None:
    async with httpx.AsyncClient(base_url=served.url) as http:
        assert (await http.get(path)).status_code == 401
        assert (await http.get(path, headers={"x-api-key": "wrong-key"})).status_code == 401
        assert (await http.get(path, headers={"x-api-key": OPERATOR_KEY})).status_code == 200
        # Load balancers call the health check bare.
        assert (await http.get("/ok")).status_code == 200


@pytest.mark.parametrize(
    ("graph_id", "payload", "context", "reason"),
    [
        ("router", {"qeury": "My invoice is wrong."}, {}, "query must be text, not NoneType"),
        ("summarize_translate", {"text": "  ", "target_language": "French"}, {}, "text is empty"),
        ("orchestrator", {"query": "word " * 40}, {"max_input_chars": 100}, "the limit is 100"),
    ],
)
async def test_an_invalid_input_is_refused_before_the_run_exists(
    client: LangGraphClient, graph_id: str, payload: dict[str, Any], context: dict[str, Any], reason: str
) -> None:
    thread = await client.threads.create()
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await client.runs.wait(thread["thread_id"], graph_id, input=payload, context={**OFFLINE, **context})
    assert refused.value.response.status_code == 422 and reason in refused.value.response.text
    assert (await client.threads.get_state(thread["thread_id"]))["values"] in ({}, None, [])


RunEntry = Callable[[LangGraphClient, str, dict[str, Any]], Awaitable[Any]]


async def _streamed(parts: Any) -> list[Any]:
    return [part async for part in parts]


# Every way a client starts a run with input: (client, thread id, input) -> the request.
RUN_ENTRIES: dict[str, RunEntry] = {
    "runs.wait": lambda c, t, i: c.runs.wait(t, "router", input=i, context=OFFLINE),
    "runs.stream": lambda c, t, i: _streamed(c.runs.stream(t, "router", input=i, context=OFFLINE)),
    "stateless": lambda c, t, i: c.runs.wait(None, "router", input=i, context=OFFLINE),
    "if_not_exists": lambda c, t, i: c.runs.wait(
        str(uuid.uuid4()), "router", input=i, context=OFFLINE, if_not_exists="create"
    ),
    "runs.create_batch": lambda c, t, i: c.runs.create_batch([{"assistant_id": "router", "input": i}]),
    "crons.create_for_thread": lambda c, t, i: c.crons.create_for_thread(t, "router", schedule="0 0 1 1 *", input=i),
}


@pytest.mark.parametrize("entry", RUN_ENTRIES)
@pytest.mark.parametrize(
    ("payload", "status", "reason"),
    [
        ({"qeury": "hello"}, 422, "query must be text"),
        ({"query": " "}, 422, "query is empty"),
        ({"query": "word " * 30_000}, 413, "the limit is"),
    ],
)
async def test_every_way_to_start_a_run_refuses_an_invalid_input(
    client: LangGraphClient, entry: str, payload: dict[str, Any], status: int, reason: str
) -> None:
    thread = (await client.threads.create())["thread_id"]
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await RUN_ENTRIES[entry](client, thread, payload)
    assert refused.value.response.status_code == status and reason in refused.value.response.text
    assert await client.runs.list(thread) == []


async def test_an_assistants_input_is_checked_by_the_assistants_graph(client: LangGraphClient) -> None:
    assistant = await client.assistants.create("faq", context=OFFLINE)
    thread = (await client.threads.create())["thread_id"]
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await client.runs.wait(thread, assistant["assistant_id"], input={"sources": [], "num_questions": 3})
    assert refused.value.response.status_code == 422 and "sources must be" in refused.value.response.text
    out = await client.runs.wait(
        thread, assistant["assistant_id"], input={"sources": ENERGY_SOURCES, "num_questions": 2}
    )
    assert isinstance(out, dict) and len(out["faq"]) == 2


MetadataEntry = Callable[[LangGraphClient, str, str, dict[str, Any]], Awaitable[Any]]
# Every entry that takes metadata: (client, thread id, assistant id, metadata) -> the request.
METADATA_ENTRIES: dict[str, MetadataEntry] = {
    "threads.create": lambda c, t, a, m: c.threads.create(metadata=m),
    "threads.update": lambda c, t, a, m: c.threads.update(t, metadata=m),
    "runs.create": lambda c, t, a, m: c.runs.wait(t, "router", input={"query": "hello"}, context=OFFLINE, metadata=m),
    "runs.create config": lambda c, t, a, m: c.runs.wait(t, "router", input={"query": "hello"}, config={"metadata": m}),
    "assistants.create": lambda c, t, a, m: c.assistants.create("router", metadata=m),
    "assistants.update": lambda c, t, a, m: c.assistants.update(a, metadata=m),
    "crons.create": lambda c, t, a, m: c.crons.create(
        "router", schedule="0 0 1 1 *", input={"query": "hi"}, metadata=m
    ),
}


@pytest.mark.parametrize("entry", sorted(METADATA_ENTRIES))
async def test_metadata_is_limited_and_may_not_set_the_servers_keys(client: LangGraphClient, entry: str) -> None:
    thread = (await client.threads.create())["thread_id"]
    assistant = (await client.assistants.create("router", context=OFFLINE))["assistant_id"]
    send = METADATA_ENTRIES[entry]
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await send(client, thread, assistant, {"notes": "x" * 20_000})
    assert refused.value.response.status_code == 413 and "metadata is 20,0" in refused.value.response.text
    owned = {"graph_id": "orchestrator", "user_id": "someone", "stagecraft_started": 0}
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await send(client, thread, assistant, owned)
    assert refused.value.response.status_code == 422 and "stagecraft_started" in refused.value.response.text


async def test_a_runs_own_metadata_is_kept_beside_the_servers(client: LangGraphClient) -> None:
    thread = await client.threads.create(metadata={"ticket": "T-1"})
    await client.runs.wait(thread["thread_id"], "router", input={"query": "hello"}, context=OFFLINE, metadata={"n": 1})
    (latest,) = await client.threads.get_history(thread["thread_id"], limit=1)
    assert latest["metadata"] is not None
    assert (latest["metadata"]["graph_id"], latest["metadata"]["ticket"], latest["metadata"]["n"]) == (
        "router",
        "T-1",
        1,
    )
    cron = await client.crons.create("router", schedule="0 0 1 1 *", input={"query": "hello"}, context=OFFLINE)
    await client.crons.delete(cron["cron_id"])


INVOICE_A = "Hello, invoice INV-7890 seems much higher than I expected this month."
INVOICE_B = "About INV-7890: I was charged twice for the same subscription period."


async def test_a_request_id_written_into_another_thread_adopts_nothing_of_it(client: LangGraphClient) -> None:
    a = (await client.threads.create())["thread_id"]
    out_a = await client.runs.wait(a, "orchestrator", input={"query": INVOICE_A}, context=OFFLINE)
    request_a = (await client.threads.get_state(a))["values"]["request_id"]  # type: ignore[call-overload]
    b = (await client.threads.create(graph_id="orchestrator"))["thread_id"]
    await client.threads.update_state(b, {"query": INVOICE_B, "request_id": request_a}, as_node="intake")
    out_b = await client.runs.wait(b, "orchestrator", input=None, context=OFFLINE)
    assert isinstance(out_a, dict) and isinstance(out_b, dict)
    (case_a,) = [r["facts"] for r in out_a["results"]]
    (case_b,) = [r["facts"] for r in out_b["results"]]
    assert case_b["case_id"] != case_a["case_id"] and "charged twice" in case_b["concern"]
    assert "higher than" not in out_b["reply"]


async def test_tasks_written_into_a_thread_are_capped_at_max_tasks(client: LangGraphClient) -> None:
    thread = (await client.threads.create())["thread_id"]
    await client.runs.wait(thread, "orchestrator", input={"query": "Where is order A-12345?"}, context=OFFLINE)
    tasks = [{"query_type": "StatusUpdate", "order_id": f"B-{i}"} for i in range(300)]
    await client.threads.update_state(thread, {"tasks": tasks}, as_node="decompose")
    out = await client.runs.wait(thread, "orchestrator", input=None, context=OFFLINE)
    assert isinstance(out, dict)
    worked = [r for r in out["results"] if r["facts"].get("order_id", "").startswith("B-")]
    assert len(worked) == 10 and "290 further request(s)" in out["reply"]


async def test_no_command_sends_work_to_a_worker_directly(client: LangGraphClient, served: Served) -> None:
    thread = (await client.threads.create())["thread_id"]
    await client.runs.wait(thread, "orchestrator", input={"query": "Where is order A-12345?"}, context=OFFLINE)
    task = {"query_type": "StatusUpdate", "order_id": "A-12345"}
    send = {"node": "status_worker", "input": {"index": 0, "task": task, "query": "q", "request_id": "r"}}
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await client.runs.wait(thread, "orchestrator", command={"goto": [send] * 30}, context=OFFLINE)
    assert refused.value.response.status_code == 422 and "command" in refused.value.response.text
    # langgraph-sdk sends only values in supersteps; the HTTP API also takes commands.
    superstep = {"updates": [{"command": {"goto": [send] * 30}, "as_node": "decompose"}]}
    body = {"thread_id": thread, "if_exists": "do_nothing", "supersteps": [superstep]}
    async with httpx.AsyncClient(base_url=served.url, headers={"x-api-key": OPERATOR_KEY}) as http:
        created = await http.post("/threads", json=body)
    assert created.status_code == 422 and "commands" in created.text
    await client.runs.wait(thread, "orchestrator", input=None, context=OFFLINE)
    values = (await client.threads.get_state(thread))["values"]
    assert isinstance(values, dict) and len(values["results"]) == 1


def _rmas(served: Served) -> int:
    from supportdesk import SupportDesk

    desk = SupportDesk(served.support_db)
    try:
        return desk.count_rmas()
    finally:
        desk.close()


async def test_a_pending_approval_is_seen_and_answered_through_the_sdk(client: LangGraphClient, served: Served) -> None:
    thread = (await client.threads.create())["thread_id"]
    query = "I want to return my SuperWidget 5000, it arrived broken."
    before = _rmas(served)
    await client.runs.wait(
        thread, "orchestrator", input={"query": query}, context={**OFFLINE, "approval_above_usd": 50}
    )
    assert (await client.threads.get(thread))["status"] == "interrupted"
    (pending,) = (await client.threads.get_state(thread))["interrupts"]
    value = pending["value"]
    assert isinstance(value, dict) and value["amount_usd"] == 299.0 and "SuperWidget 5000" in value["summary"]
    assert _rmas(served) == before
    # A client's answer is untrusted: anything but {"approved": bool, "reason": str} is refused
    # before a run exists, and so is a command that would do more than answer.
    for bad in (
        {"resume": {"approved": "yes"}},
        {"resume": {"approved": False}},
        {"resume": {"approved": True, "reason": "x" * 400}},
        {"resume": {"approved": True}, "goto": "finish"},
        {"resume": {"approved": True}, "update": {"reply": "forged"}},
    ):
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await client.runs.wait(thread, "orchestrator", command=bad, context=OFFLINE)  # type: ignore[arg-type]
        assert refused.value.response.status_code == 422, bad
    assert (await client.threads.get(thread))["status"] == "interrupted" and _rmas(served) == before
    answer = {"resume": {pending["id"]: {"approved": True, "reason": ""}}}
    out = await client.runs.wait(thread, "orchestrator", command=answer, context=OFFLINE)  # type: ignore[arg-type]
    assert isinstance(out, dict) and _rmas(served) == before + 1
    (result,) = out["results"]
    assert result["status"] == "done" and result["facts"]["rma_number"] in out["reply"]
    await client.runs.wait(thread, "orchestrator", command=answer, context=OFFLINE)  # type: ignore[arg-type]
    assert _rmas(served) == before + 1


def test_the_server_logged_no_warnings(served: Served) -> None:
    # Runs last: after every schema request and run above. Not counted: the access log of the
    # requests refused on purpose above (4xx), and structlog's notice about its own set-up.
    text = re.sub(r"\x1b\[[0-9;]*m", "", served.log.read_text())
    refused = re.compile(r"\] (GET|POST|PUT|PATCH|DELETE) \S+ 4\d\d ")
    warnings = [
        line
        for line in text.splitlines()
        if "[warning" in line and "format_exc_info" not in line and not refused.search(line)
    ]
    assert warnings == [], warnings[:3]
