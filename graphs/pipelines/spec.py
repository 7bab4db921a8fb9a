"""A pipeline as its author writes it: stages with `depends_on`, in Python or in YAML (graphs.pipelines.load).

    Pipeline(
        name="triage",
        inputs=("message",),
        stages=[
            Step("classify", "Which team should answer this? <message>{message}</message>", output=Label),
            Branch("route", on="classify.team", routes={"billing": "refund_reply"}, default="general_reply"),
            Step("refund_reply", "...{message}...", depends_on=["route"]),
            ...
        ],
        stop_when=[StopWhen("spam", "classify.team == 'spam'")],
    )

`graphs.pipelines.plan` checks a pipeline (every mistake named with its file, line and stage) and
plans when each stage may start; `graphs.pipelines.compile` turns it into a LangGraph graph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from state.inputs import InputError

TaskType = Literal["classify", "extract", "format", "analysis", "writing", "verification", "reasoning", "general"]
TierName = Literal["FAST", "BALANCED", "PREMIUM", "REASONING"]

NAME = re.compile(r"\A[a-z][a-z0-9_]{0,39}\Z")
RESERVED = frozenset(
    {
        "intake",
        "finish",
        "item",
        "index",
        "request_id",
        "ledger",
        "termination",
        "terminated_early",
        "execution_report",
        "errors",
    }
)
"""Names a stage or an input may not take: the keys and nodes every graph already has."""


class PipelineError(InputError):
    """A pipeline spec that cannot run: one line naming the file, the line and the stage."""

    def __init__(self, message: str, *, source: str = "", line: int | None = None, stage: str = "") -> None:
        where = source + (f":{line}" if source and line else "")
        what = f"stage {stage!r}: " if stage else ""
        super().__init__(f"{where + ': ' if where else ''}{what}{message}")


@dataclass
class Step:
    """A model-calling stage: a prompt over the inputs and earlier stages' outputs."""

    name: str
    prompt: str
    """The user message; `{message}` is an input, `{classify}` or `{classify.team}` an earlier stage's output."""
    system: str = ""
    """The instruction (sent as the system message; no variables)."""
    output: type[BaseModel] | Mapping[str, Any] | None = None
    """A pydantic model or a JSON schema for a structured answer; None for free text."""
    depends_on: Sequence[str] = ()
    task: TaskType = "general"
    """What the stage asks of its model: picks its tier (classify and extract: FAST) unless `tier` is set."""
    tier: TierName | None = None
    cache: bool = True
    """Whether the same messages may be answered from the stage cache."""
    timeout_s: float | None = None
    """The stage's own deadline (all its attempts); None: the run's stage_timeout_s."""
    retries: int | None = None
    """Extra attempts after a transient fault; None: the house default."""
    line: int | None = None


@dataclass
class AgentStep(Step):
    """A model stage that is an agent: it calls `tools` (Python functions) in a loop, then answers in text.

    LangChain's `create_agent`, every model turn through the seam (models.agent): the stage's tier,
    the budget, deadlines and the ledger (each turn names the tools it called) apply, and offline
    the engine plays it with real tool calls. Its output is its final text.
    """

    tools: Sequence[Callable[..., Any]] = ()
    """Typed Python functions with a docstring (Google style: `Args:` describes each parameter)."""
    max_steps: int = 8
    """Model turns it may take; the last tool results are its output if it has not answered by then."""
    cache: bool = False
    """An agent acts: its turns are never served from the stage cache."""


@dataclass
class PythonStep:
    """A stage that is a Python function of the inputs and earlier outputs (no model call)."""

    name: str
    fn: Callable[[dict[str, Any]], Any]
    """Called with a dict of the inputs and the outputs of `depends_on`; returns JSON-like data."""
    depends_on: Sequence[str] = ()
    line: int | None = None


@dataclass
class Map:
    """Run one step for every item of a list an earlier stage produced, in parallel (LangGraph `Send`)."""

    name: str
    over: str
    """`stage.field` (or `stage`) naming a list; the step reads each element as `{item}`."""
    step: Step
    """The per-item stage (its `name` is ignored: the map's name is used)."""
    max_items: int = 20
    """Items beyond this are not processed (the output says how many were dropped)."""
    depends_on: Sequence[str] = ()
    line: int | None = None


@dataclass
class Branch:
    """Choose which of its routes runs from an earlier output; the router pattern's fallback is `default`."""

    name: str
    on: str
    """`stage.field` (or `stage`) whose value picks the route."""
    routes: Mapping[str, str]
    """Value (compared case-insensitively) -> the stage to run."""
    default: str
    """The stage to run for any other value."""
    depends_on: Sequence[str] = ()
    line: int | None = None


AnyStage = Step | AgentStep | PythonStep | Map | Branch

Op = Literal["==", "!=", "<", "<=", ">", ">=", "in", "contains"]
CONDITION = re.compile(
    r"\A\s*(?P<ref>[a-z][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)\s*(?P<op>==|!=|<=|>=|<|>|\bin\b|\bcontains\b)\s*"
    r"(?P<value>.+?)\s*\Z"
)


@dataclass
class StopWhen:
    """A named early stop: once `when` holds, no stage that has not started yet runs."""

    name: str
    when: str
    """`stage.field OP value`, OP one of == != < <= > >= in contains; value JSON or a bare word."""
    line: int | None = None


@dataclass
class Pipeline:
    """Stages and their dependencies, compiled to a LangGraph graph by graphs.pipelines.compile."""

    name: str
    stages: Sequence[AnyStage]
    inputs: Sequence[str] = ("text",)
    """The input's keys, all text; the first is what `stagecraft run --file` fills."""
    description: str = ""
    stop_when: Sequence[StopWhen] = ()
    version: str = "1"
    """Part of every stage's prompt key: bump it to retire cached answers of an edited pipeline."""
    source: str = ""
    """Where it was read from (a file), for error messages."""
    line: int | None = None
    extras: dict[str, Any] = field(default_factory=dict)
