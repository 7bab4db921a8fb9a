"""Mixed parallel-sequential: extraction, three analyses in parallel, then a synthesis report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph

from graphs.spec import GraphSpec, Section, failed_branches
from nodes.analysis import check_input
from nodes.finish import finish
from nodes.intake import intake
from nodes.report import (
    EXTRACT,
    OPPORTUNITY,
    REPORT_SYNTHESIS,
    REQUIREMENTS,
    RISK,
    extract,
    opportunity,
    requirements,
    risk,
    synthesize_report,
)
from state.analysis import DocumentInput
from state.report import ReportOutput, ReportState
from state.run import stopped
from state.settings import Settings

STAGES = (EXTRACT, RISK, OPPORTUNITY, REQUIREMENTS, REPORT_SYNTHESIS)


def route_after_extract(state: ReportState) -> list[Literal["risk", "opportunity", "requirements"]] | Literal["finish"]:
    """Run the three analyses of the key points in parallel, unless a stop condition ended the run."""
    return "finish" if stopped(state) else ["risk", "opportunity", "requirements"]


def build() -> StateGraph[ReportState, Settings, DocumentInput, ReportOutput]:
    """Return the report graph, uncompiled."""
    builder = StateGraph(ReportState, context_schema=Settings, input_schema=DocumentInput, output_schema=ReportOutput)
    builder.add_node("intake", intake(ReportState, DocumentInput, check_input, STAGES))
    builder.add_node("extract", extract)
    branches = (risk, opportunity, requirements)
    for branch in branches:
        builder.add_node(branch.get_name(), branch)
    builder.add_conditional_edges("extract", route_after_extract, [*(b.get_name() for b in branches), "finish"])
    builder.add_node("synthesize", synthesize_report)
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "extract")
    builder.add_edge([branch.get_name() for branch in branches], "synthesize")
    builder.add_edge("synthesize", "finish")
    builder.add_edge("finish", END)
    return builder


def show(output: Mapping[str, Any]) -> list[Section]:
    """Any analysis that failed, then the report (Markdown)."""
    return [*failed_branches(output), Section("", output.get("report") or "", "markdown")]


SPEC = GraphSpec(
    name="report",
    description="Parallel-sequential: extract, then risks / opportunities / requirements at once, then a report.",
    build=build,
    input=DocumentInput,
    check=check_input,
    from_text=lambda text, options: {"document": text},
    stages=STAGES,
    show=show,
)
graph = SPEC.compile()
