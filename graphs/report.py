"""Mixed parallel-sequential: extraction, three analyses in parallel, then a synthesis report."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from models.retry import MODEL_RETRY
from nodes.analysis import extract, opportunity, prepare, recording_failures, requirements, risk, synthesize_report
from nodes.sync import both_ways
from state.analysis import DocumentInput, ReportOutput, ReportState
from state.settings import Settings


def build() -> StateGraph[ReportState, Settings, DocumentInput, ReportOutput]:
    """Return the report graph, uncompiled."""
    builder = StateGraph(ReportState, context_schema=Settings, input_schema=DocumentInput, output_schema=ReportOutput)
    builder.add_node("prepare", both_ways(prepare))
    builder.add_node("extract", both_ways(extract), retry_policy=MODEL_RETRY)
    branches = {"risk": risk, "opportunity": opportunity, "requirements": requirements}
    for name, stage in branches.items():
        builder.add_node(name, both_ways(recording_failures(stage)), retry_policy=MODEL_RETRY)
        builder.add_edge("extract", name)
    builder.add_node("synthesize", both_ways(synthesize_report), retry_policy=MODEL_RETRY)
    builder.add_edge(START, "prepare")
    builder.add_edge("prepare", "extract")
    builder.add_edge(list(branches), "synthesize")
    builder.add_edge("synthesize", END)
    return builder


graph = build().compile(name="report")
