"""Budgets and early termination: the request budget, each path of document, each stop of refine."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.examples import BUSINESS_DOCUMENT, CUSTOMER_QUERY, ENERGY_SOURCES
from graphs.document import build as build_document
from graphs.faq import SPEC as FAQ
from graphs.orchestrator import build as build_orchestrator
from graphs.refine import build as build_refine
from models.caches import STAGE_CACHE
from state.settings import Settings
from tests.conftest import Script

LONG_SOURCES = [{"title": f"{s['title']} ({i})", "content": s["content"]} for i in range(3) for s in ENERGY_SOURCES]


async def _faq(sources: Any, questions: int, **settings: Any) -> dict[str, Any]:
    """Run the FAQ graph on the scripted model, its fan-out capped as exported, with no stage cache."""
    graph = FAQ.compile()
    context = Settings(provider="scripted", cache=False, **settings)
    out: dict[str, Any] = await graph.ainvoke({"sources": sources, "num_questions": questions}, context=context)
    return out


async def test_the_budget_stops_a_fan_out_and_overshoots_by_at_most_the_calls_in_flight(script: Script) -> None:
    script.latency = 0.05
    free = await _faq(LONG_SOURCES, 15)
    costs = [c["cost_usd"] or 0.0 for c in free["ledger"]]
    budget = sum(costs) * 0.4
    out = await _faq(LONG_SOURCES, 15, max_cost_usd=budget)
    assert out["terminated_early"] and out["termination"]["reason"] == "budget"
    ledger = sorted(out["ledger"], key=lambda c: c["ended"])
    spent = sum(c["cost_usd"] or 0.0 for c in ledger)
    # Every question is listed; those whose worker could not start say why.
    assert len(out["faq"]) == 15 and any("budget" in e["answer"] for e in out["faq"])
    # The overshoot is bounded by the calls in flight when the budget ran out: one per running worker.
    assert spent - budget <= FAQ.max_concurrency * max(costs)
    # And no call started after the budget was known to be spent.
    running, spent_at = 0.0, None
    for call in ledger:
        running += call["cost_usd"] or 0.0
        if running >= budget:
            spent_at = call["ended"]
            break
    assert spent_at is not None and all(c["started"] <= spent_at for c in out["ledger"])


async def test_an_answer_paid_for_before_the_budget_ran_out_is_kept(script: Script) -> None:
    # The answers in flight finished and were billed, then their attribution was refused: the run
    # threw the paid answers away and listed them as "Not answered".
    script.latency = 0.05
    first = await _faq(ENERGY_SOURCES, 6)
    questions_cost = sum(c["cost_usd"] or 0.0 for c in first["ledger"] if c["stage"] == "generate_questions")
    out = await _faq(ENERGY_SOURCES, 6, max_cost_usd=questions_cost * 1.01)
    assert out["termination"]["reason"] == "budget"
    paid = sum(1 for c in out["ledger"] if c["stage"] == "answer" and c["outcome"] == "ok")
    kept = [e for e in out["faq"] if not e["answer"].startswith("Not answered")]
    assert paid > 0 and len(kept) == paid


async def test_a_zero_budget_makes_no_model_call_and_says_so(script: Script) -> None:
    out = (
        await build_document()
        .compile()
        .ainvoke({"document": BUSINESS_DOCUMENT}, context=Settings(provider="scripted", max_cost_usd=0))
    )
    assert sum(script.calls.values()) == 0 and out["ledger"] == []
    assert out["termination"]["reason"] == "budget" and out["terminated_early"]
    assert out["execution_report"]["termination"] == "budget"


async def test_a_customer_still_gets_a_reply_when_the_budget_runs_out(script: Script) -> None:
    graph = build_orchestrator().compile()
    free = await graph.ainvoke({"query": CUSTOMER_QUERY}, context=Settings(provider="scripted", cache=False))
    script.calls.clear()
    tokens = {c["stage"]: c["input_tokens"] + c["output_tokens"] for c in free["ledger"]}
    # Enough to start decompose and the billing concern, not the reply's writer.
    budget = tokens["decompose"] + tokens["billing_concern"] - 1
    spent = Settings(provider="scripted", cache=False, max_tokens=budget)
    out = await graph.ainvoke({"query": CUSTOMER_QUERY}, context=spent)
    assert out["termination"]["reason"] == "budget" and out["termination"]["stage"] == "synthesize"
    assert out["reply"] and all(r["summary"] in out["reply"] for r in out["results"])
    assert "synthesize_reply" not in script.calls
    # Every billed call is in the ledger, and the report says how the run ended.
    assert [c["stage"] for c in out["ledger"]] == ["decompose", "billing_concern"]
    assert out["execution_report"]["termination"] == "budget"


# document: every path


DOCUMENTS = {
    "trivial": "Thanks for the update.",
    "fast": "Our office will be closed on Monday for maintenance. Please use the side entrance on Tuesday.",
    "standard": ENERGY_SOURCES[1]["content"],
    "full": BUSINESS_DOCUMENT,
}


ASSESSED = {
    "fast": {"complexity": "simple", "length": "short", "confidence": 0.9},
    "standard": {"complexity": "moderate", "length": "medium", "confidence": 0.9},
    "full": {"complexity": "complex", "length": "medium", "confidence": 0.9},
}


@pytest.mark.parametrize("path", sorted(DOCUMENTS))
async def test_each_document_path_is_taken_and_reported(path: str, script: Script) -> None:
    if path in ASSESSED:
        script.outputs["assess"] = [ASSESSED[path]]
    out = await build_document().compile().ainvoke({"document": DOCUMENTS[path]}, context=Settings(provider="scripted"))
    assert out["path"] == path
    stages = {c["stage"] for c in out["ledger"]}
    expected: dict[str, set[str]] = {
        "trivial": set(),
        "fast": {"assess", "brief"},
        "standard": {"assess", "doc_summary", "extract"},
        "full": {"assess", "doc_summary", "extract", "sentiment", "entities", "topics", "doc_risks"}
        | {"doc_opportunities", "doc_synthesis"},
    }
    assert stages == expected[path]
    assert out["terminated_early"] is (path in ("trivial", "fast"))
    if path in ("trivial", "fast"):
        assert out["brief"] and out["termination"]["reason"] == "fast_path"
    if path == "full":
        assert out["synthesis"] and out["verification"].startswith("skipped: confidence")


async def test_a_synthesis_below_the_confidence_bar_is_verified(script: Script) -> None:
    out = (
        await build_document()
        .compile()
        .ainvoke({"document": BUSINESS_DOCUMENT}, context=Settings(provider="scripted", verify_below=0.99))
    )
    assert (out["path"] == "full" and out["verification"] in ("verified",)) or out["verification"].startswith(
        "unsupported"
    )
    assert "verify" in {c["stage"] for c in out["ledger"]}


async def test_the_full_path_runs_its_analyses_at_once(script: Script) -> None:
    script.latency = 0.2
    out = (
        await build_document().compile().ainvoke({"document": BUSINESS_DOCUMENT}, context=Settings(provider="scripted"))
    )
    report = out["execution_report"]
    assert len(report["by_stage"]) >= 4
    branches = [c for c in out["ledger"] if c["stage"] not in ("assess", "doc_synthesis")]
    assert max(c["started"] for c in branches) < min(c["ended"] for c in branches)
    assert report["critical_path"][0] == "assess" and report["critical_path"][-1] == "doc_synthesis"
    assert report["cost_usd"] == pytest.approx(sum(c["cost_usd"] or 0 for c in out["ledger"]))


# refine: every stop condition


TASK = "an executive summary in at most 70 words"


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ({}, "quality"),
        ({"quality_threshold": 1.0, "min_improvement": 0.5}, "no_improvement"),
        ({"quality_threshold": 1.0, "min_improvement": 0.0, "max_rounds": 2}, "round_cap"),
        ({"max_tokens": 1}, "budget"),
    ],
)
async def test_each_refine_stop_condition_ends_the_loop_with_the_best_draft(
    settings: dict[str, Any], reason: str
) -> None:
    context = Settings(provider="offline", offline_latency=0, cache=False, **settings)
    out = await build_refine().compile().ainvoke({"text": BUSINESS_DOCUMENT, "task": TASK}, context=context)
    assert out["termination"]["reason"] == reason
    assert out["terminated_early"] is (reason != "round_cap")
    scores = [r["score"] for r in out["rounds"]]
    assert [r["round"] for r in out["rounds"]] == list(range(1, len(scores) + 1))
    if scores:
        assert out["score"] == max(scores) and out["draft"] in [r["draft"] for r in out["rounds"]]
    if reason == "quality":
        assert scores[-1] >= context.quality_threshold and scores[0] < scores[-1]
    if reason == "round_cap":
        assert len(scores) == 2
    if reason == "no_improvement":
        assert len(scores) >= 2 and scores[-1] - scores[-2] < 0.5


async def test_refine_replayed_from_the_cache_stops_exactly_as_it_did() -> None:
    # A critique's update carries the stop decision: a replay keyed on the draft alone once looped
    # forever when a revision repeated a draft. The key covers the rounds so far.
    graph = build_refine().compile(cache=STAGE_CACHE)
    context = Settings(provider="offline", offline_latency=0, quality_threshold=1.0)
    task = {"text": BUSINESS_DOCUMENT, "task": "an executive summary in at most 50 words"}
    first = await asyncio.wait_for(graph.ainvoke(task, context=context), timeout=30)
    again = await asyncio.wait_for(graph.ainvoke(task, context=context), timeout=30)
    assert first["termination"] == again["termination"] and first["rounds"] == again["rounds"]
    assert {c["cache"] for c in again["ledger"]} == {"exact"}
