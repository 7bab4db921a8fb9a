"""The seed's optimised document pipeline: a cheap assessment picks a fast, standard or full path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from graphs.analysis import analyses as analysis_sections
from graphs.spec import GraphSpec, Section, failed_branches
from nodes.analysis import DOC_SUMMARY, ENTITIES, SENTIMENT, TOPICS, check_input, entities, sentiment, summary, topics
from nodes.document import (
    ASSESS,
    BRIEF,
    DOC_OPPORTUNITIES,
    DOC_RISKS,
    DOC_SYNTHESIS,
    FULL_ANALYSES,
    STANDARD_ANALYSES,
    VERIFY,
    assess,
    brief,
    confident,
    opportunities,
    risks,
    synthesize,
    trivial_is_its_own_answer,
    verify,
)
from nodes.finish import finish
from nodes.intake import intake
from nodes.report import EXTRACT, extract
from state.analysis import DocumentInput
from state.document import DocumentOutput, DocumentState
from state.run import stopped
from state.settings import Settings, settings_of

STAGES = (
    ASSESS,
    BRIEF,
    DOC_SUMMARY,
    EXTRACT,
    SENTIMENT,
    ENTITIES,
    TOPICS,
    DOC_RISKS,
    DOC_OPPORTUNITIES,
    DOC_SYNTHESIS,
    VERIFY,
)

Analysis = Literal["summary", "key_points", "sentiment", "entities", "topics", "risks", "opportunities"]


def route_after_intake(state: DocumentState) -> Literal["assess", "finish"]:
    """A trivial input is its own answer; anything else is assessed."""
    return "finish" if stopped(state) else "assess"


def route_after_assess(state: DocumentState) -> list[Analysis] | Literal["brief", "finish"]:
    """Fast path: a brief; standard: summary and key points; full: every analysis, all at once."""
    if stopped(state):
        return "finish"
    if state["path"] == "fast":
        return "brief"
    return list(STANDARD_ANALYSES if state["path"] == "standard" else FULL_ANALYSES)  # type: ignore[arg-type]


def route_after_standard_analysis(state: DocumentState) -> list[Literal["finish"]]:
    """On the standard path the summary and key points are the answer; on the full path the join waits."""
    return ["finish"] if state["path"] == "standard" else []


def route_after_synthesis(state: DocumentState, runtime: Runtime[Settings]) -> Literal["verify", "finish"]:
    """Verify the briefing against the document, unless it is confident (or the run was stopped)."""
    if stopped(state) or confident(state.get("confidence") or 0.0, settings_of(runtime)):
        return "finish"
    return "verify"


def build() -> StateGraph[DocumentState, Settings, DocumentInput, DocumentOutput]:
    """Return the document graph, uncompiled."""
    builder = StateGraph(
        DocumentState, context_schema=Settings, input_schema=DocumentInput, output_schema=DocumentOutput
    )
    builder.add_node("intake", intake(DocumentState, DocumentInput, check_input, STAGES, trivial_is_its_own_answer))
    builder.add_node("assess", assess)
    builder.add_node("brief", brief)
    analyses = {
        "summary": summary,
        "key_points": extract,
        "sentiment": sentiment,
        "entities": entities,
        "topics": topics,
        "risks": risks,
        "opportunities": opportunities,
    }
    for name, analysis in analyses.items():
        builder.add_node(name, analysis)
    builder.add_node("synthesize", synthesize)
    builder.add_node("verify", verify)
    builder.add_node("finish", finish)

    builder.add_edge(START, "intake")
    builder.add_conditional_edges("intake", route_after_intake)
    builder.add_conditional_edges("assess", route_after_assess, ["brief", "finish", *analyses])
    builder.add_edge("brief", "finish")
    for name in STANDARD_ANALYSES:
        builder.add_conditional_edges(name, route_after_standard_analysis, ["finish"])
    builder.add_edge(list(FULL_ANALYSES), "synthesize")
    builder.add_conditional_edges("synthesize", route_after_synthesis)
    builder.add_edge("verify", "finish")
    builder.add_edge("finish", END)
    return builder


def show(output: Mapping[str, Any]) -> list[Section]:
    """The path taken and what it produced."""
    sections = [Section("path", str(output.get("path")))]
    if output.get("brief"):
        sections.append(Section("brief", output["brief"]))
    sections += analysis_sections(output)
    if output.get("key_points"):
        sections.append(Section("key points", "\n".join(f"- {k}" for k in output["key_points"])))
    for kind in ("risks", "opportunities"):
        if output.get(kind):
            sections.append(Section(kind, "\n".join(f"- {k}" for k in output[kind])))
    sections += failed_branches(output)
    if output.get("synthesis"):
        sections.append(Section("synthesis", output["synthesis"]))
    if output.get("verification"):
        sections.append(Section("verification", output["verification"]))
    return sections


SPEC = GraphSpec(
    name="document",
    description="Optimised pipeline: a cheap assessment picks a fast, standard or full (parallel) path.",
    build=build,
    input=DocumentInput,
    check=check_input,
    from_text=lambda text, options: {"document": text},
    stages=STAGES,
    show=show,
)
graph = SPEC.compile()
