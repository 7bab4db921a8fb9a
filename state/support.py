"""State of the orchestrator-worker graph: typed sub-tasks, worker results, the reply."""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from state.ledger import ModelCall


class BillingInquiry(BaseModel):
    """A question about an invoice."""

    query_type: Literal["BillingInquiry"]
    invoice_number: str = Field(min_length=1, description="The invoice number, e.g. INV-7890.")


class ProductReturn(BaseModel):
    """A request to return a product."""

    query_type: Literal["ProductReturn"]
    product_name: str = Field(min_length=1, description="The product's name as the customer wrote it.")
    reason_for_return: str = Field(default="not specified", description="Why it is being returned.")


class StatusUpdate(BaseModel):
    """A request for an order's status."""

    query_type: Literal["StatusUpdate"]
    order_id: str = Field(min_length=1, description="The order id, e.g. A-12345.")


class OtherRequest(BaseModel):
    """A request of a kind no worker handles; it is handed to a colleague, never dropped."""

    model_config = ConfigDict(extra="allow")

    query_type: str = Field(description="'Unknown', or whatever kind the request is.")
    request: str = Field(default="", description="The customer's request in their words.")


KNOWN_TYPES = ("BillingInquiry", "ProductReturn", "StatusUpdate")


def _task_kind(value: Any) -> str:
    kind = value.get("query_type") if isinstance(value, dict) else getattr(value, "query_type", None)
    return kind if kind in KNOWN_TYPES else "other"


Task = Annotated[
    Annotated[BillingInquiry, Tag("BillingInquiry")]
    | Annotated[ProductReturn, Tag("ProductReturn")]
    | Annotated[StatusUpdate, Tag("StatusUpdate")]
    | Annotated[OtherRequest, Tag("other")],
    Discriminator(_task_kind),
]


class Decomposition(BaseModel):
    """The separate requests in a customer message, in the order they appear."""

    tasks: list[Task] = Field(
        description="One entry per request: BillingInquiry, ProductReturn, StatusUpdate, or "
        "Unknown with the request's text."
    )


class TaskResult(TypedDict):
    """What a worker did for one task, with the facts the reply must carry."""

    index: int
    query_type: str
    status: Literal["done", "not_found", "refused", "handed_off"]
    summary: str
    facts: dict[str, str]


class WorkerTask(TypedDict):
    """What one worker receives through Send."""

    index: int
    task: dict[str, Any]
    query: str


class SupportInput(TypedDict):
    """A customer message that may hold several requests."""

    query: str


class SupportOutput(TypedDict):
    """The tasks found, what was done for each, and the reply to the customer."""

    query: str
    tasks: list[dict[str, Any]]
    overflow: list[dict[str, Any]]
    results: list[TaskResult]
    reply: str
    ended_by: str
    ledger: list[ModelCall]


class SupportState(SupportInput, total=False):
    """Working state of the orchestrator; workers write `results` concurrently."""

    tasks: list[dict[str, Any]]
    overflow: list[dict[str, Any]]
    results: Annotated[list[TaskResult], operator.add]
    reply: str
    ended_by: str
    ledger: Annotated[list[ModelCall], operator.add]
