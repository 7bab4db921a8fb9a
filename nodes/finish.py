"""The last node of every graph: the execution report of the request, and how the run ended."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from nodes.node import node
from state.execution import execution_report
from state.run import EARLY


@node
def finish(state: Any, runtime: Runtime[Any]) -> dict[str, Any]:
    """Write the execution report and whether a stop condition cut the run short."""
    termination = state.get("termination") or {}
    reason = termination.get("reason", "completed")
    return {
        "execution_report": execution_report(state.get("ledger") or [], reason),
        "terminated_early": reason in EARLY,
    }
