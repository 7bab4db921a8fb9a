"""Where runs are saved: a checkpointer chosen by URL, reading saved state strictly (see state.serde).

    sqlite:///path        LangGraph's SQLite saver storing each value once per version (app.sqlite_saver;
                          default: sqlite:///.stagecraft/runs.sqlite); WAL and a busy timeout, so
                          concurrent CLI runs on one file wait instead of failing
    memory://             InMemorySaver: nothing outlives the process
    postgresql://...      LangGraph's PostgresSaver, shared by every process and server replica

One setting chooses it: STAGECRAFT_CHECKPOINTER, or the CLI's --checkpointer, the same for the
CLI and for Python (`async with open_checkpointer() as saver: graph = build().compile(...)`).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from langgraph.checkpoint.base import BaseCheckpointSaver

from app.sqlite_saver import VersionedSqliteSaver
from state.deployment import DeploymentError, check_url, deployment, missing_extra
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
        # A file that cannot be opened (a folder, say) fails here: aiosqlite's failed connect leaves
        # its thread a last callback that, once the CLI's event loop has closed, prints a traceback.
        await asyncio.to_thread(lambda: sqlite3.connect(path).close())
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
        saver = VersionedSqliteSaver(conn, serde=STRICT)
        await _with_retries_on_lock(saver.setup)
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
        await conn.close()


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


# Connections of a process's PostgreSQL checkpointer: LangGraph's saver runs one statement (or one
# pipeline) at a time, so a few are enough; the pool replaces one the server or a network dropped.
_POOL_MAX = 4
# Each statement commits without waiting for its WAL record to reach the disk (as SQLite's NORMAL
# above): the server crashing may lose the last few hundred milliseconds of checkpoints, never
# corrupts the database, and a run resumes from the checkpoint before. Waiting for the flush cost
# 5-10 ms per checkpoint on this machine (an orchestrator run 1.34x its time without a checkpointer).
_SESSION = "-c synchronous_commit=off"


@asynccontextmanager
async def _postgres(url: str) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    try:
        import psycopg
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        from psycopg.rows import DictRow, dict_row
        from psycopg_pool import AsyncConnectionPool
    except ImportError:
        raise missing_extra("postgres", "STAGECRAFT_CHECKPOINTER=postgresql://...") from None

    where = url.split("://", 1)[1].split("@")[-1].split("/")[0]
    session: dict[str, Any] = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row, "options": _SESSION}
    try:
        conn = await psycopg.AsyncConnection.connect(url, **session)
    except psycopg.ProgrammingError as exc:  # the URL itself is malformed
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DeploymentError(
            f"STAGECRAFT_CHECKPOINTER (or --checkpointer) postgresql://... is not usable: {reason}"
        ) from None
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise PersistenceUnavailable(f"checkpointer PostgreSQL at {where} unreachable: {reason}") from None
    async with conn:
        # Migrations from several processes at once would race: one at a time.
        await conn.execute("SELECT pg_advisory_lock(hashtext('stagecraft-checkpoint-setup'))")
        try:
            await AsyncPostgresSaver(conn, serde=STRICT).setup()
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext('stagecraft-checkpoint-setup'))")
    # The saver writes each checkpoint's statements as one pipeline (one round trip) itself.
    pool = AsyncConnectionPool(url, min_size=1, max_size=_POOL_MAX, kwargs=session, open=False, name="checkpoints")
    try:
        await pool.open(wait=True, timeout=30)
    except Exception as exc:  # reachable a moment ago: the server went away or refuses more connections
        await pool.close()
        raise PersistenceUnavailable(f"checkpointer PostgreSQL at {where}: no connection pool ({exc})") from None
    async with pool:
        yield AsyncPostgresSaver(cast("AsyncConnectionPool[psycopg.AsyncConnection[DictRow]]", pool), serde=STRICT)
