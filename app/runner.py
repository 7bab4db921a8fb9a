"""Run-time wiring.

Compile a registered graph with a checkpointer and the stage cache, run it, and record what a
later resume must check (graph, provider, the graph's shape) with every checkpoint.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import StateGraph
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


# Building and compiling a graph costs several milliseconds, more than our share of a short run:
# each graph is built once per process and compiled once per checkpointer (a compiled graph is
# reused by any number of runs, concurrent ones included).
_builders: dict[str, tuple[StateGraph[Any, Any, Any, Any], str]] = {}
_compiled: dict[tuple[str, int, bool], tuple[Callable[[], object], Pregel[Any, Any, Any, Any]]] = {}
_compile_lock = threading.Lock()


def _built(entry: GraphEntry) -> tuple[StateGraph[Any, Any, Any, Any], str]:
    with _compile_lock:
        if entry.name not in _builders:
            builder = entry.builder()
            _builders[entry.name] = (builder, shape(builder))
        return _builders[entry.name]


def compile_entry(
    entry: GraphEntry, checkpointer: BaseCheckpointSaver[Any] | None, *, cache: bool = True
) -> Pregel[Any, Any, Any, Any]:
    """Compile a registered graph with this run's checkpointer and (unless `cache` is False) the stage cache.

    A run without caching gets a graph without the cache: a resumed request's node keys hold the
    cache scope it began with, so only an absent cache guarantees that --no-cache serves nothing.
    """
    builder, _ = _built(entry)
    key = (entry.name, id(checkpointer), cache)
    with _compile_lock:
        alive, graph = _compiled.get(key, (lambda: None, None))
        if graph is None or alive() is not checkpointer:
            graph = builder.compile(checkpointer=checkpointer, cache=STAGE_CACHE if cache else None, name=entry.name)
            # A checkpointer that is gone may have its id reused: the weak reference tells them apart.
            alive = weakref.ref(checkpointer) if checkpointer is not None else (lambda: None)
            _compiled[key] = (alive, graph)
        return graph


def shape(builder: StateGraph[Any, Any, Any, Any]) -> str:
    """Return a fingerprint of a graph's nodes and edges: a checkpoint only resumes on the same shape."""
    picture = {
        "nodes": sorted(builder.nodes),
        "edges": sorted(map(list, builder.edges)),
        "branches": sorted(f"{source}:{name}" for source, names in builder.branches.items() for name in names),
    }
    return hashlib.sha256(json.dumps(picture, sort_keys=True).encode()).hexdigest()[:16]


def shape_of(entry: GraphEntry) -> str:
    """The fingerprint of a registered graph as this process runs it."""
    return _built(entry)[1]


def run_metadata(entry: GraphEntry, settings: Settings) -> dict[str, Any]:
    """What every checkpoint of a run records for `stagecraft threads` and a faithful resume."""
    return {
        "stagecraft_graph": entry.name,
        "stagecraft_provider": settings.resolved_provider(),
        "stagecraft_shape": shape_of(entry),
        "stagecraft_started": time.time(),
    }


async def run(
    entry: GraphEntry,
    payload: dict[str, Any] | None,
    settings: Settings,
    *,
    thread_id: str | None = None,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    on_event: StreamCallback | None = None,
    metadata: dict[str, Any] | None = None,
    checkpoint: RunnableConfig | None = None,
    stream: Sequence[str] = ("updates", "custom"),
) -> RunResult:
    """Run a graph to the end; with payload None, resume the thread from its last checkpoint.

    `on_event(mode, chunk)` sees the `stream` modes (add "messages" for tokens: streaming every
    token costs CPU nobody spends when no one is reading them).

    Checkpoints are written before each next step starts (durability "sync"): a request's
    identity is saved before any worker acts on it, so no side effect ever lacks a checkpoint to
    resume from. A crash loses at most the steps that were running.
    """
    thread_id = thread_id or uuid.uuid4().hex[:12]
    graph = compile_entry(entry, checkpointer, cache=settings.cache)
    # Continuing from an earlier checkpoint of the thread (to run failed branches again) forks there.
    configurable = dict(checkpoint["configurable"]) if checkpoint else {"thread_id": thread_id}
    config: RunnableConfig = {
        "configurable": configurable,
        # A graph that caps its own fan-out (faq, orchestrator: 8) keeps that cap here too.
        "max_concurrency": getattr(importlib.import_module(entry.module), "MAX_CONCURRENCY", MAX_CONCURRENCY),
        "metadata": metadata or run_metadata(entry, settings),
    }
    output: dict[str, Any] = {}
    try:
        async with asyncio.timeout(settings.run_timeout_s):
            modes = ["values", *(m for m in stream if m != "values")] if on_event is not None else ["values"]
            output = await _stream(graph, payload, config, settings, checkpointer, on_event, modes)
    except TimeoutError:
        raise RunTimeout(f"the run took longer than run_timeout_s ({settings.run_timeout_s:g} s)") from None
    return RunResult(thread_id=thread_id, output=output)


class RunTimeout(TimeoutError):
    """A whole run took longer than its bound; what finished is saved and can be resumed."""


async def _stream(
    graph: Pregel[Any, Any, Any, Any],
    payload: dict[str, Any] | None,
    config: RunnableConfig,
    settings: Settings,
    checkpointer: BaseCheckpointSaver[Any] | None,
    on_event: StreamCallback | None,
    modes: list[str],
) -> dict[str, Any]:
    output: dict[str, Any] = {}
    async for mode, chunk in graph.astream(
        payload,
        config=config,
        context=settings,
        stream_mode=modes,  # type: ignore[arg-type]
        # Only a checkpointer has anything to make durable (LangGraph fails on "sync" without one).
        durability="sync" if checkpointer is not None else None,
    ):
        if mode == "values":
            output = cast(dict[str, Any], chunk)
        elif on_event is not None:
            on_event(mode, chunk)
    return output
