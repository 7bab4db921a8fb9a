"""Mixed parallel-sequential: extraction, three analyses in parallel, then a synthesis report."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from models.retry import MODEL_RETRY
from nodes.analysis import extract, opportunity, report_intake, requirements, risk, synthesize_report
from state.analysis import DocumentInput, ReportOutput, ReportState
from state.settings import Settings


def build() -> StateGraph[ReportState, Settings, DocumentInput, ReportOutput]:
    """Return the report graph, uncompiled."""
    builder = StateGraph(ReportState, context_schema=Settings, input_schema=DocumentInput, output_schema=ReportOutput)
    builder.add_node("intake", report_intake)
    builder.add_node("extract", extract, retry_policy=MODEL_RETRY)
    branches = {"risk": risk, "opportunity": opportunity, "requirements": requirements}
    for name, stage in branches.items():
        builder.add_node(name, stage, retry_policy=MODEL_RETRY)
        builder.add_edge("extract", name)
    builder.add_node("synthesize", synthesize_report, retry_policy=MODEL_RETRY)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "extract")
    builder.add_edge(list(branches), "synthesize")
    builder.add_edge("synthesize", END)
    return builder


graph = build().compile(name="report")
