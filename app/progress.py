"""What a run is doing while it runs, on stderr: a live status line on a terminal, plain lines in a pipe.

It reads the stages' custom events (models.progress) and LangGraph's `updates` stream: which
stages run, which are done, what came from a cache, how far a Send fan-out is ("answer_question
4/10"), and the cost so far. It also keeps every billed call it saw, so a failed run can still
say what it cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.text import Text

from app.terminal import printable
from state.ledger import ModelCall


@dataclass
class FanOut:
    """Send workers dispatched to some nodes, and how many of them finished."""

    nodes: tuple[str, ...]
    expected: int
    done: int = 0


# The orchestrator dispatches each task to one of several worker nodes.
_WORKERS = ("billing_worker", "return_worker", "status_worker", "colleague_worker")


def served_line(event: dict[str, Any]) -> str:
    """Say which stage a cache served, and what it saved, from its `stage_cached` event."""
    stage, saved = str(event.get("stage", "")), f"saved ${event.get('saved_usd') or 0.0:.6f}"
    if event.get("cache") == "semantic":
        return f"= {stage} from the semantic cache (similarity {event.get('similarity')}, {saved})"
    return f"= {stage} from the stage cache ({saved})"


class Progress:
    """Follow a run's events and show them on a console (stderr)."""

    def __init__(self, console: Console, *, live: bool) -> None:
        self.console = console
        self.running: dict[str, int] = {}
        self.finished = 0
        self.cost = 0.0
        self.fan_out: dict[str, FanOut] = {}
        self.stages_of: dict[str, list[str]] = {}
        """Per node, the stages its calls ran (what the execution report names)."""
        self.calls: list[ModelCall] = []
        self._live = Live(self._status(), console=console, transient=True, auto_refresh=False) if live else None

    def __enter__(self) -> Progress:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()

    def __call__(self, mode: str, chunk: Any) -> None:
        """Take one streamed chunk (custom events and updates; others are ignored)."""
        if mode == "custom" and isinstance(chunk, dict):
            self._event(chunk)
        elif mode == "updates" and isinstance(chunk, dict):
            for node in chunk:
                if node.startswith("__"):
                    continue
                for name, fan in self.fan_out.items():
                    if node in fan.nodes:
                        fan.done += 1
                        # Named as the report names them: by the stages the workers ran.
                        stages = [s for n in fan.nodes for s in self.stages_of.get(n, [])]
                        ran = f" (stages {', '.join(stages)})" if stages else ""
                        self._line(f"  {name} {fan.done}/{fan.expected}{ran}")
        if self._live is not None:
            self._live.update(self._status(), refresh=True)

    def _event(self, event: dict[str, Any]) -> None:
        kind, stage = event.get("event"), str(event.get("stage", ""))
        if kind in ("stage_started", "stage_cached"):
            seen = self.stages_of.setdefault(str(event.get("node")), [])
            if stage not in seen:
                seen.append(stage)
        if kind == "stage_started":
            self.running[stage] = self.running.get(stage, 0) + 1
            if self._live is None:
                attempt = event.get("attempt", 1)
                self._line(f"> {stage}" + (f" (attempt {attempt})" if attempt and attempt > 1 else ""))
        elif kind == "stage_finished":
            self.running[stage] = max(self.running.get(stage, 1) - 1, 0)
            self.finished += 1
            self.cost = float(event.get("cost_so_far", self.cost))
            if isinstance(event.get("call"), dict):
                self.calls.append(event["call"])
            cost = event.get("cost_usd") or 0.0
            self._line(f"+ {stage} {event.get('seconds', 0):.2f}s ${cost:.6f} (so far ${self.cost:.6f})")
        elif kind == "stage_cached":
            self.finished += 1
            if isinstance(event.get("call"), dict):
                self.calls.append(event["call"])
            self._line(served_line(event))
        elif kind == "stage_retried":
            self._line(f"~ {stage} re-asked: {printable(event.get('problem', ''))[:100]}")
        elif kind == "stage_failed":
            self.running[stage] = max(self.running.get(stage, 1) - 1, 0)
            self._line(f"! {stage} failed: {printable(event.get('error', ''))[:160]}")
        elif kind == "fan_out":
            node = str(event.get("node"))
            self.fan_out[node] = FanOut(_WORKERS if node == "workers" else (node,), int(event.get("count", 0)))

    def _line(self, text: str) -> None:
        if self._live is None:
            self.console.print(text, highlight=False, markup=False, soft_wrap=True)

    def _status(self) -> Text:
        running = ", ".join(f"{s} x{n}" if n > 1 else s for s, n in self.running.items() if n) or "-"
        fans = "  ".join(f"{node} {fan.done}/{fan.expected}" for node, fan in self.fan_out.items())
        return Text(f"running: {running}  done: {self.finished}  {fans}  cost so far: ${self.cost:.6f}", style="dim")
