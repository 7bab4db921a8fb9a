"""`stagecraft batch` and `app.batch.run_batch`: results as they finish, failures collected, reruns skip done items."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import pytest

from app import cli
from app.batch import done_ids, item_thread, load_items, run_batch
from app.examples import BUSINESS_DOCUMENT, CUSTOMER_QUERY
from state.settings import Settings
from supportdesk import SupportDesk
from tests.conftest import Script

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
    assert seen == [0, 1, 2]  # progress once the workers were ready, then after each result as it arrived
    assert report.percentile(0.95) >= report.percentile(0.5) > 0


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ('{"query": "a"}\nnot json\n', [], ":2 is not JSON"),
        ('{"id": 1, "query": "a"}\n{"id": 1, "query": "b"}\n', [], "ids must be unique"),
        ('["a list"]\n', [], "must be a JSON object"),
        ('{"query": "a"}\n', ["--workers", "0"], "at least 1"),
        ('{"query": "a"}\n', ["--budget", "-1"], "--budget: must be a number of dollars above 0"),
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


def _new_calls(script: Script, before: dict[str, int]) -> set[str]:
    return {stage for stage, n in script.calls.items() if n > before.get(stage, 0)}


def test_a_rerun_continues_a_failed_item_on_its_thread_and_acts_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], script: Script, desk: SupportDesk
) -> None:
    # The README's recovery (run the batch again) opened a second case and issued a second RMA
    # for the same message: each attempt was a new request.
    inputs = _write_jsonl(tmp_path / "messages.jsonl", [{"id": "m1", "query": CUSTOMER_QUERY}])
    batch = ["batch", "orchestrator", str(inputs), "--provider", "scripted", "--runs-db", str(tmp_path / "runs.sqlite")]
    script.fail("synthesize_reply", times=1)  # the last stage, after the workers acted
    assert cli.main([*batch, "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["failed"] == 1
    assert (desk.count_cases(), desk.count_rmas()) == (1, 1)
    before = dict(script.calls)

    assert cli.main([*batch, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["done"] == 1
    assert (desk.count_cases(), desk.count_rmas()) == (1, 1)
    assert _new_calls(script, before) == {"synthesize_reply"}  # only the stage that failed ran again
    failed, done = _records(tmp_path / "messages.jsonl.results.jsonl")
    assert "injected failure in synthesize_reply" in str(failed["error"])
    assert failed["thread"] == done["thread"]
    reply = done["output"]["reply"]  # type: ignore[index]
    assert "CASE-" in reply and "RMA-" in reply


def test_an_item_of_a_graph_that_only_calls_models_is_saved_once_and_a_failed_one_continues(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], script: Script
) -> None:
    # Each step's checkpoint was written before the next step started, for graphs with nothing
    # to do twice but model calls: the batch spent more on its run store than on its runs.
    inputs = _write_jsonl(tmp_path / "docs.jsonl", [{"id": "d1", "document": BUSINESS_DOCUMENT}])
    runs = tmp_path / "runs.sqlite"
    batch = ["batch", "analysis", str(inputs), "--provider", "scripted", "--runs-db", str(runs), "--json"]
    script.fail("analysis_synthesis", times=1)  # after the four branches finished
    assert cli.main(batch) == 1
    capsys.readouterr()
    assert _checkpoints(runs) == 1  # saved as the item failed, with its finished branches
    before = dict(script.calls)

    assert cli.main(batch) == 0
    assert json.loads(capsys.readouterr().out)["done"] == 1
    assert _new_calls(script, before) == {"analysis_synthesis"}
    assert _checkpoints(runs) == 2


def test_an_item_of_a_graph_that_acts_is_saved_at_every_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], script: Script, desk: SupportDesk
) -> None:
    inputs = _write_jsonl(tmp_path / "messages.jsonl", [{"id": "m1", "query": CUSTOMER_QUERY}])
    runs = tmp_path / "runs.sqlite"
    assert cli.main(["batch", "orchestrator", str(inputs), "--provider", "scripted", "--runs-db", str(runs)]) == 0
    capsys.readouterr()
    assert _checkpoints(runs) > 3  # the input, then before each next step: a kill never makes it act twice


def _checkpoints(runs: Path) -> int:
    import sqlite3

    with closing(sqlite3.connect(runs)) as db:
        count: int = db.execute("SELECT count(*) FROM checkpoints").fetchone()[0]
    return count


def test_an_item_that_finished_but_lost_its_result_line_takes_its_saved_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], script: Script, desk: SupportDesk
) -> None:
    # Killed between the run's last checkpoint and the result line: the rerun must not act again.
    inputs = _write_jsonl(tmp_path / "messages.jsonl", [{"id": "m1", "query": CUSTOMER_QUERY}])
    results = tmp_path / "messages.jsonl.results.jsonl"
    batch = ["batch", "orchestrator", str(inputs), "--provider", "scripted", "--runs-db", str(tmp_path / "runs.sqlite")]
    assert cli.main([*batch, "--quiet"]) == 0
    capsys.readouterr()
    first = _records(results)[0]
    results.write_text("", encoding="utf-8")
    before = dict(script.calls)

    assert cli.main([*batch, "--quiet"]) == 0
    assert _new_calls(script, before) == set()
    assert (desk.count_cases(), desk.count_rmas()) == (1, 1)
    assert _records(results) == [first]


def test_an_items_thread_is_the_same_on_every_run_and_another_once_its_input_changes(tmp_path: Path) -> None:
    out, query = tmp_path / "results.jsonl", {"query": CUSTOMER_QUERY}
    thread = item_thread("orchestrator", out, "m1", query)
    assert item_thread("orchestrator", out, "m1", dict(query)) == thread
    assert item_thread("orchestrator", tmp_path / "." / "results.jsonl", "m1", query) == thread
    others = {
        item_thread("orchestrator", out, "m1", {"query": CUSTOMER_QUERY + " Thanks!"}),
        item_thread("orchestrator", out, "m2", query),
        item_thread("router", out, "m1", query),
        item_thread("orchestrator", tmp_path / "other.jsonl", "m1", query),
    }
    assert thread not in others and len(others) == 4


def test_a_folders_files_are_read_as_their_turn_comes(tmp_path: Path) -> None:
    # A folder of 10,000 files was read whole before the first item ran.
    folder = tmp_path / "messages"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text("My internet connection is not working.", encoding="utf-8")
    items = load_items(folder, "router")
    (folder / "b.txt").write_text("I was charged twice on my last invoice.", encoding="utf-8")
    (folder / "a.txt").write_bytes(b"\xff not text")  # fails as its item, not the batch
    settings = Settings(provider="offline", offline_latency=0)
    report = run_batch("router", items, out=tmp_path / "out.jsonl", settings=settings)
    assert (report.done, report.failed) == (1, 1)
    records = {r["id"]: r for r in _records(tmp_path / "out.jsonl")}
    assert "a.txt is not UTF-8 text" in str(records["a.txt"]["error"])
    assert records["b.txt"]["output"]["intent"] == "Billing Inquiry"  # type: ignore[index]


def test_jsonl_lines_without_ids_are_named_by_their_line(tmp_path: Path) -> None:
    inputs = tmp_path / "in.jsonl"
    lines = ['{"query": "My internet connection is not working."}', "", '{"query": "I was charged twice."}']
    inputs.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode() + b"\n")  # a UTF-8 BOM, as some editors write
    items = load_items(inputs, "router")
    assert items.ids == ["1", "3"]
    settings = Settings(provider="offline", offline_latency=0)
    report = run_batch("router", items, out=tmp_path / "out.jsonl", settings=settings)
    assert (report.done, report.failed) == (2, 0)
    intents = {r["id"]: r["output"]["intent"] for r in _records(tmp_path / "out.jsonl")}  # type: ignore[index]
    assert intents == {"1": "Technical Support", "3": "Billing Inquiry"}
