"""The seed's optimised document pipeline: a cheap assessment picks a fast, standard or full path."""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from models.cache import STAGE_CACHE, node_cache, route_reads, wire_cache
from models.retry import MODEL_RETRY
from nodes.analysis import DOC_SUMMARY, ENTITIES, EXTRACT, SENTIMENT, TOPICS, entities, extract, sentiment, summary
from nodes.analysis import topics as topics_node
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
    intake,
    opportunities,
    risks,
    synthesize,
    verify,
)
from nodes.finish import finish
from state.analysis import DocumentInput
from state.document import DocumentOutput, DocumentState
from state.run import stopped
from state.settings import Settings, settings_of

Analysis = Literal["summary", "key_points", "sentiment", "entities", "topics", "risks", "opportunities"]


def route_after_intake(state: DocumentState) -> Literal["assess", "finish"]:
    """A trivial input is its own answer; anything else is assessed."""
    return "finish" if stopped(state) else "assess"


@route_reads("termination")
def route_after_assess(state: DocumentState) -> list[Analysis] | Literal["brief", "finish"]:
    """Fast path: a brief; standard: summary and key points; full: every analysis, all at once."""
    if stopped(state):
        return "finish"
    if state["path"] == "fast":
        return "brief"
    return list(STANDARD_ANALYSES if state["path"] == "standard" else FULL_ANALYSES)  # type: ignore[arg-type]


@route_reads("path")
def route_after_standard_analysis(state: DocumentState) -> list[Literal["finish"]]:
    """On the standard path the summary and key points are the answer; on the full path the join waits."""
    return ["finish"] if state["path"] == "standard" else []


@route_reads("termination")
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
    builder.add_node("intake", intake)
    builder.add_node("assess", assess, retry_policy=MODEL_RETRY, cache_policy=node_cache(ASSESS))
    builder.add_node("brief", brief, retry_policy=MODEL_RETRY, cache_policy=node_cache(BRIEF))
    analyses = {
        "summary": (summary, DOC_SUMMARY),
        "key_points": (extract, EXTRACT),
        "sentiment": (sentiment, SENTIMENT),
        "entities": (entities, ENTITIES),
        "topics": (topics_node, TOPICS),
        "risks": (risks, DOC_RISKS),
        "opportunities": (opportunities, DOC_OPPORTUNITIES),
    }
    for name, (stage_node, stage) in analyses.items():
        builder.add_node(name, stage_node, retry_policy=MODEL_RETRY, cache_policy=node_cache(stage))
    builder.add_node("synthesize", synthesize, retry_policy=MODEL_RETRY, cache_policy=node_cache(DOC_SYNTHESIS))
    builder.add_node("verify", verify, retry_policy=MODEL_RETRY, cache_policy=node_cache(VERIFY))
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
    return wire_cache(builder)


graph = build().compile(name="document", cache=STAGE_CACHE)
