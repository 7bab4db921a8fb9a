"""Open the services a run will need before its first model call, so a bad setting costs nothing.

Every URL setting's form is checked when the deployment is read (state.deployment.check_url);
what only opening can tell (a path that is not a SQLite file, a folder that cannot be created,
a PostgreSQL schema name the desk refuses) is found here, with the variable to change. A service
that is merely down (Redis, PostgreSQL) is reported as unavailable, exit 1, as before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from graphs.spec import GraphSpec
from state.deployment import DeploymentError
from state.settings import Settings


def check_services(spec: GraphSpec, settings: Settings) -> None:
    """Blocking: open the stage cache, the semantic store and the services (the desk) this run will use."""
    if settings.cache:
        from models.caches import STAGE_CACHE

        _opened("STAGECRAFT_CACHE", STAGE_CACHE.backend)
        if any(stage.semantic is not None for stage in spec.stages):
            from models.caches import semantic_cache

            _opened("STAGECRAFT_SEMANTIC_STORE", lambda: semantic_cache(settings))
    for ready in spec.services:
        _opened("STAGECRAFT_SUPPORT_DB", ready)


def _opened(variable: str, open_it: Callable[[], Any]) -> None:
    try:
        open_it()
    except (sqlite3.Error, OSError, ValueError) as exc:
        if isinstance(exc, ConnectionError):
            raise  # unreachable, not misconfigured: the caller reports it as unavailable
        reason = getattr(exc, "strerror", None) or str(exc).strip().splitlines()[0] or type(exc).__name__
        raise DeploymentError(f"{variable} cannot be used: {reason}") from None
