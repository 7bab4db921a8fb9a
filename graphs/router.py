"""Router: classify a customer query's intent and hand it to that intent's handler."""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph

from models.cache import STAGE_CACHE, node_cache, route_reads, wire_cache
from models.retry import MODEL_RETRY
from nodes.finish import finish
from nodes.router import BILLING, CLASSIFY, GENERAL, TECHNICAL, billing, classify, general, intake, technical
from state.router import RouterInput, RouterOutput, RouterState
from state.run import stopped
from state.settings import Settings

Handler = Literal["technical", "billing", "general", "finish"]
_HANDLERS: dict[str, Handler] = {"Technical Support": "technical", "Billing Inquiry": "billing"}


@route_reads("termination")
def route_after_classify(state: RouterState) -> Handler:
    """Route to the handler for the intent; anything else goes to the general handler; a stop ends the run."""
    if stopped(state):
        return "finish"
    return _HANDLERS.get(state.get("intent") or "", "general")


def build() -> StateGraph[RouterState, Settings, RouterInput, RouterOutput]:
    """Return the router graph, uncompiled."""
    builder = StateGraph(RouterState, context_schema=Settings, input_schema=RouterInput, output_schema=RouterOutput)
    builder.add_node("intake", intake)
    builder.add_node("classify", classify, retry_policy=MODEL_RETRY, cache_policy=node_cache(CLASSIFY))
    builder.add_node("technical", technical, retry_policy=MODEL_RETRY, cache_policy=node_cache(TECHNICAL))
    builder.add_node("billing", billing, retry_policy=MODEL_RETRY, cache_policy=node_cache(BILLING))
    builder.add_node("general", general, retry_policy=MODEL_RETRY, cache_policy=node_cache(GENERAL))
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "classify")
    builder.add_conditional_edges("classify", route_after_classify)
    for handler in ("technical", "billing", "general"):
        builder.add_edge(handler, "finish")
    builder.add_edge("finish", END)
    return wire_cache(builder)


graph = build().compile(name="router", cache=STAGE_CACHE)
