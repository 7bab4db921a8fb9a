"""State of the support agent: the orchestrator-worker's job done by one agent with the desk's tools."""

from __future__ import annotations

import operator
from typing import Annotated, Any

from typing_extensions import TypedDict

from state.ledger import documented
from state.orchestrator import SupportInput, TaskResult
from state.run import RequestKeys, RunOutput


@documented
class ToolCallRecord(TypedDict):
    """One tool call the agent made, and what the tool answered."""

    name: str
    """The tool: lookup_invoice, open_case, order_status, create_rma or hand_to_colleague."""
    args: dict[str, Any]
    """The arguments the model gave it."""
    result: Any
    """What the tool answered (status, summary, facts); null if it never ran."""


@documented
class SupportAgentOutput(RunOutput):
    """What the agent did with the desk's tools, per request found, and its reply."""

    query: str
    """The message, stripped of surrounding white space."""
    tasks: list[dict[str, Any]]
    """The requests the agent acted on, read from its tool calls, in order, duplicates merged."""
    results: Annotated[list[TaskResult], operator.add]
    """What was done for each task: the last answer of its tools; cleared by intake."""
    tool_calls: list[ToolCallRecord]
    """Every tool call of the agent, in order, with its answer."""
    reply: str
    """The one email to the customer."""
    ended_by: str
    """replied; no_tasks when it called no tool; step_cap when its turns ran out; budget."""


@documented
class SupportAgentState(SupportInput, SupportAgentOutput, RequestKeys, total=False):
    """Working state of the support agent."""

    approval_above_usd: float | None
    """The approval threshold in force when the request began: a resume with other settings keeps it."""
