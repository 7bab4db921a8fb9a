"""Where runs are saved: checkpointers that read saved state strictly (see state.serde)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from state.serde import STRICT, StrictSerializer, TamperedStateError

__all__ = ["DEFAULT_RUNS_DB", "STRICT", "StrictSerializer", "TamperedStateError", "sqlite_checkpointer"]

DEFAULT_RUNS_DB = Path(".stagecraft") / "runs.sqlite"


@asynccontextmanager
async def sqlite_checkpointer(path: Path = DEFAULT_RUNS_DB) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """Yield a SQLite checkpointer that reads strictly, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(path) as conn:
        yield AsyncSqliteSaver(conn, serde=STRICT)
