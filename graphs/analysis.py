"""Parallel fan-out: sentiment, entities, summary and topics in one superstep, then a synthesis."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from graphs.policies import MODEL_RETRY
from nodes.analysis import (
    entities,
    prepare,
    record_failure_then,
    sentiment,
    summary,
    synthesize_analysis,
    topics,
)
from state.analysis import AnalysisOutput, AnalysisState, DocumentInput
from state.settings import Settings


def build() -> StateGraph[AnalysisState, Settings, DocumentInput, AnalysisOutput]:
    """Return the analysis graph, uncompiled."""
    builder = StateGraph(
        AnalysisState, context_schema=Settings, input_schema=DocumentInput, output_schema=AnalysisOutput
    )
    builder.add_node("prepare", prepare)
    on_error = record_failure_then("synthesize")
    for name, stage in (
        ("sentiment", sentiment),
        ("entities", entities),
        ("summary", summary),
        ("topics", topics),
    ):
        builder.add_node(name, stage, retry_policy=MODEL_RETRY, error_handler=on_error)
        builder.add_edge("prepare", name)
        # Separate edges, not one barrier: a failed branch's handler can still trigger the join.
        builder.add_edge(name, "synthesize")
    builder.add_node("synthesize", synthesize_analysis, retry_policy=MODEL_RETRY)
    builder.add_edge(START, "prepare")
    builder.add_edge("synthesize", END)
    return builder


graph = build().compile(name="analysis")
