"""Mixed parallel-sequential: extraction, three analyses in parallel, then a synthesis report."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from graphs.policies import MODEL_RETRY
from nodes.analysis import (
    extract,
    opportunity,
    prepare,
    record_failure_then,
    requirements,
    risk,
    synthesize_report,
)
from state.analysis import DocumentInput, ReportOutput, ReportState
from state.settings import Settings


def build() -> StateGraph[ReportState, Settings, DocumentInput, ReportOutput]:
    """Return the report graph, uncompiled."""
    builder = StateGraph(ReportState, context_schema=Settings, input_schema=DocumentInput, output_schema=ReportOutput)
    builder.add_node("prepare", prepare)
    builder.add_node("extract", extract, retry_policy=MODEL_RETRY)
    on_error = record_failure_then("synthesize")
    for name, stage in (("risk", risk), ("opportunity", opportunity), ("requirements", requirements)):
        builder.add_node(name, stage, retry_policy=MODEL_RETRY, error_handler=on_error)
        builder.add_edge("extract", name)
        builder.add_edge(name, "synthesize")
    builder.add_node("synthesize", synthesize_report, retry_policy=MODEL_RETRY)
    builder.add_edge(START, "prepare")
    builder.add_edge("prepare", "extract")
    builder.add_edge("synthesize", END)
    return builder


graph = build().compile(name="report")
