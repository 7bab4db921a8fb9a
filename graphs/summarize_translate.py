"""Chain: summarise a text, then translate the summary."""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph

from models.cache import STAGE_CACHE, node_cache, route_reads, wire_cache
from models.retry import MODEL_RETRY
from nodes.finish import finish
from nodes.summarize_translate import SUMMARIZE, TRANSLATE, intake, summarize, translate
from state.chain import SummarizeTranslateInput, SummarizeTranslateOutput, SummarizeTranslateState
from state.run import stopped
from state.settings import Settings


@route_reads("termination")
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
    builder.add_node("intake", intake)
    builder.add_node("summarize", summarize, retry_policy=MODEL_RETRY, cache_policy=node_cache(SUMMARIZE))
    builder.add_node("translate", translate, retry_policy=MODEL_RETRY, cache_policy=node_cache(TRANSLATE))
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "summarize")
    builder.add_conditional_edges("summarize", route_after_summary)
    builder.add_edge("translate", "finish")
    builder.add_edge("finish", END)
    return wire_cache(builder)


graph = build().compile(name="summarize_translate", cache=STAGE_CACHE)
