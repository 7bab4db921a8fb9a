"""State of the optimised document pipeline."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from state.analysis import DocumentInput
from state.ledger import documented
from state.run import BranchErrors, RequestKeys, RunOutput

Path = Literal["trivial", "fast", "standard", "full"]


class Assessment(BaseModel):
    """How demanding a document is, which decides how much work it gets."""

    complexity: Literal["simple", "moderate", "complex"] = Field(description="How dense and involved the text is.")
    length: Literal["short", "medium", "long"] = Field(description="How long it is.")
    confidence: float = Field(ge=0.0, le=1.0, description="How sure the assessment is, 0 to 1.")


class Brief(BaseModel):
    """A brief summary for a short, simple text."""

    brief: str = Field(min_length=1, description="One or two sentences.")


class Synthesis(BaseModel):
    """A briefing that joins the analyses, and how sure its writer is that the document supports it."""

    synthesis: str = Field(min_length=1)
    confidence: float = Field(ge=0.0, le=1.0, description="Share of the briefing the document supports, 0 to 1.")


class Verification(BaseModel):
    """A check of a briefing against its document."""

    supported: bool = Field(description="True when every statement of the briefing is in the document.")
    unsupported: list[str] = Field(description="Statements the document does not support.")


@documented
class DocumentOutput(RunOutput, BranchErrors):
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


@documented
class DocumentState(DocumentInput, DocumentOutput, RequestKeys, total=False):
    """Working state of the document pipeline."""

    confidence: float
    """The synthesis's own confidence, which decides whether it is verified."""
