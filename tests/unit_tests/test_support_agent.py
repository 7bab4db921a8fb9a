"""The support agent: create_agent over the seam, the desk's tools, the orchestrator's guarantees."""

from __future__ import annotations

import re
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from app.examples import CUSTOMER_QUERY
from app.persistence import STRICT
from app.report import report_lines
from graphs.support_agent import build
from models import budget
from nodes import support_agent
from nodes.orchestrator import NO_TASKS_REPLY, _at_desk, missing_facts
from nodes.support_agent import MAX_STEPS
from state.settings import Settings
from supportdesk import DeskUnavailable, SupportDesk
from tests.conftest import CUSTOMER_TASKS, Script
from tests.fake import Call

RETURN = "Please take back my SuperWidget 5000, it arrived broken. Also where is order A-12345?"


async def test_the_offline_agent_does_the_orchestrators_job_through_real_tool_calls(
    settings: Settings, desk: SupportDesk
) -> None:
    out = await build().compile().ainvoke({"query": CUSTOMER_QUERY}, context=settings)
    assert out["tasks"] == CUSTOMER_TASKS and out["ended_by"] == "replied"
    assert [c["name"] for c in out["tool_calls"]] == ["lookup_invoice", "create_rma", "order_status", "open_case"]
    billing, ret, status = (r["facts"] for r in sorted(out["results"], key=lambda r: r["index"]))
    assert re.fullmatch(r"CASE-\d{5}", billing["case_id"]) and "higher than" in billing["concern"]
    assert re.fullmatch(r"RMA-\d{6}", ret["rma_number"]) and status["tracking_number"] == "SP40802"
    assert missing_facts(out["reply"], out["results"]) == [] and "For your records" not in out["reply"]
    # The loop ran: three lookups at once, then the case (it needs the lookup), then the reply.
    turns = [c for c in out["ledger"] if c["stage"] == "support_agent"]
    assert [len(c["tool_calls"]) for c in turns] == [3, 1, 0]
    assert turns[1]["tool_calls"][0].startswith('open_case(invoice_number="INV-7890"')
    assert all(c["cost_usd"] and c["input_tokens"] for c in turns)
    assert turns[0]["ended"] <= turns[1]["started"] <= turns[2]["started"]
    assert desk.count_cases() == 1 and desk.count_rmas() == 1
    report = "\n".join(report_lines(out["ledger"]))
    assert "support_agent turn 2: open_case(" in report and "support_agent turn 3: answered in text" in report


def test_the_blocking_invoke_path_runs_the_same_loop(settings: Settings) -> None:
    out = build().compile().invoke({"query": CUSTOMER_QUERY}, context=settings)
    assert out["tasks"] == CUSTOMER_TASKS and len(out["ledger"]) == 3


async def test_a_message_with_no_request_calls_no_tool(settings: Settings, desk: SupportDesk) -> None:
    out = await build().compile().ainvoke({"query": "Hello there, lovely weather today!"}, context=settings)
    assert out["tool_calls"] == [] and out["ended_by"] == "no_tasks" and "what you need" in out["reply"]
    assert len(out["ledger"]) == 1 and desk.count_cases() == 0


def _calls(*calls: tuple[str, dict[str, Any]], turn: int = 0) -> AIMessage:
    return AIMessage(
        content="",
        tool_calls=[
            {"name": n, "args": a, "id": f"t{turn}_{i}", "type": "tool_call"} for i, (n, a) in enumerate(calls)
        ],
    )


def _turns(call: Call) -> int:
    return sum(1 for m in call.messages if isinstance(m, AIMessage))


async def test_a_case_is_opened_once_per_request_and_invoice_however_often_the_agent_asks(
    script: Script, scripted: Settings, desk: SupportDesk
) -> None:
    case = ("open_case", {"invoice_number": "INV-7890", "concern": "Too high."})

    def agent(call: Call) -> AIMessage | str:
        turn = _turns(call)
        return _calls(case, case, turn=turn) if turn < 2 else "Your case is open."

    script.handlers["support_agent"] = agent
    graph = build().compile(checkpointer=InMemorySaver(serde=STRICT))
    config: RunnableConfig = {"configurable": {"thread_id": "t"}}
    first = await graph.ainvoke({"query": "invoice INV-7890 is too high"}, config, context=scripted)
    ids = {c["result"]["facts"]["case_id"] for c in first["tool_calls"]}
    assert len(first["tool_calls"]) == 4 and len(ids) == 1 and desk.count_cases() == 1
    assert first["tasks"] == [{"query_type": "BillingInquiry", "invoice_number": "INV-7890"}]
    # The next request on the thread, and a request on no thread, get cases of their own.
    second = await graph.ainvoke({"query": "invoice INV-7890 is too high"}, config, context=scripted)
    third = await build().compile().ainvoke({"query": "invoice INV-7890 is too high"}, context=scripted)
    cases = {r["result"]["facts"]["case_id"] for out in (first, second, third) for r in out["tool_calls"]}
    assert len(cases) == 3 and desk.count_cases() == 3
    assert next(iter(ids)) in first["reply"].split("For your records: ")[1]  # the model's reply dropped it


async def test_the_step_cap_ends_the_loop_and_the_reply_says_what_was_done(script: Script, scripted: Settings) -> None:
    script.handlers["support_agent"] = lambda call: _calls(("order_status", {"order_id": "A-12345"}), turn=_turns(call))
    out = await build().compile().ainvoke({"query": "where is A-12345"}, context=scripted)
    assert script.calls["support_agent"] == MAX_STEPS and len(out["ledger"]) == MAX_STEPS
    assert out["termination"]["reason"] == "step_cap" and out["terminated_early"] and out["ended_by"] == "step_cap"
    assert "Order A-12345 is Delayed." in out["reply"]


async def test_a_step_cap_with_nothing_done_asks_what_the_customer_needs(script: Script, scripted: Settings) -> None:
    # A model that calls a tool without its arguments every turn: each call is refused, nothing is done.
    script.handlers["support_agent"] = lambda call: _calls(("order_status", {}), turn=_turns(call))
    out = await build().compile().ainvoke({"query": "where is A-12345"}, context=scripted)
    assert out["ended_by"] == "step_cap" and out["results"] == [] and len(out["tool_calls"]) == MAX_STEPS
    assert out["reply"] == NO_TASKS_REPLY


async def test_the_budget_stops_the_agent_and_the_customer_hears_what_the_desk_did(
    settings: Settings, desk: SupportDesk
) -> None:
    capped = settings.model_copy(update={"max_cost_usd": 0.002})
    out = await build().compile().ainvoke({"query": CUSTOMER_QUERY}, context=capped)
    assert out["termination"]["reason"] == "budget" and out["ended_by"] == "budget"
    assert len(out["ledger"]) == 2  # two turns spent the budget; the third (the reply) never started
    assert sum(c["cost_usd"] for c in out["ledger"]) >= 0.002
    assert desk.count_rmas() == 1 and re.search(r"RMA-\d{6}", out["reply"])


async def test_a_tool_result_reaches_the_model_as_a_tool_message(script: Script, scripted: Settings) -> None:
    seen: list[list[Any]] = []

    def agent(call: Call) -> AIMessage | str:
        seen.append(call.messages)
        return _calls(("order_status", {"order_id": "A-12346"})) if _turns(call) == 0 else "Done."

    script.handlers["support_agent"] = agent
    await build().compile().ainvoke({"query": "where is A-12346"}, context=scripted)
    (answer,) = [m for m in seen[1] if isinstance(m, ToolMessage)]
    assert answer.tool_call_id == "t0_0" and "SF482913" in answer.text


@pytest.mark.parametrize(("approved", "rmas"), [(True, 1), (False, 0)])
async def test_a_costly_return_waits_for_a_person_and_earlier_turns_are_neither_repeated_nor_lost(
    settings: Settings, desk: SupportDesk, approved: bool, rmas: int
) -> None:
    graph = build().compile(checkpointer=InMemorySaver(serde=STRICT))
    config: RunnableConfig = {"configurable": {"thread_id": "approve"}}
    paused = await graph.ainvoke(
        {"query": RETURN}, config, context=settings.model_copy(update={"approval_above_usd": 50})
    )
    (pending,) = (await graph.aget_state(config)).interrupts
    assert pending.value["action"] == "issue_rma" and pending.value["amount_usd"] == 299.0
    assert desk.count_rmas() == 0 and not paused.get("reply")
    # Resumed with other settings: the request's own threshold is kept, and the decision applies.
    decision = {"approved": approved, "reason": "" if approved else "Out of the return window."}
    out = await graph.ainvoke(Command(resume=decision), config, context=settings)
    assert desk.count_rmas() == rmas and not (await graph.aget_state(config)).interrupts
    turns = [c for c in out["ledger"] if c["stage"] == "support_agent"]
    assert [len(c["tool_calls"]) for c in turns] == [2, 0]  # the first turn, before the pause, counted once
    ret = next(r for r in out["results"] if r["query_type"] == "ProductReturn")
    assert ret["status"] == ("done" if approved else "declined")
    assert ("Out of the return window" in out["reply"]) is not approved and "A-12345" in out["reply"]


async def test_one_case_and_one_rma_however_the_model_spells_the_invoice_or_product(
    script: Script, scripted: Settings, desk: SupportDesk
) -> None:
    # Together in one turn (the tools run in parallel) and again in the next, each spelled another way.
    spellings = [
        [("INV-7890", "SuperWidget 5000"), ("7890", "superwidget-5000")],
        [(" #inv 7890", "  SUPERWIDGET 5000 "), ("inv7890", "SuperWidget 5000.")],
    ]

    def agent(call: Call) -> AIMessage | str:
        turn = _turns(call)
        if turn == len(spellings):
            return "Done."
        calls = [
            call
            for invoice, product in spellings[turn]
            for call in (
                ("open_case", {"invoice_number": invoice, "concern": "Too high."}),
                ("create_rma", {"product_name": product, "reason_for_return": "broken"}),
            )
        ]
        return _calls(*calls, turn=turn)

    script.handlers["support_agent"] = agent
    out = await build().compile().ainvoke({"query": "INV-7890 is too high; take back my SuperWidget"}, context=scripted)
    answers = [c["result"]["facts"] for c in out["tool_calls"]]
    assert len(answers) == 8 and desk.count_cases() == 1 and desk.count_rmas() == 1
    assert len({a.get("case_id") or a["rma_number"] for a in answers}) == 2
    assert out["tasks"] == [
        {"query_type": "BillingInquiry", "invoice_number": "INV-7890"},
        {"query_type": "ProductReturn", "product_name": "SuperWidget 5000", "reason_for_return": "broken"},
    ]
    assert len(out["results"]) == 2


async def test_untrusted_tool_arguments_are_answered_with_an_error_and_nothing_is_written(
    script: Script, scripted: Settings, desk: SupportDesk
) -> None:
    bad = [
        ("no_such_tool", {}),
        ("open_case", {"invoice_number": 7890, "concern": "Too high."}),  # a wrong type
        ("open_case", {"invoice_number": "INV-7890", "concern": "y" * 100_000}),  # a huge string
        ("create_rma", {"product_name": "SuperWidget 5000", "reason_for_return": "x" * 100_000}),
        ("create_rma", {"product_name": "SuperWidget 5000 " * 50}),
        ("order_status", {"order_id": "A-" + "1" * 500}),
        ("create_rma", {"product_name": ""}),
    ]
    seen: list[list[Any]] = []

    def agent(call: Call) -> AIMessage | str:
        seen.append(call.messages)
        return _calls(*bad) if _turns(call) == 0 else "Sorry, I could not do that."

    script.handlers["support_agent"] = agent
    out = await build().compile().ainvoke({"query": "INV-7890 is too high; take back my SuperWidget"}, context=scripted)
    errors = [m.text for m in seen[1] if isinstance(m, ToolMessage)]
    assert len(errors) == len(bad) and all(e.startswith("Error") for e in errors)
    assert "at most 2000 characters" in errors[2] and "at most 200 characters" in errors[4]
    assert desk.count_cases() == 0 and desk.count_rmas() == 0
    assert out["tasks"] == [] and out["results"] == [] and out["ended_by"] == "replied"


@pytest.mark.parametrize("forged", [None, 1_000_000.0, "abc", -1])
async def test_a_threshold_written_into_state_by_a_client_cannot_skip_the_operators_approval(
    script: Script, scripted: Settings, desk: SupportDesk, monkeypatch: pytest.MonkeyPatch, forged: Any
) -> None:
    monkeypatch.setenv("STAGECRAFT_APPROVAL_ABOVE_USD", "50")
    script.handlers["support_agent"] = lambda call: (
        _calls(("create_rma", {"product_name": "SuperWidget 5000"})) if _turns(call) == 0 else "Done."
    )
    graph = build().compile(checkpointer=InMemorySaver(serde=STRICT))
    config: RunnableConfig = {"configurable": {"thread_id": "forged"}}
    settings = scripted.model_copy(update={"approval_above_usd": 50})
    await graph.ainvoke({"query": "take back my SuperWidget 5000"}, config, context=settings)
    assert (await graph.aget_state(config)).interrupts and desk.count_rmas() == 0
    # What a served client can do with threads.update_state: rewrite the saved threshold, run on.
    await graph.aupdate_state(config, {"approval_above_usd": forged}, as_node="remember_rules")
    await graph.ainvoke(None, config, context=settings)
    (pending,) = (await graph.aget_state(config)).interrupts
    assert pending.value["threshold_usd"] == 50 and desk.count_rmas() == 0


def test_a_desk_that_is_briefly_down_is_tried_again_by_the_tool_not_by_asking_every_turn_again(
    script: Script, scripted: Settings, desk: SupportDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    down = {"order_status": 1}

    def flaky(action: str, /, *args: Any, **kwargs: Any) -> Any:
        if down.get(action):
            down[action] -= 1
            raise DeskUnavailable("SQLite", "here", "database is locked")
        return _at_desk(action, *args, **kwargs)

    monkeypatch.setattr(support_agent, "_at_desk", flaky)
    turns = [("create_rma", {"product_name": "SuperWidget 5000"}), ("order_status", {"order_id": "A-12345"})]
    script.handlers["support_agent"] = lambda call: (
        _calls(turns[_turns(call)], turn=_turns(call)) if _turns(call) < 2 else "Done."
    )
    out = build().compile().invoke({"query": "return it; where is A-12345"}, context=scripted)
    assert script.calls["support_agent"] == 3 and len(out["ledger"]) == 3 and desk.count_rmas() == 1
    # Down for longer: the run fails; resumed, the agent goes on from the failed call, no turn asked again.
    down["order_status"] = 3
    graph = build().compile(checkpointer=InMemorySaver(serde=STRICT))
    config: RunnableConfig = {"configurable": {"thread_id": "down"}}
    with pytest.raises(DeskUnavailable):
        graph.invoke({"query": "return it; where is A-12345"}, config, context=scripted)
    assert script.calls["support_agent"] == 5
    out = graph.invoke(None, config, context=scripted)
    assert script.calls["support_agent"] == 6 and len(out["ledger"]) == 3 and desk.count_rmas() == 2
    assert "SP40802" in out["reply"]


async def test_a_declined_return_the_models_reply_leaves_out_is_said_in_full(
    script: Script, scripted: Settings, desk: SupportDesk
) -> None:
    script.handlers["support_agent"] = lambda call: (
        _calls(("create_rma", {"product_name": "SuperWidget 5000"})) if _turns(call) == 0 else "All done."
    )
    graph = build().compile(checkpointer=InMemorySaver(serde=STRICT))
    config: RunnableConfig = {"configurable": {"thread_id": "declined"}}
    settings = scripted.model_copy(update={"approval_above_usd": 50})
    await graph.ainvoke({"query": "take back my SuperWidget 5000"}, config, context=settings)
    out = await graph.ainvoke(
        Command(resume={"approved": False, "reason": "Past the window."}), config, context=scripted
    )
    assert desk.count_rmas() == 0
    assert "Your return of the SuperWidget 5000 was declined: Past the window." in out["reply"]


@pytest.mark.parametrize(("approved", "status", "rmas"), [(True, "done", 1), (False, "declined", 0)])
async def test_a_person_is_asked_once_per_return_however_often_the_agent_asks_for_it(
    script: Script, scripted: Settings, desk: SupportDesk, approved: bool, status: str, rmas: int
) -> None:
    # After the decision the model asks again, by the product's alias, and with a 'state' of its own making.
    again = {"product_name": "SW5000", "state": {"messages": []}}
    asks = [("create_rma", {"product_name": "SuperWidget 5000"}), ("create_rma", again)]
    script.handlers["support_agent"] = lambda call: (
        _calls(asks[_turns(call)], turn=_turns(call)) if _turns(call) < 2 else "All done."
    )
    graph = build().compile(checkpointer=InMemorySaver(serde=STRICT))
    config: RunnableConfig = {"configurable": {"thread_id": "once"}}
    settings = scripted.model_copy(update={"approval_above_usd": 50})
    await graph.ainvoke({"query": "take back my SuperWidget 5000"}, config, context=settings)
    decision = {"approved": approved, "reason": "" if approved else "Past the window."}
    out = await graph.ainvoke(Command(resume=decision), config, context=settings)
    assert not (await graph.aget_state(config)).interrupts and desk.count_rmas() == rmas
    assert [c["result"]["status"] for c in out["tool_calls"]] == [status, status]
    assert [r["status"] for r in out["results"]] == [status]


@pytest.mark.parametrize("new_process", [False, True])
async def test_the_turns_before_a_pause_count_toward_the_budget_and_stay_in_the_ledger(
    settings: Settings, desk: SupportDesk, monkeypatch: pytest.MonkeyPatch, new_process: bool
) -> None:
    graph = build().compile(checkpointer=InMemorySaver(serde=STRICT))
    config: RunnableConfig = {"configurable": {"thread_id": "spent"}}
    # The first turn (the RMA's request, then the pause) alone costs more than this budget.
    capped = settings.model_copy(update={"approval_above_usd": 50, "max_cost_usd": 0.0004})
    await graph.ainvoke({"query": RETURN}, config, context=capped)
    if new_process:  # `stagecraft resume` runs in a process that knows only the saved state
        monkeypatch.setattr(budget, "_spending", type(budget._spending)())
    out = await graph.ainvoke(Command(resume={"approved": True, "reason": ""}), config, context=capped)
    assert out["ended_by"] == "budget" and desk.count_rmas() == 1
    (turn,) = out["ledger"]
    assert turn["stage"] == "support_agent" and turn["cost_usd"] > 0.0004 and len(turn["tool_calls"]) == 2


async def test_the_step_cap_counts_the_turns_before_a_pause_too(
    script: Script, scripted: Settings, desk: SupportDesk
) -> None:
    # A return that waits for a person at turn 1, then a model that never stops calling tools.
    status = ("order_status", {"order_id": "A-12345"})
    script.handlers["support_agent"] = lambda call: _calls(
        ("create_rma", {"product_name": "SuperWidget 5000"}) if _turns(call) == 0 else status, turn=_turns(call)
    )
    graph = build().compile(checkpointer=InMemorySaver(serde=STRICT))
    config: RunnableConfig = {"configurable": {"thread_id": "cap"}}
    settings = scripted.model_copy(update={"approval_above_usd": 50})
    await graph.ainvoke({"query": "take back my SuperWidget 5000; where is A-12345"}, config, context=settings)
    out = await graph.ainvoke(Command(resume={"approved": True, "reason": ""}), config, context=settings)
    assert script.calls["support_agent"] == MAX_STEPS and len(out["ledger"]) == MAX_STEPS
    assert out["ended_by"] == "step_cap" and desk.count_rmas() == 1
