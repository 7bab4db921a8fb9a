"""State of the parallel fan-out graphs: the four-way analysis and the risk report."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from state.ledger import documented
from state.run import BranchErrors, RequestKeys, RunOutput


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


@documented
class DocumentInput(TypedDict):
    """A document to analyse."""

    document: str
    """The document's text."""


@documented
class AnalysisOutput(RunOutput, BranchErrors):
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


@documented
class AnalysisState(DocumentInput, AnalysisOutput, RequestKeys, total=False):
    """Working state of the analysis graph; branches write disjoint keys, errors and ledger merge."""
