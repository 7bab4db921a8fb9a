"""A flaky provider over real HTTP: transient faults survived, permanent ones failed fast, deadlines kept."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver

from app.examples import BUSINESS_DOCUMENT, CUSTOMER_QUERY
from graphs.analysis import build as build_analysis
from graphs.orchestrator import build as build_orchestrator
from graphs.router import build as build_router
from models.faults import ProviderRefused, StageTimeout
from state.settings import Settings
from tests.faults import PERMANENT, TRANSIENT, Fault, FaultServer, fault_server
from tests.loopback import Reply, schema_name

pytestmark = pytest.mark.integration

ANSWERS: dict[str, Any] = {
    "Classification": {"intent": "Technical Support", "confidence": 0.92},
    "Decomposition": {
        "tasks": [
            {"query_type": "BillingInquiry", "invoice_number": "INV-7890"},
            {"query_type": "StatusUpdate", "order_id": "A-12345"},
        ]
    },
    "Concern": {"concern": "The invoice is higher than expected."},
    "Sentiment": {"label": "mixed", "confidence": 0.8, "key_phrases": ["strong growth", "risk"]},
    "Entities": {"entities": [{"name": "Northwind Energy", "type": "ORGANIZATION"}]},
    "Summary": {"summary": "Northwind grew 18% but faces a lithium cell shortage."},
    "Topics": {"topics": [{"name": "battery storage", "relevance": 0.9}]},
}


def respond(request: dict[str, Any]) -> Reply:
    name = schema_name(request)
    if name is not None:
        return 200, json.dumps(ANSWERS[name])
    prompt = " ".join(str(m["content"]) for m in request["messages"])
    facts = " ".join(sorted(set(re.findall(r"CASE-\d+|SP\d+|INV-\d+|A-\d+|Delayed", prompt))))
    return 200, f"Dear customer, here is what we did. {facts}".strip()


GRAPHS = {
    "router": (build_router, {"query": "My internet connection keeps dropping."}),
    "orchestrator": (build_orchestrator, {"query": CUSTOMER_QUERY}),
    "analysis": (build_analysis, {"document": BUSINESS_DOCUMENT}),
}
RESULT_KEYS = {
    "router": ("intent", "response"),
    "orchestrator": ("tasks", "reply"),
    "analysis": ("sentiment", "entities", "summary", "topics", "synthesis", "errors"),
}
_IDS = re.compile(r"CASE-\d+")


def _result(name: str, out: dict[str, Any]) -> str:
    return _IDS.sub("CASE-<id>", json.dumps({k: out.get(k) for k in RESULT_KEYS[name]}, sort_keys=True))


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-faults")
    # A slow reply (2 s) is slower than the read timeout and is retried; no call may take 15 s.
    # The timeout leaves a loaded machine room to answer an ordinary request (1.0 s was too tight).
    # Four re-asks instead of two: about one request in twenty gets a broken structured output
    # here, so with two re-asks one of the ~150 structured calls of a graph's thirty runs gave up
    # in roughly one test run in ten, depending on how the concurrent requests interleaved.
    # One client retry under each of the stage's five attempts: a call gives up only when ten of its
    # requests in a row are faulted (0.2**10), where five (0.2**5, about one orchestrator test run
    # in twenty over its ~150 calls) failed a CI run. A retry costs one request either way, so the
    # request count below is the same.
    return Settings(
        provider="openai",
        cache=False,
        request_timeout=1.5,
        stage_timeout_s=15,
        structured_retries=4,
        client_max_retries=1,
    )


def _point(monkeypatch: pytest.MonkeyPatch, server: FaultServer) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)


@pytest.mark.parametrize("name", sorted(GRAPHS))
async def test_thirty_runs_with_one_request_in_five_faulted_all_end_as_without_faults(
    name: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    build, payload = GRAPHS[name]
    graph = build().compile()
    with fault_server(respond, rate=0.0) as clean:
        _point(monkeypatch, clean)
        expected = _result(name, await graph.ainvoke(payload, context=settings))
        per_run = len(clean.requests)
    # Every transient kind but the trickle, which is the deadline's business (below).
    kinds = TRANSIENT - {Fault.TRICKLE}
    with fault_server(respond, seed=11, rate=0.2, kinds=kinds, retry_after="0.2") as flaky:
        _point(monkeypatch, flaky)
        outs = await asyncio.gather(*(graph.ainvoke(payload, context=settings) for _ in range(30)))
        requests = len(flaky.requests)
        faulted = sum(n for fault, n in flaky.counts().items() if fault is not None)
    assert [_result(name, out) for out in outs] == [expected] * 30
    assert faulted >= 0.15 * requests  # the faults were really there...
    assert requests <= 1.3 * 30 * per_run  # ...and survived without flooding the provider


@pytest.mark.parametrize("fault", sorted(PERMANENT))
async def test_a_permanent_fault_fails_at_once_and_the_thread_resumes_once_fixed(
    fault: Fault, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = build_router().compile(checkpointer=InMemorySaver())
    config: RunnableConfig = {"configurable": {"thread_id": f"permanent-{fault}"}}
    with fault_server(respond, rate=0.0) as server:
        _point(monkeypatch, server)
        server.permanent = fault
        with pytest.raises(ProviderRefused, match=r"stage 'classify': the provider refused the request"):
            await graph.ainvoke(GRAPHS["router"][1], config=config, context=settings)
        assert len(server.requests) == 1  # no retry of any kind
        server.permanent = None
        out = await graph.ainvoke(None, config=config, context=settings)
    assert out["intent"] == "Technical Support" and out["response"]


@pytest.mark.parametrize("fault", [Fault.SLOW, Fault.TRICKLE])
@pytest.mark.parametrize("call", ["ainvoke", "invoke"])
async def test_a_provider_that_never_finishes_ends_the_run_within_the_stage_deadline(
    fault: Fault, call: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-faults")
    # Every read is quicker than the 10 s read timeout, or the wait is longer than the deadline.
    context = Settings(provider="openai", cache=False, request_timeout=10, stage_timeout_s=2)
    graph = build_router().compile()
    with fault_server(respond, rate=0.0, slow_s=30, trickle_s=1.0) as server:
        _point(monkeypatch, server)
        server.inject(*([fault] * 5))
        started = time.monotonic()
        with pytest.raises(StageTimeout, match=r"stage .classify.: no complete reply within stage_timeout_s \(2 s"):
            if call == "ainvoke":
                await graph.ainvoke(GRAPHS["router"][1], context=context)
            else:
                await asyncio.to_thread(graph.invoke, GRAPHS["router"][1], context=context)
        elapsed = time.monotonic() - started
    assert elapsed < 6, elapsed
    assert len(server.requests) == 1  # a call past its deadline is not retried
