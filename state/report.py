"""State of the report graph: key points, their risks, opportunities and requirements, the report."""

from __future__ import annotations

from pydantic import BaseModel, Field

from state.analysis import DocumentInput
from state.ledger import documented
from state.run import BranchErrors, RequestKeys, RunOutput


class Extraction(BaseModel):
    """The key information in a document, for the analyses that follow."""

    key_points: list[str] = Field(min_length=1, description="Self-contained statements of fact.")


class Findings(BaseModel):
    """Statements of one kind (risks, opportunities or requirements) found in the key points."""

    items: list[str]


@documented
class ReportOutput(RunOutput, BranchErrors):
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


@documented
class ReportState(DocumentInput, ReportOutput, RequestKeys, total=False):
    """Working state of the report graph."""
