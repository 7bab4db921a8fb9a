"""The first node of every graph: check the settings and the input, then start a new request."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Overwrite

from models.seam import check_run
from models.stage import Stage
from nodes.node import Node, node
from state.request import cleared_keys, request_id
from state.settings import Settings, settings_of

Check = Callable[[Mapping[str, Any], Settings], dict[str, Any]]


def intake(
    state_schema: type[Any],
    input_schema: type[Any],
    check: Check,
    stages: Iterable[Stage],
    then: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Node[Any]:
    """Return a graph's intake node: `check` its input, clear the previous request, mint a request id.

    It refuses, before any model call, settings the graph cannot use (an unknown provider, a
    missing key, a tier override for a stage the graph does not have) and input `check` refuses.
    `then` may add to the new request's update (the document graph returns a trivial text as is).
    """
    stages = tuple(stages)
    cleared = cleared_keys(state_schema, input_schema)

    def intake(state: Any, runtime: Runtime[Any]) -> dict[str, Any]:
        """Check the settings and the input, then start a new request."""
        settings = settings_of(runtime)
        check_run(settings, stages)
        # Fresh empty values each time: a channel must never share a list with another request.
        fresh = {key: Overwrite(type(empty)()) if empty is not None else None for key, empty in cleared.items()}
        update = {**fresh, **check(state, settings), "request_id": request_id()}
        return then(update) if then is not None else update

    return node(intake)
