"""The graphs Stagecraft ships, and how a CLI text becomes each graph's input."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from state.inputs import InputError

if TYPE_CHECKING:
    from langgraph.graph import StateGraph

    from state.settings import Settings


@dataclass(frozen=True)
class RunOptions:
    """CLI options that shape a graph's input."""

    language: str = "Spanish"
    questions: int = 10
    source_title: str = "Input"
    task: str = "an executive summary in at most 60 words"


@dataclass(frozen=True)
class GraphEntry:
    """One graph: its module, what it does, and how to build its input from text."""

    name: str
    module: str
    description: str
    make_input: Callable[[str, RunOptions], dict[str, Any]]
    nodes: str

    def builder(self) -> StateGraph[Any, Any, Any, Any]:
        """Return the graph's uncompiled builder."""
        built: StateGraph[Any, Any, Any, Any] = importlib.import_module(self.module).build()
        return built

    def check_input(self, payload: dict[str, Any], settings: Settings) -> dict[str, Any]:
        """Return the input as the graph's intake would accept it, or raise InputError before any run."""
        checked: dict[str, Any] = importlib.import_module(self.nodes).check_input(payload, settings)
        return checked


def _faq_input(text: str, options: RunOptions) -> dict[str, Any]:
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            sources = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InputError(f"the sources look like JSON but do not parse: {exc}") from None
    else:
        sources = [{"title": options.source_title, "content": text}]
    return {"sources": sources, "num_questions": options.questions}


GRAPHS: dict[str, GraphEntry] = {
    entry.name: entry
    for entry in [
        GraphEntry(
            "summarize_translate",
            "graphs.summarize_translate",
            "Chain: summarise a text, then translate the summary (--language).",
            lambda text, o: {"text": text, "target_language": o.language},
            "nodes.summarize_translate",
        ),
        GraphEntry(
            "faq",
            "graphs.faq",
            "Chain: write N questions about source documents, answer each from them and cite them.",
            _faq_input,
            "nodes.faq",
        ),
        GraphEntry(
            "router",
            "graphs.router",
            "Router: classify a support query's intent and answer with that intent's handler.",
            lambda text, o: {"query": text},
            "nodes.router",
        ),
        GraphEntry(
            "orchestrator",
            "graphs.orchestrator",
            "Orchestrator-worker: split a customer message into tasks, one worker each, one reply.",
            lambda text, o: {"query": text},
            "nodes.support",
        ),
        GraphEntry(
            "analysis",
            "graphs.analysis",
            "Parallel: sentiment, entities, summary and topics of a document at once, then a synthesis.",
            lambda text, o: {"document": text},
            "nodes.analysis",
        ),
        GraphEntry(
            "report",
            "graphs.report",
            "Parallel-sequential: extract, then risks / opportunities / requirements at once, then a report.",
            lambda text, o: {"document": text},
            "nodes.analysis",
        ),
        GraphEntry(
            "document",
            "graphs.document",
            "Optimised pipeline: a cheap assessment picks a fast, standard or full (parallel) path.",
            lambda text, o: {"document": text},
            "nodes.document",
        ),
        GraphEntry(
            "refine",
            "graphs.refine",
            "Evaluator-optimizer: draft, critique, revise until quality, no improvement, budget or round cap (--task).",
            lambda text, o: {"text": text, "task": o.task},
            "nodes.refine",
        ),
    ]
}


def declared_stages() -> list[str]:
    """Import every graph's stages (they declare themselves) and return their names."""
    from models.stages import STAGES

    for entry in GRAPHS.values():
        importlib.import_module(entry.nodes)
    return sorted(STAGES)


def entry_for(name: str) -> GraphEntry:
    """Return the named graph, or raise InputError listing the known ones."""
    try:
        return GRAPHS[name]
    except KeyError:
        raise InputError(f"unknown graph {name!r}; known graphs: {', '.join(GRAPHS)}") from None
