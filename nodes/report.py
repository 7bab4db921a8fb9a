"""Stages of the report graph: extract the key points, three analyses of them, a report."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from models.effects import Steps
from models.prompts import Prompt
from models.seam import stage_model
from models.stage import Stage
from models.tiers import StageProfile
from nodes.analysis import DATA_NOTE, branch, join_findings
from nodes.node import node
from state.report import Extraction, Findings, ReportState

EXTRACT = Stage(
    "extract",
    Prompt(
        name="extract",
        version="1",
        system="Extract the key information of the document as self-contained statements of fact." + DATA_NOTE,
        user="<document>\n{document}\n</document>",
    ),
    StageProfile(complexity="low", task_type="extract"),
)
RISK = Stage(
    "risk",
    Prompt(
        name="risk",
        version="1",
        system="From the key points in <key_points>, list the risks they mention, one statement each.",
        user="<key_points>\n{key_points}\n</key_points>",
    ),
    StageProfile(complexity="high", task_type="analysis"),
)
OPPORTUNITY = Stage(
    "opportunity",
    Prompt(
        name="opportunity",
        version="1",
        system="From the key points in <key_points>, list the opportunities they mention, one statement each.",
        user="<key_points>\n{key_points}\n</key_points>",
    ),
    StageProfile(complexity="high", task_type="analysis"),
)
REQUIREMENTS = Stage(
    "requirements",
    Prompt(
        name="requirements",
        version="1",
        system="From the key points in <key_points>, list the requirements and obligations they state.",
        user="<key_points>\n{key_points}\n</key_points>",
    ),
    StageProfile(complexity="low", task_type="extract"),
)
REPORT_SYNTHESIS = Stage(
    "report_synthesis",
    Prompt(
        name="report_synthesis",
        version="1",
        system=(
            "Write a concise report in Markdown from the analyses in <findings> (JSON): overview, "
            "risks, opportunities, requirements, and a recommendation. If <missing> names analyses "
            "that failed, say which sections are missing instead of inventing them."
        ),
        user="<findings>\n{findings}\n</findings>\n<missing>{missing}</missing>",
    ),
    StageProfile(complexity="high", task_type="writing", quality_critical=True),
)


@node
def extract(state: ReportState, runtime: Runtime[Any]) -> Steps[dict[str, Any]]:
    """Extract the document's key points."""
    llm = stage_model(EXTRACT, runtime, state)
    result = yield from llm.structured(Extraction, EXTRACT.prompt.render(document=state["document"]))
    return {"key_points": result.key_points}


def _findings(stage: Stage, key: str, state: ReportState, runtime: Runtime[Any]) -> Steps[dict[str, Any]]:
    llm = stage_model(stage, runtime, state)
    points = "\n".join(f"- {p}" for p in state["key_points"])
    result = yield from llm.structured(Findings, stage.prompt.render(key_points=points))
    return {key: result.items}


@branch
def risk(state: ReportState, runtime: Runtime[Any]) -> Steps[dict[str, Any]]:
    """List the risks in the key points."""
    return (yield from _findings(RISK, "risks", state, runtime))


@branch
def opportunity(state: ReportState, runtime: Runtime[Any]) -> Steps[dict[str, Any]]:
    """List the opportunities in the key points."""
    return (yield from _findings(OPPORTUNITY, "opportunities", state, runtime))


@branch
def requirements(state: ReportState, runtime: Runtime[Any]) -> Steps[dict[str, Any]]:
    """List the requirements in the key points."""
    return (yield from _findings(REQUIREMENTS, "requirements", state, runtime))


REPORT_PARTS = ("key_points", "risks", "opportunities", "requirements")


@node
def synthesize_report(state: ReportState, runtime: Runtime[Any]) -> Steps[dict[str, Any]]:
    """Write the report from the analyses, naming any missing section."""
    return (yield from join_findings(REPORT_SYNTHESIS, REPORT_PARTS, "report", state, runtime))
