"""Orchestrator-worker: decompose a customer message, one worker per task, one reply."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import get_runtime
from langgraph.types import Send

from graphs.spec import GraphSpec, Section
from models.progress import emit
from nodes.finish import finish
from nodes.intake import intake
from nodes.orchestrator import (
    BILLING_CONCERN,
    DECOMPOSE,
    DESK_RETRY,
    SYNTHESIZE,
    ask_what_they_need,
    billing_worker,
    check_input,
    check_services,
    colleague_worker,
    decompose,
    dispatchable,
    return_worker,
    status_worker,
    synthesize,
)
from state.orchestrator import SupportInput, SupportOutput, SupportState, WorkerTask
from state.run import stopped
from state.settings import Settings, settings_of

STAGES = (DECOMPOSE, BILLING_CONCERN, SYNTHESIZE)

Worker = Literal["billing_worker", "return_worker", "status_worker", "colleague_worker"]
_WORKERS: dict[str, Worker] = {
    "BillingInquiry": "billing_worker",
    "ProductReturn": "return_worker",
    "StatusUpdate": "status_worker",
}


def dispatch_tasks(state: SupportState) -> list[Send] | Literal["synthesize", "ask_what_they_need", "finish"]:
    """Send each valid task, up to max_tasks, to its worker; with none, reply or ask what they need; a stop ends it."""
    if stopped(state):
        return "finish"
    # State written from outside a run (threads.update_state as decompose) is routed then, with
    # no run context: the default max_tasks caps it.
    settings = settings_of(get_runtime())
    tasks, rest = dispatchable(state, settings.max_tasks)
    if not tasks:
        # Only tasks no worker may take: the reply says they went to a colleague.
        return "synthesize" if rest else "ask_what_they_need"
    emit("fan_out", node="workers", count=len(tasks))
    return [
        Send(
            _WORKERS.get(task["query_type"], "colleague_worker"),
            # The threshold travels with the task (saved with it): a resume with other settings keeps it.
            WorkerTask(
                index=i,
                task=task,
                query=state["query"],
                request_id=state["request_id"],
                approval_above_usd=settings.approval_above_usd,
            ),
        )
        for i, task in enumerate(tasks)
    ]


def build() -> StateGraph[SupportState, Settings, SupportInput, SupportOutput]:
    """Return the orchestrator-worker graph, uncompiled."""
    builder = StateGraph(SupportState, context_schema=Settings, input_schema=SupportInput, output_schema=SupportOutput)
    builder.set_node_defaults(retry_policy=DESK_RETRY)
    builder.add_node("intake", intake(SupportState, SupportInput, check_input, STAGES))
    builder.add_node("decompose", decompose)
    builder.add_node("billing_worker", billing_worker, input_schema=WorkerTask)
    builder.add_node("return_worker", return_worker, input_schema=WorkerTask)
    builder.add_node("status_worker", status_worker, input_schema=WorkerTask)
    builder.add_node("colleague_worker", colleague_worker, input_schema=WorkerTask)
    builder.add_node("synthesize", synthesize)
    builder.add_node("ask_what_they_need", ask_what_they_need)
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "decompose")
    builder.add_conditional_edges(
        "decompose",
        dispatch_tasks,
        [
            "billing_worker",
            "return_worker",
            "status_worker",
            "colleague_worker",
            "synthesize",
            "ask_what_they_need",
            "finish",
        ],
    )
    for worker in ("billing_worker", "return_worker", "status_worker", "colleague_worker"):
        builder.add_edge(worker, "synthesize")
    builder.add_edge("synthesize", "finish")
    builder.add_edge("ask_what_they_need", "finish")
    builder.add_edge("finish", END)
    return builder


def show(output: Mapping[str, Any]) -> list[Section]:
    """Each task, what its worker did, and the reply to the customer."""
    results = {r["index"]: r for r in output.get("results") or []}
    lines = []
    for i, task in enumerate(output.get("tasks") or []):
        details = ", ".join(f"{k}={v}" for k, v in task.items() if k != "query_type")
        result = results.get(i)
        done = f"{result['status']}: {result['summary']}" if result else "not run"
        lines.append(f"{i + 1}. {task['query_type']} ({details}): {done}")
    sections = [Section("tasks", "\n".join(lines) or "none")]
    if output.get("overflow"):
        sections.append(Section("", f"{len(output['overflow'])} more task(s) were passed to a colleague", "warn"))
    return [*sections, Section("reply", output.get("reply") or "")]


SPEC = GraphSpec(
    name="orchestrator",
    description="Orchestrator-worker: split a customer message into tasks, one worker each, one reply.",
    build=build,
    input=SupportInput,
    check=check_input,
    from_text=lambda text, options: {"query": text},
    stages=STAGES,
    show=show,
    max_concurrency=8,  # workers act on the desk: a message with many tasks must not flood it or the provider
    services=(check_services,),
)
graph = SPEC.compile()
