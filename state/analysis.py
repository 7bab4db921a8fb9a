"""State of the parallel fan-out graphs: the four-way analysis and the risk report."""

from __future__ import annotations

import operator
from typing import Annotated, Literal, TypedDict

from pydantic import BaseModel, Field

from state.ledger import ModelCall


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


class StageError(TypedDict):
    """A branch that failed, recorded so the join can say what is missing."""

    stage: str
    error_type: str
    message: str


class DocumentInput(TypedDict):
    """A document to analyse."""

    document: str


class AnalysisOutput(TypedDict):
    """The four analyses, their synthesis, and any branch that failed."""

    sentiment: dict[str, object]
    entities: list[dict[str, object]]
    summary: str
    topics: list[dict[str, object]]
    synthesis: str
    errors: list[StageError]
    ledger: list[ModelCall]


class AnalysisState(DocumentInput, total=False):
    """Working state of the analysis graph; branches write disjoint keys, errors and ledger merge."""

    sentiment: dict[str, object]
    entities: list[dict[str, object]]
    summary: str
    topics: list[dict[str, object]]
    synthesis: str
    errors: Annotated[list[StageError], operator.add]
    ledger: Annotated[list[ModelCall], operator.add]


class ReportOutput(TypedDict):
    """The extraction, the three analyses, the report, and any branch that failed."""

    key_points: list[str]
    risks: list[str]
    opportunities: list[str]
    requirements: list[str]
    report: str
    errors: list[StageError]
    ledger: list[ModelCall]


class ReportState(DocumentInput, total=False):
    """Working state of the report graph."""

    key_points: list[str]
    risks: list[str]
    opportunities: list[str]
    requirements: list[str]
    report: str
    errors: Annotated[list[StageError], operator.add]
    ledger: Annotated[list[ModelCall], operator.add]
