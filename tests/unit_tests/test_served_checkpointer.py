"""The server's custom checkpointer deletes a rolled-back run's checkpoints (the SQLite store; PostgreSQL in
tests/integration_tests/test_served_shared.py, through the server itself)."""

from __future__ import annotations

import operator
from pathlib import Path
from typing import Annotated

import pytest
from langgraph.graph import StateGraph
from typing_extensions import TypedDict

from app.served_checkpointer import checkpointer


class _State(TypedDict):
    items: Annotated[list[str], operator.add]


def _graph() -> StateGraph[_State]:
    builder = StateGraph(_State)
    builder.add_node("a", lambda state: {"items": ["a"]})
    builder.add_node("b", lambda state: {"items": ["b"]})
    builder.add_edge("__start__", "a")
    builder.add_edge("a", "b")
    return builder


async def test_a_runs_checkpoints_go_and_the_thread_is_as_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAGECRAFT_CHECKPOINTER", f"sqlite:///{tmp_path / 'runs.sqlite'}")
    async with checkpointer() as saver:
        graph = _graph().compile(checkpointer=saver)
        thread = {"configurable": {"thread_id": "t1"}}
        await graph.ainvoke({"items": ["first"]}, {**thread, "metadata": {"run_id": "run-1"}})
        before = await graph.aget_state(thread)
        await graph.ainvoke({"items": ["second"]}, {**thread, "metadata": {"run_id": "run-2"}})
        other = {"configurable": {"thread_id": "t2"}}
        await graph.ainvoke({"items": ["other"]}, {**other, "metadata": {"run_id": "run-3"}})
        assert (await graph.aget_state(thread)).values["items"] == ["first", "a", "b", "second", "a", "b"]

        await saver.adelete_for_runs(["run-2"])

        after = await graph.aget_state(thread)
        assert after.values == before.values and after.config == before.config
        runs = {c.metadata.get("run_id") async for c in saver.alist(thread)}
        assert runs == {"run-1"}
        assert (await graph.aget_state(other)).values["items"] == ["other", "a", "b"]
        await saver.adelete_for_runs([])
