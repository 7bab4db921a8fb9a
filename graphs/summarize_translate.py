"""Chain: summarise a text, then translate the summary."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from models.retry import MODEL_RETRY
from nodes.summarize_translate import intake, summarize, translate
from state.chain import SummarizeTranslateInput, SummarizeTranslateOutput, SummarizeTranslateState
from state.settings import Settings


def build() -> StateGraph[SummarizeTranslateState, Settings, SummarizeTranslateInput, SummarizeTranslateOutput]:
    """Return the summarise -> translate graph, uncompiled."""
    builder = StateGraph(
        SummarizeTranslateState,
        context_schema=Settings,
        input_schema=SummarizeTranslateInput,
        output_schema=SummarizeTranslateOutput,
    )
    builder.add_node("intake", intake)
    builder.add_node("summarize", summarize, retry_policy=MODEL_RETRY)
    builder.add_node("translate", translate, retry_policy=MODEL_RETRY)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "summarize")
    builder.add_edge("summarize", "translate")
    builder.add_edge("translate", END)
    return builder


graph = build().compile(name="summarize_translate")
