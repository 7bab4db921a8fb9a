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
        self.lock = threading.Lock()


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _handler(api: FakeLangSmith) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _body(self) -> bytes:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            return gzip.decompress(raw) if self.headers.get("content-encoding") == "gzip" else raw

        def _send(self, status: int, value: Any) -> None:
            body = json.dumps(value).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            api.keys.add(self.headers.get("x-api-key", ""))
            url = urlparse(self.path)
            if url.path == "/info":
                return self._send(200, {"version": "0.10.0"})
            if url.path == "/datasets":
                name = parse_qs(url.query).get("name", [""])[0]
                return self._send(200, [api.datasets[name]] if name in api.datasets else [])
            return self._send(404, {"detail": "not found"})

        def do_POST(self) -> None:
            api.keys.add(self.headers.get("x-api-key", ""))
            path, body = urlparse(self.path).path, self._body()
            with api.lock:
                if path == "/datasets":
                    dataset = {**json.loads(body), "id": str(uuid.uuid4()), "tenant_id": api.tenant}
                    dataset.update(created_at=_now(), modified_at=_now())
                    api.datasets[dataset["name"]] = dataset
                    return self._send(200, dataset)
                if path == "/examples/bulk":
                    created = json.loads(body)
                    api.examples += created
                    return self._send(200, created)
                if path == "/sessions":
                    session = {**json.loads(body), "id": str(uuid.uuid4()), "tenant_id": api.tenant}
                    session["start_time"] = _now()
                    api.sessions.append(session)
                    return self._send(200, session)
                if path == "/runs":
                    api.runs.append(json.loads(body))
                    return self._send(200, {})
                if path == "/feedback":
                    feedback = json.loads(body)
                    api.feedback.append(feedback)
                    return self._send(200, {**feedback, "created_at": _now(), "modified_at": _now()})
            return self._send(404, {"detail": f"no {path} here"})

        def do_PATCH(self) -> None:
            self._body()
            self._send(200, {})

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


def test_an_evaluation_is_recorded_as_an_experiment_over_its_dataset(langsmith: tuple[FakeLangSmith, str]) -> None:
    api, endpoint = langsmith
    labelled = [json.loads(line) for line in (ROOT / "evals" / "routing.holdout.jsonl").read_text().splitlines()]
    out = _eval(endpoint, "routing", "evals/routing.holdout.jsonl", "--langsmith", "--json")
    assert out.returncode == 0, out.stderr
    scores = json.loads(out.stdout)  # the evaluation's own output is unchanged
    assert "recorded as LangSmith experiment stagecraft-routing-routing.holdout-" in out.stderr
    assert KEY not in out.stdout + out.stderr and api.keys == {KEY}

    (dataset,) = api.datasets.values()
    assert len(api.examples) == len(labelled)
    assert [e["inputs"] for e in api.examples] == [{"text": e["text"]} for e in labelled]
    assert [e["outputs"]["label"] for e in api.examples] == [e["label"] for e in labelled]
    (session,) = api.sessions
    assert session["reference_dataset_id"] == dataset["id"]
    assert session["extra"]["metadata"]["accuracy"] == scores["accuracy"]
    example_ids = {e["id"] for e in api.examples}
    assert len(api.runs) == len(labelled) and {r["reference_example_id"] for r in api.runs} == example_ids
    assert all(r["session_name"] == session["name"] for r in api.runs)
    by_text = {e["text"]: e["label"] for e in labelled}
    for run in api.runs:  # each run's output is what the router said for that example
        assert run["outputs"]["prediction"] in ("Technical Support", "Billing Inquiry", "General Question")
        assert run["inputs"]["text"] in by_text
    assert len(api.feedback) == len(labelled) and {f["key"] for f in api.feedback} == {"correct"}
    wrong = sum(f["score"] == 0 for f in api.feedback)
    assert wrong == len(scores["failures"])
    right = {r["id"] for r in api.runs if r["outputs"]["prediction"] == by_text[r["inputs"]["text"]]}
    assert {f["run_id"] for f in api.feedback if f["score"] == 1} == right

    # The same file again: the same dataset and examples, a new experiment.
    again = _eval(endpoint, "routing", "evals/routing.holdout.jsonl", "--langsmith")
    assert again.returncode == 0, again.stderr
    assert len(api.datasets) == 1 and len(api.examples) == len(labelled) and len(api.sessions) == 2
    assert {r["reference_example_id"] for r in api.runs[len(labelled) :]} == example_ids


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
    # LangSmith unreachable: the scores are printed, then one clear line, exit 1, no key shown.
    down = _eval("http://127.0.0.1:9", "routing", "evals/routing.holdout.jsonl", "--langsmith", "--json")
    assert down.returncode == 1 and json.loads(down.stdout)["accuracy"] == json.loads(quiet.stdout)["accuracy"]
    assert "recording the LangSmith experiment at 127.0.0.1:9 failed: LangSmithConnectionError" in down.stderr
    assert KEY not in down.stderr and "Traceback" not in down.stderr
