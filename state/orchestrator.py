"""State of the orchestrator-worker graph: typed sub-tasks, worker results, the reply."""

from __future__ import annotations

import operator
import re
from typing import Annotated, Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StrictBool, Tag, model_validator
from typing_extensions import TypedDict

from state.ledger import documented
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
    status: Literal["done", "not_found", "refused", "declined", "handed_off"]
    """What happened: done, not_found (no such invoice, order or product), refused, declined (an approver
    said no), handed_off."""
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
    approval_above_usd: NotRequired[float | None]
    """The approval threshold in force when the task was dispatched: a resume with other settings keeps it."""


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


@documented
class SupportState(SupportInput, SupportOutput, RequestKeys, total=False):
    """Working state of the orchestrator."""


class Decision(BaseModel):
    """An approver's answer to an approval request: what `Command(resume=...)` must carry.

    It comes from a client (Studio, langgraph-sdk, the CLI), so it is checked: anything else is refused
    and the approval stays pending.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    approved: StrictBool = Field(description="True to let the desk act, false to decline.")
    reason: str = Field(default="", max_length=300, description="Why; required when declining (at most 300 chars).")

    @model_validator(mode="after")
    def _reason_when_declined(self) -> Decision:
        if not self.approved and not self.reason.strip():
            raise ValueError("a rejection needs a reason: the customer is told why")
        return self


_INTERRUPT_ID = re.compile(r"[0-9a-f]{32}")
_MOST_ANSWERS = 50  # more approvals than tasks one message may dispatch (max_tasks <= 50) is no answer


def check_answer(value: Any) -> None:
    """Check what a client sends as `Command(resume=...)`: one Decision, or Decisions by interrupt id.

    Raises:
        ValueError: (a pydantic ValidationError among them) saying what is wrong.
    """
    if isinstance(value, dict) and value and all(isinstance(k, str) and _INTERRUPT_ID.fullmatch(k) for k in value):
        if len(value) > _MOST_ANSWERS:
            raise ValueError(f"at most {_MOST_ANSWERS} answers at once")
        for answer in value.values():
            Decision.model_validate(answer)
        return
    Decision.model_validate(value)


@documented
class ApprovalRequest(TypedDict):
    """What an approval shows the approver (the interrupt's value): what the desk would do, no secrets."""

    action: str
    """What the desk would do: issue_rma."""
    task: dict[str, Any]
    """The customer's request, as decomposed."""
    amount_usd: float
    """The money at stake: the product's price at the desk."""
    threshold_usd: float
    """The approval threshold it is above."""
    summary: str
    """One line a person can approve or decline."""
    answer: str
    """How to answer: Command(resume={"approved": bool, "reason": str})."""
