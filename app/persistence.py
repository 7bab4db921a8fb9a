"""Where runs are saved: a checkpointer chosen by URL, reading saved state strictly (see state.serde).

    sqlite:///path        LangGraph's SqliteSaver (default: sqlite:///.stagecraft/runs.sqlite); WAL and a
                          busy timeout, so concurrent CLI runs on one file wait instead of failing
    memory://             InMemorySaver: nothing outlives the process
    postgresql://...      LangGraph's PostgresSaver, shared by every process and server replica

One setting chooses it: STAGECRAFT_CHECKPOINTER, or the CLI's --checkpointer, the same for the
CLI and for Python (`async with open_checkpointer() as saver: graph = build().compile(...)`).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver, ChannelVersions, Checkpoint, CheckpointMetadata
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from state.deployment import DeploymentError, check_url, deployment
from state.serde import STRICT, StrictSerializer, TamperedStateError

__all__ = [
    "STRICT",
    "PersistenceUnavailable",
    "StrictSerializer",
    "TamperedStateError",
    "open_checkpointer",
    "sqlite_checkpointer",
]

# Concurrent writers on one SQLite file wait this long for the lock before giving up.
_BUSY_TIMEOUT_S = 60.0


class PersistenceUnavailable(RuntimeError):
    """The configured checkpointer cannot be opened; the message says which and where."""


@asynccontextmanager
async def open_checkpointer(url: str | None = None) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """Yield the checkpointer the URL (default: the deployment's STAGECRAFT_CHECKPOINTER) names."""
    url = check_url("STAGECRAFT_CHECKPOINTER", url) if url else deployment().checkpointer_url
    if url == "memory://":
        from langgraph.checkpoint.memory import InMemorySaver

        yield InMemorySaver(serde=STRICT)
    elif url.startswith(("postgresql://", "postgres://")):
        async with _postgres(url) as saver:
            yield saver
    else:  # sqlite:///path or a plain path: check_url has refused every other form
        async with sqlite_checkpointer(Path(url.removeprefix("sqlite:///"))) as saver:
            yield saver


@asynccontextmanager
async def sqlite_checkpointer(path: Path) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """Yield a SQLite checkpointer that reads strictly and waits for a busy file, creating its folder."""
    import aiosqlite

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: a read never leaves a transaction open, which would pin an old snapshot.
        conn = await aiosqlite.connect(path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
    except (sqlite3.Error, OSError) as exc:
        raise _unusable(path, exc) from None
    try:
        # WAL lets readers run beside the one writer; busy_timeout makes a second writer wait
        # (30 concurrent CLI runs on one file failed with "database is locked" without them).
        await conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
        await conn.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL commits without an fsync each: a killed process loses nothing (what
        # was committed is in the log), a power cut may lose the last checkpoints but never
        # corrupts the file. FULL cost about 6 ms per run of a short graph.
        await conn.execute("PRAGMA synchronous = NORMAL")
        saver = _SqliteSaver(conn, serde=STRICT)
        await _with_retries_on_lock(saver.setup)
        saver.open_writer(path)
    except sqlite3.OperationalError as exc:
        await conn.close()
        if "locked" in str(exc):
            raise PersistenceUnavailable(f"checkpointer {path}: still locked by other processes") from None
        raise _unusable(path, exc) from None
    except (sqlite3.Error, OSError) as exc:
        await conn.close()
        raise _unusable(path, exc) from None
    try:
        yield saver
    finally:
        await saver.close_writer()
        await conn.close()


class _SqliteSaver(AsyncSqliteSaver):
    """LangGraph's AsyncSqliteSaver, its writes each one call on a thread of their own.

    aiosqlite makes every statement, commit and cursor close its own round trip to its thread,
    so a checkpoint cost three trips and a task's pending writes four more. A run with durability
    "sync" waits for each step's checkpoint before the next step starts, so those trips sat on the
    critical path: about 1 ms per write, 10 to 25 ms per CLI run. Here each write is LangGraph's own
    SqliteSaver.put / put_writes, called once on one worker thread (one thread keeps them in the
    order LangGraph submits them) over a second connection to the same file. Reads stay on
    aiosqlite and see every write that has returned (WAL).
    """

    _writer: SqliteSaver
    _thread: ThreadPoolExecutor

    def open_writer(self, path: Path) -> None:
        """Open the writing connection, once setup() has made the schema."""
        conn = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, check_same_thread=False)
        conn.execute("PRAGMA synchronous = NORMAL")
        self._writer = SqliteSaver(conn, serde=self.serde)
        self._writer.is_setup, self._writer._has_task_path = True, self._has_task_path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stagecraft-checkpoints")

    async def close_writer(self) -> None:
        """Finish the writes in flight, then close the writing connection, without blocking the loop."""
        await asyncio.get_running_loop().run_in_executor(None, self._close_writer)

    def _close_writer(self) -> None:
        self._thread.shutdown(wait=True)
        self._writer.conn.close()

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        put = partial(self._writer.put, config, checkpoint, metadata, new_versions)
        return await asyncio.get_running_loop().run_in_executor(self._thread, put)

    async def aput_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        put = partial(self._writer.put_writes, config, writes, task_id, task_path)
        await asyncio.get_running_loop().run_in_executor(self._thread, put)

    async def adelete_thread(self, thread_id: str) -> None:
        """Delete a thread's checkpoints and writes through the same writer, after the writes before it."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._writer.delete_thread, thread_id)


def _unusable(path: Path, exc: BaseException) -> DeploymentError:
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return DeploymentError(
        f"checkpointer {path} cannot be used ({reason}): STAGECRAFT_CHECKPOINTER, --checkpointer or --runs-db "
        "must name a SQLite file this process can create or write"
    )


async def _with_retries_on_lock(setup: Any) -> None:
    # The first set-up of a file by several processes at once can report "locked" without waiting.
    for attempt in range(8):
        try:
            await setup()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 7:
                raise
            await asyncio.sleep(0.05 * 2**attempt)


@asynccontextmanager
async def _postgres(url: str) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    import psycopg
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row

    where = url.split("://", 1)[1].split("@")[-1].split("/")[0]
    try:
        conn = await psycopg.AsyncConnection.connect(url, autocommit=True, prepare_threshold=0, row_factory=dict_row)
    except psycopg.ProgrammingError as exc:  # the URL itself is malformed
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DeploymentError(
            f"STAGECRAFT_CHECKPOINTER (or --checkpointer) postgresql://... is not usable: {reason}"
        ) from None
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise PersistenceUnavailable(f"checkpointer PostgreSQL at {where} unreachable: {reason}") from None
    async with conn:
        saver = AsyncPostgresSaver(conn, serde=STRICT)
        # Migrations from several processes at once would race: one at a time.
        await conn.execute("SELECT pg_advisory_lock(hashtext('stagecraft-checkpoint-setup'))")
        try:
            await saver.setup()
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext('stagecraft-checkpoint-setup'))")
        yield saver
