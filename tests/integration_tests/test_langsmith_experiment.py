"""`stagecraft eval ... --langsmith`: the evaluation recorded as a LangSmith experiment, over real HTTP.

A loopback server stands in for LangSmith's API (the endpoints the official client calls, kept
alive like the real one) and keeps what it was sent, so the test reads what a LangSmith user would
see: a dataset of the labelled file, an experiment over it, one run per example, a score per run.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
STAGECRAFT = str(Path(sys.executable).parent / "stagecraft")
KEY = "lsv2-canary-0f9e8d7c6b5a"


class FakeLangSmith:
    """What a LangSmith API received: datasets, examples, experiments (sessions), runs, feedback."""

    def __init__(self) -> None:
        self.tenant = str(uuid.uuid4())
        self.datasets: dict[str, dict[str, Any]] = {}
        self.examples: list[dict[str, Any]] = []
        self.sessions: list[dict[str, Any]] = []
        self.runs: list[dict[str, Any]] = []
        self.feedback: list[dict[str, Any]] = []
        self.keys: set[str] = set()
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, in order
        self.unknown: list[tuple[str, str]] = []
        self.key_in_a_body = False  # the API key belongs in a header, never in what is recorded
        self.fail_runs = False  # every batch of runs answers 500
        self.fail_feedback = False  # every score answers 500
        self.fail_uploads = 0  # how many example uploads answer 500 before they work
        self.lock = threading.Lock()


# Runs arrive as JSON batches (/runs/batch), as a LangSmith without multipart ingestion takes them.
BATCH_INGEST = {
    "use_multipart_endpoint": False,
    "scale_up_qsize_trigger": 1000,
    "scale_up_nthreads_limit": 4,
    "scale_down_nempty_trigger": 4,
    "size_limit": 100,
    "size_limit_bytes": 20_971_520,
}


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _handler(api: FakeLangSmith) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _body(self) -> bytes:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            body = gzip.decompress(raw) if self.headers.get("content-encoding") == "gzip" else raw
            api.key_in_a_body |= KEY.encode() in body
            return body

        def _send(self, status: int, value: Any) -> None:
            body = json.dumps(value).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _seen(self, method: str) -> str:
            api.keys.add(self.headers.get("x-api-key", ""))
            path = urlparse(self.path).path
            with api.lock:
                api.requests.append((method, path))
            return path

        def _unknown(self, method: str, path: str) -> None:
            api.unknown.append((method, path))
            self._send(404, {"detail": f"no {method} {path} here"})

        def do_GET(self) -> None:
            path, query = self._seen("GET"), parse_qs(urlparse(self.path).query)
            if path == "/info":
                return self._send(200, {"version": "0.10.0", "batch_ingest_config": BATCH_INGEST})
            if path == "/datasets":
                name = query.get("name", [""])[0]
                return self._send(200, [api.datasets[name]] if name in api.datasets else [])
            if path.startswith("/datasets/"):
                found = [d for d in api.datasets.values() if d["id"] == path.split("/")[2]]
                return self._send(200, found[0]) if found else self._send(404, {"detail": "no such dataset"})
            if path == "/examples":
                dataset = query.get("dataset", [""])[0]
                offset, limit = int(query.get("offset", ["0"])[0]), int(query.get("limit", ["100"])[0])
                rows = [e for e in api.examples if e["dataset_id"] == dataset][offset : offset + limit]
                return self._send(200, [{**e, "created_at": _now(), "modified_at": _now()} for e in rows])
            if path == "/sessions":
                name = query.get("name", [""])[0]
                return self._send(200, [s for s in api.sessions if s["name"] == name])
            return self._unknown("GET", path)

        def do_POST(self) -> None:
            path, body = self._seen("POST"), self._body()
            with api.lock:
                if path == "/datasets":
                    dataset = {**json.loads(body), "id": str(uuid.uuid4()), "tenant_id": api.tenant}
                    dataset.update(created_at=_now(), modified_at=_now())
                    api.datasets[dataset["name"]] = dataset
                    return self._send(200, dataset)
                if path == "/examples/bulk":
                    if api.fail_uploads:
                        api.fail_uploads -= 1
                        return self._send(500, {"detail": "upload failed"})
                    created = json.loads(body)
                    api.examples += created
                    return self._send(200, created)
                if path == "/sessions":
                    session = {**json.loads(body), "id": str(uuid.uuid4()), "tenant_id": api.tenant}
                    session["start_time"] = _now()
                    api.sessions.append(session)
                    return self._send(200, session)
                if path == "/runs/batch" and api.fail_runs:
                    return self._send(500, {"detail": "ingestion failed"})
                if path == "/runs/batch":
                    batch = json.loads(body)
                    # A run's end (patch) may arrive in an earlier batch than its start (post).
                    for run in [*batch.get("post", []), *batch.get("patch", [])]:
                        self._patch_run(run)
                    return self._send(202, {})
                if path == "/runs":
                    api.runs.append(json.loads(body))
                    return self._send(200, {})
                if path == "/feedback" and api.fail_feedback:
                    return self._send(500, {"detail": "feedback failed"})
                if path == "/feedback":
                    feedback = json.loads(body)
                    api.feedback.append(feedback)
                    return self._send(200, {**feedback, "created_at": _now(), "modified_at": _now()})
            return self._unknown("POST", path)

        def _patch_run(self, patch: dict[str, Any]) -> None:
            for run in api.runs:
                if run["id"] == patch["id"]:
                    run.update({k: v for k, v in patch.items() if v is not None})
                    return
            api.runs.append(patch)

        def do_PATCH(self) -> None:
            path, body = self._seen("PATCH"), self._body()
            with api.lock:
                if path.startswith("/runs/"):
                    self._patch_run({**json.loads(body), "id": path.split("/")[2]})
                    return self._send(200, {})
                if path.startswith("/sessions/"):
                    for session in api.sessions:
                        if session["id"] == path.split("/")[2]:
                            session.update({k: v for k, v in json.loads(body).items() if v is not None})
                            return self._send(200, session)
            return self._unknown("PATCH", path)

    return Handler


@pytest.fixture
def langsmith() -> Iterator[tuple[FakeLangSmith, str]]:
    api = FakeLangSmith()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield api, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _eval(endpoint: str | None, *args: str, key: str | None = KEY) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LANGSMITH_", "LANGCHAIN_"))}
    env.update(LANGSMITH_TRACING="false", **({"LANGSMITH_ENDPOINT": endpoint} if endpoint else {}))
    if key:
        env["LANGSMITH_API_KEY"] = key
    return subprocess.run([STAGECRAFT, "eval", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _experiment_runs(api: FakeLangSmith, session: dict[str, Any]) -> list[dict[str, Any]]:
    """The experiment's rows: the root runs of its project."""
    return [r for r in api.runs if r.get("session_name") == session["name"] and not r.get("parent_run_id")]


def test_an_evaluation_is_an_experiment_of_traced_runs_over_its_dataset(langsmith: tuple[FakeLangSmith, str]) -> None:
    api, endpoint = langsmith
    labelled = [json.loads(line) for line in (ROOT / "evals" / "routing.holdout.jsonl").read_text().splitlines()]
    out = _eval(endpoint, "routing", "evals/routing.holdout.jsonl", "--langsmith", "--json")
    assert out.returncode == 0, out.stderr
    scores = json.loads(out.stdout)  # stdout holds the evaluation's own output, nothing else
    assert "recorded as LangSmith experiment stagecraft-routing-routing.holdout-" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr  # no progress bar, no log lines
    assert KEY not in out.stdout + out.stderr and api.keys == {KEY} and not api.unknown and not api.key_in_a_body

    (dataset,) = api.datasets.values()
    assert len(api.examples) == len(labelled)
    assert api.requests.count(("POST", "/examples/bulk")) == 1  # one batch, not one request per example
    assert [e["inputs"] for e in api.examples] == [{"text": e["text"]} for e in labelled]
    assert [e["outputs"]["label"] for e in api.examples] == [e["label"] for e in labelled]
    (session,) = api.sessions
    assert session["reference_dataset_id"] == dataset["id"]
    assert session["extra"]["metadata"]["accuracy"] == scores["accuracy"]
    example_ids = {e["id"] for e in api.examples}
    rows = _experiment_runs(api, session)
    assert len(rows) == len(labelled) and {r["reference_example_id"] for r in rows} == example_ids
    by_text = {e["text"]: e["label"] for e in labelled}
    for row in rows:  # each row is the router's real run: its output, and the graph's spans inside it
        assert row["outputs"]["prediction"] in ("Technical Support", "Billing Inquiry", "General Question")
        assert row["inputs"] == {"text": row["inputs"]["text"]} and row["inputs"]["text"] in by_text
        inside = [r for r in api.runs if r.get("trace_id") == row["id"] and r["id"] != row["id"]]
        assert {"LangGraph", "intake", "classify"} <= {r["name"] for r in inside}
        assert any(r["run_type"] == "llm" and r["name"] == "classify" for r in inside)
        assert all(r["end_time"] and r["start_time"] for r in (row, *inside))
    assert len(api.feedback) == len(labelled) and {f["key"] for f in api.feedback} == {"correct"}
    assert {f["run_id"] for f in api.feedback} == {r["id"] for r in rows}
    wrong = sum(f["score"] == 0 for f in api.feedback)
    assert wrong == len(scores["failures"])
    right = {r["id"] for r in rows if r["outputs"]["prediction"] == by_text[r["inputs"]["text"]]}
    assert {f["run_id"] for f in api.feedback if f["score"] == 1} == right

    # The same file again: the same dataset and examples, a new experiment.
    again = _eval(endpoint, "routing", "evals/routing.holdout.jsonl", "--langsmith")
    assert again.returncode == 0, again.stderr
    assert len(api.datasets) == 1 and len(api.examples) == len(labelled) and len(api.sessions) == 2
    assert {r["reference_example_id"] for r in _experiment_runs(api, api.sessions[1])} == example_ids


def test_a_failed_upload_is_healed_by_the_next_run(langsmith: tuple[FakeLangSmith, str]) -> None:
    api, endpoint = langsmith
    labelled = (ROOT / "evals" / "routing.dev.jsonl").read_text().splitlines()
    api.fail_uploads = 2  # the upload and its one retry
    failed = _eval(endpoint, "routing", "evals/routing.dev.jsonl", "--langsmith", "--json")
    assert failed.returncode == 1 and failed.stdout == ""  # refused before any example ran
    assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr
    assert f"recording the LangSmith experiment at {endpoint.split('://')[1]} failed" in failed.stderr
    assert len(api.datasets) == 1 and not api.examples and not api.sessions  # the dataset was left empty

    healed = _eval(endpoint, "routing", "evals/routing.dev.jsonl", "--langsmith", "--json")
    assert healed.returncode == 0, healed.stderr
    assert len(api.datasets) == 1 and len(api.examples) == len(labelled)
    (session,) = api.sessions
    assert len(_experiment_runs(api, session)) == len(labelled)


@pytest.mark.parametrize("failing", ["runs", "feedback"])
def test_runs_or_scores_lost_part_way_are_reported_after_the_scores(
    langsmith: tuple[FakeLangSmith, str], failing: str
) -> None:
    api, endpoint = langsmith
    api.fail_runs, api.fail_feedback = failing == "runs", failing == "feedback"
    started = time.monotonic()
    out = _eval(endpoint, "routing", "evals/routing.dev.jsonl", "--langsmith", "--json")
    took = time.monotonic() - started
    assert out.returncode == 1 and json.loads(out.stdout)["n"] == len(api.examples)  # the scores stand
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr and KEY not in out.stderr
    assert "lost some runs or scores" in out.stderr
    assert not (api.runs if failing == "runs" else api.feedback)
    # Not the client's 10 attempts per score, 1 s to 256 s apart: the evaluation's time and little more.
    assert took < 120, took


def _always(status: int) -> type[BaseHTTPRequestHandler]:
    class Failing(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _fail(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            body = b'{"detail": "internal error"}'
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("retry-after", "600")  # honoured, it would keep the command waiting for minutes
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = _fail

    return Failing


@pytest.mark.parametrize("status", [500, 503])
def test_a_failing_langsmith_ends_the_command_quickly_with_one_line(status: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _always(status))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        out = _eval(f"http://127.0.0.1:{server.server_address[1]}", "routing", "evals/routing.dev.jsonl", "--langsmith")
        took = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()
    assert out.returncode == 1 and out.stdout == "" and took < 30, (took, out.stderr)
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr and KEY not in out.stderr
    assert "recording the LangSmith experiment at 127.0.0.1:" in out.stderr


def test_without_a_key_nothing_runs_and_without_langsmith_the_scores_stand(
    langsmith: tuple[FakeLangSmith, str],
) -> None:
    api, endpoint = langsmith
    no_key = _eval(endpoint, "routing", "evals/routing.holdout.jsonl", "--langsmith", key=None)
    assert no_key.returncode == 2 and "--langsmith needs LANGSMITH_API_KEY" in no_key.stderr
    assert no_key.stdout == "" and not api.runs  # refused before the evaluation ran
    # A key in the environment sends nothing unless asked.
    quiet = _eval(endpoint, "routing", "evals/routing.holdout.jsonl", "--json")
    assert quiet.returncode == 0 and not api.datasets and not api.runs and not api.keys
    # LangSmith unreachable: one clear line, exit 1, no key shown, within seconds.
    started = time.monotonic()
    down = _eval("http://127.0.0.1:9", "routing", "evals/routing.holdout.jsonl", "--langsmith", "--json")
    assert down.returncode == 1 and down.stdout == "" and time.monotonic() - started < 30
    assert "recording the LangSmith experiment at 127.0.0.1:9 failed: LangSmithConnectionError" in down.stderr
    assert down.stderr.count("\n") == 1 and KEY not in down.stderr and "Traceback" not in down.stderr
