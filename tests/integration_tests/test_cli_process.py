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
