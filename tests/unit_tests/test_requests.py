"""Each input is a request of its own: its own identity at the support desk, its own state on a thread."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver

from app import cli
from app.examples import BUSINESS_DOCUMENT, CUSTOMER_QUERY, ENERGY_SOURCES
from graphs.orchestrator import graph as orchestrator
from graphs.registry import GRAPHS
from state.settings import Settings
from supportdesk import SupportDesk

INVOICE_A = "Hello, invoice INV-7890 seems much higher than I expected this month."
INVOICE_B = "About INV-7890: I was charged twice for the same subscription period."
RETURN_A = "I want to return my SuperWidget 5000 because it arrived with a cracked screen."
RETURN_B = "I would also like to return the SuperWidget 5000 because it is far too loud."


def _facts(out: dict[str, Any], name: str) -> list[str]:
    return [r["facts"][name] for r in out["results"] if name in r["facts"]]


def test_unrelated_messages_without_a_thread_never_share_a_case_or_rma(settings: Settings, desk: SupportDesk) -> None:
    # The README's own usage: graph.invoke with no checkpointer and no thread.
    a = orchestrator.invoke({"query": INVOICE_A + " " + RETURN_A}, context=settings)
    b = orchestrator.invoke({"query": INVOICE_B + " " + RETURN_B}, context=settings)
    assert _facts(a, "case_id") != _facts(b, "case_id")
    assert _facts(a, "rma_number") != _facts(b, "rma_number")
    assert desk.count_cases() == 2 and desk.count_rmas() == 2
    # The second customer's reply quotes nothing of the first customer's concern or reason.
    assert "higher than" not in b["reply"] and "cracked" not in b["reply"]
    assert "charged twice" in " ".join(_facts(b, "concern")) and "loud" in " ".join(_facts(b, "reason_for_return"))


async def test_unrelated_messages_on_two_threads_never_share_a_case(settings: Settings, desk: SupportDesk) -> None:
    graph = orchestrator.builder.compile(checkpointer=InMemorySaver())
    a = await graph.ainvoke({"query": INVOICE_A}, config=_thread("one"), context=settings)
    b = await graph.ainvoke({"query": INVOICE_B}, config=_thread("two"), context=settings)
    assert _facts(a, "case_id") != _facts(b, "case_id") and desk.count_cases() == 2
    assert "higher than" not in b["reply"]


def test_unrelated_messages_through_the_cli_never_share_a_case(capsys: pytest.CaptureFixture[str]) -> None:
    outs = []
    for message in (INVOICE_A + " " + RETURN_A, INVOICE_B + " " + RETURN_B):
        assert cli.main(["run", "orchestrator", message, "--json", "--latency", "0"]) == 0
        outs.append(json.loads(capsys.readouterr().out))
    a, b = outs
    assert _facts(a, "case_id") != _facts(b, "case_id") and _facts(a, "rma_number") != _facts(b, "rma_number")
    assert "cracked" not in b["reply"] and "higher than" not in b["reply"]


def _thread(thread_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id}}


# A first and a second, different input for every graph.
INPUTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "router": ({"query": "My internet connection is not working."}, {"query": "What are your opening hours?"}),
    "summarize_translate": (
        {"text": ENERGY_SOURCES[0]["content"], "target_language": "Spanish"},
        {"text": ENERGY_SOURCES[1]["content"], "target_language": "French"},
    ),
    "faq": ({"sources": ENERGY_SOURCES, "num_questions": 4}, {"sources": ENERGY_SOURCES[1:2], "num_questions": 2}),
    "orchestrator": ({"query": CUSTOMER_QUERY}, {"query": "Can you give me an update on my order #A-12346?"}),
    "analysis": ({"document": BUSINESS_DOCUMENT}, {"document": ENERGY_SOURCES[2]["content"]}),
    "report": ({"document": BUSINESS_DOCUMENT}, {"document": ENERGY_SOURCES[1]["content"]}),
}

_GENERATED = re.compile(r"(CASE-\d{5}|RMA-\d{6})")


def _comparable(out: dict[str, Any]) -> dict[str, Any]:
    """The output without what differs between equal runs: generated ids and timings."""
    ledger = [
        {k: v for k, v in call.items() if k not in ("started", "ended", "step", "task")} for call in out["ledger"]
    ]
    report = out["execution_report"]
    # Times, and what depends on the order parallel calls happened to finish in, differ run to run.
    timing = (
        "sequential_s",
        "wall_s",
        "speedup",
        "critical_path",
        "critical_path_s",
        "by_stage",
        "by_model",
        "cost_usd",
    )
    rest = {k: v for k, v in out.items() if k not in ("ledger", "execution_report")}
    rest["report"] = {k: v for k, v in report.items() if k not in timing}
    return {"ledger": ledger, **json.loads(_GENERATED.sub("<id>", json.dumps(rest, sort_keys=True)))}


@pytest.mark.parametrize("name", sorted(INPUTS))
async def test_a_second_input_on_a_used_thread_is_answered_on_its_own_terms(name: str, settings: Settings) -> None:
    first, second = INPUTS[name]
    graph = GRAPHS[name].compile(checkpointer=InMemorySaver())
    await graph.ainvoke(first, config=_thread("used"), context=settings)
    on_used = await graph.ainvoke(second, config=_thread("used"), context=settings)
    on_fresh = await graph.ainvoke(second, config=_thread("fresh"), context=settings)
    assert _comparable(on_used) == _comparable(on_fresh)
    # The ledger, and so the report's cost, is the second request's alone.
    assert len(on_used["ledger"]) == len(on_fresh["ledger"]) == on_used["execution_report"]["calls"]
    assert on_used["execution_report"]["cost_usd"] == pytest.approx(on_fresh["execution_report"]["cost_usd"])


async def test_a_second_message_gets_its_own_items_and_request(settings: Settings) -> None:
    graph = orchestrator.builder.compile(checkpointer=InMemorySaver())
    await graph.ainvoke({"query": CUSTOMER_QUERY}, config=_thread("t"), context=settings)
    first_request = (await graph.aget_state(_thread("t"))).values["request_id"]
    out = await graph.ainvoke({"query": "Where is order A-12346?"}, config=_thread("t"), context=settings)
    assert [r["index"] for r in out["results"]] == [0]
    assert out["results"][0]["facts"]["order_id"] == "A-12346"
    assert (await graph.aget_state(_thread("t"))).values["request_id"] != first_request


async def test_faq_forgets_answers_citing_sources_no_longer_given(settings: Settings) -> None:
    graph = GRAPHS["faq"].compile(checkpointer=InMemorySaver())
    await graph.ainvoke({"sources": ENERGY_SOURCES, "num_questions": 6}, config=_thread("t"), context=settings)
    only_wind = ENERGY_SOURCES[1:2]
    out = await graph.ainvoke({"sources": only_wind, "num_questions": 2}, config=_thread("t"), context=settings)
    assert len(out["faq"]) == 2
    cited = {title for entry in out["faq"] for title in entry["sources"]}
    assert cited <= {only_wind[0]["title"]}


async def test_another_threads_request_id_written_into_a_thread_adopts_nothing_of_it(
    settings: Settings, desk: SupportDesk
) -> None:
    # threads.update_state can write any request_id; the support desk binds it to the run's thread.
    graph = orchestrator.builder.compile(checkpointer=InMemorySaver())
    a = await graph.ainvoke({"query": INVOICE_A}, config=_thread("a"), context=settings)
    request_a = (await graph.aget_state(_thread("a"))).values["request_id"]
    await graph.aupdate_state(_thread("b"), {"query": INVOICE_B, "request_id": request_a}, as_node="intake")
    b = await graph.ainvoke(None, config=_thread("b"), context=settings)
    assert _facts(b, "case_id") != _facts(a, "case_id") and desk.count_cases() == 2
    assert "higher than" not in " ".join(_facts(b, "concern")) and "higher than" not in b["reply"]
    # The same thread resuming its own request still finds its own case.
    await graph.aupdate_state(_thread("a"), {"request_id": request_a}, as_node="intake")
    again = await graph.ainvoke(None, config=_thread("a"), context=settings)
    assert set(_facts(again, "case_id")) == set(_facts(a, "case_id")) and desk.count_cases() == 2


async def test_questions_written_from_outside_fan_out_no_wider_than_any_input_could(settings: Settings) -> None:
    from nodes.faq import MAX_QUESTIONS

    graph = GRAPHS["faq"].compile(checkpointer=InMemorySaver())
    await graph.ainvoke({"sources": ENERGY_SOURCES, "num_questions": 2}, config=_thread("t"), context=settings)
    questions = [f"What does source {i} say about solar power?" for i in range(MAX_QUESTIONS + 70)]
    await graph.aupdate_state(_thread("t"), {"questions": questions}, as_node="generate_questions")
    answered = [
        update
        async for update in graph.astream(None, config=_thread("t"), context=settings, stream_mode="updates")
        if "answer_question" in update
    ]
    assert len(answered) == MAX_QUESTIONS
