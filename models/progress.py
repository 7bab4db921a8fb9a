"""Live progress: custom stream events (LangGraph's `get_stream_writer`) for every model call.

    {"event": "stage_started",  "stage", "node", "attempt"}
    {"event": "stage_finished", "stage", "node", "tokens", "cost_usd", "seconds", "cost_so_far", "outcome"}
    {"event": "stage_cached",   "stage", "node", "cache": "semantic", "similarity"}
    {"event": "stage_retried",  "stage", "node", "attempt", "problem"}   (invalid output, re-asked)
    {"event": "stage_failed",   "stage", "node", "error"}
    {"event": "fan_out",        "node", "count"}                          (Send workers dispatched)

`stream_mode="custom"` shows them (langgraph-sdk included); outside a run they go nowhere.
A node served whole from the stage-output cache runs no code: LangGraph's own `updates` stream
marks it with `{"__metadata__": {"cached": True}}`.
"""

from __future__ import annotations

from typing import Any

from langgraph.config import get_config, get_stream_writer


def emit(event: str, **fields: Any) -> None:
    """Send one progress event to the run's custom stream, if the code runs inside a run."""
    try:
        writer = get_stream_writer()
        node = get_config().get("metadata", {}).get("langgraph_node")
    except (RuntimeError, KeyError):  # not inside a graph run (a stage model on its own, update_state)
        return
    writer({"event": event, "node": node, **fields} if "node" not in fields else {"event": event, **fields})
