"""State of the intent router."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from state.ledger import documented
from state.run import RequestKeys, RunOutput

Intent = Literal["Technical Support", "Billing Inquiry", "General Question"]
INTENTS: tuple[Intent, ...] = ("Technical Support", "Billing Inquiry", "General Question")


class Classification(BaseModel):
    """The intent of a customer query, constrained to the known labels."""

    intent: Intent = Field(description="Exactly one of the allowed labels.")
    confidence: float = Field(ge=0.0, le=1.0, description="How sure the classification is, 0 to 1.")


@documented
class RouterInput(TypedDict):
    """A customer query."""

    query: str
    """The customer's message, as they wrote it."""


@documented
class RouterOutput(RunOutput):
    """Where the query went, why, and the handler's response."""

    query: str
    """The query, stripped of surrounding white space."""
    intent: Intent
    """The intent the query was routed on (General Question when the classifier was unsure)."""
    confidence: float
    """The classifier's confidence, 0 to 1."""
    classified_as: str
    """The classifier's own label, or 'invalid' when its output was unusable."""
    route_reason: str
    """Why the query went where it did."""
    response: str
    """The handler's reply to the customer."""


@documented
class RouterState(RouterInput, RouterOutput, RequestKeys, total=False):
    """Working state of the router."""
