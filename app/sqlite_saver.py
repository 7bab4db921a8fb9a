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
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, cast

import aiosqlite
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    DeltaChannelHistory,
    get_checkpoint_id,
    get_checkpoint_metadata,
)
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

# Values small and fixed in size stay in the checkpoint row, as in PostgreSQL's saver.
_INLINE = (type(None), bool, int, float)


class VersionedSqliteSaver(AsyncSqliteSaver):
    """LangGraph's SQLite saver with each channel value stored once per version; it can delete given runs."""

    _has_blobs: bool = True
    _blobs_ready: bool = False

    async def setup(self) -> None:
        """Create LangGraph's tables and the blobs table, if missing."""
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

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Save a checkpoint: its versions and scalars in its row, any value not stored yet in blobs."""
        await self.setup()
        thread_id = str(config["configurable"]["thread_id"])
        checkpoint_ns = config["configurable"]["checkpoint_ns"]
        values, versions = checkpoint["channel_values"], checkpoint["channel_versions"]
        stored = {ch: v for ch, v in values.items() if ch in versions and not isinstance(v, _INLINE)}
        row = {**checkpoint, "channel_values": {ch: v for ch, v in values.items() if ch not in stored}}
        type_, serialized = self.serde.dumps_typed(row)
        blobs = [
            (thread_id, checkpoint_ns, ch, str(versions[ch]), *self.serde.dumps_typed(v)) for ch, v in stored.items()
        ]
        serialized_metadata = json.dumps(get_checkpoint_metadata(config, metadata), ensure_ascii=False).encode(
            "utf-8", "ignore"
        )
        async with self.lock, self._transaction() as cur:
            await cur.executemany(_PUT_BLOB, blobs)
            await cur.execute(
                _PUT_CHECKPOINT,
                (
                    thread_id,
                    checkpoint_ns,
                    checkpoint["id"],
                    config["configurable"].get("checkpoint_id"),
                    type_,
                    serialized,
                    serialized_metadata,
                ),
            )
        return {
            "configurable": {"thread_id": thread_id, "checkpoint_ns": checkpoint_ns, "checkpoint_id": checkpoint["id"]}
        }

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """Load the checkpoint the config names (its thread's latest without an id), with its values."""
        await self.setup()
        thread_id = str(config["configurable"]["thread_id"])
        checkpoint_ns = config["configurable"].get("checkpoint_ns", "")
        if checkpoint_id := get_checkpoint_id(config):
            query = f"{_SELECT} WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?"
            params: tuple[str, ...] = (thread_id, checkpoint_ns, checkpoint_id)
        else:
            query = f"{_SELECT} WHERE thread_id = ? AND checkpoint_ns = ? ORDER BY checkpoint_id DESC LIMIT 1"
            params = (thread_id, checkpoint_ns)
        async with self.lock, self.conn.cursor() as cur:
            await cur.execute(query, params)
            row = await cur.fetchone()
            if row is None:
                return None
            saved = await self._load(cur, tuple(row))
        # As LangGraph's saver: a config naming its checkpoint comes back as given.
        return saved._replace(config=config) if checkpoint_id else saved

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """Yield the matching checkpoints, newest first, with their values."""
        await self.setup()
        where, params = search_where(config, filter, before)
        query = f"{_SELECT} {where} ORDER BY checkpoint_id DESC"
        if limit is not None:
            query += " LIMIT ?"
            params = (*params, limit)
        async with self.lock, self.conn.execute(query, params) as rows, self.conn.cursor() as cur:
            async for row in rows:
                yield await self._load(cur, tuple(row))

    async def adelete_thread(self, thread_id: str) -> None:
        """Delete a thread's checkpoints, pending writes and values."""
        await self.setup()
        async with self.lock, self._transaction() as cur:
            for table in ("checkpoints", "writes", *(("blobs",) if self._has_blobs else ())):
                await cur.execute(f"DELETE FROM {table} WHERE thread_id = ?", (str(thread_id),))

    async def adelete_for_runs(self, run_ids: Iterable[str]) -> None:
        """Delete the checkpoints whose metadata names one of the runs, with what only they refer to."""
        ids = [str(run_id) for run_id in run_ids]
        if not ids:
            return
        await self.setup()
        of_runs = f"json_extract(CAST(metadata AS TEXT), '$.run_id') IN ({', '.join('?' * len(ids))})"
        async with self.lock, self._transaction() as cur:
            await cur.execute(f"SELECT DISTINCT thread_id, checkpoint_ns FROM checkpoints WHERE {of_runs}", ids)
            touched = [tuple(row) for row in await cur.fetchall()]
            await cur.execute(
                "DELETE FROM writes WHERE (thread_id, checkpoint_ns, checkpoint_id) IN "
                f"(SELECT thread_id, checkpoint_ns, checkpoint_id FROM checkpoints WHERE {of_runs})",
                ids,
            )
            await cur.execute(f"DELETE FROM checkpoints WHERE {of_runs}", ids)
            if self._has_blobs:
                for thread_id, checkpoint_ns in touched:
                    await self._drop_unreferenced(cur, str(thread_id), str(checkpoint_ns))

    async def aget_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        """Walk the parent chain through `aget_tuple` (LangGraph's default).

        AsyncSqliteSaver's fast path looks for each channel's value in the checkpoint rows, where
        this saver keeps only scalars.
        """
        return await BaseCheckpointSaver.aget_delta_channel_history(self, config=config, channels=channels)

    async def _load(self, cur: aiosqlite.Cursor, row: tuple[Any, ...]) -> CheckpointTuple:
        thread_id, checkpoint_ns, checkpoint_id, parent_id, type_, serialized, metadata = row
        checkpoint = self.serde.loads_typed((type_, serialized))
        versions = checkpoint.get("channel_versions") or {}
        if self._has_blobs and versions:
            await cur.execute(
                _GET_BLOBS, (json.dumps({ch: str(v) for ch, v in versions.items()}), thread_id, checkpoint_ns)
            )
            stored = {ch: self.serde.loads_typed((t, blob)) for ch, t, blob in await cur.fetchall()}
            checkpoint["channel_values"] = {**(checkpoint.get("channel_values") or {}), **stored}
        await cur.execute(pending_writes_sql(self._has_task_path), (thread_id, checkpoint_ns, checkpoint_id))
        writes = load_pending_writes(await cur.fetchall(), self.serde)

        def at(cid: str) -> RunnableConfig:
            return {"configurable": {"thread_id": thread_id, "checkpoint_ns": checkpoint_ns, "checkpoint_id": cid}}

        return CheckpointTuple(
            at(checkpoint_id),
            checkpoint,
            cast(CheckpointMetadata, json.loads(metadata) if metadata is not None else {}),
            at(parent_id) if parent_id else None,
            writes,
        )

    async def _drop_unreferenced(self, cur: aiosqlite.Cursor, thread_id: str, checkpoint_ns: str) -> None:
        """Delete the namespace's values that none of its checkpoints refers to (all kept if one cannot be read)."""
        referenced: set[tuple[str, str]] = set()
        await cur.execute(
            "SELECT type, checkpoint FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ?",
            (thread_id, checkpoint_ns),
        )
        for type_, serialized in await cur.fetchall():
            try:
                versions = self.serde.loads_typed((type_, serialized)).get("channel_versions") or {}
            except TamperedStateError:
                return
            referenced.update((ch, str(v)) for ch, v in versions.items())
        await cur.execute(
            "SELECT channel, version FROM blobs WHERE thread_id = ? AND checkpoint_ns = ?", (thread_id, checkpoint_ns)
        )
        unreferenced = [(ch, v) for ch, v in await cur.fetchall() if (ch, v) not in referenced]
        await cur.executemany(
            "DELETE FROM blobs WHERE thread_id = ? AND checkpoint_ns = ? AND channel = ? AND version = ?",
            [(thread_id, checkpoint_ns, ch, v) for ch, v in unreferenced],
        )

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Cursor]:
        """One write transaction (the caller holds the lock): a checkpoint never commits without its values."""
        async with self.conn.cursor() as cur:
            if not self.conn.in_transaction:
                await cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                await self.conn.rollback()
                raise
            await self.conn.commit()
