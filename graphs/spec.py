"""One graph, declared once: what the CLI, the server, the demo, the benchmarks and the tests need of it.

    SPEC = GraphSpec(
        name="router",
        description="Router: classify a support query's intent and answer with that intent's handler.",
        build=build,
        input=RouterInput,
        check=check_input,
        from_text=lambda text, options: {"query": text},
        stages=STAGES,
        show=show,
    )
    graph = SPEC.compile()      # langgraph.json: "./graphs/router.py:graph"

`graphs.registry.GRAPHS` lists every spec; nothing else lists graphs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import StateGraph
from langgraph.pregel import Pregel

from models.stage import Stage
from state.inputs import TextOptions
from state.settings import Settings

Check = Callable[[Mapping[str, Any], Settings], dict[str, Any]]
"""An input check: the input as the intake accepts it, or InputError saying what to change."""

Tone = Literal["text", "dim", "warn", "error", "markdown"]


@dataclass(frozen=True)
class Section:
    """One part of a result as a person reads it: a heading (may be empty) and its text."""

    title: str
    body: str
    tone: Tone = "text"


# Fan-out nodes are I/O-bound; a cap keeps one run with many branches from flooding the provider.
DEFAULT_MAX_CONCURRENCY = 16


@dataclass(frozen=True)
class GraphSpec:
    """Everything the house needs to know of one graph."""

    name: str
    description: str
    build: Callable[[], StateGraph[Any, Any, Any, Any]]
    """The graph, uncompiled."""
    input: type[Any]
    """The input schema (a TypedDict): what a client sends."""
    check: Check
    """The intake's own check of that input (the CLI, a batch and the server check with it too)."""
    from_text: Callable[[str, TextOptions], dict[str, Any]]
    """How a text from the command line becomes the input."""
    stages: tuple[Stage, ...]
    """Every model-calling stage of the graph."""
    show: Callable[[Mapping[str, Any]], list[Section]]
    """A result as a person reads it (the report is shown after it)."""
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    """The most branches or Send workers of one run at once."""
    services: tuple[Callable[[], object], ...] = field(default=())
    """Blocking openers of what the graph needs besides models (the support desk), run before a run."""
    ref: str = ""
    """How a run finds it again (`stagecraft resume`, batch workers): its name, or a pipeline file's path."""

    def __post_init__(self) -> None:
        if not self.ref:
            object.__setattr__(self, "ref", self.name)

    def compile(self, checkpointer: BaseCheckpointSaver[Any] | None = None) -> Pregel[Any, Any, Any, Any]:
        """Return the graph compiled with this checkpointer (none: the server injects its own) and its fan-out cap."""
        graph = self.build().compile(checkpointer=checkpointer, name=self.name)
        return graph.with_config(max_concurrency=self.max_concurrency)


def failed_branches(output: Mapping[str, Any]) -> list[Section]:
    """One section per branch that failed and was recorded (on_branch_error="record")."""
    return [
        Section("failed", f"{e['stage']} ({e['error_type']}: {e['message']})", "error")
        for e in output.get("errors") or []
    ]
