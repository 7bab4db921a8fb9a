"""Stage bodies as LangGraph nodes with two real implementations, one for `invoke`, one for `ainvoke`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from langchain_core.runnables import Runnable, RunnableConfig
from langgraph.runtime import Runtime, get_runtime

from models.budget import BudgetExhausted
from models.stage import recording_node_calls
from models.steps import Steps, arun_steps, run_steps
from state.ledger import ModelCall
from state.run import Termination

S = TypeVar("S")
Update = dict[str, Any]
Body = Callable[[S, Runtime[Any]], "Steps[Update] | Update"]


class Node(Runnable[Any, Update], Generic[S]):
    """A node whose body yields its I/O; LangGraph calls `invoke` under `graph.invoke`, `ainvoke` under `ainvoke`.

    Under `invoke` the body's model and database calls block the worker thread LangGraph gave the
    node (parallel branches get parallel threads, up to `max_concurrency`); under `ainvoke` they
    are awaited on the run's event loop. Neither path creates an event loop of its own.
    """

    def __init__(self, body: Body[S]) -> None:
        self.body = body
        self.name = body.__name__
        self.__doc__ = body.__doc__

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Update:
        """Run the body with blocking I/O."""
        out = self.body(input, get_runtime())
        if isinstance(out, dict):
            return out
        with recording_node_calls() as calls:
            try:
                return _with_every_call(run_steps(out), calls)
            except BudgetExhausted as exc:
                return _stopped(self.get_name(), exc, calls)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Update:
        """Run the body with async I/O on the running loop."""
        out = self.body(input, get_runtime())
        if isinstance(out, dict):
            return out
        with recording_node_calls() as calls:
            try:
                return _with_every_call(await arun_steps(out), calls)
            except BudgetExhausted as exc:
                return _stopped(self.get_name(), exc, calls)

    def __repr__(self) -> str:
        return f"Node({self.name})"


def _with_every_call(update: Update, calls: list[ModelCall]) -> Update:
    """Make the node's update carry every call it billed: the report prices what was paid for.

    A branch that records its failure instead of raising (invalid outputs re-asked until the
    stage gave up, say) returns no ledger of its own, yet it paid for those calls.
    """
    ledger = list(update.get("ledger") or [])
    missing = [call for call in calls if not any(call is entry for entry in ledger)]
    return {**update, "ledger": ledger + missing} if missing else update


def _stopped(name: str, exc: BudgetExhausted, calls: list[ModelCall]) -> Update:
    # The budget is a planned end, not a failure: the node ends with the calls it made (all of
    # them, billed), the run with what it has, and the graph's edges route to `finish`.
    termination = Termination(reason="budget", stage=name, detail=exc.reason)
    return {"termination": termination, "ledger": list(calls)}


def node(body: Body[S]) -> Node[S]:
    """Make a stage body `(state, runtime) -> steps or update` a LangGraph node."""
    return Node(body)
