"""Keys every graph's state shares: the request's identity and cache scope, how the run ended, its report."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from typing_extensions import TypedDict

from state.ledger import documented
from state.report import ExecutionReport

StopReason = Literal["budget", "quality", "no_improvement", "round_cap", "fast_path", "confident"]
EARLY = frozenset({"budget", "quality", "no_improvement", "fast_path", "confident"})
"""Reasons that end a run before it did all it otherwise would (round_cap means every round ran)."""


@documented
class Termination(TypedDict):
    """Why a run stopped where it did."""

    reason: StopReason
    """budget, quality (threshold met), no_improvement, round_cap, fast_path or confident (a step skipped)."""
    stage: str
    """The node where the condition was met."""
    detail: str
    """The numbers behind it, for people."""


def first_stop(current: Termination, new: Termination) -> Termination:
    """Keep the first reason a run stopped (parallel branches may both hit the budget); {} is none yet."""
    return current if current else new


@documented
class RunOutput(TypedDict):
    """What every graph's output says about its run."""

    # Field descriptions, not attribute docstrings: every graph's output inherits these keys, and
    # pydantic reads docstrings only from the class that declares a field.
    termination: Annotated[
        Termination,
        Field(description="Why the run stopped before its natural end, or {} when it did not; the first reason wins."),
        first_stop,
    ]
    terminated_early: Annotated[
        bool, Field(description="True when a condition (budget, quality, no improvement, fast path) cut the run short.")
    ]
    execution_report: Annotated[
        ExecutionReport,
        Field(description="Stages, models, tokens, cost, time, cache hits, speed-up and critical path of the request."),
    ]


@documented
class RequestKeys(TypedDict, total=False):
    """Keys intake writes for every request."""

    request_id: str
    """This request's identity, minted by intake."""
    cache_scope: dict[str, str]
    """Per stage, the prompt version, provider, model and settings this run's cache keys use ("off": none)."""


def stopped(state: object) -> bool:
    """Tell whether a stop condition (such as the budget) has ended the run."""
    return isinstance(state, dict) and bool(state.get("termination"))
