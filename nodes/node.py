"""Stage bodies as LangGraph nodes with two real implementations, one for `invoke`, one for `ainvoke`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from langchain_core.runnables import Runnable, RunnableConfig
from langgraph.runtime import Runtime, get_runtime

from models.budget import BudgetExhausted, identity
from models.effects import Steps, arun_steps, run_steps
from models.seam import recording_node_calls
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
    """Write every call the node's stages made to the ledger: a stage body never has to.

    Calls a branch paid for before it recorded its failure are there too (invalid outputs
    re-asked until the stage gave up): the report prices what was paid for. A body may return
    entries of its own (an agent resumed after an approval returns the turns it took before the
    pause, from its saved messages): each call is written once.
    """
    if not calls:
        return update
    seen = {identity(call) for call in calls}
    earlier = [call for call in update.get("ledger") or [] if identity(call) not in seen]
    return {**update, "ledger": [*earlier, *calls]}


def _stopped(name: str, exc: BudgetExhausted, calls: list[ModelCall]) -> Update:
    # The budget is a planned end, not a failure: the node ends with the calls it made (all of
    # them, billed), the run with what it has, and the graph's edges route to `finish`.
    termination = Termination(reason="budget", stage=name, detail=exc.reason)
    return {"termination": termination, "ledger": list(calls)}


def node(body: Body[S]) -> Node[S]:
    """Make a stage body `(state, runtime) -> steps or update` a LangGraph node."""
    return Node(body)
