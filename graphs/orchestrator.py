"""Orchestrator-worker: decompose a customer message, one worker per task, one reply."""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from models.cache import STAGE_CACHE, node_cache, route_reads, wire_cache
from models.progress import emit
from models.retry import MODEL_RETRY
from nodes.finish import finish
from nodes.support import (
    DECOMPOSE,
    ask_what_they_need,
    billing_worker,
    colleague_worker,
    decompose,
    intake,
    return_worker,
    status_worker,
    synthesize,
)
from state.run import stopped
from state.settings import Settings
from state.support import SupportInput, SupportOutput, SupportState, WorkerTask

Worker = Literal["billing_worker", "return_worker", "status_worker", "colleague_worker"]
_WORKERS: dict[str, Worker] = {
    "BillingInquiry": "billing_worker",
    "ProductReturn": "return_worker",
    "StatusUpdate": "status_worker",
}


@route_reads("termination", "request_id")
def dispatch_tasks(state: SupportState) -> list[Send] | Literal["ask_what_they_need", "finish"]:
    """Send each task to its worker; with no task, ask the customer what they need; a stop ends the run."""
    if stopped(state):
        return "finish"
    tasks = state.get("tasks") or []
    if not tasks:
        return "ask_what_they_need"
    emit("fan_out", node="workers", count=len(tasks))
    return [
        Send(
            _WORKERS.get(task["query_type"], "colleague_worker"),
            WorkerTask(index=i, task=task, query=state["query"], request_id=state["request_id"]),
        )
        for i, task in enumerate(tasks)
    ]


def build() -> StateGraph[SupportState, Settings, SupportInput, SupportOutput]:
    """Return the orchestrator-worker graph, uncompiled."""
    builder = StateGraph(SupportState, context_schema=Settings, input_schema=SupportInput, output_schema=SupportOutput)
    builder.add_node("intake", intake)
    builder.add_node("decompose", decompose, retry_policy=MODEL_RETRY, cache_policy=node_cache(DECOMPOSE))
    builder.add_node("billing_worker", billing_worker, input_schema=WorkerTask, retry_policy=MODEL_RETRY)
    builder.add_node("return_worker", return_worker, input_schema=WorkerTask, retry_policy=MODEL_RETRY)
    builder.add_node("status_worker", status_worker, input_schema=WorkerTask, retry_policy=MODEL_RETRY)
    builder.add_node("colleague_worker", colleague_worker, input_schema=WorkerTask)
    builder.add_node("synthesize", synthesize, retry_policy=MODEL_RETRY)
    builder.add_node("ask_what_they_need", ask_what_they_need)
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "decompose")
    builder.add_conditional_edges(
        "decompose",
        dispatch_tasks,
        ["billing_worker", "return_worker", "status_worker", "colleague_worker", "ask_what_they_need", "finish"],
    )
    for worker in ("billing_worker", "return_worker", "status_worker", "colleague_worker"):
        builder.add_edge(worker, "synthesize")
    builder.add_edge("synthesize", "finish")
    builder.add_edge("ask_what_they_need", "finish")
    builder.add_edge("finish", END)
    return wire_cache(builder)


# Workers are I/O-bound; the cap keeps a message with many tasks from flooding the provider.
MAX_CONCURRENCY = 8

graph = build().compile(name="orchestrator", cache=STAGE_CACHE).with_config(max_concurrency=MAX_CONCURRENCY)
