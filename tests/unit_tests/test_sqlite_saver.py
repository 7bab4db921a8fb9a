"""The SQLite saver stores each channel value once per version, and reads stores LangGraph's own saver wrote."""

from __future__ import annotations

import operator
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Annotated, Any

import aiosqlite
import ormsgpack
import pytest
from langgraph.channels.delta import DeltaChannel
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import StateGraph
from typing_extensions import TypedDict

from app.persistence import open_checkpointer
from app.sqlite_saver import VersionedSqliteSaver
from state.serde import STRICT, TamperedStateError

DOCUMENT = "".join(f"Paragraph {i}: the quarterly figures rose by {i % 17} percent.\n" for i in range(1500))


class _State(TypedDict):
    document: str
    items: Annotated[list[str], operator.add]


def _graph() -> StateGraph[_State]:
    builder = StateGraph(_State)
    for name in ("a", "b", "c"):
        builder.add_node(name, lambda state, name=name: {"items": [name]})
    builder.add_edge("__start__", "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", "c")
    return builder


def _rows(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


THREAD = {"configurable": {"thread_id": "t1"}}


async def test_a_value_unchanged_between_steps_is_stored_once(tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite"
    async with open_checkpointer(f"sqlite:///{db}") as saver:
        graph = _graph().compile(checkpointer=saver)
        await graph.ainvoke({"document": DOCUMENT, "items": []}, THREAD)
        assert (await graph.aget_state(THREAD)).values == {"document": DOCUMENT, "items": ["a", "b", "c"]}
        history = [saved.values async for saved in graph.aget_state_history(THREAD)]

    assert len(history) == 5 and all(values["document"] == DOCUMENT for values in history[:-1])
    assert _rows(db, "SELECT count(*) FROM blobs WHERE channel = 'document'") == [(1,)]
    (largest,) = _rows(db, "SELECT max(length(checkpoint)) FROM checkpoints")[0]
    assert largest < len(DOCUMENT) / 20  # versions and scalars only
    (stored,) = _rows(db, "SELECT sum(length(blob)) FROM blobs")[0]
    assert stored < 2.1 * len(DOCUMENT)  # the input (__start__) and the document channel


async def test_a_store_written_by_langgraphs_saver_is_read_listed_and_continued(tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite"
    async with AsyncSqliteSaver.from_conn_string(str(db)) as old:
        await _graph().compile(checkpointer=old).ainvoke({"document": DOCUMENT, "items": []}, THREAD)
        before = [(saved.config, saved.checkpoint) async for saved in old.alist(THREAD)]

    async with open_checkpointer(f"sqlite:///{db}") as saver:
        assert [(saved.config, saved.checkpoint) async for saved in saver.alist(THREAD)] == before
        graph = _graph().compile(checkpointer=saver)
        # The document's version is an old checkpoint's, inline there: the new checkpoints must still have it.
        await graph.ainvoke({"items": ["again"]}, THREAD)
        await graph.ainvoke({"items": ["more"]}, THREAD)
        values = (await graph.aget_state(THREAD)).values

    assert values == {"document": DOCUMENT, "items": ["a", "b", "c", "again", "a", "b", "c", "more", "a", "b", "c"]}
    assert _rows(db, "SELECT count(*) FROM blobs WHERE channel = 'document'") == [(1,)]


async def test_a_read_only_store_of_langgraphs_saver_is_read(tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite"
    async with AsyncSqliteSaver.from_conn_string(str(db)) as old:
        await _graph().compile(checkpointer=old).ainvoke({"document": DOCUMENT, "items": []}, THREAD)
    async with aiosqlite.connect(f"file:{db}?mode=ro", uri=True) as conn:
        saved = await VersionedSqliteSaver(conn, serde=STRICT).aget_tuple(THREAD)
    assert saved is not None and saved.checkpoint["channel_values"]["document"] == DOCUMENT


async def test_a_value_planted_in_the_blobs_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite"
    marker = tmp_path / "pwned"
    async with open_checkpointer(f"sqlite:///{db}") as saver:
        graph = _graph().compile(checkpointer=saver)
        await graph.ainvoke({"document": DOCUMENT, "items": []}, THREAD)
        # A constructor call (module, name, args) as LangGraph's msgpack encodes one.
        planted = ormsgpack.packb(ormsgpack.Ext(1, ormsgpack.packb(("os", "system", [f"touch {marker}"]))))
        await saver.conn.execute("UPDATE blobs SET type = 'msgpack', blob = ? WHERE channel = 'document'", (planted,))
        with pytest.raises(TamperedStateError, match=r"os\.system"):
            await graph.aget_state(THREAD)
    assert not marker.exists()


async def test_deleting_a_thread_deletes_its_values_only(tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite"
    other = {"configurable": {"thread_id": "t2"}}
    async with open_checkpointer(f"sqlite:///{db}") as saver:
        graph = _graph().compile(checkpointer=saver)
        await graph.ainvoke({"document": DOCUMENT, "items": []}, THREAD)
        await graph.ainvoke({"document": "other", "items": []}, other)
        await saver.adelete_thread("t1")
        assert (await graph.aget_state(other)).values == {"document": "other", "items": ["a", "b", "c"]}
    assert {thread for (thread,) in _rows(db, "SELECT DISTINCT thread_id FROM blobs")} == {"t2"}


async def test_deleting_a_run_drops_the_values_only_its_checkpoints_referred_to(tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite"
    async with open_checkpointer(f"sqlite:///{db}") as saver:
        graph = _graph().compile(checkpointer=saver)
        await graph.ainvoke({"document": DOCUMENT, "items": []}, {**THREAD, "metadata": {"run_id": "run-1"}})
        before = await graph.aget_state(THREAD)
        await graph.ainvoke({"document": "replaced", "items": ["x"]}, {**THREAD, "metadata": {"run_id": "run-2"}})
        await saver.adelete_for_runs(["run-2"])
        assert (await graph.aget_state(THREAD)).values == before.values
        referenced = {
            (channel, str(version))
            async for saved in saver.alist(THREAD)
            for channel, version in saved.checkpoint["channel_versions"].items()
        }
    stored = set(_rows(db, "SELECT channel, version FROM blobs"))
    assert stored <= referenced
    assert _rows(db, "SELECT count(*) FROM blobs WHERE channel = 'document'") == [(1,)]


class _Log(TypedDict):
    log: Annotated[
        list[str], DeltaChannel(lambda state, writes: [*state, *(w for ws in writes for w in ws)], snapshot_frequency=2)
    ]


async def test_a_delta_channel_is_rebuilt_from_its_writes(tmp_path: Path) -> None:
    builder = StateGraph(_Log)
    builder.add_node("a", lambda state: {"log": ["a"]})
    builder.add_node("b", lambda state: {"log": ["b"]})
    builder.add_edge("__start__", "a")
    builder.add_edge("a", "b")
    async with open_checkpointer(f"sqlite:///{tmp_path / 'runs.sqlite'}") as saver:
        graph = builder.compile(checkpointer=saver)
        await graph.ainvoke({"log": ["in"]}, THREAD)
        await graph.ainvoke({"log": ["again"]}, THREAD)
        assert (await graph.aget_state(THREAD)).values == {"log": ["in", "a", "b", "again", "a", "b"]}
