"""State of the intent router."""

from __future__ import annotations

import operator
from typing import Annotated, Literal, TypedDict

from pydantic import BaseModel, Field

from state.ledger import ModelCall

Intent = Literal["Technical Support", "Billing Inquiry", "General Question"]
INTENTS: tuple[Intent, ...] = ("Technical Support", "Billing Inquiry", "General Question")


class Classification(BaseModel):
    """The intent of a customer query, constrained to the known labels."""

    intent: Intent = Field(description="Exactly one of the allowed labels.")
    confidence: float = Field(ge=0.0, le=1.0, description="How sure the classification is, 0 to 1.")


class RouterInput(TypedDict):
    """A customer query."""

    query: str


class RouterOutput(TypedDict):
    """Where the query went, why, and the handler's response."""

    query: str
    intent: Intent
    confidence: float
    classified_as: str
    route_reason: str
    response: str
    ledger: list[ModelCall]


class RouterState(RouterInput, total=False):
    """Working state of the router."""

    intent: Intent
    confidence: float
    classified_as: str
    route_reason: str
    response: str
    ledger: Annotated[list[ModelCall], operator.add]
