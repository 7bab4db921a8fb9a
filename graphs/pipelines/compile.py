"""A planned pipeline as a LangGraph `StateGraph`: intake, one node per stage, finish.

The state is a TypedDict generated from the spec (the inputs, one key per stage, and the keys
every graph shares: ledger, termination, execution report). Model steps ask the model seam for
their stage's model like every node of the house, so tiers, the stage and semantic caches,
budgets, deadlines, the ledger, streaming and the offline provider apply with no code of the
author's. Where the plan's tree has parallel parts of more than one node, each part is a compiled
subgraph run inside one node of its parent (see graphs.pipelines.plan for why); it shares the
parent's checkpointer, so a resumed run re-runs only the stages that had not finished.
"""

from __future__ import annotations

import functools
import inspect
import json
import operator
import types
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from langchain_core.runnables import RunnableConfig, RunnableLambda
from langgraph.config import get_stream_writer
from langgraph.errors import GraphBubbleUp
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Send
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from graphs.pipelines.plan import Flat, Parallel, Planned, Series, Tree
from graphs.pipelines.spec import CONDITION, AgentStep, Branch, Map, PythonStep, Step
from models.agent import run_agent
from models.effects import Steps
from models.progress import emit
from models.prompts import Prompt, as_json
from models.seam import stage_model
from models.stage import Stage
from models.tiers import StageProfile, Tier
from nodes.finish import finish
from nodes.intake import intake
from nodes.node import Node, node
from state.inputs import InputError, require_text
from state.run import BranchErrors, RequestKeys, RunOutput, Termination, stopped
from state.settings import Settings

COMPLEXITY = {"classify": "low", "extract": "low", "format": "low", "analysis": "high", "writing": "medium"}


def model_stages(planned: Planned) -> dict[str, Stage]:
    """Return the house's Stage declaration of every model step (a map's per-item step under the map's name)."""
    out: dict[str, Stage] = {}
    pipeline = planned.pipeline
    for name in planned.order:
        spec = planned.stages[name]
        step = spec.step if isinstance(spec, Map) else spec
        if not isinstance(step, Step):
            continue
        system = step.system.strip() or f"You are the {name.replace('_', ' ')} stage of the {pipeline.name} pipeline."
        out[name] = Stage(
            name,
            Prompt(
                name=f"{pipeline.name}/{name}", version=pipeline.version, system=system, user=planned.templates[name]
            ),
            StageProfile(complexity=COMPLEXITY.get(step.task, "medium"), task_type=step.task),  # type: ignore[arg-type]
            cache=step.cache and not isinstance(step, AgentStep),
            tier=Tier(step.tier) if step.tier else None,
            timeout_s=step.timeout_s,
            retries=step.retries,
        )
    return out


def state_types(planned: Planned) -> tuple[type[Any], type[Any], type[Any]]:
    """Return the generated (input, output, working state) TypedDicts."""
    title = "".join(p.title() for p in planned.pipeline.name.split("_"))
    inputs = {
        name: Annotated[str, Field(description=f"The pipeline's input {name!r}.")] for name in planned.pipeline.inputs
    }
    input_type = _typed(f"{title}Input", (TypedDict,), inputs)  # type: ignore[arg-type]
    outputs: dict[str, Any] = {}
    hidden: dict[str, Any] = {}
    for name in planned.order:
        spec = planned.stages[name]
        what = {
            Step: "its answer",
            AgentStep: "its final answer, after its tool calls",
            PythonStep: "its value",
            Map: "one answer per item, in order",
            Branch: "the name of the route it chose",
        }[type(spec)]
        outputs[name] = Annotated[Any, Field(description=f"Stage {name!r}: {what}; absent when it did not run.")]
        if isinstance(spec, Map):
            hidden[f"{name}__parts"] = Annotated[
                list[Any], Field(description=f"Map {name!r}: (index, answer) of each item, as each ends."), operator.add
            ]
    output_type = _typed(f"{title}Output", (RunOutput, BranchErrors), outputs)
    state_type = _typed(f"{title}State", (input_type, output_type, RequestKeys), hidden)
    return input_type, output_type, state_type


def _typed(name: str, bases: tuple[type[Any], ...], fields: Mapping[str, Any]) -> type[Any]:
    namespace = {"__annotations__": dict(fields), "__module__": __name__}
    made: type[Any] = types.new_class(name, bases, {"total": False}, lambda ns: ns.update(namespace))
    return made


def input_check(planned: Planned) -> Any:
    """Return the intake's check of a pipeline's input: its keys, each a usable text."""
    pipeline = planned.pipeline

    def check(value: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
        missing = [name for name in pipeline.inputs if value.get(name) is None]
        if missing:
            raise InputError(f"missing input {', '.join(missing)}; {pipeline.name} takes {', '.join(pipeline.inputs)}")
        return {name: require_text(value.get(name), name, settings.max_input_chars) for name in pipeline.inputs}

    return check


def build(planned: Planned) -> StateGraph[Any, Settings, Any, Any]:
    """Return the pipeline's graph, uncompiled."""
    input_type, output_type, state_type = state_types(planned)
    stages = model_stages(planned)
    guards: dict[str, list[str]] = {}
    for spec in planned.stages.values():
        if isinstance(spec, Branch):
            for target in {*spec.routes.values(), spec.default}:
                guards.setdefault(target, []).append(spec.name)
    nodes = _Nodes(planned, stages, guards, state_type)

    builder = StateGraph(state_type, context_schema=Settings, input_schema=input_type, output_schema=output_type)
    builder.add_node("intake", intake(state_type, input_type, input_check(planned), stages.values()))
    builder.add_node("finish", finish)
    builder.add_edge(START, "intake")
    entries, exits = nodes.add(builder, planned.tree)
    for entry in entries:
        builder.add_edge("intake", entry)
    builder.add_edge(exits if len(exits) > 1 else exits[0], "finish")
    builder.add_edge("finish", END)
    return builder


class _Nodes:
    """Adds the tree's stages to a builder: a subgraph node for every multi-node parallel part."""

    def __init__(self, planned: Planned, stages: Mapping[str, Stage], guards: Mapping[str, list[str]], state: Any):
        self.planned = planned
        self.stages = stages
        self.guards = guards
        self.state = state
        self.lanes = 0

    def add(self, builder: StateGraph[Any, Any, Any, Any], tree: Tree) -> tuple[list[str], list[str]]:
        """Add `tree` to `builder`; return its entry and exit nodes."""
        if isinstance(tree, str):
            return self._stage(builder, tree)
        if isinstance(tree, Series):
            first: list[str] | None = None
            last: list[str] = []
            for part in tree.parts:
                entries, exits = self.add(builder, part)
                for entry in entries:
                    if last:
                        builder.add_edge(last if len(last) > 1 else last[0], entry)
                first = first if first is not None else entries
                last = exits
            return first or [], last
        if isinstance(tree, Parallel):
            entries, exits = [], []
            for part in tree.parts:
                if _one_node(part, self.planned):
                    e, x = self.add(builder, part)
                else:
                    e = x = [self._lane(builder, part)]
                entries += e
                exits += x
            return entries, exits
        return self._flat(builder, tree)

    def _flat(self, builder: StateGraph[Any, Any, Any, Any], tree: Flat) -> tuple[list[str], list[str]]:
        names = set(tree.names)
        ends: dict[str, tuple[list[str], list[str]]] = {n: self._stage(builder, n) for n in tree.names}
        entries, exits = [], []
        for n in tree.names:
            inside = sorted(self.planned.deps[n] & names)
            sources = [x for d in inside for x in ends[d][1]]
            for entry in ends[n][0]:
                if sources:
                    builder.add_edge(sources if len(sources) > 1 else sources[0], entry)
                else:
                    entries.append(entry)
            if not any(n in self.planned.deps[m] for m in names):
                exits += ends[n][1]
        return entries, exits

    def _lane(self, builder: StateGraph[Any, Any, Any, Any], tree: Tree) -> str:
        """Add `tree` as a subgraph run inside one node; return the node's name."""
        self.lanes += 1
        name = f"lane_{self.lanes}"
        sub = StateGraph(self.state, context_schema=Settings)
        entries, exits = self.add(sub, tree)
        for entry in entries:
            sub.add_edge(START, entry)
        for exit_ in exits:
            sub.add_edge(exit_, END)
        graph = sub.compile(name=name)
        keys = sorted(_names(tree))

        def delta(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
            out: dict[str, Any] = {k: after[k] for k in keys if after.get(k) is not None}
            for key in ("ledger", "errors"):
                new = (after.get(key) or [])[len(before.get(key) or []) :]
                if new:
                    out[key] = new
            if after.get("termination") and not before.get("termination"):
                out["termination"] = after["termination"]
            return out

        # The subgraph's progress events are passed on to the parent's stream, where a client
        # listening to stream_mode="custom" sees every stage start and finish (not only the lane).
        def run(state: Any, config: RunnableConfig) -> dict[str, Any]:
            writer, last = get_stream_writer(), state
            for mode, chunk in graph.stream(state, config, stream_mode=["custom", "values"]):
                if mode == "custom":
                    writer(chunk)
                else:
                    last = chunk
            return delta(state, last)

        async def arun(state: Any, config: RunnableConfig) -> dict[str, Any]:
            writer, last = get_stream_writer(), state
            async for mode, chunk in graph.astream(state, config, stream_mode=["custom", "values"]):
                if mode == "custom":
                    writer(chunk)
                else:
                    last = chunk
            return delta(state, last)

        builder.add_node(name, RunnableLambda(run, arun, name=name))
        return name

    def _stage(self, builder: StateGraph[Any, Any, Any, Any], name: str) -> tuple[list[str], list[str]]:
        spec = self.planned.stages[name]
        if isinstance(spec, Map):
            each = f"{name}__each"
            builder.add_node(name, self._map_gate(spec))
            builder.add_node(each, self._step_node(spec.step, name, per_item=True))
            join = f"{name}__join"
            builder.add_node(join, self._map_join(spec))
            builder.add_conditional_edges(name, self._dispatch(spec, each, join), [each, join])
            builder.add_edge(each, join)
            return [name], [join]
        if isinstance(spec, Step):
            builder.add_node(name, self._step_node(spec, name))
        elif isinstance(spec, PythonStep):
            builder.add_node(name, self._python_node(spec))
        else:
            builder.add_node(name, self._branch_node(spec))
        return [name], [name]

    # --- node bodies ---

    def _skip(self, name: str, state: Mapping[str, Any]) -> bool:
        """A stage does not run after a stop, or when a branch chose another route."""
        return stopped(state) or any(state.get(b) != name for b in self.guards.get(name, ()))

    def _finished(self, name: str, value: Any, state: Mapping[str, Any]) -> dict[str, Any]:
        update: dict[str, Any] = {name: value}
        for stop in self.planned.pipeline.stop_when:
            match = CONDITION.match(stop.when)
            assert match is not None  # checked by the plan
            if match["ref"].partition(".")[0] == name and _holds(
                _get({**state, name: value}, match["ref"]), match["op"], match["value"]
            ):
                update["termination"] = Termination(reason="condition", stage=name, detail=f"{stop.name}: {stop.when}")
                break
        return update

    def _values(self, name: str, state: Mapping[str, Any], extra: Mapping[str, Any] = {}) -> dict[str, str]:
        return {var.replace(".", "__"): _text(_get({**state, **extra}, var)) for var in self.planned.reads[name]}

    def _step_node(self, spec: Step, name: str, per_item: bool = False) -> Node[Any]:
        stage = self.stages[name]
        schema = self.planned.schemas[name]

        def body(state: dict[str, Any], runtime: Runtime[Any]) -> Steps[dict[str, Any]]:
            if not per_item and self._skip(name, state):
                return {}
            messages = stage.prompt.render(**self._values(name, state, state if per_item else {}))
            if isinstance(spec, AgentStep):
                tools = [_naming_the_stage(name, tool) for tool in spec.tools]
                run = yield from run_agent(stage, runtime, state, tools, messages, max_steps=spec.max_steps)
                said = [f"{use.name}: {json.dumps(use.result, ensure_ascii=False)}" for use in run.tool_calls]
                value: Any = run.reply if not run.capped else "\n".join(said)
                ledger = {"ledger": run.calls}  # with a resumed run's earlier turns (nodes.node keeps each once)
                if per_item:
                    return {f"{name}__parts": [(state["index"], value)], **ledger}
                return {**self._finished(name, value, state), **ledger}
            llm = stage_model(stage, runtime, state)
            if schema is None:
                value = yield from llm.text(messages)
            else:
                value = (yield from llm.structured(schema, messages)).model_dump(mode="json")
            if per_item:
                return {f"{name}__parts": [(state["index"], value)]}
            return self._finished(name, value, state)

        body.__name__ = body.__qualname__ = name
        body.__doc__ = f"Model stage {name!r}."
        return node(body)

    def _python_node(self, spec: PythonStep) -> Node[Any]:
        names = [*self.planned.pipeline.inputs, *sorted(self.planned.deps[spec.name])]

        def body(state: dict[str, Any], runtime: Runtime[Any]) -> dict[str, Any]:
            if self._skip(spec.name, state):
                return {}
            emit("stage_started", stage=spec.name, attempt=1)
            try:
                value = spec.fn({n: state.get(n) for n in names})
                json.dumps(value)
            except Exception as exc:
                raise PythonStageError(f"stage {spec.name!r}: {type(exc).__name__}: {exc}") from exc
            return self._finished(spec.name, value, state)

        body.__name__ = body.__qualname__ = spec.name
        body.__doc__ = f"Python stage {spec.name!r}."
        return node(body)

    def _branch_node(self, spec: Branch) -> Node[Any]:
        routes = {str(k).casefold(): v for k, v in spec.routes.items()}

        def body(state: dict[str, Any], runtime: Runtime[Any]) -> dict[str, Any]:
            if self._skip(spec.name, state):
                return {}
            value = _get(state, spec.on)
            chosen = routes.get(str(value).strip().casefold(), spec.default)
            return self._finished(spec.name, chosen, state)

        body.__name__ = body.__qualname__ = spec.name
        body.__doc__ = f"Branch {spec.name!r} on {spec.on}."
        return node(body)

    def _map_gate(self, spec: Map) -> Node[Any]:
        def gate(state: dict[str, Any], runtime: Runtime[Any]) -> dict[str, Any]:
            return {}

        gate.__name__ = gate.__qualname__ = spec.name
        gate.__doc__ = f"Map {spec.name!r} over {spec.over}."
        return node(gate)

    def _dispatch(self, spec: Map, each: str, join: str) -> Any:
        carried = ("request_id", "ledger", *self.planned.pipeline.inputs, *sorted(self.planned.deps[spec.name]))

        def dispatch(state: dict[str, Any]) -> list[Send] | str:
            if self._skip(spec.name, state):
                return join
            items = _get(state, spec.over)
            if items is None:
                return join
            if not isinstance(items, list):
                raise PythonStageError(f"stage {spec.name!r}: {spec.over} is {type(items).__name__}, not a list")
            base = {k: state.get(k) for k in carried}
            sends = [Send(each, {**base, "item": item, "index": i}) for i, item in enumerate(items[: spec.max_items])]
            if sends:
                emit("fan_out", node=spec.name, count=len(sends))
            return sends or join

        return dispatch

    def _map_join(self, spec: Map) -> Node[Any]:
        def join(state: dict[str, Any], runtime: Runtime[Any]) -> dict[str, Any]:
            if self._skip(spec.name, state):
                return {}
            parts = sorted(state.get(f"{spec.name}__parts") or [], key=lambda p: p[0])
            return self._finished(spec.name, [value for _, value in parts], state)

        join.__name__ = join.__qualname__ = f"{spec.name}__join"
        join.__doc__ = f"Map {spec.name!r}: its answers, in the order of the items."
        return node(join)


class PythonStageError(RuntimeError):
    """A Python stage or an agent's tool raised, or a map's list is not a list: the message names the stage."""


def _naming_the_stage(stage: str, tool: Callable[..., Any]) -> Callable[..., Any]:
    """An agent's Python tool whose error names the stage and the tool, as a Python stage's does.

    A pause for a person (`interrupt()`) and connection faults (a desk that is down) pass as they are.
    """
    if not inspect.isfunction(tool) or inspect.iscoroutinefunction(tool):
        return tool

    @functools.wraps(tool)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return tool(*args, **kwargs)
        except (GraphBubbleUp, ConnectionError, TimeoutError):
            raise
        except Exception as exc:
            raise PythonStageError(f"stage {stage!r}: tool {tool.__name__}: {type(exc).__name__}: {exc}") from exc

    return call


def _one_node(tree: Tree, planned: Planned) -> bool:
    return isinstance(tree, str) and not isinstance(planned.stages[tree], Map)


def _names(tree: Tree) -> set[str]:
    if isinstance(tree, str):
        return {tree}
    if isinstance(tree, Flat):
        return set(tree.names)
    return set().union(*(_names(p) for p in tree.parts))


def _get(state: Mapping[str, Any], ref: str) -> Any:
    head, _, attr = ref.partition(".")
    value = state.get(head)
    if attr:
        return value.get(attr) if isinstance(value, Mapping) else None
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return as_json(value)


def _literal(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text.strip("'\"")


def _holds(value: Any, op: str, raw: str) -> bool:
    """Tell whether `value OP raw` holds; a missing value or mismatched types never stop a run."""
    want = _literal(raw)
    if value is None:
        return False
    try:
        if op in ("==", "!="):
            same = str(value).casefold() == str(want).casefold() if isinstance(value, str) else value == want
            return same if op == "==" else not same
        if op == "in":
            return isinstance(want, list) and value in want
        if op == "contains":
            return want in value if isinstance(value, (list, str)) else False
        return bool({"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}[op](value, want))
    except TypeError:
        return False
