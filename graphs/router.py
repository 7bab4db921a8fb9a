"""Router: classify a customer query's intent and hand it to that intent's handler."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph

from graphs.spec import GraphSpec, Section
from nodes.finish import finish
from nodes.intake import intake
from nodes.router import BILLING, CLASSIFY, GENERAL, TECHNICAL, billing, check_input, classify, general, technical
from state.router import RouterInput, RouterOutput, RouterState
from state.run import stopped
from state.settings import Settings

STAGES = (CLASSIFY, TECHNICAL, BILLING, GENERAL)

Handler = Literal["technical", "billing", "general", "finish"]
_HANDLERS: dict[str, Handler] = {"Technical Support": "technical", "Billing Inquiry": "billing"}


def route_after_classify(state: RouterState) -> Handler:
    """Route to the handler for the intent; anything else goes to the general handler; a stop ends the run."""
    if stopped(state):
        return "finish"
    return _HANDLERS.get(state.get("intent") or "", "general")


def build() -> StateGraph[RouterState, Settings, RouterInput, RouterOutput]:
    """Return the router graph, uncompiled."""
    builder = StateGraph(RouterState, context_schema=Settings, input_schema=RouterInput, output_schema=RouterOutput)
    builder.add_node("intake", intake(RouterState, RouterInput, check_input, STAGES))
    builder.add_node("classify", classify)
    builder.add_node("technical", technical)
    builder.add_node("billing", billing)
    builder.add_node("general", general)
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "classify")
    builder.add_conditional_edges("classify", route_after_classify)
    for handler in ("technical", "billing", "general"):
        builder.add_edge(handler, "finish")
    builder.add_edge("finish", END)
    return builder


def show(output: Mapping[str, Any]) -> list[Section]:
    """The intent, why the query went there, and the handler's reply."""
    return [
        Section("intent", f"{output.get('intent')} ({output.get('route_reason')})"),
        Section("", output.get("response") or ""),
    ]


SPEC = GraphSpec(
    name="router",
    description="Router: classify a support query's intent and answer with that intent's handler.",
    build=build,
    input=RouterInput,
    check=check_input,
    from_text=lambda text, options: {"query": text},
    stages=STAGES,
    show=show,
)
graph = SPEC.compile()
