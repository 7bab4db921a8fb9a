"""Chain: summarise a text, then translate the summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph

from graphs.spec import GraphSpec, Section
from nodes.finish import finish
from nodes.intake import intake
from nodes.summarize_translate import SUMMARIZE, TRANSLATE, check_input, summarize, translate
from state.run import stopped
from state.settings import Settings
from state.summarize_translate import SummarizeTranslateInput, SummarizeTranslateOutput, SummarizeTranslateState

STAGES = (SUMMARIZE, TRANSLATE)


def route_after_summary(state: SummarizeTranslateState) -> Literal["translate", "finish"]:
    """Translate the summary, unless a stop condition ended the run."""
    return "finish" if stopped(state) else "translate"


def build() -> StateGraph[SummarizeTranslateState, Settings, SummarizeTranslateInput, SummarizeTranslateOutput]:
    """Return the summarise -> translate graph, uncompiled."""
    builder = StateGraph(
        SummarizeTranslateState,
        context_schema=Settings,
        input_schema=SummarizeTranslateInput,
        output_schema=SummarizeTranslateOutput,
    )
    builder.add_node("intake", intake(SummarizeTranslateState, SummarizeTranslateInput, check_input, STAGES))
    builder.add_node("summarize", summarize)
    builder.add_node("translate", translate)
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "summarize")
    builder.add_conditional_edges("summarize", route_after_summary)
    builder.add_edge("translate", "finish")
    builder.add_edge("finish", END)
    return builder


def show(output: Mapping[str, Any]) -> list[Section]:
    """The summary and its translation."""
    return [
        Section("summary", output.get("summary") or ""),
        Section(f"translation ({output.get('target_language')})", output.get("translation") or ""),
    ]


SPEC = GraphSpec(
    name="summarize_translate",
    description="Chain: summarise a text, then translate the summary (--language).",
    build=build,
    input=SummarizeTranslateInput,
    check=check_input,
    from_text=lambda text, options: {"text": text, "target_language": options.language},
    stages=STAGES,
    show=show,
)
graph = SPEC.compile()
