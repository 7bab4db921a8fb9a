"""Runs as a user sees them.

Recent threads with their status and cost, one thread's last state, whether a thread can be
resumed faithfully, and pruning of old checkpoints.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Interrupt

from app.runner import compile_spec, output_of, shape_of
from graphs.registry import GRAPHS, known, spec_for
from graphs.spec import GraphSpec
from state.inputs import InputError
from state.ledger import total_cost
from state.serde import TamperedStateError


@dataclass(frozen=True)
class ThreadInfo:
    """One thread's latest run."""

    thread_id: str
    graph: str
    provider: str
    started: float
    status: str
    """done, waiting for approval, failed at NODE, or interrupted (stopped mid-run, e.g. killed) before NODE."""
    cost_usd: float
    values: dict[str, Any]
    approvals: tuple[Interrupt, ...] = ()
    """What the run paused for with `interrupt()`: answered by `stagecraft resume THREAD --approve/--reject`."""


WAITING = "waiting for approval"


class CannotResume(InputError):
    """A thread cannot be continued faithfully; the message says why."""


def config_of(thread_id: str) -> RunnableConfig:
    """Return the config that addresses a thread."""
    return {"configurable": {"thread_id": thread_id}}


async def latest_metadata(saver: BaseCheckpointSaver[Any], thread_id: str) -> dict[str, Any] | None:
    """Return the run metadata of a thread's latest checkpoint, or None if there is no such thread."""
    saved = await saver.aget_tuple(config_of(thread_id))
    return None if saved is None else dict(saved.metadata or {})


async def describe(saver: BaseCheckpointSaver[Any], thread_id: str) -> ThreadInfo:
    """Return a thread's graph, status, cost and last values."""
    meta = await latest_metadata(saver, thread_id)
    if meta is None:
        raise InputError(f"no run with thread id {thread_id!r}")
    name = graph_of(meta)
    spec = known(name)
    if spec is None:
        raise InputError(
            f"thread {thread_id!r} was not run by a Stagecraft graph, or its pipeline file is gone ({name!r})"
        )
    graph = compile_spec(spec, saver)
    snapshot = await graph.aget_state(config_of(thread_id))
    failed = [task.name for task in snapshot.tasks if task.error is not None]
    if snapshot.interrupts:
        status = WAITING
    elif failed:
        status = f"failed at {', '.join(sorted(set(failed)))}"
    elif snapshot.next:
        status = f"interrupted before {', '.join(sorted(set(snapshot.next)))}"
    else:
        status = "done"
    values = output_of(graph, snapshot.values)
    return ThreadInfo(
        thread_id=thread_id,
        graph=name,
        provider="served" if _served(meta) else str(meta.get("stagecraft_provider", "?")),
        started=_started(meta) or await _last_saved(saver, thread_id),
        status=status,
        cost_usd=total_cost(values.get("ledger") or []),
        values=values,
        approvals=tuple(snapshot.interrupts),
    )


def graph_of(metadata: dict[str, Any]) -> str:
    """The graph a checkpoint's run ran: the LangGraph server's graph id, or the CLI's record.

    A served run's metadata also holds whatever the client sent, so its graph id (set by the
    server) wins over a client-written `stagecraft_graph`.
    """
    # A served run's graph is one the server serves: never a file path a client wrote.
    for key in ("graph_id", "stagecraft_graph") if _served(metadata) else ("stagecraft_graph",):
        value = metadata.get(key)
        if isinstance(value, str) and (value in GRAPHS or (not _served(metadata) and known(value) is not None)):
            return value
    value = metadata.get("graph_id") or metadata.get("stagecraft_graph") or "?"
    return value if isinstance(value, str) else "?"


def _served(metadata: dict[str, Any]) -> bool:
    """A run of the LangGraph server: it records its graph id, which the CLI never writes."""
    return "graph_id" in metadata


def _started(metadata: dict[str, Any]) -> float:
    value = metadata.get("stagecraft_started")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 4e9 else 0.0


@dataclass(frozen=True)
class Unreadable:
    """A thread whose latest checkpoint cannot be read (corrupt, or naming what is never loaded)."""

    thread_id: str
    reason: str


async def recent(saver: BaseCheckpointSaver[Any], limit: int = 20) -> list[ThreadInfo | Unreadable]:
    """Return the most recently active threads of Stagecraft graphs (CLI or served runs), newest first.

    A checkpointer shared with other applications may hold their threads too: they are left out.
    A thread that cannot be read is listed as Unreadable, so one bad row hides no other run.
    """
    listed: list[ThreadInfo | Unreadable] = []
    for thread in await _threads_newest_first(saver):
        if len(listed) >= limit:
            break  # the threads left are older than the newest `limit`: no need to load them
        try:
            meta = await latest_metadata(saver, thread)
            if meta is None or known(graph_of(meta)) is None:
                continue
            listed.append(await describe(saver, thread))
        except TamperedStateError as exc:
            listed.append(Unreadable(thread, str(exc)))
    return listed


async def check_resumable(
    saver: BaseCheckpointSaver[Any], thread_id: str, graph: str | None, provider: str
) -> GraphSpec:
    """Return the graph a thread can be resumed with, or raise CannotResume saying why not."""
    meta = await latest_metadata(saver, thread_id)
    if meta is None:
        raise InputError(f"no run with thread id {thread_id!r}")
    recorded = str(meta.get("stagecraft_graph", ""))
    if _served(meta):
        raise CannotResume(
            f"thread {thread_id!r} is a run of the LangGraph server (graph {graph_of(meta)!r}): resume it "
            "there, with a new run on the thread; the CLI cannot check which graph version it ran"
        )
    given = known(graph) if graph is not None else None
    if graph is not None and graph != recorded and (given is None or given.ref != recorded):
        raise CannotResume(f"thread {thread_id!r} is a {recorded!r} run, not {graph!r}; resume it as {recorded}")
    entry = spec_for(recorded)
    if meta.get("stagecraft_shape") != shape_of(entry):
        raise CannotResume(
            f"the {recorded!r} graph's nodes or edges changed since thread {thread_id!r} was saved: "
            "resuming would drop or redo work; run the input again instead"
        )
    if meta.get("stagecraft_provider") != provider:
        raise CannotResume(
            f"thread {thread_id!r} ran with provider {meta.get('stagecraft_provider')!r}, not {provider!r}: "
            f"resume with --provider {meta.get('stagecraft_provider')}"
        )
    return entry


class ThreadBusy(InputError):
    """Another process is resuming the same thread."""


@asynccontextmanager
async def resuming(saver: BaseCheckpointSaver[Any], thread_id: str, url: str) -> AsyncIterator[None]:
    """Hold the thread for one resume; raise ThreadBusy if another process holds it.

    SQLite (`url` names the file): an exclusive lock on a file beside the database; PostgreSQL: a
    session advisory lock on the saver's connection. Both are released when the holder ends, even
    if it is killed. An in-memory checkpointer lives in one process: nothing to hold.
    """
    busy = f"thread {thread_id!r} is being resumed by another process; wait for it to end (stagecraft show {thread_id})"
    async with _postgres_connection(saver) as conn:
        if conn is not None:
            key = f"stagecraft-resume:{thread_id}"
            row = await (await conn.execute("SELECT pg_try_advisory_lock(hashtext(%s)) AS held", (key,))).fetchone()
            if not (row or {}).get("held"):
                raise ThreadBusy(busy)
            try:
                yield
            finally:
                await conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))
            return
    if url == "memory://":
        yield
        return
    handle = await asyncio.to_thread(_file_lock, Path(url.removeprefix("sqlite:///")), thread_id)
    if handle is None:
        raise ThreadBusy(busy)
    try:
        yield
    finally:
        handle.close()  # closing the file releases the lock


def _file_lock(database: Path, thread_id: str) -> IO[str] | None:
    import fcntl

    locks = database.with_name(database.name + ".locks")
    locks.mkdir(exist_ok=True)
    handle = (locks / hashlib.sha256(thread_id.encode()).hexdigest()[:32]).open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


@asynccontextmanager
async def _postgres_connection(saver: BaseCheckpointSaver[Any]) -> AsyncIterator[Any]:
    """Hold a connection of LangGraph's PostgreSQL saver (one of its pool's) for the block; None for any other saver."""
    try:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        from psycopg_pool import AsyncConnectionPool
    except ImportError:  # without the postgres extra, no saver is a PostgreSQL one
        yield None
        return
    if not isinstance(saver, AsyncPostgresSaver):
        yield None
    elif isinstance(saver.conn, AsyncConnectionPool):
        async with saver.conn.connection() as conn:
            yield conn
    else:
        yield saver.conn


@dataclass(frozen=True)
class Pruned:
    """What `prune` did: the threads it deleted, and those it could not read (kept)."""

    deleted: list[str]
    unreadable: list[Unreadable]


async def prune(saver: BaseCheckpointSaver[Any], older_than_days: float) -> Pruned:
    """Delete every thread whose last checkpoint is more than `older_than_days` old.

    Age is the time each checkpoint was saved, which every run has (CLI, Python or served), so a
    checkpointer shared with the LangGraph server never loses a recent served thread. A thread
    whose last checkpoint cannot be read has no age to trust: it is kept, and named.
    """
    cutoff = time.time() - older_than_days * 86400
    pruned = Pruned([], [])
    for thread in await _threads_newest_first(saver):
        try:
            saved = await saver.aget_tuple(config_of(thread))
        except TamperedStateError as exc:
            pruned.unreadable.append(Unreadable(thread, str(exc)))
            continue
        if saved is not None and _when(saved.metadata, saved.checkpoint) < cutoff:
            await saver.adelete_thread(thread)
            pruned.deleted.append(thread)
    return pruned


# Every thread, its newest checkpoint first, read from the table of LangGraph's SQLite and
# PostgreSQL savers without loading a checkpoint (checkpoint ids are time-ordered).
_THREADS_SQL = (
    "SELECT thread_id FROM checkpoints WHERE checkpoint_ns = '' GROUP BY thread_id ORDER BY MAX(checkpoint_id) DESC"
)


async def _threads_newest_first(saver: BaseCheckpointSaver[Any]) -> list[str]:
    """Return every thread id in the store, the most recently saved first, loading no checkpoint.

    Loading them all (`alist(None)`) stopped at the first row that could not be read, without
    naming its thread, and read a whole shared store to list twenty runs.
    """
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    if isinstance(saver, AsyncSqliteSaver):
        async with saver.lock, saver.conn.execute(_THREADS_SQL) as cursor:
            return [str(row[0]) async for row in cursor]
    async with _postgres_connection(saver) as conn:
        if conn is not None:
            async with saver.lock:  # type: ignore[attr-defined]  # the saver's own, around its connection
                rows = await (await conn.execute(_THREADS_SQL)).fetchall()
            return [str(row["thread_id"]) for row in rows]
    # Any other saver (in memory: one process's own runs) can only be listed by loading them.
    latest: dict[str, float] = {}
    async for saved in saver.alist(None):
        thread = str(saved.config["configurable"]["thread_id"])
        latest[thread] = max(latest.get(thread, 0.0), _when(saved.metadata, saved.checkpoint))
    return sorted(latest, key=lambda t: latest[t], reverse=True)


def _when(metadata: Any, checkpoint: Any) -> float:
    """When a checkpoint's run started (CLI runs record it), else when the checkpoint was saved."""
    return max(_started(dict(metadata or {})), _saved_at(checkpoint))


def _saved_at(checkpoint: Any) -> float:
    try:
        return datetime.fromisoformat(str((checkpoint or {}).get("ts"))).timestamp()
    except (ValueError, OverflowError, OSError):
        return 0.0


async def _last_saved(saver: BaseCheckpointSaver[Any], thread_id: str) -> float:
    saved = await saver.aget_tuple(config_of(thread_id))
    return 0.0 if saved is None else _saved_at(saved.checkpoint)


async def branch_retry_point(saver: BaseCheckpointSaver[Any], info: ThreadInfo) -> RunnableConfig | None:
    """For a finished run that recorded failed branches, return the checkpoint that runs them again.

    That is the latest checkpoint whose next step holds every failed branch: continuing from it
    runs that step again (branches that had succeeded are served from the stage cache, not
    billed twice), then the join and what follows.
    """
    failed = {e["stage"] for e in info.values.get("errors") or []}
    if info.status != "done" or not failed:
        return None
    graph = compile_spec(spec_for(info.graph), saver)
    async for snapshot in graph.aget_state_history(config_of(info.thread_id)):
        if failed <= set(snapshot.next):
            return snapshot.config
    return None
