"""Real services the integration tests use: skipped with a reason where they are not running, but
never under CI (CI=true), where a missing service fails the test."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


def require(name: str, host: str, port: int) -> None:
    """Skip (or, under CI, fail) unless a TCP service answers at host:port."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError as exc:
        message = f"{name} at {host}:{port} is unreachable ({exc.strerror or exc})"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message + "; CI must provide it")
        pytest.skip(message)


def free_port() -> int:
    """Return a loopback TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _rooted(value: Any, root: Path) -> Any:
    """The config with every "./..." path made absolute under root."""
    if isinstance(value, dict):
        return {k: _rooted(v, root) for k, v in value.items()}
    if isinstance(value, list):
        return [_rooted(v, root) for v in value]
    if isinstance(value, str) and (value == "." or value.startswith("./")):
        return str(root / value)
    return value


@contextmanager
def langgraph_dev(root: Path, env: dict[str, str], log: Path, config: str = "langgraph.json") -> Iterator[str]:
    """Run `langgraph dev` on a free loopback port with this environment; yield its URL.

    The server runs in the log's folder, a scratch one: its in-memory runtime saves assistants,
    threads and runs in `.langgraph_api/` there, never in the repository, so no run of the tests
    sees what an earlier one left. It reads a copy of the config whose paths (graphs, auth,
    checkpointer, dependencies: relative to the working folder for `langgraph dev`) name the
    repository's files, but its `env` file (`.env`) is the one in the scratch folder: a developer's
    own `.env` never reaches the tests. LANGGRAPH_STRICT_MSGPACK is set as `make dev` sets it.
    """
    port = free_port()
    langgraph = str(Path(sys.executable).parent / "langgraph")
    scratch_config = log.parent / f"served-{config}"
    served = _rooted(json.loads((root / config).read_text()), root)
    if isinstance(served.get("env"), str):
        served["env"] = str(log.parent / Path(served["env"]).name)
    scratch_config.write_text(json.dumps(served))
    env = {"LANGGRAPH_STRICT_MSGPACK": "true", **env}
    command = [langgraph, "dev", "--config", str(scratch_config), "--no-browser", "--no-reload", "--host", "127.0.0.1"]
    with log.open("w") as out:
        command += ["--port", str(port)]
        proc = subprocess.Popen(command, cwd=log.parent, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/ok", timeout=2):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"langgraph dev did not start:\n{log.read_text()[-3000:]}") from None
                    time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def lines_until(proc: subprocess.Popen[str], prefix: str, timeout: float = 120) -> list[str]:
    """Read a process's stderr until a line starts with `prefix`; kill it and fail if that takes `timeout` s.

    A plain readline() loop cannot keep a deadline: it blocks while the process is silent.
    """
    assert proc.stderr is not None
    stream, lines = proc.stderr, queue.Queue[str | None]()

    def pump() -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            line = None
        if line is None:
            proc.kill()
            proc.wait(timeout=30)
            pytest.fail(f"no line starting with {prefix!r} within {timeout:g} s; saw: {''.join(seen)[-2000:]}")
        seen.append(line)
        if line.startswith(prefix):
            return seen
