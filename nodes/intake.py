"""The first node of every graph: check the input and the settings, then start a new request."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Overwrite

from models.cache import cache_scope
from models.stage import check_run
from state.request import fresh_request, request_id
from state.settings import settings_of

_cleared: dict[tuple[type[Any], type[Any]], tuple[tuple[str, Any], ...]] = {}


def _cleared_keys(state_schema: type[Any], input_schema: type[Any]) -> tuple[tuple[str, Any], ...]:
    key = (state_schema, input_schema)
    if key not in _cleared:
        update = fresh_request(state_schema, input_schema)
        _cleared[key] = tuple((k, v) for k, v in update.items() if k != "request_id")
    return _cleared[key]


def start_request(
    state_schema: type[Any], input_schema: type[Any], runtime: Runtime[Any], **checked_input: Any
) -> dict[str, Any]:
    """Return the intake's update: the checked input, every other key cleared, a new request id.

    Raises before any model call when the run's settings cannot be used (unknown provider,
    missing key, unknown stage names).
    """
    settings = settings_of(runtime)
    check_run(settings)
    # Fresh Overwrite values each time: a channel must never share a list with another request.
    update: dict[str, Any] = {
        key: Overwrite(type(value.value)() if value.value is not None else None)
        if isinstance(value, Overwrite)
        else None
        for key, value in _cleared_keys(state_schema, input_schema)
    }
    return {**update, **checked_input, "request_id": request_id(), "cache_scope": cache_scope(settings)}


def _fresh(cleared: Any) -> Any:
    if isinstance(cleared, Overwrite):
        return Overwrite([] if isinstance(cleared.value, list) else {})
    return None
