"""Chain: write questions about sources, answer and attribute each one concurrently."""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import get_runtime
from langgraph.types import Send

from models.cache import STAGE_CACHE, node_cache, wire_cache
from models.progress import emit
from models.retry import MODEL_RETRY
from nodes.faq import (
    ANSWER,
    ATTRIBUTE,
    GENERATE_QUESTIONS,
    answer_question,
    ask_each,
    assemble,
    generate_questions,
    intake,
    sources_per_question,
)
from nodes.finish import finish
from state.chain import FaqInput, FaqOutput, FaqState, QuestionTask
from state.run import stopped
from state.settings import Settings, settings_of


def fan_out_questions(state: FaqState) -> list[Send] | Literal["finish"]:
    """Send each question to its own answering worker; a stop condition ends the run instead."""
    if stopped(state):
        return "finish"
    emit("fan_out", node="answer_question", count=len(state["questions"]))
    budget = settings_of(get_runtime()).faq_context_chars
    chosen = sources_per_question(state["questions"], state["sources"], budget)
    return [
        Send(
            "answer_question",
            QuestionTask(
                index=i,
                question=q,
                sources=sources,
                request_id=state["request_id"],
                cache_scope=state["cache_scope"],
            ),
        )
        for i, (q, sources) in enumerate(zip(state["questions"], chosen, strict=True))
    ]


def build() -> StateGraph[FaqState, Settings, FaqInput, FaqOutput]:
    """Return the FAQ graph, uncompiled."""
    builder = StateGraph(FaqState, context_schema=Settings, input_schema=FaqInput, output_schema=FaqOutput)
    builder.add_node("intake", intake)
    builder.add_node(
        "generate_questions",
        generate_questions,
        retry_policy=MODEL_RETRY,
        cache_policy=node_cache(GENERATE_QUESTIONS),
    )
    builder.add_node("ask_each", ask_each)
    builder.add_node(
        "answer_question",
        answer_question,
        input_schema=QuestionTask,
        retry_policy=MODEL_RETRY,
        cache_policy=node_cache(ANSWER, ATTRIBUTE),
    )
    builder.add_node("assemble", assemble)
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "generate_questions")
    builder.add_edge("generate_questions", "ask_each")
    builder.add_conditional_edges("ask_each", fan_out_questions, ["answer_question", "finish"])
    builder.add_edge("answer_question", "assemble")
    builder.add_edge("assemble", "finish")
    builder.add_edge("finish", END)
    return wire_cache(builder)


MAX_CONCURRENCY = 8

graph = build().compile(name="faq", cache=STAGE_CACHE).with_config(max_concurrency=MAX_CONCURRENCY)
