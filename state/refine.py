"""State of the refine loop (evaluator-optimizer): drafts, their critiques, and the best one."""

from __future__ import annotations

import operator
from typing import Annotated

from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from state.ledger import documented
from state.run import RequestKeys, RunOutput


class Draft(BaseModel):
    """A draft of the requested text."""

    draft: str = Field(min_length=1)


class Critique(BaseModel):
    """An evaluation of a draft against the source and the task."""

    score: float = Field(ge=0.0, le=1.0, description="Overall quality, 0 to 1.")
    feedback: list[str] = Field(description="Concrete changes that would raise the score.")


@documented
class RefineInput(TypedDict):
    """A source text and what to write from it."""

    text: str
    """The source text."""
    task: str
    """What to write, e.g. "an executive summary in at most 60 words"."""


@documented
class Round(TypedDict):
    """One draft and its evaluation."""

    round: int
    """1 for the first draft."""
    draft: str
    """The draft."""
    score: float
    """Its score, 0 to 1."""
    feedback: list[str]
    """What the evaluator asked to change."""


@documented
class RefineOutput(RunOutput):
    """The best draft so far, every round's score, and why the loop stopped."""

    draft: str
    """The best-scoring draft of all rounds."""
    score: float
    """Its score."""
    rounds: Annotated[list[Round], operator.add]
    """Every round in order; appended by each evaluation, cleared by intake."""


@documented
class RefineState(RefineInput, RefineOutput, RequestKeys, total=False):
    """Working state of the refine loop."""

    current: str
    """The draft waiting to be evaluated."""
    feedback: list[str]
    """The latest critique's requested changes, for the next revision."""
