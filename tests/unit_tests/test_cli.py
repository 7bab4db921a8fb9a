"""The `stagecraft` command, run in-process through `app.cli.main` (the entry point itself is tested in
integration_tests/test_cli_process.py)."""

from __future__ import annotations

import json
import operator
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import ormsgpack
import pytest
from typing_extensions import TypedDict

from app import cli
from app.examples import BUSINESS_DOCUMENT, CUSTOMER_QUERY, ENERGY_SOURCES
from tests.conftest import Script
from tests.loopback import openai_server, schema_name

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture
def stagecraft(capsys: pytest.CaptureFixture[str]) -> type[Outcome]:
    """Return a callable that runs the CLI in this process and captures what it printed."""

    class Run(Outcome):
        def __init__(self, *args: str) -> None:
            code = cli.main(list(args))
            captured = capsys.readouterr()
            super().__init__(code, captured.out, captured.err)

    return Run


def test_the_demo_runs_every_graph(stagecraft: type[Outcome]) -> None:
    # `make demo`, the README's main command, in-process.
    out = stagecraft("demo", "--latency", "0")
    assert out.code == 0, out.err
    for graph in (
        "summarize_translate",
        "faq",
        "router",
        "orchestrator",
        "support_agent",
        "analysis",
        "report",
        "document",
        "refine",
    ):
        assert f"─ {graph} " in out.out
    assert "support_agent turn 2: open_case(" in out.out
    assert out.out.count("Pipeline execution report") >= 10


def test_graphs_lists_every_graph(stagecraft: type[Outcome]) -> None:
    out = stagecraft("graphs")
    assert out.code == 0
    for name in ("summarize_translate", "faq", "router", "orchestrator", "analysis", "report"):
        assert name in out.out


def test_run_router_prints_intent_response_and_report(stagecraft: type[Outcome]) -> None:
    out = stagecraft("run", "router", "My internet connection is not working.", "--latency", "0")
    assert out.code == 0, out.err
    assert "Technical Support" in out.out
    assert "Pipeline execution report" in out.out and "(offline/gpt-4o-mini, FAST)" in out.out
    assert "provider: offline" in out.err and "thread: " in out.err


def test_the_report_fits_80_columns_with_full_names(stagecraft: type[Outcome]) -> None:
    # Captured output is not a terminal: rich lays it out for 80 columns, as in a pipe or CI log.
    out = stagecraft("run", "orchestrator", CUSTOMER_QUERY, "--latency", "0")
    assert out.code == 0, out.err
    report = out.out[out.out.index("Pipeline execution report") :]
    assert all(len(line) <= 80 for line in report.splitlines())
    for name in ("decompose", "billing_concern", "synthesize_reply", "offline/gpt-4o-mini", "offline/gpt-4o"):
        assert name in report


def test_progress_goes_to_stderr_as_plain_lines_and_quiet_silences_it(stagecraft: type[Outcome]) -> None:
    out = stagecraft("run", "faq", "--file", "sources.json", "--questions", "3", "--latency", "0", "--no-cache")
    assert out.code == 2  # no such file here: still one line, no progress
    sources = Path("sources.json")
    sources.write_text(json.dumps(ENERGY_SOURCES), encoding="utf-8")
    out = stagecraft("run", "faq", "--file", "sources.json", "--questions", "3", "--latency", "0", "--no-cache")
    assert out.code == 0, out.err
    assert "> generate_questions" in out.err and "+ generate_questions" in out.err
    assert "  answer_question 3/3" in out.err and "so far $" in out.err
    assert "> generate_questions" not in out.out
    quiet = stagecraft("run", "faq", "--file", "sources.json", "--questions", "3", "--latency", "0", "--quiet")
    assert quiet.code == 0 and "> generate_questions" not in quiet.err


def test_run_json_is_machine_readable(stagecraft: type[Outcome]) -> None:
    out = stagecraft("run", "router", "I think there is a mistake on my last invoice.", "--json", "--latency", "0")
    assert out.code == 0, out.err
    data = json.loads(out.out)
    assert data["intent"] == "Billing Inquiry" and data["ledger"][0]["stage"] == "classify"


def test_run_orchestrator_shows_tasks_results_and_reply(stagecraft: type[Outcome]) -> None:
    out = stagecraft("run", "orchestrator", CUSTOMER_QUERY, "--latency", "0")
    assert out.code == 0, out.err
    for fact in ("BillingInquiry", "ProductReturn", "StatusUpdate", "SP40802", "RMA-", "CASE-", "Best regards"):
        assert fact in out.out


def test_run_analysis_from_a_file(stagecraft: type[Outcome], tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text(BUSINESS_DOCUMENT, encoding="utf-8")
    out = stagecraft("run", "analysis", "--file", str(doc), "--latency", "0")
    assert out.code == 0, out.err
    assert "sentiment:" in out.out and "entities:" in out.out and "synthesis" in out.out


def test_run_faq_from_a_json_file(stagecraft: type[Outcome], tmp_path: Path) -> None:
    sources = tmp_path / "sources.json"
    sources.write_text(json.dumps(ENERGY_SOURCES), encoding="utf-8")
    out = stagecraft("run", "faq", "--file", str(sources), "--questions", "3", "--json", "--latency", "0")
    assert out.code == 0, out.err
    assert len(json.loads(out.out)["faq"]) == 3


def test_stream_prints_each_stages_tokens_on_lines_of_their_own(stagecraft: type[Outcome]) -> None:
    text = "Solar panels are cheap now. Wind turbines are strong. Batteries store power for the night."
    out = stagecraft("run", "summarize_translate", text, "--stream", "--latency", "0", "--language", "French")
    assert out.code == 0, out.err
    lines = out.out.splitlines()
    summary_line = next(line for line in lines if line.startswith("[summarize] "))
    translation_line = next(line for line in lines if line.startswith("[translate] "))
    # The tokens of each stage were printed as they came, after the stage's label, on its own line.
    assert "Solar panels" in summary_line and "Solar panels" not in translation_line
    assert lines.index(summary_line) < lines.index(translation_line)
    assert "✓ summarize" in out.out and "✓ translate" in out.out
    # ...and not printed a second time in a result panel after the stream.
    assert out.out.count(summary_line.removeprefix("[summarize] ").strip()) == 1


def test_stream_shows_structured_stages_as_their_parsed_result(stagecraft: type[Outcome]) -> None:
    out = stagecraft("run", "router", "My internet connection is not working.", "--stream", "--latency", "0")
    assert out.code == 0, out.err
    assert "✓ classify: intent=Technical Support" in out.out
    assert '{"intent"' not in out.out and "tool_call" not in out.out


def test_control_characters_from_input_and_output_never_reach_the_terminal(stagecraft: type[Outcome]) -> None:
    hostile = "My router \x1b]0;pwned\x07 crashes \x1b[2J again \u202eevil\x00 and \x9b31m."
    out = stagecraft("run", "router", hostile, "--latency", "0")
    assert out.code == 0, out.err
    for bad in ("\x1b", "\x07", "\u202e", "\x00", "\x9b"):
        assert bad not in out.out and bad not in out.err
    assert "\\x1b" in out.out
    as_json = stagecraft("run", "router", hostile, "--latency", "0", "--json")
    assert "\x1b" not in as_json.out and "\u202e" not in as_json.out and "\x9b" not in as_json.out
    assert json.loads(as_json.out)["query"] == hostile.strip()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "router", ""), "query is empty"),
        (("run", "router", "--file", "/nonexistent/file.txt"), "cannot read"),
        (("run", "nograph", "hello"), "unknown graph 'nograph'"),
        (("run", "router", "hello", "--provider", "bogus"), "unknown provider 'bogus'"),
        (("run", "router", "hello", "--provider", "openai"), "needs OPENAI_API_KEY"),
        (("resume", "router", "no-such-thread"), "no run with thread id"),
        (("run", "router", "hello", "--latency", "-1"), "offline_latency"),
        (("run", "router", "hello", "--latency", "inf"), "offline_latency"),
        (("run", "router", "hello", "--latency", "abc"), "invalid float value"),
        (("run", "faq", "some text", "--questions", "0"), "--questions: must be at least 1"),
        (("run", "faq", "some text", "--questions", "51"), "num_questions"),
        (("run", "router", "hello", "--no-such-option"), "unrecognized arguments"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_bad_input_gets_one_clear_line_and_exit_2(
    stagecraft: type[Outcome], args: tuple[str, ...], message: str
) -> None:
    out = stagecraft(*args)
    assert out.code == 2
    assert message in out.err and len(out.err.strip().splitlines()) <= 2, out.err
    assert "Traceback" not in out.err + out.out and "usage:" not in out.err


def test_a_megabyte_document_is_refused(stagecraft: type[Outcome], tmp_path: Path) -> None:
    doc = tmp_path / "big.txt"
    doc.write_text("word " * 210_000, encoding="utf-8")
    out = stagecraft("run", "analysis", "--file", str(doc))
    assert out.code == 2 and "limit is 100,000" in out.err and "Traceback" not in out.err


@pytest.mark.parametrize(
    ("args", "advice"),
    [
        (
            ("run", "summarize_translate", "Solar power is cheap. Wind is strong.", "--language", "Klingon"),
            "supported: Spanish",
        ),
        (("run", "faq", "Hi there."), "longer sources"),
    ],
)
def test_a_failure_caused_by_the_input_says_what_to_change_not_resume(
    stagecraft: type[Outcome], args: tuple[str, ...], advice: str
) -> None:
    out = stagecraft(*args, "--latency", "0")
    assert out.code == 2, out.err
    assert advice in out.err and "resume" not in out.err and "Traceback" not in out.err


def test_short_sources_get_a_shorter_faq_that_says_why(stagecraft: type[Outcome]) -> None:
    # One sentence cannot answer ten distinct questions: the FAQ has the ones it answers, and says so.
    out = stagecraft("run", "faq", "Solar power is cheap. Wind turbines need steady wind.", "--latency", "0", "--json")
    assert out.code == 0, out.err
    result = json.loads(out.out)
    asked, written = 10, len(result["faq"])  # the default --questions
    assert 0 < written < asked
    assert result["shortfall"] == (
        f"10 questions were asked; only {written} distinct ones could be written from these sources"
    )
    # The short list was sent back once (a model may have stopped early), then kept: two calls.
    assert [c["outcome"] for c in result["ledger"] if c["stage"] == "generate_questions"] == ["invalid", "ok"]
    assert all(entry["answerable"] for entry in result["faq"])
    shown = stagecraft("run", "faq", "Solar power is cheap. Wind turbines need steady wind.", "--latency", "0")
    assert shown.code == 0 and "Fewer questions: 10 questions were asked" in shown.out


def test_a_failed_run_is_resumed_once_its_cause_is_fixed(
    stagecraft: type[Outcome], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "runs.sqlite")
    healthy = {"now": False}

    def respond(request: dict[str, object]) -> tuple[int, str]:
        if not healthy["now"]:
            return 503, "overloaded"
        if schema_name(request):
            return 200, json.dumps({"intent": "Billing Inquiry", "confidence": 0.9})
        return 200, "Could you send your account number?"

    with openai_server(respond) as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        failed = stagecraft(
            "run", "router", "My invoice is wrong.", "--provider", "openai", "--runs-db", db, "--no-cache"
        )
        assert failed.code == 1 and "Traceback" not in failed.err
        thread = failed.err.split("stagecraft resume ")[1].split()[0]
        listed = stagecraft("threads", "--runs-db", db)
        assert thread in listed.out and "failed at classify" in listed.out
        # Another provider than the run began with cannot continue it faithfully.
        switched = stagecraft("resume", thread, "--provider", "offline", "--runs-db", db)
        assert switched.code == 2 and "--provider openai" in switched.err
        healthy["now"] = True
        resumed = stagecraft("resume", thread, "--runs-db", db, "--no-cache")
    assert resumed.code == 0, resumed.err
    assert "Billing Inquiry" in resumed.out
    assert "kept from the checkpoint: none; served from the stage cache ($0): none; run now: classify, billing" in (
        resumed.out
    )
    listed = stagecraft("threads", "--runs-db", db)
    assert thread in listed.out and "done" in listed.out
    shown = stagecraft("show", thread, "--runs-db", db, "--json")
    assert json.loads(shown.out)["intent"] == "Billing Inquiry" and json.loads(shown.out)["status"] == "done"


def test_resume_refuses_another_graph_or_a_changed_graph(
    stagecraft: type[Outcome], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "runs.sqlite")
    done = stagecraft("run", "router", "My router is broken.", "--runs-db", db, "--latency", "0")
    thread = done.err.split("thread: ")[1].split()[0]
    other = stagecraft("resume", "faq", thread, "--runs-db", db)
    assert other.code == 2 and "is a 'router' run" in other.err
    import app.threads

    monkeypatch.setattr(app.threads, "shape_of", lambda entry: "another-shape")
    changed = stagecraft("resume", thread, "--runs-db", db)
    assert changed.code == 2 and "nodes or edges changed" in changed.err


def test_a_failed_branch_is_run_again_by_resume_without_billing_the_others_twice(
    stagecraft: type[Outcome], script: Script, tmp_path: Path
) -> None:
    db = str(tmp_path / "runs.sqlite")
    script.fail("entities", times=1)
    first = stagecraft("run", "analysis", "--file", "doc.txt", "--provider", "scripted", "--runs-db", db, "--json")
    assert first.code == 2  # no doc.txt here: nothing ran
    Path("doc.txt").write_text(BUSINESS_DOCUMENT, encoding="utf-8")
    first = stagecraft("run", "analysis", "--file", "doc.txt", "--provider", "scripted", "--runs-db", db, "--json")
    out = json.loads(first.out)
    assert [e["stage"] for e in out["errors"]] == ["entities"]
    calls_before = dict(script.calls)
    resumed = stagecraft("resume", out["thread_id"], "--runs-db", db, "--json")
    assert resumed.code == 0, resumed.err
    again = json.loads(resumed.out)
    assert again["errors"] == [] and again["entities"]
    # Only the failed branch and the join called the model again; the rest came from the cache.
    new_calls = {stage: n - calls_before.get(stage, 0) for stage, n in script.calls.items()}
    assert {stage: n for stage, n in new_calls.items() if n} == {"entities": 1, "analysis_synthesis": 1}
    # And the resumed run says so: the branches that had finished were replayed from the stage cache at $0.
    assert again["resumed"] == {
        "from_checkpoint": [],
        "from_cache": ["sentiment", "doc_summary", "topics"],
        "run_now": ["entities", "analysis_synthesis"],
    }
    assert "nothing to resume" in stagecraft("resume", out["thread_id"], "--runs-db", db).err


def test_old_runs_can_be_pruned(stagecraft: type[Outcome], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "runs.sqlite")
    stagecraft("run", "router", "My router is broken.", "--runs-db", db, "--latency", "0")
    assert stagecraft("threads", "--prune", "1", "--runs-db", db).out.startswith("deleted 0 run(s)")
    import time as clock

    later = clock.time() + 3 * 86400
    monkeypatch.setattr(clock, "time", lambda: later)
    assert stagecraft("threads", "--prune", "1", "--runs-db", db).out.startswith("deleted 1 run(s)")
    assert "no runs yet" in stagecraft("threads", "--runs-db", db).out


def test_a_tampered_checkpoint_is_refused_and_executes_nothing(stagecraft: type[Outcome], tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite"
    done = stagecraft("run", "router", "My internet connection is not working.", "--runs-db", str(db), "--latency", "0")
    thread = done.err.split("thread: ")[1].split()[0]
    marker = tmp_path / "pwned"
    # A constructor call (module, name, args) as LangGraph's msgpack encodes one, planted in the row.
    planted = ormsgpack.Ext(1, ormsgpack.packb(("os", "system", [f"touch {marker}"])))
    with sqlite3.connect(db) as conn:
        blob, rowid = conn.execute("SELECT checkpoint, rowid FROM checkpoints ORDER BY rowid DESC LIMIT 1").fetchone()
        checkpoint = ormsgpack.unpackb(blob, ext_hook=ormsgpack.Ext, option=ormsgpack.OPT_NON_STR_KEYS)
        checkpoint["channel_values"]["query"] = planted
        conn.execute("UPDATE checkpoints SET checkpoint = ? WHERE rowid = ?", (ormsgpack.packb(checkpoint), rowid))
    out = stagecraft("resume", thread, "--runs-db", str(db), "--latency", "0")
    assert out.code == 1 and "os.system" in out.err and "not loaded" in out.err
    assert "Traceback" not in out.err
    assert not marker.exists()


def _plant(db: Path, thread: str, marker: Path) -> None:
    """Plant a constructor call (module, name, args), as LangGraph's msgpack encodes one, in a thread's last row."""
    planted = ormsgpack.Ext(1, ormsgpack.packb(("os", "system", [f"touch {marker}"])))
    with sqlite3.connect(db) as conn:
        blob, rowid = conn.execute(
            "SELECT checkpoint, rowid FROM checkpoints WHERE thread_id = ? ORDER BY rowid DESC LIMIT 1", (thread,)
        ).fetchone()
        checkpoint = ormsgpack.unpackb(blob, ext_hook=ormsgpack.Ext, option=ormsgpack.OPT_NON_STR_KEYS)
        checkpoint["channel_values"]["query"] = planted
        conn.execute("UPDATE checkpoints SET checkpoint = ? WHERE rowid = ?", (ormsgpack.packb(checkpoint), rowid))


def test_one_tampered_thread_is_named_and_every_other_run_still_listed_and_pruned(
    stagecraft: type[Outcome], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One bad row made `threads` and `threads --prune` fail for every run, naming no thread.
    db = tmp_path / "runs.sqlite"
    threads = []
    for query in ("My router is broken.", "I was charged twice on my invoice.", "Where is my parcel?"):
        done = stagecraft("run", "router", query, "--runs-db", str(db), "--latency", "0", "--json")
        threads.append(json.loads(done.out)["thread_id"])
    bad, good = threads[1], [threads[0], threads[2]]
    marker = tmp_path / "pwned"
    _plant(db, bad, marker)

    listed = stagecraft("threads", "--runs-db", str(db))
    assert listed.code == 1 and "Traceback" not in listed.err
    assert all(thread in listed.out for thread in good) and bad not in listed.out
    assert listed.err.count("\n") == 1 and f"thread {bad}: " in listed.err and "os.system" in listed.err

    import time as clock

    later = clock.time() + 3 * 86400
    monkeypatch.setattr(clock, "time", lambda: later)
    pruned = stagecraft("threads", "--prune", "1", "--runs-db", str(db))
    assert pruned.code == 1 and pruned.out.startswith("deleted 2 run(s)")
    assert pruned.err.count("\n") == 1 and f"thread {bad} was kept" in pruned.err
    with sqlite3.connect(db) as conn:
        assert {row[0] for row in conn.execute("SELECT DISTINCT thread_id FROM checkpoints")} == {bad}
    assert not marker.exists()


@pytest.mark.parametrize(
    ("kind", "blob"),
    [("pickle", b"\x80\x04K\x01."), ("json", b"[" * 100_000), ("msgpack", b"\xc1\xc1garbage"), ("other", b"?")],
)
@pytest.mark.parametrize("command", ["threads", "show", "resume"])
def test_a_corrupt_checkpoint_row_is_reported_not_a_traceback(
    stagecraft: type[Outcome], tmp_path: Path, kind: str, blob: bytes, command: str
) -> None:
    db = tmp_path / "runs.sqlite"
    done = stagecraft("run", "router", "My internet connection is not working.", "--runs-db", str(db), "--latency", "0")
    thread = done.err.split("thread: ")[1].split()[0]
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE checkpoints SET type = ?, checkpoint = ?", (kind, blob))
    out = stagecraft(command, *([] if command == "threads" else [thread]), "--runs-db", str(db))
    assert out.code == 1, out.err
    assert "cannot be read" in out.err and "Traceback" not in out.err


def test_a_run_longer_than_its_bound_ends_with_a_clear_error_and_can_be_resumed(stagecraft: type[Outcome]) -> None:
    out = stagecraft("run", "router", "My router is broken.", "--latency", "2", "--run-timeout-s", "0.5")
    assert out.code == 1 and "run_timeout_s (0.5 s)" in out.err and "stagecraft resume" in out.err


def test_eval_scores_a_labelled_set_on_the_active_provider(stagecraft: type[Outcome], tmp_path: Path) -> None:
    lines = (ROOT / "evals" / "routing.dev.jsonl").read_text(encoding="utf-8").splitlines()[:12]
    dataset = tmp_path / "routing.jsonl"
    dataset.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = stagecraft("eval", "routing", str(dataset))
    assert out.code == 0, out.err
    assert "routing accuracy" in out.out and "confusion matrix" in out.out
    as_json = json.loads(stagecraft("eval", "routing", str(dataset), "--json").out)
    assert as_json["n"] == 12 and 0 <= as_json["accuracy"] <= 1
    missing = stagecraft("eval", "routing", str(tmp_path / "nope.jsonl"))
    assert missing.code == 2 and "cannot read" in missing.err


def test_threads_of_other_applications_are_neither_listed_nor_pruned_while_recent(
    stagecraft: type[Outcome], tmp_path: Path
) -> None:
    # A checkpointer shared with another application (or an older tool) holds threads without
    # Stagecraft's metadata: listing failed on them, and pruning deleted them at once (no start time).
    import asyncio

    from langgraph.graph import END, START, StateGraph

    from app.persistence import open_checkpointer

    db = tmp_path / "runs.sqlite"
    stagecraft("run", "router", "My router is broken.", "--runs-db", str(db), "--latency", "0")

    async def foreign() -> None:
        builder = StateGraph(_Foreign)
        builder.add_node("echo", lambda state: {"text": state["text"] + "!"})
        builder.add_edge(START, "echo")
        builder.add_edge("echo", END)
        async with open_checkpointer(f"sqlite:///{db}") as saver:
            await builder.compile(checkpointer=saver).ainvoke(
                {"text": "hi"}, {"configurable": {"thread_id": "other-app"}}
            )

    asyncio.run(foreign())
    listed = stagecraft("threads", "--runs-db", str(db))
    assert listed.code == 0 and "router" in listed.out and "other-app" not in listed.out
    assert stagecraft("threads", "--prune", "1", "--runs-db", str(db)).out.startswith("deleted 0 run(s)")
    shown = stagecraft("show", "other-app", "--runs-db", str(db))
    assert shown.code != 0 and "not run by a Stagecraft graph" in shown.err


class _Foreign(TypedDict):
    text: str


@pytest.mark.parametrize("mode", [(), ("--json",), ("--quiet",)])
def test_a_failed_run_says_what_it_cost_in_every_output_mode(
    stagecraft: type[Outcome], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: tuple[str, ...]
) -> None:
    # The classification is billed, then the handler's provider refuses for good.
    def respond(request: dict[str, object]) -> tuple[int, str]:
        if schema_name(request):
            return 200, json.dumps({"intent": "Billing Inquiry", "confidence": 0.9})
        return 401, "invalid key"

    with openai_server(respond) as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        failed = stagecraft(
            "run", "router", "My invoice is wrong.", "--provider", "openai", "--no-cache", *mode,
            "--runs-db", str(tmp_path / "runs.sqlite"),
        )  # fmt: skip
    assert failed.code == 1 and "Traceback" not in failed.err
    assert re.search(r"spent before failing: \$0\.0\d+ in 1 model call", failed.err), failed.err


def test_resume_with_no_cache_serves_nothing_from_the_cache(
    stagecraft: type[Outcome], script: Script, tmp_path: Path
) -> None:
    # A resumed request's node keys hold the cache scope it began with (caching on), so the stage
    # cache answered a `resume --no-cache` until the run compiled its graph without the cache.
    db = str(tmp_path / "runs.sqlite")
    query = "My internet connection is not working."
    script.fail("technical", times=1)
    failed = stagecraft("run", "router", query, "--provider", "scripted", "--runs-db", db)
    assert failed.code == 1, failed.err
    thread = re.findall(r"thread: (\w+)", failed.err)[0]
    assert stagecraft("run", "router", query, "--provider", "scripted", "--runs-db", db).code == 0  # fills the cache
    before = script.calls["technical"]
    resumed = stagecraft("resume", thread, "--no-cache", "--runs-db", db, "--json")
    assert resumed.code == 0, resumed.err
    assert script.calls["technical"] == before + 1
    assert {c["stage"]: c["cache"] for c in json.loads(resumed.out)["ledger"]}["technical"] == "off"


def test_listing_recent_runs_stops_at_the_newest_threads(stagecraft: type[Outcome], tmp_path: Path) -> None:
    # A store shared with a server holds many threads: listing the newest must not load them all.
    import asyncio

    from app.persistence import sqlite_checkpointer
    from app.threads import recent

    db = tmp_path / "runs.sqlite"
    threads = []
    for i in range(5):
        out = stagecraft("run", "router", f"My router {i} is broken.", "--runs-db", str(db), "--json", "--latency", "0")
        threads.append(json.loads(out.out)["thread_id"])

    async def listed() -> tuple[list[str], int, int]:
        async with sqlite_checkpointer(db) as saver:
            real, real_get, read = saver.alist, saver.aget_tuple, [0]

            async def counting(*args: object, **kwargs: object) -> object:
                async for saved in real(*args, **kwargs):  # type: ignore[arg-type]
                    read[0] += 1
                    yield saved

            async def counting_get(config: Any) -> object:
                read[0] += 1
                return await real_get(config)

            saver.alist = counting  # type: ignore[method-assign,assignment]
            saver.aget_tuple = counting_get  # type: ignore[method-assign,assignment]
            newest = [info.thread_id for info in await recent(saver, limit=2)]
            total = len([saved async for saved in real(None)])
            return newest, read[0], total

    newest, read, total = asyncio.run(listed())
    assert newest == threads[:-3:-1]
    assert read < total / 2, (read, total)


def test_client_written_metadata_neither_breaks_nor_hides_a_served_thread(
    stagecraft: type[Outcome], tmp_path: Path
) -> None:
    # A served run's metadata holds what the client sent beside the server's graph_id.
    import asyncio

    from app.persistence import open_checkpointer
    from app.runner import compile_spec
    from graphs.registry import GRAPHS

    db = tmp_path / "runs.sqlite"

    async def served() -> None:
        async with open_checkpointer(f"sqlite:///{db}") as saver:
            for thread, meta in {
                "served-nan": {"stagecraft_started": "not-a-number"},
                "served-inf": {"stagecraft_started": float("inf"), "stagecraft_provider": "offline"},
                "served-renamed": {"stagecraft_graph": "x"},
            }.items():
                config = {"configurable": {"thread_id": thread}, "metadata": {"graph_id": "router", **meta}}
                graph = compile_spec(GRAPHS["router"], saver)
                await graph.ainvoke({"query": "My router is broken."}, config)

    asyncio.run(served())
    listed = stagecraft("threads", "--runs-db", str(db))
    assert listed.code == 0 and "Traceback" not in listed.err, listed.err
    for thread in ("served-nan", "served-inf", "served-renamed"):
        assert thread in listed.out
    resumed = stagecraft("resume", "served-inf", "--runs-db", str(db))
    assert resumed.code == 2 and "LangGraph server" in resumed.err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("threads", "--prune", "0"), "--prune: must be at least 0.01"),
        (("threads", "--prune", "-1"), "--prune: must be at least 0.01"),
        (("threads", "--prune", "nan"), "--prune: must be at least 0.01"),
        (("threads", "--limit", "0"), "--limit: must be at least 1"),
        (("batch", "router", "in.jsonl", "--concurrency", "-2"), "--concurrency: must be at least 1"),
        (("run", "router", "one", "two"), "unrecognized arguments: two"),
    ],
)
def test_numbers_that_would_delete_everything_or_nothing_are_refused(
    stagecraft: type[Outcome], args: tuple[str, ...], says: str
) -> None:
    out = stagecraft(*args)
    assert out.code == 2 and says in out.err and "Traceback" not in out.err


def test_options_may_come_before_the_text(stagecraft: type[Outcome], tmp_path: Path) -> None:
    out = stagecraft(
        "run", "router", "--json", "--latency", "0", "My router is broken.", "--runs-db", str(tmp_path / "r")
    )
    assert out.code == 0, out.err
    assert json.loads(out.out)["intent"] == "Technical Support"


def test_a_huge_file_is_refused_without_reading_it_all(stagecraft: type[Outcome], tmp_path: Path) -> None:
    # (The same read refuses /dev/zero; a test must not risk reading it whole if this breaks.)
    huge = tmp_path / "huge.txt"
    huge.write_text("word " * 1_000_000, encoding="utf-8")
    out = stagecraft("run", "router", "--file", str(huge), "--runs-db", str(tmp_path / "r"))
    assert out.code == 2 and "more than 100,000 characters long" in out.err


def test_batch_never_writes_its_results_into_its_inputs(stagecraft: type[Outcome], tmp_path: Path) -> None:
    inputs = tmp_path / "queries.jsonl"
    inputs.write_text('{"query": "My router is broken."}\n', encoding="utf-8")
    out = stagecraft("batch", "router", str(inputs), "--out", str(inputs))
    assert out.code == 2 and "into the inputs" in out.err
    assert inputs.read_text(encoding="utf-8") == '{"query": "My router is broken."}\n'


@pytest.mark.parametrize(
    ("variable", "value", "graph"),
    [
        ("STAGECRAFT_SUPPORT_DB", "mysql://db/support", "orchestrator"),
        ("STAGECRAFT_SUPPORT_DB", "sqlite:///:memory:", "orchestrator"),
        ("STAGECRAFT_SUPPORT_DB", "{not_a_db}", "orchestrator"),
        ("STAGECRAFT_SUPPORT_DB", "postgresql://127.0.0.1:5432/test?schema=bad-schema", "orchestrator"),
        ("STAGECRAFT_CACHE", "sqlite:///{not_a_db}", "router"),
        ("STAGECRAFT_CACHE", "bogus://x", "router"),
        ("STAGECRAFT_SEMANTIC_STORE", "bogus://", "router"),
        ("STAGECRAFT_SEMANTIC_STORE", "sqlite:///{not_a_db}/under/a/file.sqlite", "router"),
        ("STAGECRAFT_CHECKPOINTER", "sqlite:///{not_a_db}", "router"),
        ("STAGECRAFT_CHECKPOINTER", "sqlite:///", "router"),
        ("STAGECRAFT_CHECKPOINTER", "postgresql://%%%", "router"),
    ],
)
def test_an_unusable_deployment_url_stops_the_run_before_any_model_call(
    stagecraft: type[Outcome], script: Script, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    variable: str, value: str, graph: str,
) -> None:  # fmt: skip
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("this is not a database\n", encoding="utf-8")
    monkeypatch.setenv(variable, value.format(not_a_db=not_a_db))
    text = "Please return my Blue Kettle, it leaks." if graph == "orchestrator" else "My router is broken."
    out = stagecraft("run", graph, text, "--provider", "scripted")
    assert out.code == 2, out.err
    assert variable in out.err and "Traceback" not in out.err
    assert sum(script.calls.values()) == 0 and "spent" not in out.err


def test_show_marks_a_failed_run_as_partial_not_completed(
    stagecraft: type[Outcome], script: Script, tmp_path: Path
) -> None:
    db = str(tmp_path / "runs.sqlite")
    script.fail("technical", times=5)
    failed = stagecraft(
        "run", "router", "My internet connection is not working.", "--provider", "scripted", "--runs-db", db
    )
    thread = re.findall(r"thread: (\w+)", failed.err)[0]
    shown = stagecraft("show", thread, "--runs-db", db)
    assert shown.code == 0
    assert "partial, failed at technical" in shown.out and "Ended: failed at technical" in shown.out
    assert "Ended: completed" not in shown.out


def test_resume_without_the_key_never_offers_a_provider_it_would_refuse(
    stagecraft: type[Outcome], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "runs.sqlite")
    with openai_server(lambda request: (500, "down")) as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        failed = stagecraft(
            "run", "router", "My router is broken.", "--provider", "openai", "--runs-db", db, "--no-cache"
        )  # fmt: skip
    thread = re.findall(r"thread: (\w+)", failed.err)[0]
    monkeypatch.delenv("OPENAI_API_KEY")
    resumed = stagecraft("resume", thread, "--runs-db", db)
    assert resumed.code == 2 and "OPENAI_API_KEY" in resumed.err
    assert "--provider offline" not in resumed.err and "can only be resumed on it" in resumed.err


def test_a_thread_being_resumed_cannot_be_resumed_again_at_the_same_time(
    stagecraft: type[Outcome], script: Script, tmp_path: Path
) -> None:
    # Two `stagecraft resume` of one thread both ran its stages and both billed them.
    import asyncio

    from app.persistence import open_checkpointer
    from app.threads import resuming

    db = tmp_path / "runs.sqlite"
    script.fail("technical", times=5)
    failed = stagecraft("run", "router", "My router is broken.", "--provider", "scripted", "--runs-db", str(db))
    thread = re.findall(r"thread: (\w+)", failed.err)[0]
    script.failures.clear()
    before = script.calls["technical"]
    outcome: dict[str, Outcome] = {}

    async def while_another_resumes() -> None:
        async with open_checkpointer(f"sqlite:///{db}") as saver, resuming(saver, thread, f"sqlite:///{db}"):
            outcome["second"] = await asyncio.to_thread(stagecraft, "resume", thread, "--runs-db", str(db))

    asyncio.run(while_another_resumes())
    assert outcome["second"].code == 2 and "being resumed by another process" in outcome["second"].err
    assert script.calls["technical"] == before
    resumed = stagecraft("resume", thread, "--runs-db", str(db))  # the lock went with its holder
    assert resumed.code == 0, resumed.err


class _Items(TypedDict):
    xs: Annotated[list[str], operator.add]


async def test_a_delete_that_found_the_store_locked_leaves_no_stale_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A delete that failed on "database is locked" left a transaction open on the reading
    # connection: every later read in the process saw the store as it was then.
    from langgraph.graph import END, START, StateGraph

    import app.persistence as persistence

    monkeypatch.setattr(persistence, "_BUSY_TIMEOUT_S", 0.2)

    builder: StateGraph[_Items, None, _Items, _Items] = StateGraph(_Items)
    builder.add_node("a", lambda state: {"xs": ["a"]})
    builder.add_edge(START, "a")
    builder.add_edge("a", END)
    db = tmp_path / "runs.sqlite"
    async with persistence.sqlite_checkpointer(db) as saver:
        graph = builder.compile(checkpointer=saver)
        await graph.ainvoke({"xs": []}, {"configurable": {"thread_id": "x"}})
        other = sqlite3.connect(db)  # another process holds the write lock
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await saver.adelete_thread("x")
        other.commit()
        other.close()
        await graph.ainvoke({"xs": []}, {"configurable": {"thread_id": "x"}})
        async with persistence.sqlite_checkpointer(db) as second:  # another process writes a thread
            await builder.compile(checkpointer=second).ainvoke({"xs": []}, {"configurable": {"thread_id": "y"}})
        assert (await graph.aget_state({"configurable": {"thread_id": "x"}})).values == {"xs": ["a", "a"]}
        assert (await graph.aget_state({"configurable": {"thread_id": "y"}})).values == {"xs": ["a"]}
