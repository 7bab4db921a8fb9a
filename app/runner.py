"""Run-time wiring.

Compile a registered graph with a checkpointer, run it, and record what a later resume must check
(graph, provider, the graph's shape) with every checkpoint.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.pregel import Pregel
from langgraph.types import Command, Durability, Interrupt

from graphs.spec import GraphSpec
from models.deadlines import within
from models.faults import StageCallError, kind_of
from models.providers import ProviderError
from models.seam import StageOutputError
from state.inputs import InputError
from state.settings import Settings

StreamCallback = Callable[[str, Any], None]


@dataclass
class RunResult:
    """A finished run: its thread and final output."""

    thread_id: str
    output: dict[str, Any]
    approvals: tuple[Interrupt, ...] = ()
    """What the run paused for (`interrupt()`): it continues when they are answered."""


# Compiling a graph costs several milliseconds, more than our share of a short run: each graph is
# compiled once per checkpointer (a compiled graph serves any number of runs, concurrent ones too).
_compiled: dict[tuple[str, int], tuple[Callable[[], object], Pregel[Any, Any, Any, Any]]] = {}
_shapes: dict[str, str] = {}
_compile_lock = threading.Lock()


def compile_spec(spec: GraphSpec, checkpointer: BaseCheckpointSaver[Any] | None) -> Pregel[Any, Any, Any, Any]:
    """Return a registered graph compiled with this run's checkpointer."""
    key = (spec.name, id(checkpointer))
    with _compile_lock:
        alive, graph = _compiled.get(key, (lambda: None, None))
        if graph is None or alive() is not checkpointer:
            graph = spec.compile(checkpointer)
            # A checkpointer that is gone may have its id reused: the weak reference tells them apart.
            alive = weakref.ref(checkpointer) if checkpointer is not None else (lambda: None)
            _compiled[key] = (alive, graph)
        return graph


def shape_of(spec: GraphSpec) -> str:
    """Return a fingerprint of a graph's nodes and edges: a checkpoint only resumes on the same shape."""
    with _compile_lock:
        if spec.name not in _shapes:
            drawn = spec.compile().get_graph()
            picture = {
                "nodes": sorted(drawn.nodes),
                "edges": sorted([e.source, e.target, e.conditional] for e in drawn.edges),
            }
            _shapes[spec.name] = hashlib.sha256(json.dumps(picture, sort_keys=True).encode()).hexdigest()[:16]
        return _shapes[spec.name]


def output_of(graph: Pregel[Any, Any, Any, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Return what a graph's output schema holds of a state: what the server returns, not the working state."""
    channels = graph.output_channels
    keys: list[str] = [channels] if isinstance(channels, str) else list(channels)
    return {key: values[key] for key in keys if key in values}


def run_metadata(spec: GraphSpec, settings: Settings) -> dict[str, Any]:
    """What every checkpoint of a run records for `stagecraft threads` and a faithful resume."""
    return {
        "stagecraft_graph": spec.ref,
        "stagecraft_provider": settings.resolved_provider(),
        "stagecraft_shape": shape_of(spec),
        "stagecraft_started": time.time(),
    }


async def run(
    spec: GraphSpec,
    payload: dict[str, Any] | Command[Any] | None,
    settings: Settings,
    *,
    thread_id: str | None = None,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    on_event: StreamCallback | None = None,
    metadata: dict[str, Any] | None = None,
    checkpoint: RunnableConfig | None = None,
    stream: Sequence[str] = ("updates", "custom"),
    durability: Durability = "sync",
) -> RunResult:
    """Run a graph to the end or to a pause; with payload None, resume the thread from its last checkpoint.

    A `Command(resume=...)` payload answers the thread's pending interrupts; a run that pauses on
    one returns what it waits for in `approvals`.

    `on_event(mode, chunk)` sees the `stream` modes (add "messages" for tokens: streaming every
    token costs CPU nobody spends when no one is reading them).

    Checkpoints are written before each next step starts (durability "sync"): a request's
    identity is saved before any worker acts on it, so no side effect ever lacks a checkpoint to
    resume from. A crash loses at most the steps that were running. `durability="exit"` saves the
    run once, when it ends (with its finished steps if it fails): for a run whose only effects are
    its model calls (see app.batch).
    """
    thread_id = thread_id or uuid.uuid4().hex[:12]
    graph = compile_spec(spec, checkpointer)
    # Continuing from an earlier checkpoint of the thread (to run failed branches again) forks there.
    configurable = dict(checkpoint["configurable"]) if checkpoint else {"thread_id": thread_id}
    config: RunnableConfig = {"configurable": configurable, "metadata": metadata or run_metadata(spec, settings)}
    output: dict[str, Any] = {}
    paused: list[Interrupt] = []
    try:
        # Every call of the run, HTTP requests in worker threads included, ends by the run's deadline:
        # no thread outlives a run that timed out (asyncio.run would wait for it before exiting).
        with within(time.monotonic() + settings.run_timeout_s):
            async with asyncio.timeout(settings.run_timeout_s):
                modes = ["values", *(m for m in stream if m != "values")] if on_event is not None else ["values"]
                output, paused = await _stream(
                    graph, payload, config, settings, checkpointer, on_event, modes, durability
                )
    except TimeoutError:
        raise RunTimeout(f"the run took longer than run_timeout_s ({settings.run_timeout_s:g} s)") from None
    return RunResult(thread_id=thread_id, output=output_of(graph, output), approvals=tuple(paused))


class RunTimeout(TimeoutError):
    """A whole run took longer than its bound; what finished is saved and can be resumed."""


INTERRUPT = "__interrupt__"


async def _stream(
    graph: Pregel[Any, Any, Any, Any],
    payload: dict[str, Any] | Command[Any] | None,
    config: RunnableConfig,
    settings: Settings,
    checkpointer: BaseCheckpointSaver[Any] | None,
    on_event: StreamCallback | None,
    modes: list[str],
    durability: Durability = "sync",
) -> tuple[dict[str, Any], list[Interrupt]]:
    output: dict[str, Any] = {}
    paused: list[Interrupt] = []
    async for mode, chunk in graph.astream(
        payload,
        config=config,
        context=settings,
        stream_mode=modes,  # type: ignore[arg-type]
        # Only a checkpointer has anything to make durable (LangGraph fails on "sync" without one).
        durability=durability if checkpointer is not None else None,
    ):
        if mode == "values":
            # A pause comes with the values of its step; branches of that step may finish after it.
            output = cast(dict[str, Any], chunk)
            paused.extend(output.get(INTERRUPT, ()))
        elif on_event is not None:
            on_event(mode, chunk)
    return output, paused


def worth_resuming(exc: BaseException) -> bool:
    """Tell whether resuming the same run later can succeed once its cause is fixed.

    Yes for a stage's call that failed for good (the provider down, a key or model name the
    operator can fix, output that stayed invalid) and for connection trouble; no when the input
    itself is at fault, or for an error in our own code.
    """
    if isinstance(exc, InputError):
        return False
    if isinstance(exc, (ProviderError, StageOutputError, StageCallError, ConnectionError, TimeoutError)):
        return True
    return kind_of(exc) in ("transient", "permanent")
