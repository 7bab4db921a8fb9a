"""How saved state is read back without trusting it.

LangGraph's serializer, by default, rebuilds any Python object saved data names: a row planted in
a checkpoint database or a cache can make a later read import and call `os.system`. Every
checkpointer and cache Stagecraft opens reads with `StrictSerializer`: only LangGraph's list of
safe types is rebuilt, and data that names anything else is refused with `TamperedStateError`,
before any of it is used.
"""

from __future__ import annotations

import threading
from typing import Any

from langgraph.checkpoint.serde.event_hooks import SerdeEvent, register_serde_event_listener
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer


class TamperedStateError(RuntimeError):
    """Saved state names a type that must never be rebuilt from storage."""


_blocked = threading.local()


def _record_blocked(event: SerdeEvent) -> None:
    if event["kind"].endswith("blocked"):
        seen: list[str] | None = getattr(_blocked, "seen", None)
        if seen is not None:
            seen.append(f"{event['module']}.{event['name']}")


register_serde_event_listener(_record_blocked)


class StrictSerializer(JsonPlusSerializer):
    """LangGraph's serializer in strict mode, refusing (not just skipping) anything not allow-listed."""

    def __init__(self) -> None:
        super().__init__(allowed_msgpack_modules=None)

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        """Decode saved data, raising TamperedStateError if it names a type outside the allow-list."""
        outer = getattr(_blocked, "seen", None)
        _blocked.seen = []
        try:
            try:
                value = super().loads_typed(data)
            except Exception as exc:  # RecursionError too: a row nested a million deep
                raise TamperedStateError(
                    f"saved state of type {str(data[0])[:20]!r} cannot be read ({type(exc).__name__}: "
                    f"{str(exc)[:120]}); the checkpoint is corrupt or was not written by Stagecraft"
                ) from None
            if _blocked.seen:
                names = ", ".join(sorted(set(_blocked.seen)))
                raise TamperedStateError(
                    f"saved state names {names}, which is never rebuilt from storage; "
                    "the checkpoint was not written by Stagecraft and was not loaded"
                )
            return value
        finally:
            _blocked.seen = outer


STRICT = StrictSerializer()
