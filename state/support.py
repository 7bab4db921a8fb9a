"""State of the orchestrator-worker graph: typed sub-tasks, worker results, the reply."""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag
from typing_extensions import TypedDict

from state.ledger import ModelCall, documented
from state.run import RequestKeys, RunOutput


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


@documented
class TaskResult(TypedDict):
    """What a worker did for one task, with the facts the reply must carry."""

    index: int
    """The task's position in `tasks`."""
    query_type: str
    """BillingInquiry, ProductReturn, StatusUpdate, or the kind of an unhandled request."""
    status: Literal["done", "not_found", "refused", "handed_off"]
    """What happened: done, not_found (no such invoice, order or product), refused, handed_off."""
    summary: str
    """One sentence saying what was done."""
    facts: dict[str, str]
    """Facts the reply must state exactly (case id, RMA number, tracking number...)."""


@documented
class WorkerTask(TypedDict):
    """What one worker receives through Send."""

    index: int
    """The task's position in `tasks`."""
    task: dict[str, Any]
    """The task, as decomposed."""
    query: str
    """The customer's whole message, for context."""
    request_id: str
    """The request this task belongs to: the support desk creates one case or RMA per request and task."""


@documented
class SupportInput(TypedDict):
    """A customer message that may hold several requests."""

    query: str
    """The customer's message, as they wrote it."""


@documented
class SupportOutput(RunOutput):
    """The tasks found, what was done for each, and the reply to the customer."""

    query: str
    """The message, stripped of surrounding white space."""
    tasks: list[dict[str, Any]]
    """The requests found in the message, in order, duplicates merged, at most max_tasks."""
    overflow: list[dict[str, Any]]
    """Requests beyond max_tasks, handed to a colleague."""
    results: Annotated[list[TaskResult], operator.add]
    """What each worker did; appended concurrently, cleared by intake."""
    reply: str
    """The one email to the customer covering every result."""
    ended_by: str
    """replied, or no_tasks when the message held no request to act on."""
    ledger: Annotated[list[ModelCall], operator.add]
    """Every model call of this request; appended by each stage and worker, cleared by intake."""


@documented
class SupportState(SupportInput, SupportOutput, RequestKeys, total=False):
    """Working state of the orchestrator."""
