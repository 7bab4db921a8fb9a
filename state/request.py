"""One request per input: what a thread forgets when a new message arrives, and the request's identity.

A thread (a checkpointed conversation) can take many inputs. Each input is a request of its own:
its tasks, results, answers, errors and ledger must not mix with the previous request's. Every
graph therefore starts with an intake node that clears every key of the working state that is
not part of the input (reducer keys are overwritten with an empty list or dict, the others set
to None) and mints a new `request_id`. The id is checkpointed with the intake's step, so a retry
or a resume of the same request reuses it, while any other request, on the same thread or not,
gets its own. No graph remembers anything across requests on purpose; the checkpoint history
still holds every earlier request.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, get_args, get_origin, get_type_hints


def request_id() -> str:
    """Mint the identity of a new request."""
    return uuid.uuid4().hex


def cleared_keys(state_schema: type[Any], input_schema: type[Any]) -> dict[str, list[Any] | dict[str, Any] | None]:
    """Return, for every key of `state_schema` outside its input, the value a new request starts from.

    Keys with a reducer start from the empty value of their type (a plain write would be merged
    into the old value: the intake overwrites it); the others from None.
    """
    inputs = set(get_type_hints(input_schema))
    cleared: dict[str, list[Any] | dict[str, Any] | None] = {}
    for key, hint in get_type_hints(state_schema, include_extras=True).items():
        if key in inputs or key == "request_id":
            continue
        if get_origin(hint) is Annotated and any(callable(m) for m in get_args(hint)[1:]):
            base = get_args(hint)[0]
            cleared[key] = [] if (get_origin(base) or base) is list else {}
        else:
            cleared[key] = None
    return cleared
