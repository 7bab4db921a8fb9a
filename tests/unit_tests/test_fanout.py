"""Parallel fan-out: analysis and report graphs, overlap, failed branches, input limits."""

from __future__ import annotations

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver

from app.examples import BUSINESS_DOCUMENT
from graphs.analysis import build as build_analysis
from graphs.report import build as build_report
from state.inputs import InputError
from state.settings import Settings
from tests.conftest import InjectedFault, Script, stage_spans

BRANCHES = ("sentiment", "entities", "doc_summary", "topics")


async def test_analysis_results_are_structured(settings: Settings) -> None:
    out = await build_analysis().compile().ainvoke({"document": BUSINESS_DOCUMENT}, context=settings)
    assert out["sentiment"]["label"] in {"positive", "mixed"} and 0 <= out["sentiment"]["confidence"] <= 1
    names = {(e["name"], e["type"]) for e in out["entities"]}
    assert ("Northwind Energy", "ORGANIZATION") in names or ("Contoso Ltd", "ORGANIZATION") in names
    assert out["topics"] and all(0 < t["relevance"] <= 1 for t in out["topics"])
    assert out["summary"] and out["errors"] == []
    assert "Overview" in out["synthesis"]


async def test_four_branches_run_in_one_superstep(script: Script, scripted: Settings) -> None:
    script.latency = 0.3
    out = await build_analysis().compile().ainvoke({"document": BUSINESS_DOCUMENT}, context=scripted)
    spans = stage_spans(out["ledger"])
    starts = [spans[b][0] for b in BRANCHES]
    ends = [spans[b][1] for b in BRANCHES]
    # Every branch started before any finished: they overlapped instead of running in turn.
    assert max(starts) < min(ends)
    assert spans["analysis_synthesis"][0] >= max(ends)


async def test_a_failed_branch_is_recorded_and_the_join_still_runs(script: Script, scripted: Settings) -> None:
    script.fail("entities", times=5)
    script.handlers["analysis_synthesis"] = lambda call: f"Briefing; missing: {call.values['missing']}"
    out = await build_analysis().compile().ainvoke({"document": BUSINESS_DOCUMENT}, context=scripted)
    assert out["errors"] == [
        {"stage": "entities", "error_type": "InjectedFault", "message": "injected failure in entities"}
    ]
    assert out["entities"] is None
    assert out["sentiment"] and out["topics"] and out["summary"]
    assert out["synthesis"] == "Briefing; missing: entities"  # the join was told what is missing
    assert script.calls["analysis_synthesis"] == 1


async def test_a_branch_that_gave_up_still_prices_the_calls_it_paid_for(script: Script, scripted: Settings) -> None:
    # Every output of the entities stage is invalid: it is re-asked until it gives up, and the
    # branch records its failure. Each of those replies was billed, so the report counts them.
    script.outputs["entities"] = [{"not": "entities"}] * 10
    out = await build_analysis().compile().ainvoke({"document": BUSINESS_DOCUMENT}, context=scripted)
    assert [e["stage"] for e in out["errors"]] == ["entities"]
    paid = [c for c in out["ledger"] if c["stage"] == "entities"]
    assert len(paid) == script.calls["entities"] == scripted.structured_retries + 1
    assert all(c["outcome"] == "invalid" and c["cost_usd"] for c in paid)
    report = out["execution_report"]
    assert report["by_stage"]["entities"]["calls"] == len(paid)
    assert report["cost_usd"] == pytest.approx(sum(c["cost_usd"] or 0.0 for c in out["ledger"]))


async def test_fail_setting_fails_the_run(script: Script) -> None:
    # topics fails last, after its siblings' writes are saved (in-flight siblings would be cancelled).
    script.stage_latency["topics"] = 0.3
    script.fail("topics", times=1)
    settings = Settings(provider="scripted", on_branch_error="fail")
    graph = build_analysis().compile(checkpointer=InMemorySaver())
    config: RunnableConfig = {"configurable": {"thread_id": "t"}}
    with pytest.raises(InjectedFault):
        await graph.ainvoke({"document": BUSINESS_DOCUMENT}, config=config, context=settings)
    # No synthesis was committed; resuming re-runs only the failed branch, then the join.
    assert (await graph.aget_state(config)).values.get("synthesis") is None
    calls_before = dict(script.calls)
    out = await graph.ainvoke(None, config=config, context=settings)
    assert "synthesis" in out and out["errors"] == []
    rerun = {
        stage: n - calls_before.get(stage, 0) for stage, n in script.calls.items() if n != calls_before.get(stage, 0)
    }
    assert rerun == {"topics": 1, "analysis_synthesis": 1}


async def test_a_megabyte_document_is_rejected_before_any_model_call(script: Script, scripted: Settings) -> None:
    with pytest.raises(InputError, match="limit"):
        await build_analysis().compile().ainvoke({"document": "word " * 210_000}, context=scripted)
    assert sum(script.calls.values()) == 0


async def test_report_runs_three_analyses_in_parallel_after_extraction(script: Script, scripted: Settings) -> None:
    script.latency = 0.2
    out = await build_report().compile().ainvoke({"document": BUSINESS_DOCUMENT}, context=scripted)
    spans = stage_spans(out["ledger"])
    parallel = ("risk", "opportunity", "requirements")
    assert all(spans["extract"][1] <= spans[p][0] for p in parallel)
    assert max(spans[p][0] for p in parallel) < min(spans[p][1] for p in parallel)
    # Each analysis read the extracted key points; the report read all three analyses.
    assert out["risks"] == out["opportunities"] == out["requirements"] == out["key_points"][:1]
    assert out["report"].startswith("# Report") and out["errors"] == []


async def test_report_says_which_section_is_missing(script: Script, scripted: Settings) -> None:
    script.fail("opportunity", times=5)
    script.handlers["report_synthesis"] = lambda call: f"# Report\n\nMissing: {call.values['missing']}"
    out = await build_report().compile().ainvoke({"document": BUSINESS_DOCUMENT}, context=scripted)
    assert [e["stage"] for e in out["errors"]] == ["opportunity"]
    assert out["report"].endswith("Missing: opportunity") and out["opportunities"] is None
