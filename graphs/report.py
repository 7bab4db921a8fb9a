"""Mixed parallel-sequential: extraction, three analyses in parallel, then a synthesis report."""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph

from models.cache import STAGE_CACHE, node_cache, route_reads, wire_cache
from models.retry import MODEL_RETRY
from nodes.analysis import (
    EXTRACT,
    OPPORTUNITY,
    REPORT_SYNTHESIS,
    REQUIREMENTS,
    RISK,
    extract,
    opportunity,
    report_intake,
    requirements,
    risk,
    synthesize_report,
)
from nodes.finish import finish
from state.analysis import DocumentInput, ReportOutput, ReportState
from state.run import stopped
from state.settings import Settings


@route_reads("termination")
def route_after_extract(state: ReportState) -> list[Literal["risk", "opportunity", "requirements"]] | Literal["finish"]:
    """Run the three analyses of the key points in parallel, unless a stop condition ended the run."""
    return "finish" if stopped(state) else ["risk", "opportunity", "requirements"]


def build() -> StateGraph[ReportState, Settings, DocumentInput, ReportOutput]:
    """Return the report graph, uncompiled."""
    builder = StateGraph(ReportState, context_schema=Settings, input_schema=DocumentInput, output_schema=ReportOutput)
    builder.add_node("intake", report_intake)
    builder.add_node("extract", extract, retry_policy=MODEL_RETRY, cache_policy=node_cache(EXTRACT))
    branches = {
        "risk": (risk, RISK),
        "opportunity": (opportunity, OPPORTUNITY),
        "requirements": (requirements, REQUIREMENTS),
    }
    for name, (branch, stage) in branches.items():
        builder.add_node(name, branch, retry_policy=MODEL_RETRY, cache_policy=node_cache(stage))
    builder.add_conditional_edges("extract", route_after_extract, [*branches, "finish"])
    builder.add_node(
        "synthesize", synthesize_report, retry_policy=MODEL_RETRY, cache_policy=node_cache(REPORT_SYNTHESIS)
    )
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "extract")
    builder.add_edge(list(branches), "synthesize")
    builder.add_edge("synthesize", "finish")
    builder.add_edge("finish", END)
    return wire_cache(builder)


graph = build().compile(name="report", cache=STAGE_CACHE)
