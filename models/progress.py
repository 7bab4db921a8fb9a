"""Live progress: custom stream events (LangGraph's `get_stream_writer`) for every model call.

    {"event": "stage_started",  "stage", "node", "attempt"}
    {"event": "stage_finished", "stage", "node", "tokens", "cost_usd", "seconds", "cost_so_far", "outcome"}
    {"event": "stage_cached",   "stage", "node", "cache": "exact" or "semantic", "saved_usd", "similarity"}
    {"event": "stage_retried",  "stage", "node", "attempt", "problem"}   (invalid output, re-asked)
    {"event": "stage_failed",   "stage", "node", "error"}
    {"event": "fan_out",        "node", "count"}                          (Send workers dispatched)

`stream_mode="custom"` shows them (langgraph-sdk included); outside a run they go nowhere.
"""

from __future__ import annotations

from typing import Any

from langgraph.config import get_config, get_stream_writer


def placed() -> tuple[int, str] | None:
    """Return the step and task of the running node (None outside a graph run).

    The ledger records them so the execution report can tell Send workers of one step apart.
    """
    try:
        metadata = get_config().get("metadata", {})
    except RuntimeError:  # not inside a graph run
        return None
    step, task = metadata.get("langgraph_step"), metadata.get("langgraph_checkpoint_ns")
    return (step, task) if isinstance(step, int) and isinstance(task, str) else None


def emit(event: str, **fields: Any) -> None:
    """Send one progress event to the run's custom stream, if the code runs inside a run."""
    try:
        writer = get_stream_writer()
        node = get_config().get("metadata", {}).get("langgraph_node")
    except (RuntimeError, KeyError):  # not inside a graph run (a stage model on its own, update_state)
        return
    writer({"event": event, "node": node, **fields} if "node" not in fields else {"event": event, **fields})
