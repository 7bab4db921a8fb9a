"""The offline engine as an agent: it chooses tools from the message, calls them, then writes from their results.

An agent's turn gets the whole conversation so far (the request, the tool calls already made and
what each tool answered) and the tools it may call. The engine answers as a model would: with
real tool calls (several at once when they do not depend on each other) or, once nothing is left
to do, with text written from the tools' results. Nothing is looked up here: what an invoice,
order or return holds comes back only through the tools.

- The support desk's tools (`lookup_invoice`, `open_case`, `order_status`, `create_rma`,
  `hand_to_colleague`) are chosen the way the orchestrator's decomposition reads a message
  (offline.text.support): one request, one line of work; a case is opened only for an invoice
  the lookup found, with the customer's concern about it.
- Any other tools (a pipeline's): each tool whose parameters are all the stage's inputs, once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from offline import text as T
from offline.skills import SkillRequest, synthesize_reply, tag

ToolCall = dict[str, Any]
"""A call the engine asks for: {"name": ..., "args": {...}}."""
AgentSkill = Callable[[SkillRequest, Sequence[BaseMessage], Sequence[dict[str, Any]]], "str | list[ToolCall]"]

DESK_TOOLS = frozenset({"lookup_invoice", "open_case", "order_status", "create_rma", "hand_to_colleague"})
# The kind of request each desk tool's result answers, for the reply (offline.skills._paragraph).
_KIND = {
    "lookup_invoice": "Invoice",  # a lookup alone (no case opened): its facts, as they are
    "open_case": "BillingInquiry",
    "order_status": "StatusUpdate",
    "create_rma": "ProductReturn",
    "hand_to_colleague": "Unknown",
}


def agent_turn(request: SkillRequest, messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]]) -> Any:
    """Return the next turn: a list of tool calls, or the final text."""
    names = {tool["function"]["name"] for tool in tools}
    if names & DESK_TOOLS and "message" in request.values:
        return support_turn(request, messages, names)
    return generic_turn(request, messages, tools)


def _done(messages: Sequence[BaseMessage]) -> dict[str, Any]:
    """The calls made so far, by name and arguments, with what each tool answered (None: no answer yet)."""
    answers = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
    done: dict[str, Any] = {}
    for message in messages:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                answer = answers.get(call["id"] or "")
                done[_key(call["name"], call["args"])] = _parsed(answer.text) if answer is not None else None
    return done


def _key(name: str, args: dict[str, Any]) -> str:
    return name + json.dumps(args, sort_keys=True, ensure_ascii=False)


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def support_turn(request: SkillRequest, messages: Sequence[BaseMessage], tools: set[str]) -> str | list[ToolCall]:
    """Plan the desk's work for the message: what is still to call, else the reply from what was done."""
    message = tag(request, "message")
    done = _done(messages)
    todo: list[ToolCall] = []
    results: list[dict[str, Any]] = []

    def step(name: str, args: dict[str, Any]) -> Any:
        """The tool's answer if it was called, else schedule the call (if the tool is there) and return None."""
        key = _key(name, args)
        if key in done:
            return done[key]
        if name in tools and all(_key(c["name"], c["args"]) != key for c in todo):
            todo.append({"name": name, "args": args})
        return None

    for task in T.extract_support_tasks(message):
        kind = task["query_type"]
        answer: Any = None
        if kind == "BillingInquiry":
            found = step("lookup_invoice", {"invoice_number": task["invoice_number"]})
            if isinstance(found, dict) and found.get("status") == "done" and "open_case" in tools:
                number = str(found.get("facts", {}).get("invoice_number") or task["invoice_number"])
                concern = T.extract_concern(message, number)
                answer = step("open_case", {"invoice_number": number, "concern": concern})
                name = "open_case"
            else:
                answer, name = found, "lookup_invoice"
        elif kind == "StatusUpdate":
            answer, name = step("order_status", {"order_id": task["order_id"]}), "order_status"
        elif kind == "ProductReturn":
            args = {"product_name": task["product_name"], "reason_for_return": task["reason_for_return"]}
            answer, name = step("create_rma", args), "create_rma"
        else:
            answer, name = step("hand_to_colleague", {"request": task.get("request", "")}), "hand_to_colleague"
        if isinstance(answer, dict):
            results.append({"query_type": _KIND[name], **answer})
    if todo:
        return todo
    if not results:
        return (
            "Hi there,\n\nThank you for getting in touch. I couldn't find a specific request in your message "
            "that I can act on. Could you tell me what you need help with - for example an invoice number, an "
            "order number, or the product you'd like to return?\n\nBest regards,\nCustomer Support Team"
        )
    return synthesize_reply(
        SkillRequest(stage=request.stage, system="", values={"results": json.dumps(results)}, schema=None)
    )


def generic_turn(
    request: SkillRequest, messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]]
) -> str | list[ToolCall]:
    """Call, once, each tool whose required parameters are all inputs of the stage; then report what they said."""
    done = _done(messages)
    todo: list[ToolCall] = []
    lines: list[str] = []
    for tool in tools:
        function = tool["function"]
        params = function.get("parameters") or {}
        wanted = list(params.get("required") or (params.get("properties") or {}).keys())
        if not wanted or any(name not in request.values for name in wanted):
            continue
        args = {name: request.values[name].strip() for name in wanted}
        key = _key(function["name"], args)
        if key not in done:
            todo.append({"name": function["name"], "args": args})
        elif done[key] is not None:
            said = done[key] if isinstance(done[key], str) else json.dumps(done[key], ensure_ascii=False)
            lines.append(f"{function['name']}: {said}")
    if todo:
        return todo
    if not lines:
        return T.summarize(" ".join(request.values.values()), 3) or "Nothing to report."
    return "\n".join(lines)


AGENT_SKILLS: dict[str, AgentSkill] = {"support_agent": agent_turn}
"""The agent stages the engine plays, by prompt name (a pipeline's agent stages get `agent_turn` too)."""
