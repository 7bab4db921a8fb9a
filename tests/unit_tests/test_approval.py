"""A return above approval_above_usd waits for a person: interrupt(), Command(resume=...), the real desk.

The graph runs on the offline engine over a SQLite support desk of the test's own (conftest); what
the desk holds (RMAs) is read back from it, never from the graph's own account.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.pregel import Pregel
from langgraph.types import Command
from pydantic import ValidationError

from app import cli
from graphs.orchestrator import build
from state.orchestrator import check_answer
from state.settings import Settings
from supportdesk import SupportDesk

RETURN = "I want to return my SuperWidget 5000, it arrived broken. Also, where is order A-12345?"
CONFIG: RunnableConfig = {"configurable": {"thread_id": "approval-thread"}}


@pytest.fixture
async def graph(tmp_path: Path) -> AsyncIterator[Pregel[Any, Any, Any, Any]]:
    """The orchestrator with a SQLite checkpointer, as the CLI runs it."""
    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "runs.sqlite")) as saver:
        yield build().compile(checkpointer=saver)


def _with(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(update=changes)


async def _paused(graph: Pregel[Any, Any, Any, Any], settings: Settings, query: str = RETURN) -> dict[str, Any]:
    """Run until the approval; return its interrupt's value and id."""
    await graph.ainvoke({"query": query}, CONFIG, context=_with(settings, approval_above_usd=50))
    (pending,) = (await graph.aget_state(CONFIG)).interrupts
    return {"id": pending.id, **pending.value}


def _return_result(out: dict[str, Any]) -> dict[str, Any]:
    (result,) = [r for r in out["results"] if r["query_type"] == "ProductReturn"]
    return dict(result)


async def test_a_return_above_the_threshold_waits_and_the_desk_acts_once_approved(
    graph: Pregel[Any, Any, Any, Any], settings: Settings, desk: SupportDesk
) -> None:
    pending = await _paused(graph, settings)
    # What the approver sees: the request, the desk's price, the threshold, one line; no request keys.
    assert pending["action"] == "issue_rma" and pending["task"]["product_name"] == "SuperWidget 5000"
    assert (pending["amount_usd"], pending["threshold_usd"]) == (299.0, 50.0)
    assert "SuperWidget 5000" in pending["summary"] and "$299.00" in pending["summary"]
    assert "request_id" not in json.dumps(pending) and "approval-thread" not in json.dumps(pending)
    assert desk.count_rmas() == 0  # nothing moved before a person said yes
    out = await graph.ainvoke(Command(resume={"approved": True}), CONFIG, context=settings)
    assert desk.count_rmas() == 1
    result = _return_result(out)
    assert result["status"] == "done" and result["facts"]["rma_number"] in out["reply"]
    assert "A-12345" in out["reply"]  # the task that needed no approval was answered all the same


async def test_the_report_of_an_approved_run_leaves_out_the_wait_for_the_approver(
    graph: Pregel[Any, Any, Any, Any], settings: Settings, desk: SupportDesk
) -> None:
    await _paused(graph, settings)
    await asyncio.sleep(1.0)  # the approver takes their time
    out = await graph.ainvoke(Command(resume={"approved": True}), CONFIG, context=settings)
    calls = out["ledger"]
    span = max(c["ended"] for c in calls) - min(c["started"] for c in calls)
    # The second of waiting, when no call was in flight, is left out however long the calls took.
    assert span >= 1.0 and span - out["execution_report"]["wall_s"] >= 0.99, out["execution_report"]


async def test_a_rejected_return_is_never_created_and_the_reply_says_what_and_why(
    graph: Pregel[Any, Any, Any, Any], settings: Settings, desk: SupportDesk
) -> None:
    await _paused(graph, settings)
    reason = "returns over $50 need the original receipt"
    out = await graph.ainvoke(Command(resume={"approved": False, "reason": reason}), CONFIG, context=settings)
    assert desk.count_rmas() == 0
    result = _return_result(out)
    assert result["status"] == "declined" and "rma_number" not in result["facts"]
    assert reason in out["reply"] and "SuperWidget 5000" in out["reply"] and "RMA-" not in out["reply"]
    assert not (await graph.aget_state(CONFIG)).interrupts


async def test_an_approval_sent_twice_creates_one_rma(
    graph: Pregel[Any, Any, Any, Any], settings: Settings, desk: SupportDesk
) -> None:
    pending = await _paused(graph, settings)
    answer = {pending["id"]: {"approved": True, "reason": ""}}
    first = await graph.ainvoke(Command(resume=answer), CONFIG, context=settings)
    await graph.ainvoke(Command(resume=answer), CONFIG, context=settings)
    assert desk.count_rmas() == 1
    state = (await graph.aget_state(CONFIG)).values
    assert [r["facts"]["rma_number"] for r in state["results"] if "rma_number" in r["facts"]] == [
        _return_result(first)["facts"]["rma_number"]
    ]


async def test_a_crash_right_after_the_desk_acted_then_a_second_approval_creates_one_rma(
    graph: Pregel[Any, Any, Any, Any], settings: Settings, desk: SupportDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _paused(graph, settings)
    issue = SupportDesk.issue_rma
    crashes = [RuntimeError("the process died here")]

    def issue_then_crash(self: SupportDesk, **kwargs: Any) -> Any:
        rma = issue(self, **kwargs)
        if crashes:
            raise crashes.pop()
        return rma

    monkeypatch.setattr(SupportDesk, "issue_rma", issue_then_crash)
    with pytest.raises(RuntimeError, match="process died"):
        await graph.ainvoke(Command(resume={"approved": True}), CONFIG, context=settings)
    assert desk.count_rmas() == 1
    # The approval was not saved with the worker that died: the run still waits for it.
    assert (await graph.aget_state(CONFIG)).interrupts
    out = await graph.ainvoke(Command(resume={"approved": True}), CONFIG, context=settings)
    assert desk.count_rmas() == 1
    assert _return_result(out)["facts"]["rma_number"] == "RMA-000001"


async def test_a_resume_with_other_settings_keeps_the_threshold_the_task_was_sent_with(
    graph: Pregel[Any, Any, Any, Any], settings: Settings, desk: SupportDesk
) -> None:
    await _paused(graph, settings)
    # Resumed with no threshold at all: the rejection still holds, nothing is issued.
    out = await graph.ainvoke(Command(resume={"approved": False, "reason": "no"}), CONFIG, context=settings)
    assert desk.count_rmas() == 0 and _return_result(out)["status"] == "declined"


@pytest.mark.parametrize(
    ("query", "threshold", "status"),
    [
        ("I want to return my SuperWidget 5000, it arrived broken.", None, "done"),  # off: nobody asked
        ("I want to return my Quantum Mouse, it arrived broken.", 50.0, "done"),  # $49: below it
        ("I want to return my Gift Card, I do not need it.", 10.0, "refused"),  # never returnable
        ("I want to return my HyperBlender 9, it is loud.", 10.0, "not_found"),  # no price to weigh
    ],
)
async def test_no_approval_is_asked_when_nothing_above_the_threshold_would_be_done(
    graph: Pregel[Any, Any, Any, Any], settings: Settings, query: str, threshold: float | None, status: str
) -> None:
    out = await graph.ainvoke({"query": query}, CONFIG, context=_with(settings, approval_above_usd=threshold))
    assert not (await graph.aget_state(CONFIG)).interrupts
    assert _return_result(out)["status"] == status


BAD_ANSWERS: list[Any] = [
    {"approved": "yes"},
    {"approved": 1},
    {"approved": True, "reason": "ok", "goto": "finish"},
    {"approved": False},
    {"approved": False, "reason": "   "},
    {"approved": False, "reason": "x" * 301},
    {"reason": "no decision"},
    "approve",
    [True],
]


@pytest.mark.parametrize("answer", BAD_ANSWERS, ids=repr)
async def test_an_answer_that_is_not_a_decision_is_refused_and_the_approval_stays_pending(
    graph: Pregel[Any, Any, Any, Any], settings: Settings, desk: SupportDesk, answer: Any
) -> None:
    pending = await _paused(graph, settings)
    with pytest.raises(ValueError):  # what the server's auth refuses before a run exists
        check_answer(answer)
    with pytest.raises(ValidationError):  # and what the graph refuses should one get through
        await graph.ainvoke(Command(resume={pending["id"]: answer}), CONFIG, context=settings)
    assert desk.count_rmas() == 0
    (still,) = (await graph.aget_state(CONFIG)).interrupts
    assert still.id == pending["id"]


def test_good_answers_pass_the_check() -> None:
    check_answer({"approved": True})
    check_answer({"approved": False, "reason": "over the limit"})
    check_answer({"0" * 32: {"approved": True, "reason": ""}})


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_cli_pauses_lists_and_answers_an_approval(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, desk: SupportDesk
) -> None:
    db = str(tmp_path / "runs.sqlite")
    common = ("--runs-db", db, "--latency", "0")
    code, out, err = _cli(capsys, "run", "orchestrator", RETURN, *common, "--approval-above-usd", "50")
    thread = err.split("thread: ")[1].split()[0]
    assert code == 0 and "waiting for approval: " in out and "$299.00" in out
    assert f"stagecraft resume {thread} --approve" in out and desk.count_rmas() == 0
    code, out, _ = _cli(capsys, "threads", "--runs-db", db)
    assert code == 0 and any(thread in line and "waiting for approval" in line for line in out.splitlines())
    # A resume that does not say yes or no is refused in one line that says what to pass.
    code, _, err = _cli(capsys, "resume", thread, *common)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--approve or --reject REASON" in err
    code, _, err = _cli(capsys, "resume", thread, *common, "--approve", "--reject", "no")
    assert code == 2 and "not allowed with argument" in err
    code, _, err = _cli(capsys, "resume", thread, *common, "--reject", "y" * 301)
    assert code == 2 and "300" in err and desk.count_rmas() == 0
    code, out, _ = _cli(capsys, "resume", thread, *common, "--approve", "--json")
    assert code == 0 and desk.count_rmas() == 1
    (done,) = [r for r in json.loads(out)["results"] if r["query_type"] == "ProductReturn"]
    assert done["status"] == "done"
    # Sent again: nothing is waiting, so it is refused; the desk still holds one RMA.
    code, _, err = _cli(capsys, "resume", thread, *common, "--approve")
    assert code == 2 and "not waiting for one" in err and desk.count_rmas() == 1


def test_the_cli_rejects_with_a_reason_the_customer_reads(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, desk: SupportDesk
) -> None:
    db = str(tmp_path / "runs.sqlite")
    common = ("--runs-db", db, "--latency", "0")
    code, _, err = _cli(capsys, "run", "orchestrator", RETURN, *common, "--approval-above-usd", "50")
    thread = err.split("thread: ")[1].split()[0]
    code, out, _ = _cli(capsys, "resume", thread, *common, "--reject", "the warranty covers a repair instead", "--json")
    assert code == 0 and "the warranty covers a repair instead" in json.loads(out)["reply"]
    assert desk.count_rmas() == 0
    code, out, _ = _cli(capsys, "threads", "--runs-db", db)
    assert any(thread in line and line.rstrip().endswith("done") for line in out.splitlines())


def test_a_batch_item_that_waits_for_approval_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, desk: SupportDesk
) -> None:
    inputs = tmp_path / "in.jsonl"
    inputs.write_text(json.dumps({"id": "m1", "query": RETURN}) + "\n")
    runs = str(tmp_path / "runs.sqlite")
    code, _, err = _cli(capsys, "batch", "orchestrator", str(inputs), "--runs-db", runs, "--latency", "0",
                        "--approval-above-usd", "50")  # fmt: skip
    assert code == 0, err
    (item,) = [json.loads(line) for line in (tmp_path / "in.jsonl.results.jsonl").read_text().splitlines()]
    (waiting,) = item["output"]["waiting_for_approval"]
    assert waiting["amount_usd"] == 299.0 and desk.count_rmas() == 0
    code, _, _ = _cli(capsys, "resume", item["thread"], "--runs-db", runs, "--latency", "0", "--approve")
    assert code == 0 and desk.count_rmas() == 1


def test_one_decision_answers_every_approval_a_run_waits_for(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, desk: SupportDesk
) -> None:
    db = str(tmp_path / "runs.sqlite")
    common = ("--runs-db", db, "--latency", "0")
    two = "Please take back my SuperWidget 5000, it is broken. I also want to return my MegaHub Pro, it is too slow."
    code, out, err = _cli(capsys, "run", "orchestrator", two, *common, "--approval-above-usd", "100", "--json")
    assert code == 0, err
    run = json.loads(out)
    assert sorted(w["task"]["product_name"] for w in run["waiting_for_approval"]) == ["MegaHub Pro", "SuperWidget 5000"]
    code, out, _ = _cli(capsys, "show", run["thread_id"], "--runs-db", db)
    assert code == 0 and out.count("waiting for approval: ") == 2
    code, out, _ = _cli(capsys, "resume", run["thread_id"], *common, "--reject", "a return above $100 needs a receipt")
    assert code == 0 and desk.count_rmas() == 0
    code, out, _ = _cli(capsys, "show", run["thread_id"], "--runs-db", db, "--json")
    results = json.loads(out)["results"]
    assert [r["status"] for r in results] == ["declined", "declined"]


def test_the_blocking_invoke_pauses_and_resumes_the_same_way(settings: Settings, desk: SupportDesk) -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    graph = build().compile(checkpointer=InMemorySaver())
    graph.invoke({"query": RETURN}, CONFIG, context=_with(settings, approval_above_usd=50))
    assert len(graph.get_state(CONFIG).interrupts) == 1 and desk.count_rmas() == 0
    out = graph.invoke(Command(resume={"approved": True}), CONFIG, context=settings)
    assert desk.count_rmas() == 1 and _return_result(out)["status"] == "done"


def test_the_operators_threshold_is_the_highest_a_run_may_set(monkeypatch: pytest.MonkeyPatch) -> None:
    # A served client writes its own context: without an operator floor it could leave approval off.
    from state.settings import make_settings

    assert Settings().approval_above_usd is None  # off unless someone asks for it
    monkeypatch.setenv("STAGECRAFT_APPROVAL_ABOVE_USD", "50")
    assert Settings().approval_above_usd == 50
    assert make_settings(approval_above_usd=20).approval_above_usd == 20  # stricter is fine
    for looser in (None, 80):
        with pytest.raises(ValueError, match="at most 50 here"):
            make_settings(approval_above_usd=looser)
