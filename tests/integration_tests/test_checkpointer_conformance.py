"""LangGraph's own conformance suite against the checkpointers the server is given.

`langgraph dev --config langgraph.shared.json` takes its checkpointer from
app/served_checkpointer.py: LangGraph's SQLite or PostgreSQL saver opened the way the CLI opens
it (strict serde, pooled PostgreSQL), plus `adelete_for_runs` for rollbacks. The suite
(`langgraph-checkpoint-conformance`) checks every capability the saver implements, the
extended ones it detects (delete_for_runs here) included, on a real SQLite file and a PostgreSQL
database of the test's own.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest
from langgraph.checkpoint.conformance import checkpointer_test, validate

from app.served_checkpointer import checkpointer
from tests.integration_tests.services import require

pytestmark = pytest.mark.integration

POSTGRES = "postgresql://postgres@127.0.0.1:5432"


async def _conforms(name: str, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGECRAFT_CHECKPOINTER", url)

    @checkpointer_test(name=name)
    async def served() -> AsyncIterator[object]:
        async with checkpointer() as saver:
            yield saver

    report = await validate(served)
    report.print_report()
    assert report.results["delete_for_runs"].detected
    failed = {cap: result for cap, result in report.results.items() if result.detected and result.passed is not True}
    assert report.passed_all_base() and report.passed_all(), failed


async def test_the_served_sqlite_checkpointer_conforms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await _conforms("served SQLite", f"sqlite:///{tmp_path / 'runs.sqlite'}", monkeypatch)


async def test_the_served_postgres_checkpointer_conforms(monkeypatch: pytest.MonkeyPatch) -> None:
    require("PostgreSQL", "127.0.0.1", 5432)
    database = f"conformance_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{POSTGRES}/test", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {database}")
    try:
        await _conforms("served PostgreSQL", f"{POSTGRES}/{database}", monkeypatch)
    finally:
        with psycopg.connect(f"{POSTGRES}/test", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
