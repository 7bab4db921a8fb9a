"""Parallel fan-out: sentiment, entities, summary and topics in one superstep, then a synthesis."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from models.retry import MODEL_RETRY
from nodes.analysis import analysis_intake, entities, sentiment, summary, synthesize_analysis, topics
from state.analysis import AnalysisOutput, AnalysisState, DocumentInput
from state.settings import Settings


def build() -> StateGraph[AnalysisState, Settings, DocumentInput, AnalysisOutput]:
    """Return the analysis graph, uncompiled."""
    builder = StateGraph(
        AnalysisState, context_schema=Settings, input_schema=DocumentInput, output_schema=AnalysisOutput
    )
    builder.add_node("intake", analysis_intake)
    branches = {"sentiment": sentiment, "entities": entities, "summary": summary, "topics": topics}
    for name, stage in branches.items():
        builder.add_node(name, stage, retry_policy=MODEL_RETRY)
        builder.add_edge("intake", name)
    builder.add_node("synthesize", synthesize_analysis, retry_policy=MODEL_RETRY)
    builder.add_edge(START, "intake")
    builder.add_edge(list(branches), "synthesize")
    builder.add_edge("synthesize", END)
    return builder


graph = build().compile(name="analysis")
