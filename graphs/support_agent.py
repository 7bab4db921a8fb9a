"""Support agent: the orchestrator-worker's job done by one agent with the support desk's operations as tools."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langgraph.graph import END, START, StateGraph

from graphs.spec import GraphSpec, Section
from nodes.finish import finish
from nodes.intake import intake
from nodes.orchestrator import check_input, check_services
from nodes.support_agent import AGENT, agent, remember_rules
from state.orchestrator import SupportInput
from state.settings import Settings
from state.support_agent import SupportAgentOutput, SupportAgentState

STAGES = (AGENT,)


def build() -> StateGraph[SupportAgentState, Settings, SupportInput, SupportAgentOutput]:
    """Return the support agent graph, uncompiled: intake, the request's rules, the agent, finish."""
    builder = StateGraph(
        SupportAgentState, context_schema=Settings, input_schema=SupportInput, output_schema=SupportAgentOutput
    )
    builder.add_node("intake", intake(SupportAgentState, SupportInput, check_input, STAGES))
    builder.add_node("remember_rules", remember_rules)
    builder.add_node("agent", agent)  # no node retry: its tools retry the desk (a retry would re-ask every turn)
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "remember_rules")
    builder.add_edge("remember_rules", "agent")
    builder.add_edge("agent", "finish")
    builder.add_edge("finish", END)
    return builder


def show(output: Mapping[str, Any]) -> list[Section]:
    """Each tool call with what the desk answered, then the reply to the customer."""
    lines = []
    for i, call in enumerate(output.get("tool_calls") or []):
        args = ", ".join(f"{k}={v!r}" for k, v in (call.get("args") or {}).items())
        result = call.get("result")
        said = f"{result.get('status')}: {result.get('summary')}" if isinstance(result, dict) else str(result)
        lines.append(f"{i + 1}. {call.get('name')}({args}) -> {said}")
    sections = [Section("tool calls", "\n".join(lines) or "none")]
    if output.get("ended_by") == "step_cap":
        sections.append(Section("", "the agent used all its model turns; the reply lists what was done", "warn"))
    return [*sections, Section("reply", output.get("reply") or "")]


SPEC = GraphSpec(
    name="support_agent",
    description="Support agent: one agent with the support desk's operations as tools, one reply.",
    build=build,
    input=SupportInput,
    check=check_input,
    from_text=lambda text, options: {"query": text},
    stages=STAGES,
    show=show,
    services=(check_services,),
)
graph = SPEC.compile()
