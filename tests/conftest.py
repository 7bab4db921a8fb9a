"""Shared fixtures: offline settings with no delay, and a scripted provider at the model seam."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage

from models.offline.engine import OfflineChatModel
from models.providers import ModelSpec, register_provider, unregister_provider
from state.settings import Settings
from supportdesk import SupportDesk


@pytest.fixture(autouse=True)
def _offline_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No key, no endpoint, no operator settings; a support desk and working folder of the test's own."""
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "STAGECRAFT_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LANGSMITH_TRACING", "false")
    monkeypatch.setenv("STAGECRAFT_SUPPORT_DB", str(tmp_path / "support.sqlite"))
    monkeypatch.chdir(tmp_path)


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
    """What the scripted provider does: count calls, fail some, return canned raw outputs first."""

    calls: Counter[str] = field(default_factory=Counter)
    failures: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, list[dict[str, Any] | str]] = field(default_factory=dict)
    latency: float = 0.0
    stage_latency: dict[str, float] = field(default_factory=dict)

    def fail(self, stage: str, times: int = 1) -> None:
        """Make the next `times` calls of `stage` raise."""
        self.failures[stage] = times


class InjectedFault(RuntimeError):
    """A failure the test asked for."""


class ScriptedModel(OfflineChatModel):
    """The offline engine with call counting, injected failures and canned first outputs."""

    script: Any

    def _answer(self, messages: list[BaseMessage], tools: list[dict[str, Any]] | None) -> AIMessage:
        script: Script = self.script
        script.calls[self.stage] += 1
        if script.failures.get(self.stage, 0) > 0:
            script.failures[self.stage] -= 1
            raise InjectedFault(f"injected failure in {self.stage}")
        queued = script.outputs.get(self.stage)
        if queued:
            raw = queued.pop(0)
            if isinstance(raw, str):
                return AIMessage(
                    content=raw, usage_metadata={"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
                )
            name = tools[0]["function"]["name"] if tools else "output"
            return AIMessage(
                content="",
                tool_calls=[{"name": name, "args": raw, "id": "scripted", "type": "tool_call"}],
                usage_metadata={"input_tokens": 10, "output_tokens": 5, "total_tokens": 15},
            )
        return super()._answer(messages, tools)


@pytest.fixture
def script(tmp_path: Path) -> Iterator[Script]:
    """Register the 'scripted' provider for one test and yield its script."""
    current = Script()

    def factory(spec: ModelSpec) -> ScriptedModel:
        latency = current.stage_latency.get(spec.stage.name, current.latency)
        return ScriptedModel(
            stage=spec.stage.name, prompt=spec.stage.prompt, model_name=spec.model, latency=latency, script=current
        )

    register_provider("scripted", factory)
    yield current
    unregister_provider("scripted")


@pytest.fixture
def scripted(script: Script) -> Settings:
    """Settings that use the scripted provider."""
    return Settings(provider="scripted")
