"""The support desk in one SQLite file: the default, for one machine.

The desk is plain blocking code (sqlite3). Graph nodes call it in place under `graph.invoke`
and through `asyncio.to_thread` under `ainvoke`, so one implementation serves both and no
event loop owns a connection. Each thread keeps its own connection: opening one (and its
PRAGMAs) costs more than the queries a worker runs. Writes take SQLite's write lock up front
(BEGIN IMMEDIATE), so processes sharing the file queue for it, for up to the busy timeout.
"""

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from supportdesk.desk import Desk, Dialect, Params, Row, schema_sql, seed_statements
from supportdesk.models import DeskUnavailable

DIALECT: Final = Dialect(row_id="INTEGER PRIMARY KEY AUTOINCREMENT", double="REAL", timestamp="TEXT")
_SETUP_ATTEMPTS: Final = 8
_BUSY_TIMEOUT_S: Final = 5.0


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> Row:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


class _SqliteSession:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def one(self, sql: str, params: Params) -> Row | None:
        row: Row | None = self._db.execute(sql, params).fetchone()
        return row

    def run(self, sql: str, params: Params) -> int:
        return self._db.execute(sql, params).rowcount

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        self._db.executemany(sql, rows)

    def claim(self, *key: str) -> None:
        # BEGIN IMMEDIATE already holds the only write lock a SQLite database has.
        return


class SupportDesk(Desk):
    """Serve the support desk from one SQLite file."""

    service = "SQLite"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Remember the database path; nothing touches disk until first use."""
        super().__init__()
        self.path = Path(path)
        self.where = str(self.path)
        self._local = threading.local()

    @property
    def url(self) -> str:
        """Return `sqlite:///` and the path (a fourth slash when the path is absolute)."""
        return f"sqlite:///{self.path.as_posix()}"

    def close(self) -> None:
        """Close the calling thread's connection (each thread owns its own)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None:
            self._local.db = None
            db.close()

    def _connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=True)
            db.row_factory = _dict_row
            # busy_timeout must be in force before the WAL switch, which needs a lock.
            db.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            self._local.db = db
        return db

    @contextmanager
    def _session(self, *, write: bool) -> Iterator[_SqliteSession]:
        db = self._connection()
        if not write:
            yield _SqliteSession(db)
            return
        # IMMEDIATE takes the write lock up front, so the read-insert-read of a case never
        # interleaves with another writer's.
        db.execute("BEGIN IMMEDIATE")
        try:
            yield _SqliteSession(db)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def setup(self) -> None:
        """Create the parent directory, tables and seed rows if they are missing."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeskUnavailable(self.service, self.where, str(exc)) from None
        schema = schema_sql(DIALECT)
        for attempt in range(_SETUP_ATTEMPTS):
            try:
                self._create_and_seed(schema)
                break
            except sqlite3.OperationalError as exc:
                # Set-ups racing from other processes (no lock spans them): the WAL switch and
                # DDL can report "locked" without waiting. Set-up is idempotent: retry.
                if "locked" in str(exc) and attempt < _SETUP_ATTEMPTS - 1:
                    time.sleep(0.02 * 2**attempt)
                    continue
                if "unable to open" in str(exc):
                    raise DeskUnavailable(self.service, self.where, str(exc)) from None
                raise

    def _create_and_seed(self, schema: str) -> None:
        db = self._connection()
        db.executescript(schema)
        _migrate(db)
        with self._session(write=True) as session:
            for sql, rows in seed_statements():
                session.run_many(sql, rows)


def _migrate(db: sqlite3.Connection) -> None:
    # Desks created before requests had identities keyed cases and RMAs by thread id.
    for table in ("cases", "rmas"):
        columns = {row["name"] for row in db.execute(f"PRAGMA table_info({table})")}
        if "thread_id" in columns and "request_id" not in columns:
            db.execute(f"ALTER TABLE {table} RENAME COLUMN thread_id TO request_id")
