"""The main job: every graph on the seeds' examples, offline, with execution reports."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.rule import Rule

from app.examples import BUSINESS_DOCUMENT, CUSTOMER_QUERY, ENERGY_SOURCES, ROUTER_QUERIES
from app.report import render
from app.runner import run
from graphs.registry import spec_for
from state.settings import Settings

SUMMARY_TEXT = " ".join(source["content"] for source in ENERGY_SOURCES)


async def demo(console: Console, settings: Settings) -> int:
    """Run each graph once on the seeds' examples and print the results."""
    console.print(f"[dim]provider: {settings.resolved_provider()}[/dim]")
    runs: list[tuple[str, str, dict[str, Any]]] = [
        (
            "summarize_translate",
            "Summarise the three energy articles, then translate into Spanish",
            {"text": SUMMARY_TEXT, "target_language": "Spanish"},
        ),
        (
            "faq",
            "FAQ chain over the seed's three web pages",
            {"sources": ENERGY_SOURCES, "num_questions": 10},
        ),
        *(("router", f"Route: {query!r}", {"query": query}) for query in ROUTER_QUERIES),
        ("orchestrator", "Orchestrator-worker on the seed's customer message", {"query": CUSTOMER_QUERY}),
        ("support_agent", "The same message, one agent with the desk's tools", {"query": CUSTOMER_QUERY}),
        ("analysis", "Four analyses in parallel", {"document": BUSINESS_DOCUMENT}),
        ("report", "Extraction, three analyses in parallel, report", {"document": BUSINESS_DOCUMENT}),
        ("document", "The seed's optimised pipeline: assess, then the full path", {"document": BUSINESS_DOCUMENT}),
        (
            "refine",
            "Evaluator-optimizer: draft, critique, revise",
            {"text": BUSINESS_DOCUMENT, "task": "an executive summary in at most 60 words"},
        ),
    ]
    for graph, title, payload in runs:
        console.print(Rule(title))
        result = await run(spec_for(graph), payload, settings)
        render(console, graph, result.output)
    return 0
