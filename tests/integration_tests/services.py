"""Real services the integration tests use: skipped with a reason where they are not running, but
never under CI (CI=true), where a missing service fails the test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


@contextmanager
def langgraph_dev(root: Path, env: dict[str, str], log: Path, config: str = "langgraph.json") -> Iterator[str]:
    """Run `langgraph dev` on a free loopback port with this environment; yield its URL."""
    port = free_port()
    langgraph = str(Path(sys.executable).parent / "langgraph")
    command = [langgraph, "dev", "--config", config, "--no-browser", "--no-reload", "--host", "127.0.0.1"]
    with log.open("w") as out:
        command += ["--port", str(port)]
        proc = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
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
