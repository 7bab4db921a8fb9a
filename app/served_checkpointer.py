"""The checkpointer `langgraph dev` uses when started with langgraph.shared.json.

LangGraph's server takes a custom checkpointer from its configuration (`"checkpointer": {"path":
...}`): an async context manager yielding a BaseCheckpointSaver, entered once per event loop. This
one opens what the operator's STAGECRAFT_CHECKPOINTER names (PostgreSQL, so that several processes
and the CLI share the runs), strict on load. The URL comes from the server's environment, never
from a client.

The server asks more of a checkpointer than a graph does: `multitask_strategy="rollback"` and
`runs.cancel(..., action="rollback")` delete a run's checkpoints through `adelete_for_runs`, which
LangGraph's PostgreSQL and SQLite savers leave unimplemented (the server then answers 500). The
savers yielded here implement it (SQLite's in app.sqlite_saver): every checkpoint whose metadata
names one of the runs goes, with its pending writes and the channel values no remaining checkpoint
refers to.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

from app.persistence import open_checkpointer
from app.sqlite_saver import VersionedSqliteSaver
from state.deployment import DeploymentError


@asynccontextmanager
async def checkpointer() -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """Yield the deployment's checkpointer for the server's lifetime."""
    async with open_checkpointer() as saver:
        yield _deleting_runs(saver)


def _deleting_runs(saver: BaseCheckpointSaver[Any]) -> BaseCheckpointSaver[Any]:
    """The same store, through a saver that can delete a run's checkpoints (sharing its connection)."""
    if isinstance(saver, VersionedSqliteSaver):
        return saver
    if isinstance(saver, InMemorySaver):
        raise DeploymentError(
            "STAGECRAFT_CHECKPOINTER=memory:// shares nothing: a server's shared checkpointer needs postgresql://..."
        )
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

    if isinstance(saver, AsyncPostgresSaver):
        return _postgres_saver(saver)
    raise DeploymentError(f"no run deletion for a {type(saver).__name__}")  # open_checkpointer opens no other


# A run's checkpoints, their pending writes, then the channel values of the threads they were on
# that no remaining checkpoint refers to (values are stored once per version, shared by checkpoints).
_POSTGRES_DELETE_FOR_RUNS = (
    """DELETE FROM checkpoint_writes w USING checkpoints c
       WHERE c.metadata->>'run_id' = ANY(%(runs)s)
         AND w.thread_id = c.thread_id AND w.checkpoint_ns = c.checkpoint_ns AND w.checkpoint_id = c.checkpoint_id""",
    # One statement sees the checkpoints as they were before its CTE deleted some: hence the run test.
    """WITH gone AS (
         DELETE FROM checkpoints WHERE metadata->>'run_id' = ANY(%(runs)s) RETURNING thread_id, checkpoint_ns)
       DELETE FROM checkpoint_blobs b USING (SELECT DISTINCT thread_id, checkpoint_ns FROM gone) r
       WHERE b.thread_id = r.thread_id AND b.checkpoint_ns = r.checkpoint_ns
         AND NOT EXISTS (
           SELECT 1 FROM checkpoints c
           WHERE c.thread_id = b.thread_id AND c.checkpoint_ns = b.checkpoint_ns
             AND c.checkpoint->'channel_versions'->>b.channel = b.version
             AND NOT COALESCE(c.metadata->>'run_id' = ANY(%(runs)s), false))""",
)


async def _delete_for_runs(conn: Any, ids: list[str]) -> None:
    async with conn.transaction(), conn.cursor() as cur:
        for sql in _POSTGRES_DELETE_FOR_RUNS:
            await cur.execute(sql, {"runs": ids})


def _postgres_saver(saver: Any) -> BaseCheckpointSaver[Any]:
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg import AsyncConnection

    class PostgresRunsSaver(AsyncPostgresSaver):
        """LangGraph's PostgreSQL saver, able to delete the checkpoints of given runs."""

        async def adelete_for_runs(self, run_ids: Iterable[str]) -> None:
            ids = [str(run_id) for run_id in run_ids]
            if not ids:
                return
            async with self.lock:
                if isinstance(self.conn, AsyncConnection):
                    await _delete_for_runs(self.conn, ids)
                else:  # a pool (app.persistence pools PostgreSQL): one connection from it
                    async with self.conn.connection() as conn:
                        await _delete_for_runs(conn, ids)

    return PostgresRunsSaver(saver.conn, pipe=saver.pipe, serde=saver.serde)
