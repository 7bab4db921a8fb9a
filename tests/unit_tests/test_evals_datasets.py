"""Labelled sets as `stagecraft eval` reads them: a bad file is one line and exit 2, a sparse one is scored."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app import cli
from app.evals import DatasetError, load_dataset

GOOD: dict[str, dict[str, Any]] = {
    "routing": {"id": "r1", "text": "The app crashes on start.", "label": "Technical Support"},
    "decomposition": {
        "id": "d1",
        "text": "Where is order A-1? And I want to return the kettle, it leaks.",
        "tasks": [
            {"query_type": "StatusUpdate", "order_id": "A-1"},
            {"query_type": "ProductReturn", "product_name": "kettle", "reason_for_return": "it leaks"},
        ],
    },
    "faq": {
        "id": "f1",
        "sources": [{"title": "Loans", "content": "Books are lent for three weeks. Films are lent for one week."}],
        "num_questions": 1,
        "questions": [{"question": "How long can I keep a film?", "titles": ["Loans"], "answer_contains": ["week"]}],
    },
    "analysis": {
        "id": "a1",
        "document": "Maria Lopez opened the new office in Lyon on 3 March 2025.",
        "sentiment": "neutral",
        "entities": [{"name": "Maria Lopez", "type": "PERSON"}, {"name": "Lyon", "type": "LOCATION"}],
    },
}


def _with(kind: str, **changes: Any) -> dict[str, Any]:
    """Return the good example of a kind with some keys replaced (None: removed)."""
    example = {**json.loads(json.dumps(GOOD[kind])), "id": "bad"}
    for key, value in changes.items():
        if value is None:
            example.pop(key)
        else:
            example[key] = value
    return example


def _task(**changes: Any) -> list[dict[str, Any]]:
    task = {"query_type": "StatusUpdate", "order_id": "A-2"}
    task.update(changes)
    return [{k: v for k, v in task.items() if v is not None}]


# kind, the second line of the file (the first is a good example), words the error must hold.
BAD_LINES: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("routing", "broken JSON", '{"id": "x", "text": "hi", ', ("JSON",)),
    ("routing", "missing key", json.dumps(_with("routing", label=None)), ("label",)),
    ("routing", "id of the wrong type", json.dumps(_with("routing", id=7)), ("id",)),
    ("routing", "label of the wrong type", json.dumps(_with("routing", label=3)), ("label",)),
    ("routing", "unknown label", json.dumps(_with("routing", label="Sales")), ("label", "Sales")),
    ("routing", "not an object", json.dumps(["r2", "hi", "Technical Support"]), ("object",)),
    ("decomposition", "broken JSON", '{"id": "x", "tasks": [}', ("JSON",)),
    ("decomposition", "missing key", json.dumps(_with("decomposition", tasks=_task(order_id=None))), ("order_id",)),
    ("decomposition", "id of the wrong type", json.dumps(_with("decomposition", id=None) | {"id": ["d"]}), ("id",)),
    (
        "decomposition",
        "label of the wrong type",
        json.dumps(_with("decomposition", tasks=_task(query_type=5))),
        ("query_type",),
    ),
    ("decomposition", "tasks of the wrong type", json.dumps(_with("decomposition", tasks="StatusUpdate")), ("tasks",)),
    (
        "decomposition",
        "unknown label",
        json.dumps(_with("decomposition", tasks=_task(query_type="Refund"))),
        ("Refund",),
    ),
    (
        "decomposition",
        "id of a task of the wrong type",
        json.dumps(_with("decomposition", tasks=_task(order_id=1234))),
        ("order_id",),
    ),
    ("faq", "broken JSON", '{"id": "x", "sources": [{"title": "A", "content": "b"}', ("JSON",)),
    ("faq", "missing key", json.dumps(_with("faq", sources=None)), ("sources",)),
    ("faq", "id of the wrong type", json.dumps(_with("faq", id=3.5)), ("id",)),
    ("faq", "count of the wrong type", json.dumps(_with("faq", num_questions="two")), ("num_questions",)),
    ("faq", "source without content", json.dumps(_with("faq", sources=[{"title": "Loans"}])), ("content",)),
    (
        "faq",
        "unknown label",
        json.dumps(_with("faq", questions=[{"question": "Who?", "titles": ["Nowhere"], "answer_contains": []}])),
        ("Nowhere",),
    ),
    ("analysis", "broken JSON", '{"id": "x", "document": "unterminated', ("JSON",)),
    ("analysis", "missing key", json.dumps(_with("analysis", sentiment=None)), ("sentiment",)),
    ("analysis", "id of the wrong type", json.dumps(_with("analysis", id=True)), ("id",)),
    ("analysis", "label of the wrong type", json.dumps(_with("analysis", sentiment=["neutral"])), ("sentiment",)),
    ("analysis", "unknown label", json.dumps(_with("analysis", sentiment="happy")), ("sentiment", "happy")),
    (
        "analysis",
        "unknown entity type",
        json.dumps(_with("analysis", entities=[{"name": "Lyon", "type": "CITY"}])),
        ("type", "CITY"),
    ),
    ("analysis", "entity without a name", json.dumps(_with("analysis", entities=[{"type": "PERSON"}])), ("name",)),
]


def _run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["eval", *args])  # an uncaught exception here is the traceback a user would see
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _refused(code: int, out: str, err: str, path: Path, *words: str) -> None:
    """Assert one error line naming the file (and the words given), exit 2, nothing scored."""
    assert code == 2, (code, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert str(path) in lines[0] and "Traceback" not in err, err
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert out == ""


@pytest.mark.parametrize(
    ("kind", "line", "words"),
    [pytest.param(kind, line, words, id=f"{kind}: {problem}") for kind, problem, line, words in BAD_LINES],
)
def test_a_malformed_dataset_is_one_line_naming_file_and_line_and_exit_2(
    kind: str, line: str, words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"{kind}.jsonl"
    path.write_text(json.dumps(GOOD[kind]) + "\n" + line + "\n", encoding="utf-8")
    code, out, err = _run(kind, str(path), capsys=capsys)
    _refused(code, out, err, path, f"{path}:2:", *words)


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _blank(path: Path) -> Path:
    path.write_text("\n  \n\n", encoding="utf-8")
    return path


def _binary(path: Path) -> Path:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))
    return path


def _directory(path: Path) -> Path:
    path.mkdir()
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)  # opening it to read would wait for a writer that never comes
    return path


def _wrong_kind(path: Path) -> Path:
    path.write_text(json.dumps(GOOD["routing"]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "kind", "words"),
    [
        (_empty, "routing", ("no examples",)),
        (_blank, "faq", ("no examples",)),
        (_binary, "analysis", (":1:", "UTF-8")),
        (_directory, "routing", ("folder",)),
        (_fifo, "decomposition", ("named pipe",)),
        (_wrong_kind, "decomposition", (":1:", "routing example")),
    ],
)
def test_a_file_that_is_no_dataset_of_its_kind_is_one_line_and_exit_2(
    make: Callable[[Path], Path],
    kind: str,
    words: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = make(tmp_path / "set.jsonl")
    code, out, err = _run(kind, str(path), capsys=capsys)
    _refused(code, out, err, path, *words)


def test_a_duplicate_id_is_refused_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(GOOD["routing"]) + "\n\n" + json.dumps(GOOD["routing"]) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"r\.jsonl:3: duplicate id 'r1'"):
        load_dataset(path, "routing")


def test_load_dataset_rejects_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": "a", "text": "x", "label": "Sales"}\n')
    with pytest.raises(DatasetError, match="label"):
        load_dataset(path, "routing")
    path.write_text('{"id": "a", "text": "x"}\n')
    with pytest.raises(DatasetError, match="needs label"):
        load_dataset(path, "routing")
    with pytest.raises(DatasetError, match="cannot read"):
        load_dataset(tmp_path / "missing.jsonl", "routing")


SPARSE: dict[str, dict[str, Any]] = {
    "routing": {"id": "r1", "text": "I was charged twice this month.", "label": "Billing Inquiry"},
    "decomposition": {
        "id": "d1",
        "text": "I want to return the kettle.",
        "tasks": [{"query_type": "ProductReturn", "product_name": "kettle"}],  # no reason_for_return
    },
    "faq": {
        "id": "f1",
        "sources": GOOD["faq"]["sources"],
        "num_questions": 1,
        "questions": [{"question": "How long can I keep a film?", "titles": ["Loans"]}],  # no answer_contains
    },
    "analysis": {"id": "a1", "document": GOOD["analysis"]["document"], "sentiment": "neutral", "entities": []},
}


@pytest.mark.parametrize("kind", SPARSE)
def test_a_dataset_without_its_optional_fields_is_scored(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"{kind}.jsonl"
    path.write_text(json.dumps(SPARSE[kind]) + "\n", encoding="utf-8")
    code, out, err = _run(kind, str(path), "--json", capsys=capsys)
    assert code == 0, err
    scores = json.loads(out)
    counted = {"routing": "n", "decomposition": "n", "faq": "sets", "analysis": "documents"}[kind]
    assert scores[counted] == 1
    if kind == "decomposition":  # the return's reason is scored as "not specified"
        reason = scores["by_field"]["reason_for_return"]
        assert reason["tp"] + reason["fn"] == 1
    if kind == "faq":  # the labelled question is scored: answered from its title is enough
        assert scores["labelled"] == 1
