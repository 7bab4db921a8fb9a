"""State of the optimised document pipeline and of the refine (evaluator-optimizer) loop."""

from __future__ import annotations

import operator
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from state.analysis import DocumentInput, StageError
from state.ledger import ModelCall, documented
from state.run import RequestKeys, RunOutput

Path = Literal["trivial", "fast", "standard", "full"]


class Assessment(BaseModel):
    """How demanding a document is, which decides how much work it gets."""

    complexity: Literal["simple", "moderate", "complex"] = Field(description="How dense and involved the text is.")
    length: Literal["short", "medium", "long"] = Field(description="How long it is.")
    confidence: float = Field(ge=0.0, le=1.0, description="How sure the assessment is, 0 to 1.")


class Brief(BaseModel):
    """A brief summary for a short, simple text."""

    brief: str = Field(min_length=1, description="One or two sentences.")


class KeyPoints(BaseModel):
    """The document's key points."""

    key_points: list[str] = Field(min_length=1, description="Self-contained statements of fact.")


class Synthesis(BaseModel):
    """A briefing that joins the analyses, and how sure its writer is that the document supports it."""

    synthesis: str = Field(min_length=1)
    confidence: float = Field(ge=0.0, le=1.0, description="Share of the briefing the document supports, 0 to 1.")


class Verification(BaseModel):
    """A check of a briefing against its document."""

    supported: bool = Field(description="True when every statement of the briefing is in the document.")
    unsupported: list[str] = Field(description="Statements the document does not support.")


@documented
class DocumentOutput(RunOutput):
    """The path the document took and what that path produced."""

    path: Path
    """trivial (returned as is), fast (a brief), standard (summary and key points) or full (all analyses)."""
    assessment: dict[str, object]
    """The cheap first assessment that chose the path: complexity, length, confidence."""
    brief: str
    """fast and trivial paths: the brief summary."""
    summary: str
    """standard and full paths: an executive summary."""
    key_points: list[str]
    """standard and full paths: the key points."""
    sentiment: dict[str, object]
    """full path: label, confidence and key phrases."""
    entities: list[dict[str, object]]
    """full path: named entities with their types."""
    topics: list[dict[str, object]]
    """full path: main topics with their relevance."""
    risks: list[str]
    """full path: risks the document mentions."""
    opportunities: list[str]
    """full path: opportunities the document mentions."""
    synthesis: str
    """full path: the briefing that joins every analysis."""
    verification: str
    """full path: verified, corrected, or skipped because the briefing's confidence was high."""
    errors: Annotated[list[StageError], operator.add]
    """One entry per failed analysis branch; appended, cleared by intake."""
    ledger: Annotated[list[ModelCall], operator.add]
    """Every model call of this request; appended by each stage, cleared by intake."""


@documented
class DocumentState(DocumentInput, DocumentOutput, RequestKeys, total=False):
    """Working state of the document pipeline."""

    confidence: float
    """The synthesis's own confidence, which decides whether it is verified."""


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
    ledger: Annotated[list[ModelCall], operator.add]
    """Every model call of this request; appended by each stage, cleared by intake."""


@documented
class RefineState(RefineInput, RefineOutput, RequestKeys, total=False):
    """Working state of the refine loop."""

    current: str
    """The draft waiting to be evaluated."""
    feedback: list[str]
    """The latest critique's requested changes, for the next revision."""
