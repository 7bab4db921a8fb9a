"""Evaluator-optimizer: draft, then critique and revise until quality, no improvement, budget or the round cap."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph

from graphs.spec import GraphSpec, Section
from nodes.finish import finish
from nodes.intake import intake
from nodes.refine import CRITIQUE, DRAFT, REVISE, check_input, critique, draft, revise
from state.refine import RefineInput, RefineOutput, RefineState
from state.run import stopped
from state.settings import Settings

STAGES = (DRAFT, CRITIQUE, REVISE)


def route_after_draft(state: RefineState) -> Literal["critique", "finish"]:
    """Evaluate the draft, unless the budget ran out writing it."""
    return "finish" if stopped(state) else "critique"


def route_after_critique(state: RefineState) -> Literal["revise", "finish"]:
    """Revise again, unless a stop condition (quality, no improvement, round cap, budget) holds."""
    return "finish" if stopped(state) else "revise"


def build() -> StateGraph[RefineState, Settings, RefineInput, RefineOutput]:
    """Return the refine graph, uncompiled."""
    builder = StateGraph(RefineState, context_schema=Settings, input_schema=RefineInput, output_schema=RefineOutput)
    builder.add_node("intake", intake(RefineState, RefineInput, check_input, STAGES))
    builder.add_node("draft", draft)
    builder.add_node("critique", critique)
    builder.add_node("revise", revise)
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "draft")
    builder.add_conditional_edges("draft", route_after_draft)
    builder.add_conditional_edges("critique", route_after_critique)
    builder.add_conditional_edges("revise", route_after_draft)
    builder.add_edge("finish", END)
    return builder


def show(output: Mapping[str, Any]) -> list[Section]:
    """The score of every round, the best one, and its draft."""
    rounds = ", ".join(f"{r['round']}: {r['score']:.3f}" for r in output.get("rounds") or [])
    return [
        Section("scores by round", rounds),
        Section("best score", f"{output.get('score') or 0:.3f}"),
        Section("", output.get("draft") or ""),
    ]


SPEC = GraphSpec(
    name="refine",
    description="Evaluator-optimizer: draft, critique, revise until quality, no improvement, budget or "
    "round cap (--task).",
    build=build,
    input=RefineInput,
    check=check_input,
    from_text=lambda text, options: {"text": text, "task": options.task},
    stages=STAGES,
    show=show,
)
graph = SPEC.compile()
