"""Pipelines as a user runs them: the installed CLI, offline and over a loopback OpenAI-compatible server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.loopback import Reply, openai_server

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
STAGECRAFT = str(Path(sys.executable).parent / "stagecraft")
EXAMPLES = {
    "contract_review": ("examples/contract.txt", ["parties", "payment", "exit_terms", "liability", "verdict"]),
    "meeting_digest": ("examples/meeting_notes.txt", ["agenda", "per_item", "digest"]),
    "support_triage": ("examples/message.txt", ["classify", "route"]),
}


def _run(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "STAGECRAFT_"))}
    return subprocess.run(
        [STAGECRAFT, *args], capture_output=True, text=True, timeout=180, env={**base, **(env or {})}, cwd=cwd
    )


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_pipeline_runs_offline_from_its_file(name: str, tmp_path: Path) -> None:
    file, stages = EXAMPLES[name]
    db = tmp_path / "runs.sqlite"
    out = _run("run", f"pipelines/{name}.yaml", "--file", file, "--json", "--latency", "0", "--runs-db", str(db))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert all(result.get(stage) for stage in stages), result
    report = result["execution_report"]
    assert report["calls"] == len(result["ledger"]) and set(report["by_stage"]) <= {*stages, *result}


def _fill(schema: dict[str, Any], key: str = "") -> Any:
    """A valid answer for a JSON schema: the first of every enum, two items a list, a word a string."""
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return _fill(next(s for s in schema["anyOf"] if s.get("type") != "null"), key)
    kind = schema.get("type")
    if kind == "object":
        return {k: _fill(v, k) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [f"{key} one", f"{key} two"]
    if kind in ("number", "integer"):
        return 1
    if kind == "boolean":
        return True
    return f"{key} text"


def _respond(request: dict[str, Any]) -> Reply:
    fmt = request.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return 200, json.dumps(_fill(fmt["json_schema"]["schema"]))
    return 200, "A model's prose."


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_pipeline_runs_on_an_openai_compatible_server(name: str, tmp_path: Path) -> None:
    file, _ = EXAMPLES[name]
    with openai_server(_respond) as server:
        env = {"OPENAI_API_KEY": "sk-loopback", "OPENAI_BASE_URL": server.base_url}
        out = _run(
            "run", f"pipelines/{name}.yaml", "--file", file, "--json", "--provider", "openai", "--no-cache",
            "--runs-db", str(tmp_path / "runs.sqlite"), env=env,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        result = json.loads(out.stdout)
        assert {call["provider"] for call in result["ledger"]} == {"openai"}
        assert len(server.requests) == len(result["ledger"])
    if name == "meeting_digest":  # two agenda items: the map asked twice, in order
        assert result["per_item"] == [_fill({"type": "object", "properties": {
            "decisions": {"type": "array"}, "actions": {"type": "array"}}})] * 2  # fmt: skip
        assert result["digest"] == "A model's prose."
    if name == "support_triage":  # the first label (billing) routes to the billing reply, and only there
        assert result["classify"]["team"] == "billing" and result["route"] == "billing_reply"
        assert result["billing_reply"] == "A model's prose." and result.get("general_reply") is None
    if name == "contract_review":
        assert result["liability"] == {"risks": ["risks one", "risks two"], "severity": "low"}


def test_a_copied_pipeline_changed_by_hand_runs_and_is_listed_shown_and_batched(tmp_path: Path) -> None:
    # What the README promises: copy a pipeline, change a prompt and a dependency, run it.
    mine = tmp_path / "my_triage.yaml"
    text = (ROOT / "pipelines" / "support_triage.yaml").read_text()
    text = text.replace("name: support_triage", "name: my_triage")
    text = text.replace(
        "You answer general questions about the company's products and policies.",
        "You answer questions about opening hours and shops, briefly.",
    )
    text = text.replace(
        "    depends_on: [route]\n    system: You answer", "    depends_on: [route, classify]\n    system: You answer"
    )
    mine.write_text(text)
    db = str(tmp_path / "runs.sqlite")
    out = _run("run", str(mine), "Where is your shop in Lyon?", "--json", "--latency", "0", "--runs-db", db)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["route"] == "general_reply" and result["general_reply"]
    listed = _run("threads", "--runs-db", db)
    assert listed.returncode == 0 and "my_triage" in listed.stdout, listed.stdout + listed.stderr
    thread = next(line.split()[0] for line in listed.stdout.splitlines() if "my_triage" in line)
    shown = _run("show", thread, "--runs-db", db)
    assert shown.returncode == 0 and "general_reply" in shown.stdout, shown.stderr
    # A batch over a JSONL of inputs, in two worker processes.
    inputs = tmp_path / "messages.jsonl"
    shutil.copy(ROOT / "examples" / "messages.jsonl", inputs)
    batch = _run("batch", str(mine), str(inputs), "--workers", "2", "--latency", "0", "--runs-db", db, cwd=tmp_path)
    assert batch.returncode == 0, batch.stderr
    rows = [json.loads(line) for line in (tmp_path / "messages.jsonl.results.jsonl").read_text().splitlines()]
    routes = sorted(str(row.get("output", {}).get("route")) for row in rows)
    assert len(rows) == 4 and routes.count("None") == 1, rows  # the spam message stopped before its route


def test_a_bad_pipeline_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nstages:\n  - {name: a, prompt: '{text}', depends_on: [b]}\n")
    out = _run("run", str(bad), "hello", "--latency", "0", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.strip() == f"error: {bad}:3: stage 'a': depends on 'b', which is not a stage (stages: a)"
    missing = _run("run", "nowhere.yaml", "hello", cwd=tmp_path)
    assert missing.returncode == 2 and "nowhere.yaml: cannot read the pipeline file" in missing.stderr
