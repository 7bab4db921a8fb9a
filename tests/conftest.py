"""Shared fixtures: offline settings with no delay, and a scripted provider at the model seam."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from models.caches import STAGE_CACHE
from state.settings import Settings
from supportdesk import SupportDesk
from tests.fake import Answer, Call, Handler, fake_provider, plain


@pytest.fixture(autouse=True)
def _offline_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No key, no endpoint, no operator settings; a support desk and working folder of the test's own."""
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "STAGECRAFT_", "ANTHROPIC_", "OLLAMA_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LANGSMITH_TRACING", "false")
    monkeypatch.setenv("STAGECRAFT_SUPPORT_DB", str(tmp_path / "support.sqlite"))
    monkeypatch.chdir(tmp_path)
    STAGE_CACHE.forget()  # what an earlier test's runs kept at hand is another working folder's


@pytest.fixture
def settings() -> Settings:
    """Offline, no simulated latency."""
    return Settings(provider="offline", offline_latency=0, cache=False)


@pytest.fixture
def desk(tmp_path: Path) -> SupportDesk:
    """The support desk the graphs of this test act on."""
    return SupportDesk(tmp_path / "support.sqlite")


@dataclass
class Script:
    """A handler at the model seam (tests.fake): counts calls, fails some, answers canned outputs first.

    Any stage without a canned output gets `tests.fake.plain`'s answer: valid, never the offline engine's.
    """

    calls: Counter[str] = field(default_factory=Counter)
    failures: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, list[dict[str, Any] | str]] = field(default_factory=dict)
    latency: float = 0.0
    stage_latency: dict[str, float] = field(default_factory=dict)
    handlers: dict[str, Handler] = field(default_factory=dict)
    """Per stage, a handler that answers once the canned outputs are used up."""

    def fail(self, stage: str, times: int = 1) -> None:
        """Make the next `times` calls of `stage` raise."""
        self.failures[stage] = times

    def __call__(self, call: Call) -> Answer:
        self.calls[call.stage] += 1
        if self.failures.get(call.stage, 0) > 0:
            self.failures[call.stage] -= 1
            raise InjectedFault(f"injected failure in {call.stage}")
        queued = self.outputs.get(call.stage)
        if queued:
            return queued.pop(0)
        return self.handlers.get(call.stage, plain)(call)


class InjectedFault(RuntimeError):
    """A failure the test asked for."""


@pytest.fixture
def script() -> Iterator[Script]:
    """Register the 'scripted' provider (a fake at the seam) for one test and yield its script."""
    current = Script()
    with fake_provider(
        current, name="scripted", latency=lambda stage: current.stage_latency.get(stage, current.latency)
    ):
        yield current


@pytest.fixture
def scripted(script: Script) -> Settings:
    """Settings that use the scripted provider."""
    return Settings(provider="scripted")


CUSTOMER_TASKS: list[dict[str, str]] = [
    {"query_type": "BillingInquiry", "invoice_number": "INV-7890"},
    {
        "query_type": "ProductReturn",
        "product_name": "SuperWidget 5000",
        "reason_for_return": "not compatible with my system",
    },
    {"query_type": "StatusUpdate", "order_id": "A-12345"},
]
"""The seed's customer message (app.examples.CUSTOMER_QUERY) as its three tasks."""


def stage_spans(ledger: list[Any]) -> dict[str, tuple[float, float]]:
    """Return, per stage, the wall-clock span from its first call's start to its last call's end."""
    spans: dict[str, tuple[float, float]] = {}
    for call in ledger:
        start, end = spans.get(call["stage"], (call["started"], call["ended"]))
        spans[call["stage"]] = (min(start, call["started"]), max(end, call["ended"]))
    return spans
