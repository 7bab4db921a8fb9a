"""Keys every graph's state shares: the request's identity, its ledger, how the run ended, its report."""

from __future__ import annotations

import operator
from typing import Annotated, Literal

from pydantic import Field
from typing_extensions import TypedDict

from state.execution import ExecutionReport
from state.ledger import ModelCall, documented

StopReason = Literal[
    "budget", "quality", "no_improvement", "round_cap", "fast_path", "confident", "condition", "step_cap"
]
EARLY = frozenset({"budget", "quality", "no_improvement", "fast_path", "confident", "condition", "step_cap"})
"""Reasons that end a run before it did all it otherwise would (round_cap means every round ran)."""


@documented
class Termination(TypedDict):
    """Why a run stopped where it did."""

    reason: StopReason
    """budget, quality (threshold met), no_improvement, round_cap, fast_path, confident (a step skipped),
    condition (a pipeline's stop_when), or step_cap (an agent used all its model turns)."""
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
    ledger: Annotated[
        list[ModelCall],
        Field(description="Every model call of this request, cache hits included; appended by the node that made it."),
        operator.add,
    ]


@documented
class StageError(TypedDict):
    """A branch that failed, recorded so the join can say what is missing."""

    stage: str
    """The branch that failed."""
    error_type: str
    """The exception's class name."""
    message: str
    """What went wrong (secrets redacted)."""


@documented
class BranchErrors(TypedDict):
    """What the output of a graph with parallel branches adds: the branches that failed."""

    errors: Annotated[
        list[StageError],
        Field(description="One entry per failed branch (with on_branch_error='record'); appended by the branch."),
        operator.add,
    ]


@documented
class RequestKeys(TypedDict, total=False):
    """Keys intake writes for every request."""

    request_id: str
    """This request's identity, minted by intake."""


def stopped(state: object) -> bool:
    """Tell whether a stop condition (such as the budget) has ended the run."""
    return isinstance(state, dict) and bool(state.get("termination"))
