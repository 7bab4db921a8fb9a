"""Run-time wiring: compile a graph with a checkpointer and run it in a thread."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.pregel import Pregel

from app.registry import GraphEntry
from models.cache import STAGE_CACHE
from state.settings import Settings

MAX_CONCURRENCY = 16

StreamCallback = Callable[[str, Any], None]


@dataclass
class RunResult:
    """A finished run: its thread and final output."""

    thread_id: str
    output: dict[str, Any]


def compile_entry(entry: GraphEntry, checkpointer: BaseCheckpointSaver[Any] | None) -> Pregel[Any, Any, Any, Any]:
    """Compile a registered graph with this run's checkpointer and the deployment's stage cache."""
    return entry.builder().compile(checkpointer=checkpointer, cache=STAGE_CACHE, name=entry.name)


async def run(
    entry: GraphEntry,
    payload: dict[str, Any] | None,
    settings: Settings,
    *,
    thread_id: str | None = None,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    on_event: StreamCallback | None = None,
) -> RunResult:
    """Run a graph to the end; with payload None, resume the thread from its last checkpoint."""
    thread_id = thread_id or uuid.uuid4().hex[:12]
    graph = compile_entry(entry, checkpointer)
    config: RunnableConfig = {"configurable": {"thread_id": thread_id}, "max_concurrency": MAX_CONCURRENCY}
    output: dict[str, Any] = {}
    async for mode, chunk in graph.astream(
        payload,
        config=config,
        context=settings,
        stream_mode=["messages", "updates", "values"],
    ):
        if mode == "values":
            output = cast(dict[str, Any], chunk)
        elif on_event is not None:
            on_event(mode, chunk)
    return RunResult(thread_id=thread_id, output=output)
