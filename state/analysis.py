"""State of the parallel fan-out graphs: the four-way analysis and the risk report."""

from __future__ import annotations

import operator
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from state.ledger import ModelCall, documented
from state.run import RequestKeys, RunOutput


class Sentiment(BaseModel):
    """The document's overall sentiment."""

    label: Literal["positive", "negative", "neutral", "mixed"]
    confidence: float = Field(ge=0.0, le=1.0)
    key_phrases: list[str] = Field(description="Short phrases that carry the sentiment.")


class Entity(BaseModel):
    """A named entity."""

    name: str = Field(min_length=1)
    type: Literal["PERSON", "ORGANIZATION", "LOCATION", "PRODUCT", "DATE", "MONEY", "IDENTIFIER", "OTHER"]


class Entities(BaseModel):
    """The named entities in the document."""

    entities: list[Entity]


class Summary(BaseModel):
    """An executive summary."""

    summary: str = Field(min_length=1, description="At most three sentences.")


class Topic(BaseModel):
    """A main topic and how central it is."""

    name: str = Field(min_length=1)
    relevance: float = Field(ge=0.0, le=1.0)


class Topics(BaseModel):
    """The document's main topics, most relevant first."""

    topics: list[Topic]


class Extraction(BaseModel):
    """The key information in a document, for the analyses that follow."""

    key_points: list[str] = Field(min_length=1, description="Self-contained statements of fact.")


class Findings(BaseModel):
    """Statements of one kind (risks, opportunities or requirements) found in the key points."""

    items: list[str]


@documented
class StageError(TypedDict):
    """A branch that failed, recorded so the join can say what is missing."""

    stage: str
    """The branch that failed."""
    error_type: str
    """The exception's class name."""
    message: str
    """What went wrong."""


@documented
class DocumentInput(TypedDict):
    """A document to analyse."""

    document: str
    """The document's text."""


@documented
class AnalysisOutput(RunOutput):
    """The four analyses, their synthesis, and any branch that failed."""

    sentiment: dict[str, object]
    """Label (positive, negative, neutral, mixed), confidence and the phrases that carry it."""
    entities: list[dict[str, object]]
    """Named entities, each with its name and type."""
    summary: str
    """An executive summary of at most three sentences."""
    topics: list[dict[str, object]]
    """Main topics with their relevance, most relevant first."""
    synthesis: str
    """A briefing that joins the four analyses and names any that failed."""
    errors: Annotated[list[StageError], operator.add]
    """One entry per failed branch; appended, cleared by intake."""
    ledger: Annotated[list[ModelCall], operator.add]
    """Every model call of this request; appended by each branch, cleared by intake."""


@documented
class AnalysisState(DocumentInput, AnalysisOutput, RequestKeys, total=False):
    """Working state of the analysis graph; branches write disjoint keys, errors and ledger merge."""


@documented
class ReportOutput(RunOutput):
    """The extraction, the three analyses, the report, and any branch that failed."""

    key_points: list[str]
    """Self-contained statements of fact extracted from the document."""
    risks: list[str]
    """Risks found in the key points."""
    opportunities: list[str]
    """Opportunities found in the key points."""
    requirements: list[str]
    """Requirements and obligations found in the key points."""
    report: str
    """The Markdown report."""
    errors: Annotated[list[StageError], operator.add]
    """One entry per failed branch; appended, cleared by intake."""
    ledger: Annotated[list[ModelCall], operator.add]
    """Every model call of this request; appended by each stage, cleared by intake."""


@documented
class ReportState(DocumentInput, ReportOutput, RequestKeys, total=False):
    """Working state of the report graph."""
