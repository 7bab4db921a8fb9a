"""A request's spending limit, shared by every branch and Send worker of the request.

State is only merged between supersteps, so parallel branches cannot see each other's spending
through it. Each request's spending is kept here instead, in the process that runs it, updated
as each call ends. A call starts only while the request is under its limit: once spent, no
further call starts, and the calls already in flight (at most one per running branch, so at most
`max_concurrency` of them) may take it over. The overshoot is therefore bounded by the cost of
those in-flight calls. A run resumed in a new process starts from the ledger it was saved with.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from state.ledger import ModelCall
from state.settings import Settings

# Requests whose spending is remembered; older ones are forgotten (their runs are long over).
_REMEMBERED = 4096


class BudgetExhausted(RuntimeError):
    """The request has spent its budget; no further model call may start."""

    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(f"stage {stage!r} did not start: {reason}")
        self.stage = stage
        self.reason = reason


@dataclass
class Spending:
    """Dollars and tokens one request has spent so far."""

    usd: float = 0.0
    tokens: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    counted: set[tuple[object, ...]] = field(default_factory=set, repr=False)
    """The calls counted, by identity (see `carry`)."""

    def check(self, stage: str, settings: Settings) -> None:
        """Raise BudgetExhausted if the request may not start another call."""
        with self.lock:
            if settings.max_cost_usd is not None and self.usd >= settings.max_cost_usd:
                raise BudgetExhausted(
                    stage,
                    f"budget of ${settings.max_cost_usd:.6f} spent (${self.usd:.6f} when the next call would "
                    "have started; calls already in flight finished and are billed in the total)",
                )
            if settings.max_tokens is not None and self.tokens >= settings.max_tokens:
                raise BudgetExhausted(
                    stage,
                    f"budget of {settings.max_tokens} tokens spent ({self.tokens} when the next call would have "
                    "started; calls already in flight finished and are billed in the total)",
                )

    def add(self, call: ModelCall) -> None:
        """Count a finished call."""
        with self.lock:
            self._add(call)

    def carry(self, call: ModelCall) -> None:
        """Count a call made before this node run, unless it was counted (an agent's turn before a pause).

        A resume in a new process starts from the saved ledger, which holds no turn of a node that
        had not finished: its earlier turns come back with its saved messages and are counted here.
        """
        with self.lock:
            if identity(call) not in self.counted:
                self._add(call)

    def _add(self, call: ModelCall) -> None:
        self.counted.add(identity(call))
        self.usd += call["cost_usd"] or 0.0
        self.tokens += call["input_tokens"] + call["output_tokens"]


def identity(call: ModelCall) -> tuple[object, ...]:
    """Return what tells one ledger entry from another: its stage, times, attempt and task."""
    return (call["stage"], call["started"], call["ended"], call["attempt"], call.get("task"))


_lock = threading.Lock()
_spending: OrderedDict[str, Spending] = OrderedDict()


def spending_of(request_id: str | None, ledger: list[ModelCall] | None = None) -> Spending:
    """Return the spending of a request, starting from `ledger` the first time this process sees it."""
    if request_id is None:
        return Spending()
    with _lock:
        found = _spending.get(request_id)
        if found is None:
            found = _spending[request_id] = Spending()
            for call in ledger or []:
                found.add(call)
            while len(_spending) > _REMEMBERED:
                _spending.popitem(last=False)
        else:
            _spending.move_to_end(request_id)
        return found
