"""The installed `stagecraft` entry point, as a shell runs it (the rest of the CLI is tested in-process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

STAGECRAFT = str(Path(sys.executable).parent / "stagecraft")


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return subprocess.run([STAGECRAFT, *args], capture_output=True, text=True, timeout=120, env=env, input=stdin)


def test_help_and_graphs_exit_zero() -> None:
    assert _run("--help").returncode == 0
    listed = _run("graphs")
    assert listed.returncode == 0 and "orchestrator" in listed.stdout


def test_input_can_come_from_standard_input() -> None:
    out = _run("run", "router", "--json", "--latency", "0", stdin="My internet connection is not working.\n")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["intent"] == "Technical Support"


def test_a_usage_error_is_one_line_and_exit_2() -> None:
    out = _run("run", "router", "hi", "--latency", "-1")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def _worker_pids(parent: int) -> list[int]:
    """The batch's worker processes: children of `parent` started by multiprocessing's spawn."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and "spawn_main" in cmdline:
            pids.append(int(entry.name))
    return pids


def test_a_batch_whose_worker_is_killed_keeps_its_results_and_a_rerun_finishes(tmp_path: Path) -> None:
    import signal
    import time

    queries = ["My internet connection is not working.", "I was charged twice.", "Where is my order?"]
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps({"id": f"q{i}", "query": queries[i % 3]}) + "\n" for i in range(40)))
    results = tmp_path / "in.jsonl.results.jsonl"
    args = ["batch", "router", str(inputs), "--workers", "2", "--concurrency", "2", "--latency", "0.2", "--json"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    proc = subprocess.Popen([STAGECRAFT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and (not results.exists() or len(results.read_text().splitlines()) < 4):
            time.sleep(0.05)
        workers = _worker_pids(proc.pid)
        assert len(workers) == 2, workers
        os.kill(workers[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=90)
    finally:
        proc.kill()
    assert proc.returncode == 1, err
    assert "a batch worker stopped (exit status -9)" in err and "Traceback" not in err
    saved = len(results.read_text().splitlines())
    assert 4 <= saved < 40

    again = _run("batch", "router", str(inputs), "--workers", "2", "--latency", "0", "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["skipped"] == saved and report["skipped"] + report["done"] == 40
    ids = [json.loads(line)["id"] for line in results.read_text().splitlines()]
    assert sorted(ids) == sorted(f"q{i}" for i in range(40))  # every item once: none lost, none twice


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_stops_a_batch_now_and_keeps_every_finished_item(tmp_path: Path, workers: str) -> None:
    # Ctrl-C went unheeded until every item in flight had finished (about 27 s), then threw away
    # their results; the workers died printing tracebacks.
    import signal
    import time

    inputs = tmp_path / "in.jsonl"
    inputs.write_text(
        "".join(json.dumps({"id": f"q{i}", "query": f"My router {i} is broken."}) + "\n" for i in range(400))
    )
    results = tmp_path / "in.jsonl.results.jsonl"
    args = [
        "batch",
        "router",
        str(inputs),
        "--workers",
        workers,
        "--concurrency",
        "4",
        "--latency",
        "0.5",
        "--no-cache",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    # A session of its own, as a terminal's foreground job: SIGINT reaches the whole group.
    proc = subprocess.Popen(
        [STAGECRAFT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and (not results.exists() or len(results.read_text().splitlines()) < 4):
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)
        interrupted = time.monotonic()
        _, err = proc.communicate(timeout=120)
        stopped_after = time.monotonic() - interrupted
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    # The items left need about 100 s (2 calls of 0.5 s each, 4 at a time): it stopped instead.
    assert stopped_after < 20, stopped_after
    assert "run the same command again to continue" in err and "Traceback" not in err
    saved = [json.loads(line)["id"] for line in results.read_text().splitlines()]
    assert 4 <= len(saved) < 200  # stopped long before the items in flight could all finish
    again = _run("batch", "router", str(inputs), "--latency", "0", "--json")
    report = json.loads(again.stdout)
    assert report["skipped"] == len(saved) and report["skipped"] + report["done"] == 400
