"""What a deployment is built from: the image's Dockerfile, the declared dependencies, `make`'s bootstrap."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ("langgraph.json", "langgraph.shared.json")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.mark.parametrize("config", CONFIGS)
def test_the_image_loads_checkpoints_strictly_and_runs_the_locked_server(config: str, tmp_path: Path) -> None:
    # `langgraph dockerfile` writes what `langgraph build` builds; the config's `env` never reaches it.
    langgraph = str(Path(sys.executable).parent / "langgraph")
    env = {**os.environ, "LANGGRAPH_CLI_NO_ANALYTICS": "1"}
    env.pop("LANGGRAPH_STRICT_MSGPACK", None)
    out = subprocess.run(
        [langgraph, "dockerfile", str(tmp_path / "Dockerfile"), "-c", config],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = (tmp_path / "Dockerfile").read_text().splitlines()
    assert "ENV LANGGRAPH_STRICT_MSGPACK=true" in lines
    # The server in the image is the minor release the tests ran against (uv.lock's langgraph-api).
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    (locked,) = [p["version"] for p in lock["package"] if p["name"] == "langgraph-api"]
    minor = ".".join(locked.split(".")[:2])
    assert lines[0] == f"FROM langchain/langgraph-api:{minor}-py3.11"


@pytest.mark.parametrize("config", CONFIGS)
def test_langgraph_dev_reads_the_same_dotenv_as_the_cli(config: str) -> None:
    assert json.loads((ROOT / config).read_text())["env"] == "./.env"


def _requirement_name(spec: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", spec)
    assert match, spec
    return re.sub(r"[-_.]+", "-", match.group()).lower()


def _imported_top_level_modules(package: Path) -> set[str]:
    names: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_every_imported_package_is_declared() -> None:
    ours = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    imported: set[str] = set()
    for package in ours:
        imported |= _imported_top_level_modules(ROOT / package)
    third_party = imported - set(sys.stdlib_module_names) - set(ours) - {"__future__"}
    declared = {_requirement_name(spec) for spec in PYPROJECT["project"]["dependencies"]}
    for extra in PYPROJECT["project"]["optional-dependencies"].values():
        declared |= {_requirement_name(spec) for spec in extra}
    distributions = importlib.metadata.packages_distributions()
    undeclared = {
        module: names
        for module in sorted(third_party)
        if not declared & (names := {_requirement_name(d) for d in distributions.get(module, [module])})
    }
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_runtime_dependencies_have_upper_bounds_and_shared_stores_are_extras() -> None:
    runtime = list(PYPROJECT["project"]["dependencies"])
    extras = PYPROJECT["project"]["optional-dependencies"]
    for extra in extras.values():
        runtime += extra
    assert [spec for spec in runtime if "<" not in spec] == []
    plain = {_requirement_name(spec) for spec in PYPROJECT["project"]["dependencies"]}
    assert {"psycopg", "psycopg-pool", "langgraph-checkpoint-postgres", "redis"}.isdisjoint(plain)
    assert {_requirement_name(s) for s in extras["postgres"]} == {
        "psycopg",
        "psycopg-pool",
        "langgraph-checkpoint-postgres",
    }
    assert {_requirement_name(s) for s in extras["redis"]} == {"redis"}


# python3 on a fresh Debian 12: `-m pip install` into the system is refused (PEP 668), `-m venv` works.
_STUBS = {
    "python3": (
        'echo "python3 $*" >> "$LOG"\n'
        'if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && cp "$STUBS/pip" "$3/bin/pip"; exit 0; fi\n'
        'echo "error: externally-managed-environment" >&2; exit 1\n'
    ),
    "pip": 'echo "pip $*" >> "$LOG"; cp "$STUBS/uv" "$(dirname "$0")/uv"\n',
    "uv": 'echo "uv $*" >> "$LOG"\n',
}


def test_make_demo_without_uv_installs_uv_in_a_private_venv(tmp_path: Path) -> None:
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, body in _STUBS.items():
        (stubs / name).write_text("#!/bin/sh\n" + body)
        (stubs / name).chmod(0o755)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(stubs / "python3")
    log = tmp_path / "calls.log"
    tools = tmp_path / "tools"
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "LOG": str(log), "STUBS": str(stubs), "HOME": str(tmp_path)}
    assert subprocess.run(["sh", "-c", "command -v uv"], env=env, capture_output=True).returncode != 0
    out = subprocess.run(
        ["make", "-C", str(ROOT), "demo", f"TOOLS={tools}"], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stdout + out.stderr
    calls = log.read_text().splitlines()
    assert calls == [
        f"python3 -m venv {tools}",
        "pip install --quiet uv==0.13.9",
        "uv sync --frozen --all-extras --quiet",
        "uv run --frozen stagecraft demo",
    ]
    # Once there, it is used as it is.
    log.unlink()
    again = subprocess.run(
        ["make", "-C", str(ROOT), "demo", f"TOOLS={tools}"], env=env, capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert log.read_text().splitlines() == ["uv sync --frozen --all-extras --quiet", "uv run --frozen stagecraft demo"]


_WITHOUT_EXTRAS = """
import sys
sys.modules["psycopg"] = sys.modules["redis"] = None  # as if neither extra were installed
from app.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize(
    ("variable", "url", "command", "extra", "status"),
    [
        ("STAGECRAFT_CHECKPOINTER", "postgresql://nobody@127.0.0.1:1/none", ["threads"], "postgres", 2),
        (
            "STAGECRAFT_SUPPORT_DB",
            "postgresql://nobody@127.0.0.1:1/none",
            ["run", "orchestrator", "order A-12345", "--provider", "offline"],
            "postgres",
            1,
        ),
        (
            "STAGECRAFT_CACHE",
            "redis://127.0.0.1:1/0",
            ["run", "router", "hello there", "--provider", "offline"],
            "redis",
            2,
        ),
    ],
)
def test_a_url_whose_client_is_a_missing_extra_gets_one_line(
    variable: str, url: str, command: list[str], extra: str, status: int, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STAGECRAFT_", "OPENAI_"))}
    env.update(STAGECRAFT_CHECKPOINTER=f"sqlite:///{tmp_path / 'runs.sqlite'}", STAGECRAFT_CACHE="off")
    env[variable] = url
    out = subprocess.run(
        [sys.executable, "-c", _WITHOUT_EXTRAS, *command],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == status, out.stderr
    assert out.stderr.count("\n") == 1 and f"pip install 'stagecraft[{extra}]'" in out.stderr, out.stderr
