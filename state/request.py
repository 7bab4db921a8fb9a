"""One request per input: what a thread forgets when a new message arrives, and the request's identity.

A thread (a checkpointed conversation) can take many inputs. Each input is a request of its own:
its tasks, results, answers, errors and ledger must not mix with the previous request's. Every
graph therefore starts with an intake node that writes `fresh_request(...)`: every key of the
working state that is not part of the input is cleared (reducer keys are overwritten with an
empty list, the others set to None), and a new `request_id` is minted. The id is checkpointed
with the intake's step, so a retry or a resume of the same request reuses it, while any other
request, on the same thread or not, gets its own. No graph remembers anything across requests
on purpose; the checkpoint history still holds every earlier request.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from langgraph.types import Overwrite


def request_id() -> str:
    """Mint the identity of a new request."""
    return uuid.uuid4().hex


def fresh_request(state_schema: type[Any], input_schema: type[Any]) -> dict[str, Any]:
    """Return the update that clears every non-input key of `state_schema` and mints a request id."""
    inputs = set(get_type_hints(input_schema))
    update: dict[str, Any] = {}
    for key, hint in get_type_hints(state_schema, include_extras=True).items():
        if key in inputs:
            continue
        if get_origin(hint) is Annotated and any(callable(m) for m in get_args(hint)[1:]):
            # A reducer would merge a plain write with the old value: overwrite it with the empty
            # value of its type (LangGraph's channel also starts from that value).
            base = get_args(hint)[0]
            update[key] = Overwrite([] if (get_origin(base) or base) is list else {})
        else:
            update[key] = None
    update["request_id"] = request_id()
    return update
