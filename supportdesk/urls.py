"""Open the support desk a URL names, one instance per desk in a process.

    sqlite:///relative/path.sqlite      a file, relative to the working directory
    sqlite:////absolute/path.sqlite     (the fourth slash starts the absolute path)
    .stagecraft/support.sqlite          a plain path: SQLite, as before URLs
    postgresql://user@host:5432/db?schema=supportdesk    (postgres:// too)

Every caller of `open_desk` with the same desk gets the same instance, so one process keeps
one pool of PostgreSQL connections however many nodes ask; replicas share the desk through
the database itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from supportdesk.desk import Desk
from supportdesk.models import DeskUnavailable

_SQLITE: Final = "sqlite:///"
_POSTGRES: Final = ("postgresql://", "postgres://")


@dataclass(frozen=True)
class DeskLocation:
    """Which backend holds a desk, and where: an absolute path or a PostgreSQL URL."""

    backend: Literal["sqlite", "postgresql"]
    target: str

    @classmethod
    def parse(cls, url: str) -> DeskLocation:
        """Read a desk URL or plain path; raise ValueError for anything else."""
        if url.startswith(_POSTGRES):
            return cls("postgresql", url)
        if url.startswith(_SQLITE):
            path = url.removeprefix(_SQLITE)
        elif "://" in url:
            raise ValueError(
                f"unsupported support desk URL {url.split('://')[0]}://...: use sqlite:///path, a path, or postgresql://..."
            )
        else:
            path = url
        if path in ("", ":memory:"):
            raise ValueError(f"support desk URL {url!r} names no file; threads and processes must share one")
        # Resolved now: a relative path means the working directory of whoever opened the desk.
        return cls("sqlite", str(Path(path).absolute()))


def desk_from_url(url: str) -> Desk:
    """Return a new desk for `url` (not shared: most callers want `open_desk`)."""
    return _create(DeskLocation.parse(url))


def _create(location: DeskLocation) -> Desk:
    if location.backend == "postgresql":
        # Imported here so that SQLite users never load the PostgreSQL driver.
        try:
            from supportdesk.postgres import PostgresDesk
        except ImportError:
            raise DeskUnavailable(
                "PostgreSQL",
                "STAGECRAFT_SUPPORT_DB",
                "its client is the 'postgres' extra, not installed: "
                "pip install 'stagecraft[postgres]' (in a checkout: uv sync --extra postgres)",
            ) from None

        return PostgresDesk(location.target)
    from supportdesk.store import SupportDesk

    return SupportDesk(location.target)


_open: dict[DeskLocation, Desk] = {}
_open_lock = threading.Lock()


def open_desk(url: str) -> Desk:
    """Return the process's desk for `url`, creating it on first use."""
    location = DeskLocation.parse(url)
    with _open_lock:
        desk = _open.get(location)
        if desk is None:
            desk = _open[location] = _create(location)
        return desk


def close_desks() -> None:
    """Close and forget every desk `open_desk` returned, so the next call opens afresh."""
    with _open_lock:
        desks = list(_open.values())
        _open.clear()
    for desk in desks:
        desk.close()
