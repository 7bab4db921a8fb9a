"""The SQLite support desk: the shared desk contract, plus what only a file-backed desk or a URL shows."""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from supportdesk import DeskLocation, DeskUnavailable, SupportDesk, close_desks, normalize_id, open_desk
from supportdesk.postgres import PostgresDesk, split_url
from tests.desk_contract import DeskContract


class TestSqliteDesk(DeskContract):
    @pytest.fixture
    def fresh_url(self, tmp_path: Path) -> Callable[[], str]:
        """New desk files, each in a folder that does not exist yet."""
        count = 0

        def new() -> str:
            nonlocal count
            count += 1
            return f"sqlite:///{tmp_path / f'desk-{count}' / 'desk.sqlite'}"

        return new

    @pytest.fixture
    def execute(self) -> Callable[[str, str], None]:
        def run(url: str, statement: str) -> None:
            with closing(sqlite3.connect(DeskLocation.parse(url).target)) as db, db:
                db.execute(statement)

        return run


@pytest.fixture
def shared() -> Iterator[None]:
    close_desks()
    yield
    close_desks()


def test_normalize_id() -> None:
    assert normalize_id("#inv-7890") == "INV-7890"
    assert normalize_id(" a-12345 ") == "A-12345"
    assert normalize_id("'#INV-7890'.") == "INV-7890"
    assert normalize_id('"a-12345",') == "A-12345"


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("sqlite:///data/desk.sqlite", "{cwd}/data/desk.sqlite"),
        ("data/desk.sqlite", "{cwd}/data/desk.sqlite"),
        ("sqlite:////srv/desk.sqlite", "/srv/desk.sqlite"),
        ("/srv/desk.sqlite", "/srv/desk.sqlite"),
    ],
)
def test_sqlite_urls_and_plain_paths(url: str, target: str, tmp_path: Path) -> None:
    # conftest makes tmp_path the working directory.
    assert DeskLocation.parse(url) == DeskLocation("sqlite", target.format(cwd=tmp_path))


@pytest.mark.usefixtures("shared")
def test_postgres_urls_keep_libpq_parameters_and_take_the_schema() -> None:
    url = "postgresql://u:secret@db.internal:6543/app?sslmode=require&schema=desk_a&options=-c%20lock_timeout%3D5s"
    assert DeskLocation.parse(url) == DeskLocation("postgresql", url)
    rest = "postgresql://u:secret@db.internal:6543/app?sslmode=require&options=-c%20lock_timeout%3D5s"
    assert split_url(url) == (rest, "desk_a")
    assert split_url("postgres://h/db")[1] == "supportdesk"
    desk = open_desk(url)
    assert isinstance(desk, PostgresDesk) and desk.where == "db.internal:6543"
    assert "secret" not in repr(desk)


@pytest.mark.parametrize("url", ["mysql://h/db", "sqlite://", "sqlite:///", ":memory:", "sqlite:///:memory:"])
def test_unusable_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="support desk URL"):
        DeskLocation.parse(url)


@pytest.mark.parametrize("schema", ["", "1desk", "desk-a", "desk;drop", "x" * 64])
def test_schema_names_are_checked(schema: str) -> None:
    with pytest.raises(ValueError, match="schema"):
        split_url(f"postgresql://h/db?schema={schema}")


@pytest.mark.usefixtures("shared")
def test_open_desk_returns_one_instance_per_desk(tmp_path: Path) -> None:
    desk = open_desk("sqlite:///desk.sqlite")
    assert isinstance(desk, SupportDesk) and desk.path == tmp_path / "desk.sqlite"
    assert open_desk("desk.sqlite") is desk
    assert open_desk(f"sqlite:///{tmp_path}/desk.sqlite") is desk
    assert open_desk("other.sqlite") is not desk
    close_desks()
    assert open_desk("desk.sqlite") is not desk


def test_an_unusable_sqlite_path_names_the_service_and_the_place(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    desk = SupportDesk(tmp_path / "file" / "desk.sqlite")
    with pytest.raises(DeskUnavailable) as info:
        desk.count_cases()
    assert str(info.value).startswith(f"support desk SQLite at {tmp_path}/file/desk.sqlite unreachable: ")
    assert info.value.__cause__ is None and info.value.__suppress_context__
