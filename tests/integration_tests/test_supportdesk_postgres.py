"""The PostgreSQL support desk against a real server: the shared desk contract, pooling, isolation.

The server is STAGECRAFT_TEST_POSTGRES_URL (default: database `test` on 127.0.0.1:5432). Each
test gets desks in schemas of its own (`?schema=desk_test_...`), dropped when it ends, so tests
never see each other's cases and may run while others use the same database. When the server
cannot be reached the tests skip, saying why, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from supportdesk import DeskUnavailable, close_desks, open_desk
from supportdesk.postgres import PostgresDesk, split_url
from tests.desk_contract import DeskContract, MakeDesk, NewUrl, race

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("STAGECRAFT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
POOL_MAX = 4  # the default pool_max
SEEDED_INVOICE = "TestPostgresDesk and test_seeded_invoice"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def _with(url: str, **params: str) -> str:
    extra = "&".join(f"{name}={value}" for name, value in params.items())
    return f"{url}{'&' if '?' in url else '?'}{extra}"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test server's URL; skip (fail under CI) when it does not answer."""
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        reason = f"PostgreSQL for the support desk tests unreachable ({POSTGRES_URL}): {' '.join(str(exc).split())}"
        if _in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    return POSTGRES_URL


@pytest.fixture
def fresh_url(postgres_url: str) -> Iterator[NewUrl]:
    """URLs of desks in new schemas, dropped when the test ends."""
    schemas: list[str] = []

    def new() -> str:
        schemas.append(f"desk_test_{uuid.uuid4().hex[:12]}")
        return _with(postgres_url, schema=schemas[-1])

    yield new
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for schema in schemas:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _backends(postgres_url: str, application_name: str) -> int:
    with psycopg.connect(postgres_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [application_name]
        ).fetchone()
    assert row is not None
    return int(row[0])


def _backends_after_they_settle(postgres_url: str, application_name: str) -> int:
    # A backend leaves pg_stat_activity a moment after its client hangs up or it is terminated.
    deadline = time.monotonic() + 10
    while (count := _backends(postgres_url, application_name)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return count


class TestPostgresDesk(DeskContract):
    """The shared contract, and what pooling, schemas and a real server add to it."""

    @pytest.fixture
    def execute(self) -> Callable[[str, str], None]:
        def run(url: str, statement: str) -> None:
            conninfo, schema = split_url(url)
            with psycopg.connect(conninfo) as conn:
                conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
                conn.execute(statement.encode())

        return run

    def test_schemas_keep_desks_apart(self, fresh_url: NewUrl, make_desk: MakeDesk) -> None:
        a, b = make_desk(fresh_url()), make_desk(fresh_url())
        case_a = a.open_case(request_id="r", task_key="k", invoice_number="INV-7890", concern="in a")
        case_b = b.open_case(request_id="r", task_key="k", invoice_number="INV-7890", concern="in b")
        assert case_a is not None and case_b is not None and case_a.created and case_b.created
        assert (case_a.case_id, case_b.case_id) == ("CASE-00001", "CASE-00001")
        assert (a.count_cases(), b.count_cases()) == (1, 1)

    def test_open_desk_shares_one_pool_among_many_threads(self, postgres_url: str, fresh_url: NewUrl) -> None:
        name = f"desk_pool_{uuid.uuid4().hex[:8]}"
        url = _with(fresh_url(), application_name=name)
        close_desks()
        try:
            assert open_desk(url) is open_desk(url)
            cases = race(
                40,
                lambda: open_desk(url).open_case(request_id="r", task_key="k", invoice_number="INV-7893", concern="c"),
            )
            assert sum(case is not None and case.created for case in cases) == 1
            # Forty threads, one desk, at most the pool's connections on the server.
            assert 1 <= _backends(postgres_url, name) <= POOL_MAX
            small = _with(fresh_url(), application_name=name + "_small", pool_max="2")
            race(
                40,
                lambda: open_desk(small).open_case(
                    request_id="r", task_key="k", invoice_number="INV-7893", concern="c"
                ),
            )
            assert 1 <= _backends(postgres_url, name + "_small") <= 2
        finally:
            close_desks()
        assert _backends_after_they_settle(postgres_url, name) == 0

    def test_a_connection_the_server_dropped_is_replaced(
        self, postgres_url: str, fresh_url: NewUrl, make_desk: MakeDesk
    ) -> None:
        name = f"desk_drop_{uuid.uuid4().hex[:8]}"
        desk = make_desk(_with(fresh_url(), application_name=name))
        assert desk.count_cases() == 0
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            killed = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s", [name]
            ).fetchone()
        assert killed is not None and killed[0] >= 1
        assert _backends_after_they_settle(postgres_url, name) == 0
        case = desk.open_case(request_id="r", task_key="k", invoice_number="INV-7890", concern="c")
        assert case is not None and case.created and desk.count_cases() == 1

    def test_a_query_the_server_cancels_is_not_reported_as_an_outage(
        self, fresh_url: NewUrl, make_desk: MakeDesk
    ) -> None:
        url = fresh_url()
        desk = make_desk(_with(url, options="-c%20statement_timeout%3D300"))
        assert desk.count_cases() == 0
        conninfo, schema = split_url(url)
        with psycopg.connect(conninfo) as blocker:
            # An uncommitted row for the key: the desk's insert must wait for it, past the timeout.
            blocker.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
            blocker.execute(
                "INSERT INTO cases (request_id, task_key, invoice_number, concern, eta_business_days)"
                " VALUES ('t', 'k', 'INV-7890', 'c', 2)"
            )
            with pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"):
                desk.open_case(request_id="t", task_key="k", invoice_number="INV-7890", concern="c")
            blocker.rollback()
        case = desk.open_case(request_id="t", task_key="k", invoice_number="INV-7890", concern="c")
        assert case is not None and case.created


def test_an_unreachable_server_is_named_with_its_address() -> None:
    port = _closed_port()
    desk = PostgresDesk(f"postgresql://postgres:hunter2@127.0.0.1:{port}/test?schema=nowhere")
    with pytest.raises(DeskUnavailable) as info:
        desk.find_invoice("INV-7890")
    message = str(info.value)
    assert message.startswith(f"support desk PostgreSQL at 127.0.0.1:{port} unreachable: ")
    assert "refused" in message and "hunter2" not in message and "\n" not in message
    # Only our error, not the driver's traceback chained under it.
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize(("ci", "outcome"), [("true", "1 error"), (None, "1 skipped")])
def test_without_a_server_the_suite_skips_but_fails_under_ci(ci: str | None, outcome: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["STAGECRAFT_TEST_POSTGRES_URL"] = f"postgresql://postgres@127.0.0.1:{_closed_port()}/test"
    if ci is not None:
        env["CI"] = ci
    out = subprocess.run(
        [sys.executable, "-m", "pytest", __file__, "-p", "no:cacheprovider", "-q", "-rs", "-k", SEEDED_INVOICE],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert outcome in out.stdout, out.stdout + out.stderr
    assert out.returncode == (1 if ci else 0), out.stdout
    assert "PostgreSQL for the support desk tests unreachable" in out.stdout
