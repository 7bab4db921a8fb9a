"""A fake chat model at the model seam: a handler answers each stage's calls, in httpx.MockTransport's spirit.

    def handler(call: Call) -> Answer:          # the stage, its messages, its parsed prompt values
        if call.stage == "classify":
            return {"intent": "Billing Inquiry", "confidence": 0.9}    # a structured answer
        return "Thank you."                                           # a text answer

    with fake_provider(handler):                # registered as provider "fake" for the block
        graph.invoke(payload, context=Settings(provider="fake"))

`DEFAULTS` answers every stage of the shipped graphs plainly (valid output, nothing clever), so a
test writes a handler only for what it is about. Nothing here is the offline engine: graph tests
that check wiring, fan-out, budgets and failures do not move when the engine's heuristics do.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool

from models.providers import ModelSpec, register_provider, unregister_provider

Answer = AIMessage | str | dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One model call as a handler sees it."""

    stage: str
    messages: list[BaseMessage]
    values: dict[str, str]
    """The stage's prompt variables, parsed back out of the messages (empty for a re-ask's history)."""
    schema: str | None
    """The name of the structured output asked for, or None for text."""


Handler = Callable[[Call], Answer]


class FakeChatModel(BaseChatModel):
    """A chat model whose every answer comes from a handler; structured answers come as tool calls."""

    stage: str
    prompt: Any = None
    handler: Any
    model_name: str = "fake"
    latency: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "stagecraft-fake"

    def bind_tools(
        self, tools: Any, *, tool_choice: str | None = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tool schemas; the handler's dict answers the first one."""
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)

    def _answer(self, messages: list[BaseMessage], tools: list[dict[str, Any]] | None) -> AIMessage:
        try:
            values = self.prompt.parse(messages) if self.prompt is not None else {}
        except KeyError:
            values = {}
        schema = tools[0]["function"]["name"] if tools else None
        answer = self.handler(Call(self.stage, list(messages), values, schema))
        if isinstance(answer, AIMessage):
            message = answer
        elif isinstance(answer, dict):
            name = schema or "output"
            message = AIMessage(
                content="", tool_calls=[{"name": name, "args": answer, "id": "fake", "type": "tool_call"}]
            )
        else:
            message = AIMessage(content=answer)
        if message.usage_metadata is None:
            message.usage_metadata = {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
        message.response_metadata = {
            "model_name": self.model_name,
            "finish_reason": "stop",
            **message.response_metadata,
        }
        return message

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        started = time.perf_counter()
        try:
            message = self._answer(messages, kwargs.get("tools"))
        finally:
            if (left := self.latency - (time.perf_counter() - started)) > 0:
                time.sleep(left)
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        try:
            message = self._answer(messages, kwargs.get("tools"))
        finally:
            if self.latency > 0:
                await asyncio.sleep(self.latency)
        return ChatResult(generations=[ChatGeneration(message=message)])


@contextmanager
def fake_provider(
    handler: Handler, name: str = "fake", latency: Callable[[str], float] = lambda stage: 0.0
) -> Iterator[None]:
    """Register `handler` as provider `name` for the block."""

    def factory(spec: ModelSpec) -> FakeChatModel:
        return FakeChatModel(
            stage=spec.stage.name,
            prompt=spec.stage.prompt,
            handler=handler,
            model_name=spec.model,
            latency=latency(spec.stage.name),
        )

    register_provider(name, factory)
    try:
        yield
    finally:
        unregister_provider(name)


# Plain answers for every stage of the shipped graphs: valid, deterministic, nothing clever.

_ID = re.compile(r"#?\b([A-Z]{1,4}-\d{3,})\b")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]


def _classify(call: Call) -> Answer:
    query = call.values.get("query", "").lower()
    if any(w in query for w in ("invoice", "charge", "bill", "refund", "payment", "subscription")):
        return {"intent": "Billing Inquiry", "confidence": 0.9}
    if any(w in query for w in ("internet", "router", "wifi", "connection", "crash", "error", "screen", "password")):
        return {"intent": "Technical Support", "confidence": 0.9}
    return {"intent": "General Question", "confidence": 0.9}


def _decompose(call: Call) -> Answer:
    message = call.values.get("message", "")
    tasks: list[dict[str, Any]] = []
    for found in _ID.finditer(message):
        kind = "BillingInquiry" if found.group(1).startswith("INV") else "StatusUpdate"
        field = "invoice_number" if kind == "BillingInquiry" else "order_id"
        tasks.append({"query_type": kind, field: found.group(1)})
    for name in re.findall(r"return (?:the |my )?'([^']+)'", message):
        tasks.append({"query_type": "ProductReturn", "product_name": name, "reason_for_return": "not specified"})
    return {"tasks": tasks}


def _questions(call: Call) -> Answer:
    sources = json.loads(call.values.get("sources", "[]"))
    count = int(call.values.get("count", "1"))
    titles = [s["title"] for s in sources] or ["the sources"]
    return {"questions": [f"What does {titles[i % len(titles)]} say, point {i + 1}?" for i in range(count)]}


def _answer(call: Call) -> Answer:
    sources = json.loads(call.values.get("sources", "[]"))
    first = _sentences(sources[0]["content"])[0] if sources else ""
    return {"answerable": bool(first), "answer": first or "The sources do not say."}


def _attribute(call: Call) -> Answer:
    sources = json.loads(call.values.get("sources", "[]"))
    return {"sources": [sources[0]["title"]] if sources else []}


def _first_sentence(variable: str) -> Callable[[Call], Answer]:
    def answer(call: Call) -> Answer:
        sentences = _sentences(call.values.get(variable, ""))
        return sentences[0] if sentences else "Nothing to say."

    return answer


def _findings(call: Call) -> Answer:
    points = [p.removeprefix("- ").strip() for p in call.values.get("key_points", "").splitlines() if p.strip()]
    return {"items": points[:1]}


DEFAULTS: dict[str, Handler] = {
    "classify": _classify,
    "technical": lambda call: "Sorry to hear that; which device are you using?",
    "billing": lambda call: "I will look into your account; could you send your account number?",
    "general": lambda call: "Could you tell me a little more about what you need?",
    "decompose": _decompose,
    "billing_concern": lambda call: {"concern": "The invoice is higher than expected."},
    "synthesize_reply": lambda call: "Dear customer, here is what we did: " + call.values.get("results", ""),
    "generate_questions": _questions,
    "answer": _answer,
    "attribute": _attribute,
    "summarize": _first_sentence("text"),
    "translate": lambda call: f"[{call.values.get('language')}] {call.values.get('text', '')}",
    "sentiment": lambda call: {"label": "positive", "confidence": 0.8, "key_phrases": ["strong growth"]},
    "entities": lambda call: {"entities": [{"name": "Northwind Energy", "type": "ORGANIZATION"}]},
    "doc_summary": lambda call: {"summary": _first_sentence("document")(call)},
    "topics": lambda call: {"topics": [{"name": "energy", "relevance": 0.9}]},
    "analysis_synthesis": lambda call: "Briefing: " + call.values.get("findings", "")[:200],
    "extract": lambda call: {"key_points": _sentences(call.values.get("document", ""))[:3] or ["Nothing."]},
    "risk": _findings,
    "opportunity": _findings,
    "requirements": _findings,
    "report_synthesis": lambda call: "# Report\n\n" + call.values.get("findings", "")[:200],
    "assess": lambda call: {"complexity": "complex", "length": "medium", "confidence": 0.9},
    "brief": lambda call: {"brief": _first_sentence("document")(call)},
    "doc_risks": lambda call: {"items": ["A risk."]},
    "doc_opportunities": lambda call: {"items": ["An opportunity."]},
    "doc_synthesis": lambda call: {"synthesis": "A briefing.", "confidence": 0.9},
    "verify": lambda call: {"supported": True, "unsupported": []},
    "draft": lambda call: {"draft": _first_sentence("text")(call)},
    "critique": lambda call: {"score": 0.9, "feedback": []},
    "revise": lambda call: {"draft": call.values.get("draft", "A draft.")},
}


def plain(call: Call) -> Answer:
    """Answer any stage of the shipped graphs plainly (DEFAULTS)."""
    return DEFAULTS[call.stage](call)
