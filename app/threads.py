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

from app.registry import GRAPHS, GraphEntry, entry_for
from app.runner import compile_entry, shape_of
from state.inputs import InputError
from state.ledger import total_cost


@dataclass(frozen=True)
class ThreadInfo:
    """One thread's latest run."""

    thread_id: str
    graph: str
    provider: str
    started: float
    status: str
    """done, failed at NODE, or interrupted (stopped mid-run, e.g. killed) before NODE."""
    cost_usd: float
    values: dict[str, Any]


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
    if name not in GRAPHS:
        raise InputError(f"thread {thread_id!r} was not run by a Stagecraft graph (graph {name!r})")
    snapshot = await compile_entry(GRAPHS[name], saver).aget_state(config_of(thread_id))
    failed = [task.name for task in snapshot.tasks if task.error is not None]
    if failed:
        status = f"failed at {', '.join(sorted(set(failed)))}"
    elif snapshot.next:
        status = f"interrupted before {', '.join(sorted(set(snapshot.next)))}"
    else:
        status = "done"
    values = dict(snapshot.values)
    return ThreadInfo(
        thread_id=thread_id,
        graph=name,
        provider="served" if _served(meta) else str(meta.get("stagecraft_provider", "?")),
        started=_started(meta) or await _last_saved(saver, thread_id),
        status=status,
        cost_usd=total_cost(values.get("ledger") or []),
        values=values,
    )


def graph_of(metadata: dict[str, Any]) -> str:
    """The graph a checkpoint's run ran: the LangGraph server's graph id, or the CLI's record.

    A served run's metadata also holds whatever the client sent, so its graph id (set by the
    server) wins over a client-written `stagecraft_graph`.
    """
    for key in ("graph_id", "stagecraft_graph") if _served(metadata) else ("stagecraft_graph",):
        value = metadata.get(key)
        if isinstance(value, str) and value in GRAPHS:
            return value
    value = metadata.get("graph_id") or metadata.get("stagecraft_graph") or "?"
    return value if isinstance(value, str) else "?"


def _served(metadata: dict[str, Any]) -> bool:
    """A run of the LangGraph server: it records its graph id, which the CLI never writes."""
    return "graph_id" in metadata


def _started(metadata: dict[str, Any]) -> float:
    value = metadata.get("stagecraft_started")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 4e9 else 0.0


async def recent(saver: BaseCheckpointSaver[Any], limit: int = 20) -> list[ThreadInfo]:
    """Return the most recently active threads of Stagecraft graphs (CLI or served runs), newest first.

    A checkpointer shared with other applications may hold their threads too: they are left out.
    """
    latest: dict[str, float] = {}
    newest_first = _lists_newest_first(saver)
    async for saved in saver.alist(None):
        if graph_of(dict(saved.metadata or {})) not in GRAPHS:
            continue
        thread = str(saved.config["configurable"]["thread_id"])
        if newest_first and thread not in latest and len(latest) >= limit:
            break  # every checkpoint left is older than the newest of `limit` threads: no need to load them
        latest[thread] = max(latest.get(thread, 0.0), _when(saved.metadata, saved.checkpoint))
    newest = sorted(latest, key=lambda t: latest[t], reverse=True)[:limit]
    return [await describe(saver, thread) for thread in newest]


async def check_resumable(
    saver: BaseCheckpointSaver[Any], thread_id: str, graph: str | None, provider: str
) -> GraphEntry:
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
    if graph is not None and graph != recorded:
        raise CannotResume(f"thread {thread_id!r} is a {recorded!r} run, not {graph!r}; resume it as {recorded}")
    entry = entry_for(recorded)
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
    conn = _postgres_connection(saver)
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


def _postgres_connection(saver: BaseCheckpointSaver[Any]) -> Any:
    """The connection of LangGraph's PostgreSQL saver, or None for any other saver."""
    try:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    except ImportError:  # pragma: no cover - the PostgreSQL extra is installed with the project
        return None
    return saver.conn if isinstance(saver, AsyncPostgresSaver) else None


async def prune(saver: BaseCheckpointSaver[Any], older_than_days: float) -> list[str]:
    """Delete every thread whose last checkpoint is more than `older_than_days` old; return their ids.

    Age is the time each checkpoint was saved, which every run has (CLI, Python or served), so a
    checkpointer shared with the LangGraph server never loses a recent served thread.
    """
    cutoff = time.time() - older_than_days * 86400
    latest: dict[str, float] = {}
    async for saved in saver.alist(None):
        thread = str(saved.config["configurable"]["thread_id"])
        latest[thread] = max(latest.get(thread, 0.0), _when(saved.metadata, saved.checkpoint))
    old = [thread for thread, when in latest.items() if when < cutoff]
    for thread in old:
        await saver.adelete_thread(thread)
    return old


def _lists_newest_first(saver: BaseCheckpointSaver[Any]) -> bool:
    """Whether `alist(None)` yields every thread's checkpoints newest first across threads.

    LangGraph's SQLite and PostgreSQL savers order by checkpoint id (time-ordered); listing the
    recent threads then stops early instead of loading a whole shared store.
    """
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    return isinstance(saver, AsyncSqliteSaver) or _postgres_connection(saver) is not None


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
    graph = compile_entry(GRAPHS[info.graph], saver)
    async for snapshot in graph.aget_state_history(config_of(info.thread_id)):
        if failed <= set(snapshot.next):
            return snapshot.config
    return None
