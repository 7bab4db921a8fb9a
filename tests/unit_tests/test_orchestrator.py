"""Orchestrator-worker over the support desk: the seed's message, caps, unknown tasks, resume."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from app.examples import CUSTOMER_QUERY
from graphs.orchestrator import build
from nodes.orchestrator import KEY_FACTS, missing_facts
from state.inputs import InputError
from state.settings import Settings
from supportdesk import SupportDesk
from tests.conftest import CUSTOMER_TASKS, InjectedFault, Script


async def test_seed_message_gives_the_seed_tasks_and_a_complete_reply(settings: Settings) -> None:
    out = await build().compile().ainvoke({"query": CUSTOMER_QUERY}, context=settings)
    assert out["tasks"] == CUSTOMER_TASKS
    assert out["overflow"] == [] and out["ended_by"] == "replied"
    results = sorted(out["results"], key=lambda r: r["index"])
    assert [r["status"] for r in results] == ["done", "done", "done"]
    billing, ret, status = (r["facts"] for r in results)
    assert re.fullmatch(r"CASE-\d{5}", billing["case_id"]) and "higher than" in billing["concern"]
    assert re.fullmatch(r"RMA-\d{6}", ret["rma_number"]) and ret["product_name"] == "SuperWidget 5000"
    assert (status["status"], status["tracking_number"]) == ("Delayed", "SP40802")
    # The seed's synthesizer dropped the return; every key fact of every task must be in ours.
    for value in (billing["case_id"], ret["rma_number"], status["tracking_number"], status["status"]):
        assert value in out["reply"]
    assert missing_facts(out["reply"], results) == []


async def test_workers_overlap_and_act_on_the_database(script: Script, scripted: Settings, desk: SupportDesk) -> None:
    script.latency = 0.2
    out = await build().compile().ainvoke({"query": CUSTOMER_QUERY}, context=scripted)
    assert desk.count_cases() == 1 and desk.count_rmas() == 1
    calls = {c["stage"]: c for c in out["ledger"]}
    assert calls["decompose"]["ended"] <= calls["billing_concern"]["started"] <= calls["synthesize_reply"]["started"]
    assert dict(script.calls) == {"decompose": 1, "billing_concern": 1, "synthesize_reply": 1}


async def test_workers_run_concurrently(script: Script, scripted: Settings) -> None:
    script.latency = 0.3
    script.outputs["decompose"] = [
        {
            "tasks": [
                {"query_type": "BillingInquiry", "invoice_number": "INV-7890"},
                {"query_type": "BillingInquiry", "invoice_number": "INV-7891"},
                {"query_type": "BillingInquiry", "invoice_number": "INV-7892"},
            ]
        }
    ]
    out = await build().compile().ainvoke({"query": "three invoices"}, context=scripted)
    workers = [c for c in out["ledger"] if c["stage"] == "billing_concern"]
    assert len(workers) == 3
    # All three workers' model calls were in flight at once.
    assert max(c["started"] for c in workers) < min(c["ended"] for c in workers)
    assert len({r["facts"]["case_id"] for r in out["results"]}) == 3


def test_exported_graph_caps_concurrency() -> None:
    from graphs.orchestrator import SPEC, graph

    assert graph.config is not None and graph.config["max_concurrency"] == SPEC.max_concurrency


async def test_no_tasks_ends_early_without_workers_or_synthesis(script: Script, scripted: Settings) -> None:
    out = await build().compile().ainvoke({"query": "Hello there, lovely weather today!"}, context=scripted)
    assert out["tasks"] == [] and out["ended_by"] == "no_tasks"
    assert "what you need" in out["reply"]
    assert dict(script.calls) == {"decompose": 1}


async def test_a_thousand_tasks_are_capped_and_the_rest_reported(script: Script, scripted: Settings) -> None:
    script.outputs["decompose"] = [
        {"tasks": [{"query_type": "StatusUpdate", "order_id": f"B-{i}"} for i in range(1000)]}
    ]
    out = await build().compile().ainvoke({"query": "Where are all my orders?"}, context=scripted)
    assert len(out["tasks"]) == 10 and len(out["overflow"]) == 990
    assert [r["status"] for r in out["results"]] == ["not_found"] * 10
    assert "990" in out["reply"]


async def test_duplicates_merge_and_unknown_types_reach_a_colleague(script: Script, scripted: Settings) -> None:
    script.outputs["decompose"] = [
        {
            "tasks": [
                {"query_type": "StatusUpdate", "order_id": "A-12345"},
                {"query_type": "StatusUpdate", "order_id": "#a-12345"},
                {"query_type": "AddressChange", "new_address": "1 Main St"},
                {"query_type": "Unknown", "request": "Please exchange my Quantum Mouse for a blue one."},
            ]
        }
    ]
    out = await build().compile().ainvoke({"query": "several things"}, context=scripted)
    assert [t["query_type"] for t in out["tasks"]] == ["StatusUpdate", "AddressChange", "Unknown"]
    handed = [r for r in out["results"] if r["status"] == "handed_off"]
    assert len(handed) == 2
    assert "new_address" in handed[0]["facts"]["request"] or "new_address" in handed[1]["facts"]["request"]
    assert out["reply"].count("colleague") >= 2


async def test_one_invoice_or_product_in_two_spellings_gets_one_case_one_rma_and_one_line(
    script: Script, scripted: Settings, desk: SupportDesk
) -> None:
    # "7890" and "INV-7890", "superwidget-5000" and "SuperWidget 5000": the desk finds one invoice and
    # one product, so one case and one RMA, and the reply says each once.
    script.outputs["decompose"] = [
        {
            "tasks": [
                {"query_type": "BillingInquiry", "invoice_number": "7890"},
                {"query_type": "BillingInquiry", "invoice_number": "INV-7890"},
                {"query_type": "ProductReturn", "product_name": "superwidget-5000", "reason_for_return": "broken"},
                {"query_type": "ProductReturn", "product_name": "SuperWidget 5000", "reason_for_return": "broken"},
            ]
        }
    ]
    out = await build().compile().ainvoke({"query": "two spellings"}, context=scripted)
    assert len(out["tasks"]) == 4  # the message's spellings, as written
    assert (desk.count_cases(), desk.count_rmas()) == (1, 1)
    assert len({r["facts"].get("case_id") or r["facts"].get("rma_number") for r in out["results"]}) == 2
    # The reply was written from two results, not four (the fake's reply quotes what it was given).
    given = json.loads(out["reply"].removeprefix("Dear customer, here is what we did: "))
    assert [r["facts"].get("case_id") or r["facts"].get("rma_number") for r in given] == ["CASE-00001", "RMA-000001"]


async def test_unknown_ids_get_a_clear_result(script: Script, scripted: Settings) -> None:
    script.outputs["decompose"] = [
        {
            "tasks": [
                {"query_type": "BillingInquiry", "invoice_number": "INV-0000"},
                {
                    "query_type": "ProductReturn",
                    "product_name": "Hoverboard",
                    "reason_for_return": "too fast",
                },
            ]
        }
    ]
    out = await build().compile().ainvoke({"query": "x y"}, context=scripted)
    summaries = sorted(r["summary"] for r in out["results"])
    assert summaries == [
        "We could not find a product called 'Hoverboard'.",
        "We could not find invoice INV-0000.",
    ]
    assert script.calls["billing_concern"] == 0


async def test_malformed_decomposition_is_reasked(script: Script, scripted: Settings) -> None:
    script.outputs["decompose"] = [{"tasks": [{"query_type": "BillingInquiry"}]}, {"tasks": CUSTOMER_TASKS}]
    out = await build().compile().ainvoke({"query": CUSTOMER_QUERY}, context=scripted)
    assert out["tasks"] == CUSTOMER_TASKS
    assert script.calls["decompose"] == 2


async def test_resume_reruns_only_the_failed_worker_without_duplicate_side_effects(
    script: Script, scripted: Settings, tmp_path: Path, desk: SupportDesk
) -> None:
    # The billing worker's model call fails after 0.3 s, once the return and status workers of
    # the same superstep have finished and their writes are checkpointed.
    script.latency = 0.3
    script.fail("billing_concern", times=1)
    config = {"configurable": {"thread_id": "t-1"}}
    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "runs.sqlite")) as saver:
        graph = build().compile(checkpointer=saver)
        with pytest.raises(InjectedFault):
            await graph.ainvoke({"query": CUSTOMER_QUERY}, config=config, context=scripted)  # type: ignore[arg-type]
        assert desk.count_rmas() == 1 and desk.count_cases() == 0
        assert dict(script.calls) == {"decompose": 1, "billing_concern": 1}

        executed, replayed = [], []
        async for update in graph.astream(None, config=config, context=scripted, stream_mode="updates"):  # type: ignore[arg-type]
            # Writes saved before the failure are replayed from the checkpoint, marked as cached.
            nodes = [n for n in update if n != "__metadata__"]
            (replayed if update.get("__metadata__", {}).get("cached") else executed).extend(nodes)
        out = (await graph.aget_state(config)).values  # type: ignore[arg-type]
    assert executed == ["billing_worker", "synthesize", "finish"]
    assert sorted(replayed) == ["return_worker", "status_worker"]
    assert dict(script.calls) == {"decompose": 1, "billing_concern": 2, "synthesize_reply": 1}
    assert desk.count_rmas() == 1 and desk.count_cases() == 1
    assert sorted(r["status"] for r in out["results"]) == ["done", "done", "done"]


@pytest.mark.parametrize("query", ["", "   \n ", "--- ... ???"])
async def test_empty_or_noise_message_is_rejected(query: str, script: Script, scripted: Settings) -> None:
    with pytest.raises(InputError):
        await build().compile().ainvoke({"query": query}, context=scripted)
    assert sum(script.calls.values()) == 0


def test_key_facts_cover_what_the_seed_lost() -> None:
    assert {"case_id", "rma_number", "tracking_number", "status"} <= set(KEY_FACTS)


async def _updates_after_writing(values: dict[str, object], settings: Settings) -> tuple[Counter[str], dict]:
    """Run a message on a thread, write `values` as decompose would, run on; count each node's updates."""
    graph = build().compile(checkpointer=InMemorySaver())
    config: RunnableConfig = {"configurable": {"thread_id": "written"}}
    await graph.ainvoke({"query": "Where is order A-12345?"}, config, context=settings)
    await graph.aupdate_state(config, values, as_node="decompose")
    ran: Counter[str] = Counter()
    async for update in graph.astream(None, config, context=settings, stream_mode="updates"):
        ran.update(update.keys())
    return ran, (await graph.aget_state(config)).values


async def test_tasks_written_from_outside_are_capped_at_max_tasks(settings: Settings) -> None:
    # threads.update_state(..., as_node="decompose") writes `tasks` past decompose's own cap.
    tasks = [{"query_type": "StatusUpdate", "order_id": f"B-{i}"} for i in range(300)]
    ran, out = await _updates_after_writing({"tasks": tasks}, settings)
    assert ran["status_worker"] == settings.max_tasks == 10
    assert "290 further request(s)" in out["reply"]


async def test_tasks_of_no_known_shape_are_handed_on_not_run(settings: Settings, desk: SupportDesk) -> None:
    malformed = [{"query_type": "BillingInquiry"}, {"query_type": "ProductReturn", "product_name": ""}, "INV-7890"]
    ran, out = await _updates_after_writing({"tasks": malformed}, settings)
    assert ran["billing_worker"] == ran["return_worker"] == 0 and desk.count_cases() == desk.count_rmas() == 0
    assert "3 further request(s) were passed to a colleague" in out["reply"]
