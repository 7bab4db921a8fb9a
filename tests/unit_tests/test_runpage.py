"""The HTML page of a run (app.runpage): its figures are the ledger's, and nothing from the run can inject into it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from app import cli
from app.examples import BUSINESS_DOCUMENT, ENERGY_SOURCES
from app.runpage import run_page
from graphs.document import SPEC as DOCUMENT
from graphs.faq import SPEC as FAQ
from state.execution import critical_calls, critical_path, execution_report
from state.ledger import ModelCall
from state.settings import Settings
from tests.conftest import Script
from tests.runpage_dom import PAGE_TAGS, Page, check_against_ledger


async def test_a_faq_pages_figures_are_its_ledgers(settings: Settings) -> None:
    out = await FAQ.compile().ainvoke({"sources": ENERGY_SOURCES, "num_questions": 12}, context=settings)
    page = Page(run_page("faq", out, thread="t-1"))
    check_against_ledger(page, out["ledger"])
    assert int(page.one("calls")) == out["execution_report"]["calls"] > 12
    assert page.one("termination") == "completed"


async def test_a_document_pages_figures_are_its_ledgers(settings: Settings) -> None:
    out = await DOCUMENT.compile().ainvoke({"document": BUSINESS_DOCUMENT}, context=settings)
    page = Page(run_page("document", out))
    check_against_ledger(page, out["ledger"])


def _call(stage: str, started: float, ended: float, **more: Any) -> ModelCall:
    call = ModelCall(
        stage=stage,
        tier="FAST",
        model="m",
        provider="offline",
        input_tokens=10,
        output_tokens=5,
        cost_usd=0.001,
        started=started,
        ended=ended,
        attempt=1,
        outcome="ok",
        cache="miss",
        saved_usd=0.0,
        similarity=None,
        matched_entry=None,
    )
    call.update(more)  # type: ignore[typeddict-item]
    return call


def test_send_workers_of_one_step_are_never_chained_even_when_a_cap_ran_them_in_turn() -> None:
    # Four workers of one Send, capped at two at a time: the last two start when the first two end.
    plan = _call("plan", 0, 1, step=1, task="plan:a")
    workers = [
        _call("work", 1 + 2 * (n // 2), 3 + 2 * (n // 2), step=2, task=f"work:{n}") for n in range(4)
    ]  # 1-3, 1-3, 3-5, 3-5
    join = _call("join", 5, 6, step=3, task="join:z")
    ledger = [plan, *workers, join]
    assert critical_path(ledger) == (["plan", "work", "join"], 4.0)
    # Without the steps and tasks, time alone would chain two workers (what the report used to say).
    untagged = [_call(c["stage"], c["started"], c["ended"]) for c in ledger]
    assert critical_path(untagged) == (["plan", "work", "work", "join"], 6.0)


def test_calls_of_two_subgraph_runs_that_followed_each_other_stay_chained() -> None:
    # Two lanes run one after the other; each subgraph counts its steps from its own start.
    first = _call("draft", 0, 1, step=1, task="lane_1:a|draft:b")
    second = _call("review", 1, 2, step=1, task="lane_2:c|review:d")
    assert critical_path([first, second]) == (["draft", "review"], 2.0)


def test_a_re_ask_in_the_same_task_stays_on_the_chain() -> None:
    first = _call("extract", 0, 1, step=1, task="extract:a", outcome="invalid")
    again = _call("extract", 1, 2, step=1, task="extract:a", attempt=2)
    assert critical_path([first, again]) == (["extract", "extract"], 2.0)


async def test_a_real_fan_out_past_its_cap_has_one_worker_on_the_critical_path(settings: Settings) -> None:
    out = await FAQ.compile().ainvoke(
        {"sources": ENERGY_SOURCES, "num_questions": FAQ.max_concurrency + 4}, context=settings
    )
    ledger = out["ledger"]
    assert all("step" in c and "task" in c for c in ledger)
    chain, _ = critical_calls(ledger)
    steps = [ledger[k]["step"] for k in chain]
    tasks = [ledger[k]["task"] for k in chain]
    # Calls of one step on the chain are all one task's (a worker's answer, then its attribution).
    for a, b in zip(range(len(chain)), range(1, len(chain)), strict=False):
        assert steps[a] != steps[b] or tasks[a] == tasks[b]
    assert out["execution_report"]["critical_path"] == [ledger[k]["stage"] for k in chain]


HOSTILE = '</title><script>alert("x")</script><img src=x onerror=alert(1)>" onmouseover="alert(2)'


def test_text_from_the_run_cannot_inject_markup() -> None:
    ledger = [
        _call(HOSTILE, 0, 1, model=HOSTILE, step=1, task="a"),
        _call("ok", 1, 2, model=f"{HOSTILE}-2", cost_usd=None, step=2, task="b"),
    ]
    html = run_page(HOSTILE, {"ledger": ledger}, ended=f"budget ({HOSTILE})", thread=HOSTILE)
    page = Page(html)
    assert page.tags <= PAGE_TAGS, page.tags - PAGE_TAGS
    assert not {name for name in page.attributes if name.startswith("on")}
    # The hostile text is shown, as text, where it belongs.
    assert page.one("termination") == f"budget ({HOSTILE})"
    assert page.one(f"stage_cost:{HOSTILE}") == "$0.001000"
    assert page.one("thread") == HOSTILE
    assert "<script" not in html.lower()


def test_the_page_fetches_nothing_and_runs_no_script() -> None:
    html = run_page("faq", {"ledger": [_call("a", 0, 1)]})
    assert "default-src 'none'" in html
    assert not any(marker in html for marker in ("http://", "https://", "<script", "<link", "@import", "url("))


def test_a_page_with_no_calls_says_so() -> None:
    page = Page(run_page("router", {"ledger": [], "termination": None}, ended="completed"))
    assert page.one("calls") == "0" and page.one("total_cost") == "$0.000000"


def test_run_and_show_write_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sources = tmp_path / "sources.json"
    sources.write_text(json.dumps(ENERGY_SOURCES), encoding="utf-8")
    db, first, second = str(tmp_path / "runs.db"), tmp_path / "run.html", tmp_path / "show.html"
    code = cli.main(
        [
            "run",
            "faq",
            "--file",
            str(sources),
            "--questions",
            "3",
            "--json",
            "--latency",
            "0",
            "--runs-db",
            db,
            "--html",
            str(first),
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    check_against_ledger(Page(first.read_text(encoding="utf-8")), out["ledger"])
    assert cli.main(["show", out["thread_id"], "--runs-db", db, "--html", str(second), "--json"]) == 0
    capsys.readouterr()
    assert Page(second.read_text(encoding="utf-8")).one("thread") == out["thread_id"]
    check_against_ledger(Page(second.read_text(encoding="utf-8")), out["ledger"])


def test_an_html_file_that_cannot_be_written_is_refused_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(
        [
            "run",
            "router",
            "hello",
            "--runs-db",
            str(tmp_path / "r.db"),
            "--html",
            str(tmp_path / "no" / "such" / "page.html"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "its folder does not exist" in err


def test_progress_lines_name_the_stages_the_report_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sources = tmp_path / "sources.json"
    sources.write_text(json.dumps(ENERGY_SOURCES), encoding="utf-8")
    db = str(tmp_path / "runs.db")
    code = cli.main(["run", "faq", "--file", str(sources), "--questions", "3", "--latency", "0", "--runs-db", db])
    err = capsys.readouterr().err
    assert code == 0
    thread = re.search(r"thread: (\w+)", err)
    assert thread is not None
    assert cli.main(["show", thread[1], "--runs-db", db, "--json"]) == 0
    reported = set(execution_report(json.loads(capsys.readouterr().out)["ledger"])["by_stage"])
    progress = {line[2:].split(" ")[0] for line in err.splitlines() if line[:2] in ("> ", "+ ", "= ")}
    fanned = re.findall(r"^  answer_question \d+/3 \(stages (.*)\)$", err, re.MULTILINE)
    assert progress == reported
    assert len(fanned) == 3 and set(fanned[-1].split(", ")) == reported - {"generate_questions"}


def test_a_failed_run_says_how_to_draw_it_and_show_draws_what_finished(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], script: Script
) -> None:
    script.fail("attribute", times=100)
    sources = tmp_path / "sources.json"
    sources.write_text(json.dumps(ENERGY_SOURCES), encoding="utf-8")
    db, page = str(tmp_path / "runs.db"), tmp_path / "run.html"
    run = ["run", "faq", "--file", str(sources), "--questions", "2", "--provider", "scripted", "--no-cache"]
    assert cli.main([*run, "--runs-db", db, "--html", str(page)]) == 1
    err = capsys.readouterr().err
    assert not page.exists()
    hint = re.search(r"draw what finished with: stagecraft (show \w+ --html \S+)", err)
    assert hint is not None, err
    assert cli.main([*hint[1].split(), "--runs-db", db]) == 0
    capsys.readouterr()
    assert cli.main(["show", hint[1].split()[1], "--runs-db", db, "--json"]) == 0
    saved = json.loads(capsys.readouterr().out)
    drawn = Page(page.read_text(encoding="utf-8"))
    assert saved["status"] != "done" and "partial" in drawn.one("graph")
    assert drawn.one("termination").startswith(saved["status"])
    assert saved["ledger"]  # generate_questions finished before attribute failed
    check_against_ledger(drawn, saved["ledger"])


def test_a_cached_repeat_names_its_served_stages_streamed_or_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = ["run", "router", "My invoice INV-1 is wrong", "--latency", "0", "--runs-db", str(tmp_path / "r.db")]
    assert cli.main(run) == 0
    capsys.readouterr()
    for mode, stream in (([], "err"), (["--stream"], "out")):
        assert cli.main([*run, *mode]) == 0
        shown = getattr(capsys.readouterr(), stream)
        served = re.findall(r"^= (\w+) from the stage cache \(saved \$(\d+\.\d{6})\)$", shown, re.MULTILINE)
        assert [stage for stage, _ in served] == ["classify", "billing"], shown
        assert all(float(saved) > 0 for _, saved in served)


def test_a_resumed_runs_wall_time_leaves_out_the_time_it_was_down() -> None:
    # Two calls side by side, the process down for 100 s, then two more side by side.
    ledger = [
        _call("a", 0.0, 1.0, step=1, task="a:1"),
        _call("b", 0.0, 1.0, step=1, task="b:1"),
        _call("c", 101.0, 102.0, step=2, task="c:1"),
        _call("d", 101.5, 103.0, step=2, task="d:1"),
    ]
    report = execution_report(ledger)
    assert report["wall_s"] == pytest.approx(3.0) and report["sequential_s"] == pytest.approx(4.5)
    assert report["speedup"] == pytest.approx(1.5) and report["critical_path_s"] <= report["wall_s"]
