"""Chain: write questions about sources, answer and attribute each one concurrently."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import get_runtime
from langgraph.types import Send

from graphs.spec import GraphSpec, Section
from models.progress import emit
from nodes.faq import (
    ANSWER,
    ATTRIBUTE,
    GENERATE_QUESTIONS,
    MAX_QUESTIONS,
    answer_question,
    assemble,
    check_input,
    generate_questions,
    sources_per_question,
)
from nodes.finish import finish
from nodes.intake import intake
from state.faq import FaqInput, FaqOutput, FaqState, QuestionTask
from state.inputs import InputError, TextOptions
from state.run import stopped
from state.settings import Settings, settings_of

STAGES = (GENERATE_QUESTIONS, ANSWER, ATTRIBUTE)


def fan_out_questions(state: FaqState) -> list[Send] | Literal["finish"]:
    """Send each question to its own answering worker; a stop condition ends the run instead."""
    if stopped(state):
        return "finish"
    # A served client can write `questions` (threads.update_state): no more are sent than any
    # valid input asks for.
    questions = state["questions"][:MAX_QUESTIONS]
    emit("fan_out", node="answer_question", count=len(questions))
    budget = settings_of(get_runtime()).faq_context_chars
    chosen = sources_per_question(questions, state["sources"], budget)
    return [
        Send("answer_question", QuestionTask(index=i, question=q, sources=sources, request_id=state["request_id"]))
        for i, (q, sources) in enumerate(zip(questions, chosen, strict=True))
    ]


def build() -> StateGraph[FaqState, Settings, FaqInput, FaqOutput]:
    """Return the FAQ graph, uncompiled."""
    builder = StateGraph(FaqState, context_schema=Settings, input_schema=FaqInput, output_schema=FaqOutput)
    builder.add_node("intake", intake(FaqState, FaqInput, check_input, STAGES))
    builder.add_node("generate_questions", generate_questions)
    builder.add_node("answer_question", answer_question, input_schema=QuestionTask)
    builder.add_node("assemble", assemble)
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "generate_questions")
    builder.add_conditional_edges("generate_questions", fan_out_questions, ["answer_question", "finish"])
    builder.add_edge("answer_question", "assemble")
    builder.add_edge("assemble", "finish")
    builder.add_edge("finish", END)
    return builder


def from_text(text: str, options: TextOptions) -> dict[str, Any]:
    """Sources as a JSON list of {title, content}, or the text as one source titled after its file."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            sources = json.loads(stripped)
        except (ValueError, RecursionError) as exc:  # RecursionError: arrays nested 100,000 deep
            raise InputError(f"the sources look like JSON but do not parse: {str(exc)[:120]}") from None
    else:
        sources = [{"title": options.source_title, "content": text}]
    return {"sources": sources, "num_questions": options.questions}


def show(output: Mapping[str, Any]) -> list[Section]:
    """Each question with its answer and the sources it cites; why there are fewer than asked."""
    sections = []
    for i, entry in enumerate(output.get("faq") or [], 1):
        fallback = "not named (the budget ran out first)" if entry.get("answerable") else "no source"
        cited = ", ".join(entry["sources"]) or fallback
        sections.append(Section(f"{i}. {entry['question']}", f"{entry['answer']}\nsources: {cited}"))
    if output.get("shortfall"):
        sections.append(Section("Fewer questions", f"{output['shortfall']}.", "warn"))
    return sections


SPEC = GraphSpec(
    name="faq",
    description="Chain: write N questions about source documents, answer each from them and cite them.",
    build=build,
    input=FaqInput,
    check=check_input,
    from_text=from_text,
    stages=STAGES,
    show=show,
    max_concurrency=8,
)
graph = SPEC.compile()
