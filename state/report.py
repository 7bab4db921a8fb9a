"""The execution report of one request, computed from its ledger."""

from __future__ import annotations

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from state.ledger import ModelCall, stage_spans, total_cost


@with_config(ConfigDict(use_attribute_docstrings=True))
class StageCost(TypedDict):
    """What one stage cost in a request."""

    model: str
    """The model that answered (the last one, if a stage used several)."""
    tier: str
    """Its tier."""
    calls: int
    """Model calls the stage made, re-asks included."""
    input_tokens: int
    """Prompt tokens, all calls."""
    output_tokens: int
    """Completion tokens, all calls."""
    cost_usd: float
    """Dollar cost of every priced call."""
    seconds: float
    """Time spent in the stage's calls, summed."""


@with_config(ConfigDict(use_attribute_docstrings=True))
class ExecutionReport(TypedDict):
    """Time, tokens and cost of one request."""

    calls: int
    """Model calls made."""
    sequential_s: float
    """Sum of every call's time: how long the calls would take one after another."""
    wall_s: float
    """From the first call's start to the last call's end."""
    speedup: float
    """sequential_s / wall_s: what running stages concurrently saved."""
    input_tokens: int
    """Prompt tokens, all calls."""
    output_tokens: int
    """Completion tokens, all calls."""
    cost_usd: float
    """Dollar cost of every priced call."""
    unpriced_models: list[str]
    """Models with no known price (their calls count as $0)."""
    by_stage: dict[str, StageCost]
    """Per stage, in order of first call."""
    by_model: dict[str, float]
    """Dollar cost per model."""


def execution_report(ledger: list[ModelCall]) -> ExecutionReport:
    """Summarise a request's ledger: totals, per stage and per model, and the speed-up from overlap."""
    calls = sorted(ledger, key=lambda c: c["started"])
    by_stage: dict[str, StageCost] = {}
    by_model: dict[str, float] = {}
    for call in calls:
        seconds = call["ended"] - call["started"]
        cost = call["cost_usd"] or 0.0
        entry = by_stage.setdefault(
            call["stage"],
            StageCost(model="", tier="", calls=0, input_tokens=0, output_tokens=0, cost_usd=0.0, seconds=0),
        )
        entry["model"], entry["tier"] = call["model"], call["tier"]
        entry["calls"] += 1
        entry["input_tokens"] += call["input_tokens"]
        entry["output_tokens"] += call["output_tokens"]
        entry["cost_usd"] += cost
        entry["seconds"] += seconds
        by_model[call["model"]] = by_model.get(call["model"], 0.0) + cost
    sequential = sum(c["ended"] - c["started"] for c in calls)
    spans = stage_spans(calls)
    wall = (max(end for _, end in spans.values()) - min(start for start, _ in spans.values())) if spans else 0.0
    return ExecutionReport(
        calls=len(calls),
        sequential_s=sequential,
        wall_s=wall,
        speedup=sequential / wall if wall > 0 else 1.0,
        input_tokens=sum(c["input_tokens"] for c in calls),
        output_tokens=sum(c["output_tokens"] for c in calls),
        cost_usd=total_cost(calls),
        unpriced_models=sorted({c["model"] for c in calls if c["cost_usd"] is None}),
        by_stage=by_stage,
        by_model=by_model,
    )
