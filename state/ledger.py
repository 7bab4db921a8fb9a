"""The cost ledger: one entry per model call, merged across branches by concatenation."""

from __future__ import annotations

from typing import NotRequired

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

documented = with_config(ConfigDict(use_attribute_docstrings=True))
"""Let pydantic (and so Studio) read each TypedDict field's docstring as its description."""


@documented
class ModelCall(TypedDict):
    """One model call made by a stage."""

    stage: str
    """The stage that made the call."""
    tier: str
    """The tier its model was chosen from (FAST, BALANCED, PREMIUM, REASONING)."""
    model: str
    """The model that answered, as the provider reported it."""
    provider: str
    """offline, openai, or another registered provider."""
    input_tokens: int
    """Prompt tokens (estimated at four characters each by the offline engine)."""
    output_tokens: int
    """Completion tokens."""
    cost_usd: float | None
    """Dollar cost at list price; None when the model has no known price."""
    started: float
    """Unix time the call started."""
    ended: float
    """Unix time the call ended."""
    attempt: int
    """1 for the first try; re-asks after invalid output count up."""
    outcome: str
    """ok; invalid when the output failed validation and was re-asked; cached when a cache answered."""
    cache: str
    """off (not cacheable, or caching off), miss (cacheable, the model answered), exact or semantic (a hit)."""
    saved_usd: float
    """For a cache hit, what the call it replaced had cost; else 0."""
    similarity: float | None
    """For a semantic hit, the cosine similarity of this input to the cached one."""
    matched_entry: str | None
    """For a semantic hit, the id of the stored entry it matched (never another request's words)."""
    structured_method: NotRequired[str]
    """For a structured call: how the output was asked for (json_schema, function_calling, json_mode)."""
    tool_calls: NotRequired[list[str]]
    """For an agent's turn: the tools the model called, `name(arg="value", ...)` (none: it answered in text)."""
    step: NotRequired[int]
    """The graph step (superstep) the call ran in; absent outside a graph run."""
    task: NotRequired[str]
    """The task that made it (LangGraph's checkpoint namespace): Send workers of one step differ here."""


def total_cost(ledger: list[ModelCall]) -> float:
    """Return the dollar cost of every priced call."""
    return sum(call["cost_usd"] or 0.0 for call in ledger)
