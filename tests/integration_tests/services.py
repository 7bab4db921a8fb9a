"""Real services the integration tests use: skipped with a reason where they are not running, but
never under CI (CI=true), where a missing service fails the test."""

from __future__ import annotations

import os
import socket

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
