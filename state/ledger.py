"""The cost ledger: one entry per model call, merged across branches by concatenation."""

from __future__ import annotations

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
    matched_input: str | None
    """For a semantic hit, the cached input it matched."""


def total_cost(ledger: list[ModelCall]) -> float:
    """Return the dollar cost of every priced call."""
    return sum(call["cost_usd"] or 0.0 for call in ledger)


def stage_spans(ledger: list[ModelCall]) -> dict[str, tuple[float, float]]:
    """Return, per stage, the wall-clock span from its first call's start to its last call's end."""
    spans: dict[str, tuple[float, float]] = {}
    for call in ledger:
        start, end = spans.get(call["stage"], (call["started"], call["ended"]))
        spans[call["stage"]] = (min(start, call["started"]), max(end, call["ended"]))
    return spans
