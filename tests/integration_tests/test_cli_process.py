"""The installed `stagecraft` entry point, as a shell runs it (the rest of the CLI is tested in-process)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

STAGECRAFT = str(Path(sys.executable).parent / "stagecraft")


def _run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return subprocess.run(
        [STAGECRAFT, *args], capture_output=True, text=True, timeout=120, env={**base, **(env or {})}, input=stdin
    )


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
    import time

    queries = ["My internet connection is not working.", "I was charged twice.", "Where is my order?"]
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps({"id": f"q{i}", "query": queries[i % 3]}) + "\n" for i in range(40)))
    results = tmp_path / "in.jsonl.results.jsonl"
    args = ["batch", "router", str(inputs), "--workers", "2", "--concurrency", "2", "--latency", "0.2", "--json"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    proc = subprocess.Popen(
        [STAGECRAFT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and (not results.exists() or len(results.read_text().splitlines()) < 4):
            time.sleep(0.05)
        workers = _worker_pids(proc.pid)
        assert len(workers) == 2, workers
        os.kill(workers[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=90)
    finally:
        _kill_group(proc)
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
    # A session of its own, as a terminal's foreground job: SIGINT reaches the whole group, and is
    # heeded even when these tests run as a background job (`cmd &`), which starts with SIGINT ignored.
    proc = subprocess.Popen(
        [STAGECRAFT, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
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
        _kill_group(proc)
    assert proc.returncode == 130, err
    # The items left need about 100 s (2 calls of 0.5 s each, 4 at a time): it stopped instead.
    assert stopped_after < 20, stopped_after
    assert "run the same command again to continue" in err and "Traceback" not in err
    saved = [json.loads(line)["id"] for line in results.read_text().splitlines()]
    assert 4 <= len(saved) < 200  # stopped long before the items in flight could all finish
    again = _run("batch", "router", str(inputs), "--latency", "0", "--json")
    report = json.loads(again.stdout)
    assert report["skipped"] == len(saved) and report["skipped"] + report["done"] == 400


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("run", "router", "--file", "{tmp}/fifo"), "is a named pipe; send it on standard input instead"),
        (("batch", "router", "{tmp}/fifo"), "it is a named pipe, not a file or a folder"),
        (("eval", "routing", "{tmp}/fifo"), "it is a named pipe, not a file"),
        (("run", "router", "--file", "/dev/zero"), "more than 100,000 characters long"),
        (("batch", "router", "/dev/zero"), "it is a device, not a file or a folder"),
        (("eval", "routing", "/dev/zero"), "it is a device, not a file"),
        (("threads", "--runs-db", "{tmp}/folder"), "checkpointer"),
        (("run", "router", "My router is broken.", "--runs-db", "{tmp}/folder"), "checkpointer"),
    ],
)
def test_input_that_could_hang_or_never_end_is_refused_at_once(
    tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    # A named pipe nobody writes to blocked `run --file` and `batch` for ever; /dev/zero was read
    # whole (MemoryError); a folder as the run store left a thread's traceback after the error.
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    out = _run(*(arg.format(tmp=tmp_path) for arg in args))  # a hang fails it: the timeout raises
    assert out.returncode == 2, out.stderr
    assert says in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "Traceback" not in out.stderr


def test_standard_input_that_is_not_utf8_is_an_input_error() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    out = subprocess.run(
        [STAGECRAFT, "run", "router", "--latency", "0"],
        input=b"My router \xff\xfe is \x81 broken.",
        capture_output=True,
        timeout=120,
        env={**env, "LC_ALL": "C"},  # where Python reads standard input with surrogate escapes
    )
    err = out.stderr.decode("utf-8", "replace")
    assert out.returncode == 2 and "standard input is not UTF-8 text" in err and len(err.strip().splitlines()) == 1


def test_a_batch_rerun_in_worker_processes_acts_once_per_message(tmp_path: Path) -> None:
    # Every message fails at its last stage, after its workers opened a case and issued an RMA;
    # the README's recovery (run the batch again) must finish each one on its own thread and
    # request, in whichever worker process takes it, without acting a second time.
    from supportdesk import SupportDesk
    from tests.loopback import openai_server, schema_name

    healthy = {"now": False}
    tasks = [
        {"query_type": "BillingInquiry", "invoice_number": "INV-7890"},
        {"query_type": "ProductReturn", "product_name": "SuperWidget 5000", "reason_for_return": "incompatible"},
    ]

    def respond(request: dict[str, object]) -> tuple[int, str]:
        name = schema_name(request)
        if name == "Decomposition":
            return 200, json.dumps({"tasks": tasks})
        if name == "Concern":
            return 200, json.dumps({"concern": "It is higher than expected."})
        return (200, "Dear customer, here is where your requests stand.") if healthy["now"] else (400, "bad request")

    inputs = tmp_path / "messages.jsonl"
    inputs.write_text(
        "".join(
            json.dumps({"id": f"m{i}", "query": f"Message {i}: invoice INV-7890 is wrong; return my SuperWidget 5000."})
            + "\n"
            for i in range(6)
        )
    )
    support = tmp_path / "support.sqlite"
    batch = (
        "batch", "orchestrator", str(inputs), "--workers", "2", "--concurrency", "2", "--provider", "openai",
        "--runs-db", str(tmp_path / "runs.sqlite"), "--no-cache", "--json",
    )  # fmt: skip
    with openai_server(respond) as server:
        env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.base_url, "STAGECRAFT_SUPPORT_DB": str(support)}
        first = _run(*batch, env=env)
        assert first.returncode == 1, first.stderr
        assert json.loads(first.stdout)["failed"] == 6
        desk = SupportDesk(support)
        assert (desk.count_cases(), desk.count_rmas()) == (6, 6)
        decomposed = sum(schema_name(r) == "Decomposition" for r in server.requests)
        healthy["now"] = True
        again = _run(*batch, env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["done"] == 6
    assert (desk.count_cases(), desk.count_rmas()) == (6, 6)
    assert sum(schema_name(r) == "Decomposition" for r in server.requests) == decomposed == 6


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """Kill a batch and its worker processes, so none outlives its test (one failed the next test)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)
