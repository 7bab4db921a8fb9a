"""An agent as a stage: LangChain's `create_agent` whose every model call goes through the seam.

    AGENT = Stage("support_agent", Prompt(...), StageProfile(...), cache=False)

    @node
    def agent(state, runtime):
        run = yield from run_agent(AGENT, runtime, state, tools, messages, max_steps=8)
        # run.messages, run.tool_calls (name, args, result), run.capped

The agent's model is a `SeamChatModel`: each of its turns is one `StageModel.turn`, so the tier,
the budget, deadlines, retries, the ledger (each entry names the tools that turn called) and the
offline engine apply to every call the agent makes. Tools are Python functions (typed, with a
docstring LangChain turns into their schema). `max_steps` caps the model's turns
(LangChain's ModelCallLimitMiddleware, which ends the loop rather than failing it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langgraph.runtime import Runtime

from models.effects import Invoke, Steps, arun_steps, run_steps
from models.seam import StageModel, stage_model
from models.stage import Stage
from state.ledger import ModelCall

DEFAULT_MAX_STEPS = 8
"""Model turns an agent may take when its stage says nothing else."""


class SeamChatModel(BaseChatModel):
    """A chat model whose every call is a turn of one stage's seam (`StageModel.turn`)."""

    seam: Any
    """The StageModel of the stage, for this node run."""

    @property
    def _llm_type(self) -> str:
        return "stagecraft-seam"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind the tools' schemas (OpenAI-shaped); the seam binds them to the stage's real model."""
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], tool_choice=tool_choice, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        reply = run_steps(self._turn(messages, kwargs))
        return ChatResult(generations=[ChatGeneration(message=reply)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        reply = await arun_steps(self._turn(messages, kwargs))
        return ChatResult(generations=[ChatGeneration(message=reply)])

    def _turn(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> Steps[AIMessage]:
        seam: StageModel = self.seam
        for message in messages:
            call = message.response_metadata.get("stagecraft_call") if isinstance(message, AIMessage) else None
            if isinstance(call, dict):
                seam.carry(ModelCall(**call))  # type: ignore[typeddict-item]  # a turn before a pause: counted once
        choice = kwargs.get("tool_choice")
        return seam.turn(messages, kwargs.get("tools") or [], choice if isinstance(choice, str) else None)


@dataclass(frozen=True)
class ToolUse:
    """One tool call of an agent's run and what the tool answered."""

    name: str
    args: dict[str, Any]
    result: Any
    """The tool's answer: its JSON parsed when it is JSON, else its text; None if it never ran."""

    def as_dict(self) -> dict[str, Any]:
        """Return it as state keeps it."""
        return {"name": self.name, "args": self.args, "result": self.result}


@dataclass(frozen=True)
class AgentRun:
    """What an agent did: its messages, the tool calls in order with their results, its last text."""

    messages: list[BaseMessage]
    tool_calls: list[ToolUse]
    reply: str
    """The model's last text answer; empty when it was stopped before giving one."""
    capped: bool
    """True when the loop was ended by the step cap, not by the model answering."""
    calls: list[ModelCall]
    """The ledger entries of every model turn in the messages (a resumed run's earlier turns too)."""


def run_agent(
    stage: Stage,
    runtime: Runtime[Any] | None,
    state: dict[str, Any] | Any,
    tools: Sequence[Callable[..., Any] | BaseTool],
    messages: Sequence[BaseMessage],
    *,
    max_steps: int = DEFAULT_MAX_STEPS,
) -> Steps[AgentRun]:
    """Run `create_agent` over the stage's model and these tools, at most `max_steps` model turns.

    The agent is a subgraph of the calling node: under a checkpointer its steps are saved with the
    run's, so a tool that pauses for a person (`interrupt()`) resumes where it stopped, its earlier
    turns neither asked nor billed again.
    """
    # Imported here: LangChain's agents cost every CLI start a tenth of a second, and only agents need them.
    from langchain.agents import create_agent
    from langchain.agents.middleware import ModelCallLimitMiddleware

    if max_steps < 1:
        raise ValueError(f"stage {stage.name!r}: max_steps must be at least 1")
    model = SeamChatModel(seam=stage_model(stage, runtime, state))
    agent = create_agent(
        model,
        list(tools),
        system_prompt=None,
        # thread_limit, not run_limit: the run count is not saved, so each resume (an approval) began it again.
        middleware=[ModelCallLimitMiddleware(thread_limit=max_steps, exit_behavior="end")],
        name=stage.name,
    )
    out = yield Invoke(agent, {"messages": list(messages)}, {"run_name": stage.name, "tags": [f"agent:{stage.name}"]})
    return read_run(list(out["messages"]))


def read_run(messages: list[BaseMessage]) -> AgentRun:
    """Read an agent's messages: its tool calls with their results, its reply, whether the cap ended it."""
    results = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
    uses: list[ToolUse] = []
    calls: list[ModelCall] = []
    for message in messages:
        if not isinstance(message, AIMessage):
            continue
        call = message.response_metadata.get("stagecraft_call")
        if isinstance(call, dict):
            calls.append(ModelCall(**call))  # type: ignore[typeddict-item]
        for tool_call in message.tool_calls:
            answer = results.get(tool_call["id"] or "")
            uses.append(ToolUse(tool_call["name"], dict(tool_call["args"]), _result(answer)))
    last = messages[-1] if messages else None
    answered = isinstance(last, AIMessage) and not last.tool_calls and "stagecraft_call" in last.response_metadata
    reply = last.text.strip() if answered and isinstance(last, AIMessage) else ""
    return AgentRun(messages, uses, reply, capped=not answered, calls=calls)


def _result(message: ToolMessage | None) -> Any:
    if message is None:
        return None
    text = message.text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
