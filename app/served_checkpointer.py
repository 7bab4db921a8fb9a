"""The checkpointer `langgraph dev` uses when started with langgraph.postgres.json.

LangGraph's server takes a custom checkpointer from its configuration (`"checkpointer": {"path":
...}`): an async context manager yielding a BaseCheckpointSaver, entered once per event loop. This
one opens what the operator's STAGECRAFT_CHECKPOINTER names (PostgreSQL, so that several processes
and the CLI share the runs), strict on load. The URL comes from the server's environment, never
from a client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from app.persistence import open_checkpointer


@asynccontextmanager
async def checkpointer() -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """Yield the deployment's checkpointer for the server's lifetime."""
    async with open_checkpointer() as saver:
        yield saver
