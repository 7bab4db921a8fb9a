"""OfflineChatModel: a deterministic langchain-core chat model that runs offline skills."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    SystemMessage,
)
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from offline import OfflineEngineError
from offline.judging import JUDGING_SKILLS
from offline.skills import SKILLS, Skill, SkillRequest

ALL_SKILLS: dict[str, Skill] = {**SKILLS, **JUDGING_SKILLS}
"""Every skill, by the name of the stage it plays (a test checks that every stage of every graph has one)."""


class OfflineChatModel(BaseChatModel):
    """Do a stage's job deterministically from the prompt's content; no network, no key."""

    stage: str
    prompt: Any = None
    """The stage's declared prompt (models.prompts.Prompt): its `parse` gives the skill its inputs."""
    model_name: str = "offline"
    latency: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "stagecraft-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"stage": self.stage, "model_name": self.model_name}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tool schemas: forced or free, by `tool_choice`.

        Forced (structured output), the first one is answered with a schema-shaped tool call; free
        (an agent's turn), the stage's agent skill chooses which to call, or answers in text.
        """
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], tool_choice=tool_choice, **kwargs)

    def _reply(self, messages: list[BaseMessage], tools: list[dict[str, Any]] | None, tool_choice: Any) -> AIMessage:
        """An agent's turn when tools are bound and the choice is free; else the stage's answer."""
        if tools and tool_choice in (None, "auto"):
            return self._turn(messages, tools)
        return self._answer(messages, tools)

    def _answer(self, messages: list[BaseMessage], tools: list[dict[str, Any]] | None) -> AIMessage:
        request = _request(self.stage, self.prompt, messages, tools)
        output = _skill_for(self.prompt)(request)
        if tools:
            name = tools[0]["function"]["name"]
            args = output if isinstance(output, dict) else {"text": output}
            call_id = "call_" + hashlib.sha256(json.dumps(args, sort_keys=True).encode()).hexdigest()[:16]
            message = AIMessage(
                content="", tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}]
            )
            produced = json.dumps(args)
        else:
            text = output if isinstance(output, str) else json.dumps(output, indent=2)
            message = AIMessage(content=text)
            produced = text
        message.usage_metadata = _usage(messages, produced)
        message.response_metadata = {"model_name": self.model_name, "finish_reason": "stop"}
        return message

    def _turn(self, messages: list[BaseMessage], tools: list[dict[str, Any]]) -> AIMessage:
        """An agent's turn: real tool calls (ids unique within the conversation), or its final text."""
        from offline.agent import AGENT_SKILLS, agent_turn

        request = _request(self.stage, self.prompt, messages, None)
        name = getattr(self.prompt, "name", "")
        skill = agent_turn if "/" in name else AGENT_SKILLS.get(name)
        if skill is None:
            raise OfflineEngineError(f"the offline engine has no agent skill for stage {name!r}")
        output = skill(request, messages, tools)
        if isinstance(output, str):
            message = AIMessage(content=output)
            produced = output
        else:
            turn = sum(1 for m in messages if isinstance(m, AIMessage))
            calls = [
                {"name": c["name"], "args": c["args"], "id": f"call_{turn}_{i}", "type": "tool_call"}
                for i, c in enumerate(output)
            ]
            message = AIMessage(content="", tool_calls=calls)
            produced = json.dumps(output)
        message.usage_metadata = _usage(messages, produced)
        finish = "stop" if isinstance(output, str) else "tool_calls"
        message.response_metadata = {"model_name": self.model_name, "finish_reason": finish}
        return message

    # The simulated latency is the whole call's time, as a provider's is: the skill's own work
    # counts toward it (the engine sleeps only what is left), so concurrent calls overlap their
    # work with each other's waits instead of adding it on top. A call that fails fails after its
    # latency too, as a provider's error arrives after the request took its time.
    #
    # The async paths do the skill's work (and the embedder's one-off load, about half a second
    # of file reads) in a worker thread, as a provider's work happens elsewhere: on the event
    # loop, a 100 KB input held a server's every other request for as long as the engine read it.

    def _answer_or_error(
        self, messages: list[BaseMessage], tools: list[dict[str, Any]] | None, tool_choice: Any = None
    ) -> Any:
        try:
            return self._reply(messages, tools, tool_choice)
        except Exception as exc:
            return _Failed(exc)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        started = time.perf_counter()
        answer = self._answer_or_error(messages, kwargs.get("tools"), kwargs.get("tool_choice"))
        if (left := self.latency - (time.perf_counter() - started)) > 0:
            time.sleep(left)
        return ChatResult(generations=[ChatGeneration(message=_unwrap(answer))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        started = time.perf_counter()
        answer = await asyncio.to_thread(
            self._answer_or_error, messages, kwargs.get("tools"), kwargs.get("tool_choice")
        )
        if (left := self.latency - (time.perf_counter() - started)) > 0:
            await asyncio.sleep(left)
        return ChatResult(generations=[ChatGeneration(message=_unwrap(answer))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        started = time.perf_counter()
        chunks = _chunks(self._reply(messages, kwargs.get("tools"), kwargs.get("tool_choice")))
        for pause, chunk in zip(
            _pauses(self.latency - (time.perf_counter() - started), len(chunks)), chunks, strict=True
        ):
            if pause:
                time.sleep(pause)
            if run_manager and isinstance(chunk.message.content, str) and chunk.message.content:
                run_manager.on_llm_new_token(chunk.message.content, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        started = time.perf_counter()
        chunks = await asyncio.to_thread(
            lambda: _chunks(self._reply(messages, kwargs.get("tools"), kwargs.get("tool_choice")))
        )
        for pause, chunk in zip(
            _pauses(self.latency - (time.perf_counter() - started), len(chunks)), chunks, strict=True
        ):
            if pause:
                await asyncio.sleep(pause)
            if run_manager and isinstance(chunk.message.content, str) and chunk.message.content:
                await run_manager.on_llm_new_token(chunk.message.content, chunk=chunk)
            yield chunk


class _Failed:
    def __init__(self, error: Exception) -> None:
        self.error = error


def _unwrap(answer: Any) -> AIMessage:
    if isinstance(answer, _Failed):
        raise answer.error
    message: AIMessage = answer
    return message


# A stream spends most of its time before the first token and lets the rest arrive in a few
# bursts: TTFT_SHARE of the wait first, the remainder over at most STREAM_BURSTS sleeps (one sleep
# per chunk would wake the event loop for every four words).
TTFT_SHARE = 0.7
STREAM_BURSTS = 4
# Four words a chunk, and at most STREAM_CHUNKS chunks however long the answer: every chunk is an
# event that each listener (LangGraph's message stream, a server's) handles on the event loop.
WORDS_PER_CHUNK = 4
STREAM_CHUNKS = 256


def _pauses(seconds: float, chunks: int) -> list[float]:
    pauses = [0.0] * chunks
    if seconds <= 0 or chunks == 0:
        return pauses
    pauses[0] = seconds * TTFT_SHARE if chunks > 1 else seconds
    bursts = [round(i * (chunks - 1) / STREAM_BURSTS) + 1 for i in range(STREAM_BURSTS)]
    bursts = sorted({b for b in bursts if 0 < b < chunks})
    for b in bursts:
        pauses[b] = seconds * (1 - TTFT_SHARE) / len(bursts)
    if not bursts:
        pauses[0] = seconds
    return pauses


def _skill_for(prompt: Any) -> Skill:
    """The skill that plays a prompt: the house's stages by name, a pipeline's stages by what they ask."""
    name = getattr(prompt, "name", "")
    if "/" in name:  # a pipeline's stage (pipeline/stage): prompts the engine has never seen
        from offline.generic import generic_skill

        return generic_skill
    skill = ALL_SKILLS.get(name)
    if skill is None:
        raise OfflineEngineError(f"the offline engine has no skill for stage {name!r}")
    return skill


def _request(stage: str, prompt: Any, messages: list[BaseMessage], tools: list[dict[str, Any]] | None) -> SkillRequest:
    if prompt is None:
        raise OfflineEngineError(f"stage {stage!r}: the offline engine needs the stage's declared prompt")
    system = "\n".join(m.text for m in messages if isinstance(m, SystemMessage))
    try:
        values = prompt.parse(messages)
    except KeyError as exc:  # PromptError: the messages are not this stage's prompt
        raise OfflineEngineError(str(exc)) from None
    return SkillRequest(stage=stage, system=system, values=values, schema=tools[0]["function"] if tools else None)


def _tokens(text: str) -> int:
    # About four characters per token for English: good enough for a ledger of estimates.
    return max(1, (len(text) + 3) // 4)


def _usage(messages: list[BaseMessage], produced: str) -> UsageMetadata:
    prompt = sum(_tokens(m.text) + 4 for m in messages)
    completion = _tokens(produced)
    return UsageMetadata(input_tokens=prompt, output_tokens=completion, total_tokens=prompt + completion)


def _chunks(answer: AIMessage) -> list[ChatGenerationChunk]:
    chunks: list[ChatGenerationChunk] = []
    if answer.tool_calls:
        chunks.append(
            ChatGenerationChunk(
                message=AIMessageChunk(
                    content="",
                    tool_call_chunks=[
                        {
                            "name": call["name"],
                            "args": json.dumps(call["args"]),
                            "id": call["id"],
                            "index": i,
                            "type": "tool_call_chunk",
                        }
                        for i, call in enumerate(answer.tool_calls)
                    ],
                )
            )
        )
    else:
        words = answer.text.split(" ")
        size = max(WORDS_PER_CHUNK, -(-len(words) // STREAM_CHUNKS))
        for i in range(0, len(words), size):
            piece = " ".join(words[i : i + size]) + (" " if i + size < len(words) else "")
            chunks.append(ChatGenerationChunk(message=AIMessageChunk(content=piece)))
    chunks.append(
        ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata=answer.usage_metadata,
                response_metadata=answer.response_metadata,
                chunk_position="last",
            )
        )
    )
    return chunks
