"""`stagecraft batch` and `app.batch.run_batch`: results as they finish, failures collected, reruns skip done items."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import cli
from app.batch import done_ids, load_items, run_batch
from app.examples import BUSINESS_DOCUMENT
from state.settings import Settings

QUERIES = [
    {"id": "net", "query": "My internet connection is not working."},
    {"id": "bill", "query": "I was charged twice on my last invoice."},
    {"id": "empty", "query": "   "},
    {"id": "hello", "query": "Hello there, what do you sell?"},
]


def _write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_batch_writes_every_result_and_collects_failures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = _write_jsonl(tmp_path / "queries.jsonl", QUERIES)
    code = cli.main(["batch", "router", str(inputs), "--latency", "0", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1  # one item failed; the batch still ran the others
    assert (report["items"], report["done"], report["failed"], report["skipped"]) == (4, 3, 1, 0)
    assert report["failures"][0]["id"] == "empty" and "InputError" in report["failures"][0]["error"]
    assert report["cost_usd"] > 0 and set(report["cost_by_stage"]) >= {"classify"}
    assert report["p50_s"] > 0 and report["p95_s"] >= report["p50_s"] and report["peak_rss_mb"] > 0

    records = {r["id"]: r for r in _records(tmp_path / "queries.jsonl.results.jsonl")}
    assert set(records) == {"net", "bill", "empty", "hello"}
    assert records["net"]["graph"] == "router"
    assert records["net"]["output"]["intent"] == "Technical Support"  # type: ignore[index]
    assert records["bill"]["output"]["intent"] == "Billing Inquiry"  # type: ignore[index]
    assert "error" in records["empty"] and "output" not in records["empty"]


def test_a_rerun_skips_what_is_done_and_retries_what_failed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = _write_jsonl(tmp_path / "queries.jsonl", QUERIES)
    out = tmp_path / "results.jsonl"
    cli.main(["batch", "router", str(inputs), "--out", str(out), "--latency", "0", "--quiet"])
    capsys.readouterr()
    # An interruption can leave a line cut short: that item is not done and runs again.
    lines = out.read_text(encoding="utf-8").splitlines()
    cut = next(i for i, line in enumerate(lines) if json.loads(line)["id"] == "hello")
    lines[cut] = lines[cut][:25]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")

    code = cli.main(["batch", "router", str(inputs), "--out", str(out), "--latency", "0", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert (report["skipped"], report["done"], report["failed"]) == (2, 1, 1)  # hello again, empty again
    assert done_ids(out, "router") == {"net", "bill", "hello"}
    # Results of another graph in the same file are not taken as done for this one.
    assert done_ids(out, "analysis") == set()


def test_a_folder_of_texts_is_a_batch_named_by_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "q3.txt").write_text(BUSINESS_DOCUMENT, encoding="utf-8")
    (folder / "memo.md").write_text("The board approved the budget. Revenue grew 4%.", encoding="utf-8")
    (folder / ".hidden").write_text("not an input", encoding="utf-8")
    code = cli.main(["batch", "analysis", str(folder), "--latency", "0"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Batch of analysis: 2 items, 0 already done, 2 done, 0 failed" in captured.out
    assert "p50" in captured.out and "cache hit rate" in captured.out
    assert "2/2 done, 0 failed" in captured.err  # the progress line
    records = _records(folder.with_name("docs.results.jsonl"))
    assert {r["id"] for r in records} == {"q3.txt", "memo.md"}
    assert all(r["output"]["summary"] for r in records)  # type: ignore[index]


def test_run_batch_from_python(tmp_path: Path) -> None:
    items = load_items(_write_jsonl(tmp_path / "in.jsonl", QUERIES[:2]), "router")
    seen: list[int] = []
    report = run_batch(
        "router",
        items,
        out=tmp_path / "out.jsonl",
        settings=Settings(provider="offline", offline_latency=0),
        concurrency=2,
        on_progress=lambda report, total: seen.append(report.done),
    )
    assert (report.done, report.failed) == (2, 0)
    assert seen == [1, 2]  # progress after each result, as it arrived
    assert report.percentile(0.95) >= report.percentile(0.5) > 0


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ('{"query": "a"}\nnot json\n', [], ":2 is not JSON"),
        ('{"id": 1, "query": "a"}\n{"id": 1, "query": "b"}\n', [], "ids must be unique"),
        ('["a list"]\n', [], "must be a JSON object"),
        ('{"query": "a"}\n', ["--workers", "0"], "at least 1"),
        ('{"query": "a"}\n', ["--budget", "-1"], "max_cost_usd"),
    ],
)
def test_bad_batch_input_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, args: list[str], message: str
) -> None:
    inputs = tmp_path / "in.jsonl"
    inputs.write_text(content, encoding="utf-8")
    code = cli.main(["batch", "router", str(inputs), "--latency", "0", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "in.jsonl.results.jsonl").exists()  # nothing ran, nothing written


def test_a_missing_input_or_graph_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["batch", "router", str(tmp_path / "nope.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err
    (tmp_path / "in.jsonl").write_text('{"query": "a"}\n', encoding="utf-8")
    assert cli.main(["batch", "nope", str(tmp_path / "in.jsonl")]) == 2
    assert "unknown graph 'nope'" in capsys.readouterr().err


def test_a_rerun_with_only_invalid_items_left_reports_no_throughput(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Items refused as invalid input never run: counting them gave six-figure "items/s".
    inputs = _write_jsonl(tmp_path / "queries.jsonl", QUERIES)
    cli.main(["batch", "router", str(inputs), "--latency", "0", "--json"])
    capsys.readouterr()
    cli.main(["batch", "router", str(inputs), "--latency", "0", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert (report["skipped"], report["failed"]) == (3, 1)
    assert report["throughput_per_s"] == 0
