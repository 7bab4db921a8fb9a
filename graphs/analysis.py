"""Parallel fan-out: sentiment, entities, summary and topics in one superstep, then a synthesis."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from models.retry import MODEL_RETRY
from nodes.analysis import entities, prepare, recording_failures, sentiment, summary, synthesize_analysis, topics
from nodes.sync import both_ways
from state.analysis import AnalysisOutput, AnalysisState, DocumentInput
from state.settings import Settings


def build() -> StateGraph[AnalysisState, Settings, DocumentInput, AnalysisOutput]:
    """Return the analysis graph, uncompiled."""
    builder = StateGraph(
        AnalysisState, context_schema=Settings, input_schema=DocumentInput, output_schema=AnalysisOutput
    )
    builder.add_node("prepare", both_ways(prepare))
    branches = {"sentiment": sentiment, "entities": entities, "summary": summary, "topics": topics}
    for name, stage in branches.items():
        builder.add_node(name, both_ways(recording_failures(stage)), retry_policy=MODEL_RETRY)
        builder.add_edge("prepare", name)
    builder.add_node("synthesize", both_ways(synthesize_analysis), retry_policy=MODEL_RETRY)
    builder.add_edge(START, "prepare")
    builder.add_edge(list(branches), "synthesize")
    builder.add_edge("synthesize", END)
    return builder


graph = build().compile(name="analysis")
