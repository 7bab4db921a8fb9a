"""Parallel fan-out: sentiment, entities, summary and topics in one superstep, then a synthesis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langgraph.graph import END, START, StateGraph

from graphs.spec import GraphSpec, Section, failed_branches
from nodes.analysis import (
    ANALYSIS_SYNTHESIS,
    DOC_SUMMARY,
    ENTITIES,
    SENTIMENT,
    TOPICS,
    check_input,
    entities,
    sentiment,
    summary,
    synthesize_analysis,
    topics,
)
from nodes.finish import finish
from nodes.intake import intake
from state.analysis import AnalysisOutput, AnalysisState, DocumentInput
from state.settings import Settings

STAGES = (SENTIMENT, ENTITIES, DOC_SUMMARY, TOPICS, ANALYSIS_SYNTHESIS)


def build() -> StateGraph[AnalysisState, Settings, DocumentInput, AnalysisOutput]:
    """Return the analysis graph, uncompiled."""
    builder = StateGraph(
        AnalysisState, context_schema=Settings, input_schema=DocumentInput, output_schema=AnalysisOutput
    )
    builder.add_node("intake", intake(AnalysisState, DocumentInput, check_input, STAGES))
    branches = (sentiment, entities, summary, topics)
    for branch in branches:
        builder.add_node(branch.get_name(), branch)
        builder.add_edge("intake", branch.get_name())
    builder.add_node("synthesize", synthesize_analysis)
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    builder.add_edge([branch.get_name() for branch in branches], "synthesize")
    builder.add_edge("synthesize", "finish")
    builder.add_edge("finish", END)
    return builder


def analyses(output: Mapping[str, Any]) -> list[Section]:
    """Sentiment, entities, topics and summary, as far as they were made."""
    sections = []
    if s := output.get("sentiment"):
        sections.append(Section("sentiment", f"{s['label']} ({s['confidence']:.2f}); {', '.join(s['key_phrases'])}"))
    if output.get("entities"):
        sections.append(Section("entities", ", ".join(f"{e['name']} [{e['type']}]" for e in output["entities"])))
    if output.get("topics"):
        sections.append(Section("topics", ", ".join(f"{t['name']} ({t['relevance']:.2f})" for t in output["topics"])))
    if output.get("summary"):
        sections.append(Section("summary", output["summary"]))
    return sections


def show(output: Mapping[str, Any]) -> list[Section]:
    """The four analyses, any that failed, and the synthesis."""
    return [*analyses(output), *failed_branches(output), Section("synthesis", output.get("synthesis") or "")]


SPEC = GraphSpec(
    name="analysis",
    description="Parallel: sentiment, entities, summary and topics of a document at once, then a synthesis.",
    build=build,
    input=DocumentInput,
    check=check_input,
    from_text=lambda text, options: {"document": text},
    stages=STAGES,
    show=show,
)
graph = SPEC.compile()
