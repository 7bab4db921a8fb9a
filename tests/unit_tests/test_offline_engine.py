"""The offline engine as a chat model on an event loop: its work off the loop, its streams few events.

A server runs every run on one event loop; what the engine does on it, no other request gets.
tests/integration_tests/test_served_liveness.py shows it on a served `langgraph dev`.
"""

from __future__ import annotations

import threading
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

from graphs.router import build
from nodes.router import CLASSIFY, TECHNICAL
from offline.engine import STREAM_CHUNKS, OfflineChatModel
from state.settings import Settings


class _ThreadNoting(OfflineChatModel):
    """The engine, noting which thread does each call's work."""

    threads: list[int]

    def _answer(self, messages: list[BaseMessage], tools: list[dict[str, Any]] | None) -> AIMessage:
        self.threads.append(threading.get_ident())
        return super()._answer(messages, tools)


async def test_the_async_paths_work_off_the_event_loop() -> None:
    loop_thread = threading.get_ident()
    model = _ThreadNoting(stage="classify", prompt=CLASSIFY.prompt, threads=[])
    messages = CLASSIFY.prompt.render(query="My router keeps dropping the connection.")
    await model.ainvoke(messages)
    async for _ in model.astream(messages):
        pass
    assert len(model.threads) == 2 and loop_thread not in model.threads


async def test_a_long_reply_streams_in_a_bounded_number_of_chunks(settings: Settings) -> None:
    # The technical reply quotes the query's first sentence: here about 100 KB, 19,000 words.
    query = "My router is not working and " + "the light blinks and " * 4_700 + "nothing helps."
    chunks: list[str] = []
    async for message, meta in build().compile().astream({"query": query}, context=settings, stream_mode="messages"):
        if meta["langgraph_node"] == "technical" and message.content:
            chunks.append(str(message.content))
    assert 1 < len(chunks) <= STREAM_CHUNKS
    assert "".join(chunks).startswith("I'm sorry to hear that your router is not working and the light blinks")


def test_a_short_reply_still_streams_four_words_a_chunk() -> None:
    model = OfflineChatModel(stage="technical", prompt=TECHNICAL.prompt)
    messages = TECHNICAL.prompt.render(query="My router keeps crashing.")
    chunks = [str(c.content) for c in model.stream(messages) if c.content]
    assert all(len(chunk.split()) == 4 for chunk in chunks[:-1])
    assert "".join(chunks).startswith("I'm sorry to hear that your router keeps crashing.")
