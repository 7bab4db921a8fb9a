"""Every command and Python snippet in the README runs as written, in a fresh folder, offline."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
BIN = Path(sys.executable).parent


def _blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall((ROOT / "README.md").read_text()) if lang == language]


def _commands() -> list[str]:
    # `make ...` and `uv run pytest ...` are the test command itself (CI runs it); every other
    # command a newcomer would type is run here.
    lines = [line.split("  #")[0].strip() for body in _blocks("bash") for line in body.splitlines()]
    return [line for line in lines if line.startswith("uv run stagecraft")]


@pytest.fixture
def newcomer(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fresh folder holding the repository's examples and labelled sets, and an environment with no keys."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "evals", tmp_path / "evals")
    shutil.copytree(ROOT / "pipelines", tmp_path / "pipelines")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "STAGECRAFT_", "LANGSMITH_API"))}
    return tmp_path, {**env, "LANGSMITH_TRACING": "false", "COLUMNS": "100"}


def test_the_readme_has_commands_and_snippets() -> None:
    assert len(_commands()) >= 6 and len(_blocks("python")) >= 2


@pytest.mark.parametrize("command", _commands())
def test_each_readme_command_runs_as_written(command: str, newcomer: tuple[Path, dict[str, str]]) -> None:
    folder, env = newcomer
    args = shlex.split(command)[2:]  # "uv run" is how the venv's entry point is found
    out = subprocess.run(
        [str(BIN / "stagecraft"), *args[1:]], cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("index", range(len(_blocks("python"))))
def test_each_readme_python_snippet_runs_as_a_script(index: int, newcomer: tuple[Path, dict[str, str]]) -> None:
    folder, env = newcomer
    script = folder / f"snippet_{index}.py"
    script.write_text(_blocks("python")[index], encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(script)], cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip(), "the snippet printed nothing"
