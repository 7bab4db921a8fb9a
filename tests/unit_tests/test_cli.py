"""The `stagecraft` command, run through its installed entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.examples import BUSINESS_DOCUMENT, CUSTOMER_QUERY, ENERGY_SOURCES

STAGECRAFT = str(Path(sys.executable).parent / "stagecraft")


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")} | {"COLUMNS": "120"}
    return subprocess.run(
        [STAGECRAFT, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, **(env or {})},
        input=stdin,
    )


def test_graphs_lists_every_graph() -> None:
    out = run("graphs")
    assert out.returncode == 0
    for name in ("summarize_translate", "faq", "router", "orchestrator", "analysis", "report"):
        assert name in out.stdout


def test_run_router_prints_intent_response_and_report() -> None:
    out = run("run", "router", "My internet connection is not working.", "--latency", "0")
    assert out.returncode == 0, out.stderr
    assert "Technical Support" in out.stdout
    assert "Execution report" in out.stdout and "gpt-4o-mini" in out.stdout
    assert "provider: offline" in out.stderr


def test_run_json_is_machine_readable() -> None:
    out = run("run", "router", "I think there is a mistake on my last invoice.", "--json", "--latency", "0")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["intent"] == "Billing Inquiry" and data["ledger"][0]["stage"] == "classify"


def test_run_orchestrator_shows_tasks_results_and_reply() -> None:
    out = run("run", "orchestrator", CUSTOMER_QUERY, "--latency", "0")
    assert out.returncode == 0, out.stderr
    for fact in (
        "BillingInquiry",
        "ProductReturn",
        "StatusUpdate",
        "SP40802",
        "RMA-",
        "CASE-",
        "Best regards",
    ):
        assert fact in out.stdout


def test_run_analysis_from_a_file(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text(BUSINESS_DOCUMENT, encoding="utf-8")
    out = run("run", "analysis", "--file", str(doc), "--latency", "0")
    assert out.returncode == 0, out.stderr
    assert "sentiment:" in out.stdout and "entities:" in out.stdout and "synthesis" in out.stdout


def test_run_faq_from_a_json_file(tmp_path: Path) -> None:
    sources = tmp_path / "sources.json"
    sources.write_text(json.dumps(ENERGY_SOURCES), encoding="utf-8")
    out = run("run", "faq", "--file", str(sources), "--questions", "3", "--json", "--latency", "0")
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["faq"]) == 3


def test_stream_prints_stage_progress() -> None:
    out = run(
        "run",
        "summarize_translate",
        "Solar panels are cheap. Wind is strong. Batteries store power.",
        "--stream",
        "--latency",
        "0",
    )
    assert out.returncode == 0, out.stderr
    assert "- summarize done" in out.stdout and "- translate done" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "router", ""), "query is empty"),
        (("run", "router", "--file", "/nonexistent/file.txt"), "cannot read"),
        (("run", "nograph", "hello"), "unknown graph 'nograph'"),
        (("run", "router", "hello", "--provider", "bogus"), "unknown provider 'bogus'"),
        (("run", "router", "hello", "--provider", "openai"), "needs OPENAI_API_KEY"),
        (("resume", "router", "no-such-thread"), "no run with thread id"),
    ],
)
def test_bad_input_gets_a_clear_error_and_no_traceback(args: tuple[str, ...], message: str) -> None:
    out = run(*args)
    assert out.returncode != 0
    assert message in out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_a_megabyte_document_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "big.txt"
    doc.write_text("word " * 210_000, encoding="utf-8")
    out = run("run", "analysis", "--file", str(doc))
    assert out.returncode == 2 and "limit is 100,000" in out.stderr and "Traceback" not in out.stderr


def test_failed_run_can_be_resumed(tmp_path: Path) -> None:
    db = str(tmp_path / "runs.sqlite")
    failed = run(
        "run",
        "router",
        "hello there",
        "--provider",
        "openai",
        "--runs-db",
        db,
        env={"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"},
    )
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    thread = failed.stderr.split("stagecraft resume router ")[1].split()[0]
    resumed = run("resume", "router", thread, "--provider", "offline", "--runs-db", db, "--latency", "0")
    assert resumed.returncode == 0, resumed.stderr
    assert "General Question" in resumed.stdout
