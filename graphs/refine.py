"""Evaluator-optimizer: draft, then critique and revise until quality, no improvement, budget or the round cap."""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph

from models.cache import STAGE_CACHE, node_cache, route_reads, wire_cache
from models.retry import MODEL_RETRY
from nodes.finish import finish
from nodes.refine import CRITIQUE, DRAFT, REVISE, critique, draft, intake, revise
from state.document import RefineInput, RefineOutput, RefineState
from state.run import stopped
from state.settings import Settings


@route_reads("termination")
def route_after_draft(state: RefineState) -> Literal["critique", "finish"]:
    """Evaluate the draft, unless the budget ran out writing it."""
    return "finish" if stopped(state) else "critique"


@route_reads("termination")
def route_after_critique(state: RefineState) -> Literal["revise", "finish"]:
    """Revise again, unless a stop condition (quality, no improvement, round cap, budget) holds."""
    return "finish" if stopped(state) else "revise"


def build() -> StateGraph[RefineState, Settings, RefineInput, RefineOutput]:
    """Return the refine graph, uncompiled."""
    builder = StateGraph(RefineState, context_schema=Settings, input_schema=RefineInput, output_schema=RefineOutput)
    builder.add_node("intake", intake)
    builder.add_node("draft", draft, retry_policy=MODEL_RETRY, cache_policy=node_cache(DRAFT))
    builder.add_node("critique", critique, retry_policy=MODEL_RETRY, cache_policy=node_cache(CRITIQUE))
    builder.add_node("revise", revise, retry_policy=MODEL_RETRY, cache_policy=node_cache(REVISE))
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "draft")
    builder.add_conditional_edges("draft", route_after_draft)
    builder.add_conditional_edges("critique", route_after_critique)
    builder.add_conditional_edges("revise", route_after_draft)
    builder.add_edge("finish", END)
    return wire_cache(builder)


graph = build().compile(name="refine", cache=STAGE_CACHE)
