"""LangGraph's SQLite saver, storing each channel value once per version.

LangGraph's AsyncSqliteSaver serializes every channel value into every checkpoint: a run of the
analysis graph on a 99 KB document wrote the document into each of its checkpoints (819 KB per
run). This saver keeps values as LangGraph's PostgreSQL saver does, in a table keyed by (thread,
namespace, channel, version); a checkpoint row keeps its versions and its scalars, so a value that
did not change between steps is stored once. Unlike PostgreSQL's, strings go to the table too:
the document is a string.

Stores written by AsyncSqliteSaver (every value inline) are read as they are, a checkpoint's
values being its inline ones and its blobs. Each checkpoint saved stores every value it refers to
that is not yet stored (not only the new versions), so a thread continued from such a checkpoint
loses nothing, and no migration is needed.

Each operation (a checkpoint saved, one loaded with its values and writes, a thread deleted) is
one function run on the connection's thread, not a statement at a time: AsyncSqliteSaver's await
per statement woke that thread and the event loop 14 times per run of a short graph, which cost
`stagecraft batch` more CPU than the statements themselves.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import aiosqlite
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    DeltaChannelHistory,
    get_checkpoint_id,
    get_checkpoint_metadata,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.checkpoint.sqlite.utils import load_pending_writes, pending_writes_sql, search_where

from state.serde import TamperedStateError

_BLOBS_TABLE = """CREATE TABLE IF NOT EXISTS blobs (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL,
    version TEXT NOT NULL,
    type TEXT NOT NULL,
    blob BLOB,
    PRIMARY KEY (thread_id, checkpoint_ns, channel, version)
)"""

# A value once stored under its version never changes: a second write of it is a no-op.
_PUT_BLOB = (
    "INSERT OR IGNORE INTO blobs (thread_id, checkpoint_ns, channel, version, type, blob) VALUES (?, ?, ?, ?, ?, ?)"
)
_PUT_CHECKPOINT = (
    "INSERT OR REPLACE INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, "
    "checkpoint, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
# One primary-key lookup per channel of the checkpoint ({channel: version} as one JSON parameter).
_GET_BLOBS = (
    "SELECT b.channel, b.type, b.blob FROM json_each(?) AS v CROSS JOIN blobs AS b "
    "ON b.thread_id = ? AND b.checkpoint_ns = ? AND b.channel = v.key AND b.version = v.value"
)
_SELECT = (
    "SELECT thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata FROM checkpoints"
)

_PUT_WRITE = (
    "INSERT OR {verb} INTO writes (thread_id, checkpoint_ns, checkpoint_id, task_id, task_path, idx, channel, type, "
    "value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

T = TypeVar("T")

# Values small and fixed in size stay in the checkpoint row, as in PostgreSQL's saver.
_INLINE = (type(None), bool, int, float)


class VersionedSqliteSaver(AsyncSqliteSaver):
    """LangGraph's SQLite saver with each channel value stored once per version; it can delete given runs."""

    _has_blobs: bool = True
    _blobs_ready: bool = False

    def __init__(self, conn: aiosqlite.Connection, *, serde: SerializerProtocol | None = None) -> None:
        super().__init__(conn, serde=serde)
        self._filling = _Trip()
        self._handed: set[asyncio.Future[None]] = set()

    async def setup(self) -> None:
        """Create LangGraph's tables and the blobs table, if missing."""
        if self._blobs_ready:  # every operation calls this: once set up, it takes no lock
            return
        await super().setup()
        async with self.lock:
            if self._blobs_ready:
                return
            try:
                await self.conn.execute(_BLOBS_TABLE)
                await self.conn.commit()
            except aiosqlite.OperationalError as exc:
                # A read-only store from AsyncSqliteSaver has every value inline: it reads without the table.
                if "readonly database" not in str(exc):
                    raise
                self._has_blobs = False
            self._blobs_ready = True

    async def _run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run `operation` on the connection's own thread, in one trip with the operations queued beside it.

        Concurrent runs (a batch's, a server's) each save and load their own checkpoints: the first
        operation of a trip sends it once the trip before has returned, with every operation that
        joined it meanwhile. The thread settles each caller's future itself, so a sender cancelled
        mid-trip (its run timed out) leaves no other caller waiting, and one cancelled before
        sending hands its trip to a task of its own.
        """
        await self.setup()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        trip = self._filling
        trip.append((operation, future))
        if len(trip) == 1:
            try:
                await asyncio.sleep(0)  # the operations of this turn of the loop join the trip
                await self._send(trip, loop)
            except asyncio.CancelledError:
                if not trip.sent:
                    handed = asyncio.ensure_future(self._send(trip, loop))
                    self._handed.add(handed)  # held until done: the loop keeps only a weak reference
                    handed.add_done_callback(self._handed.discard)
                raise
        return await future

    async def _send(self, trip: _Trip, loop: asyncio.AbstractEventLoop) -> None:
        async with self.lock:
            if trip.sent:
                return
            trip.sent = True
            if self._filling is trip:
                self._filling = _Trip()
            try:
                await self._on_thread(_each, trip, loop)
            except asyncio.CancelledError:
                raise  # the trip goes on without this caller, and settles the others' futures
            except Exception as exc:  # never sent (the connection closed, say): every caller hears why
                _settle([(future, False, exc) for _, future in trip])

    async def _on_thread(self, operation: Callable[..., T], *args: Any) -> T:
        # aiosqlite has no public call for this: `_execute` is what each of its own methods uses.
        return cast(T, await self.conn._execute(operation, self.conn._conn, *args))  # type: ignore[no-untyped-call]

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Save a checkpoint: its versions and scalars in its row, any value not stored yet in blobs."""
        thread_id = str(config["configurable"]["thread_id"])
        checkpoint_ns = config["configurable"]["checkpoint_ns"]
        values, versions = checkpoint["channel_values"], checkpoint["channel_versions"]
        stored = {ch: v for ch, v in values.items() if ch in versions and not isinstance(v, _INLINE)}
        row = {**checkpoint, "channel_values": {ch: v for ch, v in values.items() if ch not in stored}}
        blobs = [
            (thread_id, checkpoint_ns, ch, str(versions[ch]), *self.serde.dumps_typed(v)) for ch, v in stored.items()
        ]
        serialized_metadata = json.dumps(get_checkpoint_metadata(config, metadata), ensure_ascii=False).encode(
            "utf-8", "ignore"
        )
        params = (
            thread_id,
            checkpoint_ns,
            checkpoint["id"],
            config["configurable"].get("checkpoint_id"),
            *self.serde.dumps_typed(row),
            serialized_metadata,
        )

        def write(conn: sqlite3.Connection) -> None:
            with _transaction(conn):
                conn.executemany(_PUT_BLOB, blobs)
                conn.execute(_PUT_CHECKPOINT, params)

        await self._run(write)
        return {
            "configurable": {"thread_id": thread_id, "checkpoint_ns": checkpoint_ns, "checkpoint_id": checkpoint["id"]}
        }

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Store a task's writes to a checkpoint (as AsyncSqliteSaver does, in one transaction)."""
        # Special channels (errors, interrupts) are replaced when a task writes them again; others kept.
        query = _PUT_WRITE.format(verb="REPLACE" if all(ch in WRITES_IDX_MAP for ch, _ in writes) else "IGNORE")
        configurable = config["configurable"]
        where = (str(configurable["thread_id"]), str(configurable["checkpoint_ns"]), str(configurable["checkpoint_id"]))
        rows = [
            (*where, task_id, task_path, WRITES_IDX_MAP.get(ch, idx), ch, *self.serde.dumps_typed(value))
            for idx, (ch, value) in enumerate(writes)
        ]

        def write(conn: sqlite3.Connection) -> None:
            with _transaction(conn):
                conn.executemany(query, rows)

        await self._run(write)

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """Load the checkpoint the config names (its thread's latest without an id), with its values."""
        thread_id = str(config["configurable"]["thread_id"])
        checkpoint_ns = config["configurable"].get("checkpoint_ns", "")
        if checkpoint_id := get_checkpoint_id(config):
            query = f"{_SELECT} WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?"
            params: tuple[str, ...] = (thread_id, checkpoint_ns, checkpoint_id)
        else:
            query = f"{_SELECT} WHERE thread_id = ? AND checkpoint_ns = ? ORDER BY checkpoint_id DESC LIMIT 1"
            params = (thread_id, checkpoint_ns)

        def read(conn: sqlite3.Connection) -> CheckpointTuple | None:
            row = conn.execute(query, params).fetchone()
            return None if row is None else self._load(conn, tuple(row))

        saved = await self._run(read)
        # As LangGraph's saver: a config naming its checkpoint comes back as given.
        return saved._replace(config=config) if saved is not None and checkpoint_id else saved

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """Yield the matching checkpoints, newest first, with their values (not on a run's path: a hop per row)."""
        await self.setup()
        where, params = search_where(config, filter, before)
        query = f"{_SELECT} {where} ORDER BY checkpoint_id DESC"
        if limit is not None:
            query += " LIMIT ?"
            params = (*params, limit)
        async with self.lock, self.conn.execute(query, params) as rows:
            async for row in rows:
                yield await self._on_thread(self._load, tuple(row))

    async def adelete_thread(self, thread_id: str) -> None:
        """Delete a thread's checkpoints, pending writes and values."""

        def delete(conn: sqlite3.Connection) -> None:
            with _transaction(conn):
                for table in ("checkpoints", "writes", *(("blobs",) if self._has_blobs else ())):
                    conn.execute(f"DELETE FROM {table} WHERE thread_id = ?", (str(thread_id),))

        await self._run(delete)

    async def adelete_for_runs(self, run_ids: Iterable[str]) -> None:
        """Delete the checkpoints whose metadata names one of the runs, with what only they refer to."""
        ids = [str(run_id) for run_id in run_ids]
        if not ids:
            return
        of_runs = f"json_extract(CAST(metadata AS TEXT), '$.run_id') IN ({', '.join('?' * len(ids))})"

        def delete(conn: sqlite3.Connection) -> None:
            with _transaction(conn):
                touched = conn.execute(
                    f"SELECT DISTINCT thread_id, checkpoint_ns FROM checkpoints WHERE {of_runs}", ids
                ).fetchall()
                conn.execute(
                    "DELETE FROM writes WHERE (thread_id, checkpoint_ns, checkpoint_id) IN "
                    f"(SELECT thread_id, checkpoint_ns, checkpoint_id FROM checkpoints WHERE {of_runs})",
                    ids,
                )
                conn.execute(f"DELETE FROM checkpoints WHERE {of_runs}", ids)
                if self._has_blobs:
                    for thread_id, checkpoint_ns in touched:
                        self._drop_unreferenced(conn, str(thread_id), str(checkpoint_ns))

        await self._run(delete)

    async def aget_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        """Walk the parent chain through `aget_tuple` (LangGraph's default).

        AsyncSqliteSaver's fast path looks for each channel's value in the checkpoint rows, where
        this saver keeps only scalars.
        """
        return await BaseCheckpointSaver.aget_delta_channel_history(self, config=config, channels=channels)

    def _load(self, conn: sqlite3.Connection, row: tuple[Any, ...]) -> CheckpointTuple:
        thread_id, checkpoint_ns, checkpoint_id, parent_id, type_, serialized, metadata = row
        checkpoint = self.serde.loads_typed((type_, serialized))
        versions = checkpoint.get("channel_versions") or {}
        if self._has_blobs and versions:
            found = conn.execute(
                _GET_BLOBS, (json.dumps({ch: str(v) for ch, v in versions.items()}), thread_id, checkpoint_ns)
            )
            stored = {ch: self.serde.loads_typed((t, blob)) for ch, t, blob in found}
            checkpoint["channel_values"] = {**(checkpoint.get("channel_values") or {}), **stored}
        found = conn.execute(pending_writes_sql(self._has_task_path), (thread_id, checkpoint_ns, checkpoint_id))
        writes = load_pending_writes(found.fetchall(), self.serde)

        def at(cid: str) -> RunnableConfig:
            return {"configurable": {"thread_id": thread_id, "checkpoint_ns": checkpoint_ns, "checkpoint_id": cid}}

        return CheckpointTuple(
            at(checkpoint_id),
            checkpoint,
            cast(CheckpointMetadata, json.loads(metadata) if metadata is not None else {}),
            at(parent_id) if parent_id else None,
            writes,
        )

    def _drop_unreferenced(self, conn: sqlite3.Connection, thread_id: str, checkpoint_ns: str) -> None:
        """Delete the namespace's values that none of its checkpoints refers to (all kept if one cannot be read)."""
        referenced: set[tuple[str, str]] = set()
        for type_, serialized in conn.execute(
            "SELECT type, checkpoint FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ?",
            (thread_id, checkpoint_ns),
        ).fetchall():
            try:
                versions = self.serde.loads_typed((type_, serialized)).get("channel_versions") or {}
            except TamperedStateError:
                return
            referenced.update((ch, str(v)) for ch, v in versions.items())
        stored = conn.execute(
            "SELECT channel, version FROM blobs WHERE thread_id = ? AND checkpoint_ns = ?", (thread_id, checkpoint_ns)
        ).fetchall()
        conn.executemany(
            "DELETE FROM blobs WHERE thread_id = ? AND checkpoint_ns = ? AND channel = ? AND version = ?",
            [(thread_id, checkpoint_ns, ch, v) for ch, v in stored if (ch, v) not in referenced],
        )


class _Trip(list[tuple[Callable[[sqlite3.Connection], Any], "asyncio.Future[Any]"]]):
    """Operations that go to the connection's thread together, in the order they came."""

    sent: bool = False


def _each(conn: sqlite3.Connection, waiting: _Trip, loop: asyncio.AbstractEventLoop) -> None:
    """Run each waiting operation in turn on the connection's thread, then settle their futures on the loop."""
    done: list[tuple[asyncio.Future[Any], bool, Any]] = []
    for operation, future in waiting:
        if future.cancelled():  # its caller gave up before the trip: nothing of it runs
            continue
        try:
            done.append((future, True, operation(conn)))
        except Exception as exc:  # its own caller's error, not the others'
            done.append((future, False, exc))
    loop.call_soon_threadsafe(_settle, done)


def _settle(done: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    for future, ok, value in done:
        if future.done():  # its caller was cancelled meanwhile
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction: a checkpoint never commits without its values."""
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    if began:
        conn.commit()
