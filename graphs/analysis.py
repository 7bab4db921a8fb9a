"""Parallel fan-out: sentiment, entities, summary and topics in one superstep, then a synthesis."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from models.cache import STAGE_CACHE, node_cache, wire_cache
from models.retry import MODEL_RETRY
from nodes.analysis import (
    ANALYSIS_SYNTHESIS,
    DOC_SUMMARY,
    ENTITIES,
    SENTIMENT,
    TOPICS,
    analysis_intake,
    entities,
    sentiment,
    summary,
    synthesize_analysis,
    topics,
)
from nodes.finish import finish
from state.analysis import AnalysisOutput, AnalysisState, DocumentInput
from state.settings import Settings


def build() -> StateGraph[AnalysisState, Settings, DocumentInput, AnalysisOutput]:
    """Return the analysis graph, uncompiled."""
    builder = StateGraph(
        AnalysisState, context_schema=Settings, input_schema=DocumentInput, output_schema=AnalysisOutput
    )
    builder.add_node("intake", analysis_intake)
    branches = {
        "sentiment": (sentiment, SENTIMENT),
        "entities": (entities, ENTITIES),
        "summary": (summary, DOC_SUMMARY),
        "topics": (topics, TOPICS),
    }
    for name, (branch, stage) in branches.items():
        builder.add_node(name, branch, retry_policy=MODEL_RETRY, cache_policy=node_cache(stage))
        builder.add_edge("intake", name)
    builder.add_node(
        "synthesize", synthesize_analysis, retry_policy=MODEL_RETRY, cache_policy=node_cache(ANALYSIS_SYNTHESIS)
    )
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    builder.add_edge(list(branches), "synthesize")
    builder.add_edge("synthesize", "finish")
    builder.add_edge("finish", END)
    return wire_cache(builder)


graph = build().compile(name="analysis", cache=STAGE_CACHE)
