"""The cost ledger: one entry per model call, merged across branches by concatenation."""

from __future__ import annotations

from typing import TypedDict


class ModelCall(TypedDict):
    """One model call made by a stage."""

    stage: str
    tier: str
    model: str
    provider: str
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    started: float
    ended: float
    attempt: int
    outcome: str


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
