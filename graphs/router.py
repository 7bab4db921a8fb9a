"""Router: classify a customer query's intent and hand it to that intent's handler."""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph

from models.retry import MODEL_RETRY
from nodes.router import billing, classify, general, technical
from nodes.sync import both_ways
from state.router import RouterInput, RouterOutput, RouterState
from state.settings import Settings

Handler = Literal["technical", "billing", "general"]
_HANDLERS: dict[str, Handler] = {"Technical Support": "technical", "Billing Inquiry": "billing"}


def route_after_classify(state: RouterState) -> Handler:
    """Route to the handler for the intent; anything else goes to the general handler."""
    return _HANDLERS.get(state.get("intent", ""), "general")


def build() -> StateGraph[RouterState, Settings, RouterInput, RouterOutput]:
    """Return the router graph, uncompiled."""
    builder = StateGraph(RouterState, context_schema=Settings, input_schema=RouterInput, output_schema=RouterOutput)
    builder.add_node("classify", both_ways(classify), retry_policy=MODEL_RETRY)
    builder.add_node("technical", both_ways(technical), retry_policy=MODEL_RETRY)
    builder.add_node("billing", both_ways(billing), retry_policy=MODEL_RETRY)
    builder.add_node("general", both_ways(general), retry_policy=MODEL_RETRY)
    builder.add_edge(START, "classify")
    builder.add_conditional_edges("classify", route_after_classify)
    for handler in ("technical", "billing", "general"):
        builder.add_edge(handler, END)
    return builder


graph = build().compile(name="router")
