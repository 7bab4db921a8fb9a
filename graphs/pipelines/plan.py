"""Check a pipeline before anything runs, and plan when each of its stages may start.

Every mistake is one PipelineError naming the file, the line and the stage: a duplicate or
reserved name, an unknown dependency, a cycle, a template variable that no input or dependency
produces, an output schema that does not parse, a map over something that is not a list, a branch
route or stop condition that names no stage.

The plan is a series-parallel tree of the stages (`Series`, `Parallel`, or `Flat` where the
dependencies have no such shape). LangGraph runs a graph in supersteps: a node triggered during a
step waits for every other task of that step. Compiled one node per stage, "a -> b" beside
"c -> d -> e" would make d wait for a. Compiled from the tree, every branch of a `Parallel` that
holds more than one node runs as a subgraph of its own inside one node of the parent: its steps
are its own, so each stage starts the moment its own dependencies finish (graphs.pipelines.compile).
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from graphs.pipelines.spec import (
    CONDITION,
    NAME,
    RESERVED,
    AgentStep,
    AnyStage,
    Branch,
    Map,
    Pipeline,
    PipelineError,
    PythonStep,
    Step,
)


@dataclass(frozen=True)
class Series:
    """Parts that run one after the other."""

    parts: tuple[Tree, ...]


@dataclass(frozen=True)
class Parallel:
    """Parts that run side by side, each at its own pace."""

    parts: tuple[Tree, ...]


@dataclass(frozen=True)
class Flat:
    """Stages whose dependencies are no series-parallel shape: one node each, edges as declared."""

    names: tuple[str, ...]


Tree = Series | Parallel | Flat | str


@dataclass(frozen=True)
class Planned:
    """A checked pipeline: its stages by name, each one's dependencies and template, and the tree."""

    pipeline: Pipeline
    stages: Mapping[str, AnyStage]
    deps: Mapping[str, frozenset[str]]
    templates: Mapping[str, str]
    """Each model step's user template with `{a.b}` written `{a__b}` (a prompt variable)."""
    reads: Mapping[str, tuple[str, ...]]
    """Each model step's variables as written (`a.b`), in template order."""
    schemas: Mapping[str, type[BaseModel] | None]
    tree: Tree
    order: tuple[str, ...]
    """The stages in a dependency order."""


def plan(pipeline: Pipeline) -> Planned:
    """Check `pipeline` and plan it, or raise PipelineError for its first mistake."""
    src = pipeline.source

    def fail(message: str, stage: AnyStage | None = None, line: int | None = None) -> PipelineError:
        return PipelineError(
            message,
            source=src,
            line=line or (stage.line if stage is not None else pipeline.line),
            stage=stage.name if stage is not None else "",
        )

    def at(stage: AnyStage) -> Any:
        return lambda message: fail(message, stage)

    if not NAME.match(pipeline.name):
        raise fail(f"pipeline name {pipeline.name!r} must be lower_snake_case, at most 40 characters")
    if not pipeline.stages:
        raise fail("a pipeline needs at least one stage")
    inputs = tuple(pipeline.inputs)
    if not inputs:
        raise fail("a pipeline needs at least one input")
    for name in inputs:
        if not NAME.match(name) or name in RESERVED:
            raise fail(f"input name {name!r} is reserved or not lower_snake_case")
    stages: dict[str, AnyStage] = {}
    for stage in pipeline.stages:
        if not NAME.match(stage.name) or stage.name in RESERVED:
            raise fail(f"the name {stage.name!r} is reserved or not lower_snake_case", stage)
        if stage.name in stages or stage.name in inputs:
            raise fail(f"duplicate name {stage.name!r} (stage and input names must all differ)", stage)
        stages[stage.name] = stage

    deps: dict[str, set[str]] = {name: set(s.depends_on) for name, s in stages.items()}
    for stage in stages.values():  # what a map goes over and what a branch reads come first
        ref = stage.over if isinstance(stage, Map) else stage.on if isinstance(stage, Branch) else ""
        if ref.partition(".")[0] in stages:
            deps[stage.name].add(ref.partition(".")[0])
    for branch in (s for s in stages.values() if isinstance(s, Branch)):
        for target in {*branch.routes.values(), branch.default}:
            if target not in stages:
                raise fail(f"routes to {target!r}, which is not a stage", branch)
            if target == branch.name:
                raise fail("routes to itself", branch)
            deps[target].add(branch.name)  # a route runs after the branch chose it
    for name, wanted in deps.items():
        for dep in sorted(wanted):
            if dep not in stages:
                known = ", ".join(stages)
                raise fail(f"depends on {dep!r}, which is not a stage (stages: {known})", stages[name])
            if dep == name:
                raise fail("depends on itself", stages[name])
    order = _order(stages, deps, fail)

    schemas: dict[str, type[BaseModel] | None] = {}
    for name, stage in stages.items():
        step = stage.step if isinstance(stage, Map) else stage
        if isinstance(step, Step):
            schemas[name] = _schema(name, step.output, at(stage))

    for stage in stages.values():
        step = stage.step if isinstance(stage, Map) else stage
        if isinstance(step, AgentStep):
            if step.output is not None:
                raise fail("an agent answers in free text: it takes no output schema", stage)
            if not step.tools or not all(callable(t) and (t.__doc__ or "").strip() for t in step.tools):
                raise fail("an agent needs tools: Python functions, each with a docstring", stage)
            if step.max_steps < 1:
                raise fail("max_steps must be at least 1", stage)

    templates: dict[str, str] = {}
    reads: dict[str, tuple[str, ...]] = {}
    for name, stage in stages.items():
        step = stage.step if isinstance(stage, Map) else stage
        if not isinstance(step, Step):
            continue
        allowed = {*inputs, *deps[name], *(("item", "index") if isinstance(stage, Map) else ())}
        template, variables = _template(step.prompt, at(stage))
        for var in variables:
            head, _, attr = var.partition(".")
            if head not in allowed:
                hint = (
                    f"; add {head!r} to depends_on"
                    if head in stages
                    else f" (it may read: {', '.join(sorted(allowed))})"
                )
                raise fail(f"reads {{{var}}}, which no input or dependency produces{hint}", stage)
            if attr:
                _field_of(head, attr, stages, schemas, inputs, at(stage))
        templates[name], reads[name] = template, variables

    for stage in stages.values():
        if isinstance(stage, Map):
            pair = _ref(stage.over, deps[stage.name], "maps over", at(stage))
            shape = _field_of(pair[0], pair[1], stages, schemas, inputs, at(stage))
            if shape not in ("array", "unknown"):
                raise fail(f"maps over {stage.over!r}, which is not a list ({shape})", stage)
            if stage.max_items < 1:
                raise fail("max_items must be at least 1", stage)
        if isinstance(stage, Branch):
            pair = _ref(stage.on, deps[stage.name], "branches on", at(stage))
            _field_of(pair[0], pair[1], stages, schemas, inputs, at(stage))
    for stop in pipeline.stop_when:
        match = CONDITION.match(stop.when)
        if not NAME.match(stop.name) or match is None:
            raise fail(f"stop condition {stop.name!r}: write it as 'stage.field OP value'", line=stop.line)
        head, _, attr = match["ref"].partition(".")
        if head not in stages:
            raise fail(f"stop condition {stop.name!r} reads {head!r}, which is not a stage", line=stop.line)
        _field_of(head, attr, stages, schemas, inputs, _stop_fail(fail, stop.name, stop.line))

    frozen = {name: frozenset(d) for name, d in deps.items()}
    return Planned(pipeline, stages, frozen, templates, reads, schemas, decompose(frozenset(stages), frozen), order)


def _stop_fail(fail: Any, name: str, line: int | None) -> Any:
    return lambda message: fail(f"stop condition {name!r}: {message}", line=line)


def _order(stages: Mapping[str, AnyStage], deps: Mapping[str, set[str]], fail: Any) -> tuple[str, ...]:
    """Return the stages in a dependency order, or fail naming a cycle."""
    done: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = [*path[path.index(name) :], name]
            raise fail(f"dependency cycle: {' -> '.join(cycle)}", stages[name])
        state[name] = 1
        for dep in sorted(deps[name]):
            visit(dep, [*path, name])
        state[name] = 2
        done.append(name)

    for name in stages:
        visit(name, [])
    return tuple(done)


def _template(text: str, fail: Any) -> tuple[str, tuple[str, ...]]:
    """Return the template with `{a.b}` as `{a__b}`, and its variables as written."""
    out: list[str] = []
    variables: list[str] = []
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise fail(f"the prompt is not a valid template ({exc}); write a literal brace as {{{{ or }}}}") from None
    for literal, name, spec, conversion in parts:
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if spec or conversion or not all(NAME.match(p) for p in name.split(".")) or name.count(".") > 1:
            raise fail(f"the prompt variable {{{name}}} must be a name or name.field")
        if name not in variables:
            variables.append(name)
        out.append("{" + name.replace(".", "__") + "}")
    if not variables:
        raise fail("the prompt reads no input and no earlier output")
    return "".join(out), tuple(variables)


def _ref(ref: str, deps: frozenset[str] | set[str], verb: str, fail: Any) -> tuple[str, str]:
    head, _, attr = ref.partition(".")
    if head not in deps:
        raise fail(f"{verb} {ref!r}, but {head!r} is not one of its dependencies; add it to depends_on")
    return head, attr


def _field_of(
    head: str,
    attr: str,
    stages: Mapping[str, AnyStage],
    schemas: Mapping[str, type[BaseModel] | None],
    inputs: Sequence[str],
    fail: Any,
) -> str:
    """Return the JSON type of `head.attr` as far as the spec tells ("unknown" for Python stages)."""
    if head in inputs:
        if attr:
            raise fail(f"the input {head!r} is text: it has no field {attr!r}")
        return "string"
    stage = stages[head]
    if isinstance(stage, PythonStep):
        return "unknown"
    if isinstance(stage, Branch):
        if attr:
            raise fail(f"the branch {head!r} gives the name of the route it chose: it has no field {attr!r}")
        return "string"
    if isinstance(stage, Map):
        if attr:
            raise fail(f"the map {head!r} gives a list: it has no field {attr!r}")
        return "array"
    schema = schemas.get(head)
    if schema is None:
        if attr:
            raise fail(f"{head!r} answers in free text: it has no field {attr!r}")
        return "string"
    if not attr:
        return "object"
    if attr not in schema.model_fields:
        raise fail(f"{head!r} has no field {attr!r} (fields: {', '.join(schema.model_fields)})")
    prop = schema.model_json_schema().get("properties", {}).get(attr, {})
    return str(prop.get("type", "unknown"))


# --- JSON schema -> pydantic -------------------------------------------------------------------

_SCALARS: dict[str, Any] = {"string": str, "integer": int, "number": float, "boolean": bool}


def _schema(name: str, output: Any, fail: Any) -> type[BaseModel] | None:
    """Return the step's output model (a pydantic model given, or one made from a JSON schema)."""
    if output is None:
        return None
    if isinstance(output, type) and issubclass(output, BaseModel):
        return output
    if not isinstance(output, Mapping):
        raise fail("output must be a pydantic model or a JSON schema (an object)")
    if output.get("type", "object") != "object" or not isinstance(output.get("properties"), Mapping):
        raise fail("the output schema must be an object with properties")
    return _model(name.title().replace("_", ""), output, fail, name)


def _model(title: str, schema: Mapping[str, Any], fail: Any, where: str) -> type[BaseModel]:
    props = schema.get("properties") or {}
    if not props:
        raise fail(f"the output schema at {where!r} has no properties")
    required = schema.get("required")
    required = set(props) if required is None else set(required)
    if not required <= set(props):
        raise fail(f"the output schema at {where!r} requires {sorted(required - set(props))}, which it does not define")
    fields: dict[str, Any] = {}
    for key, prop in props.items():
        if not isinstance(key, str) or not NAME.match(key):
            raise fail(f"the output field {key!r} at {where!r} must be lower_snake_case")
        kind = _type(f"{title}{key.title().replace('_', '')}", prop, fail, f"{where}.{key}")
        desc = prop.get("description") if isinstance(prop, Mapping) else None
        fields[key] = (kind, Field(... if key in required else None, description=desc))
    model: type[BaseModel] = create_model(title, __config__=ConfigDict(extra="forbid"), **fields)
    return model


def _type(title: str, prop: Any, fail: Any, where: str) -> Any:
    if not isinstance(prop, Mapping):
        raise fail(f"the output schema at {where!r} is not an object")
    if "enum" in prop:
        values = prop["enum"]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise fail(f"the enum at {where!r} must be a non-empty list of strings")
        return Literal[tuple(values)]
    kind = prop.get("type")
    if kind in _SCALARS:
        if kind == "string" and ("format" in prop or "pattern" in prop):
            raise fail(f"{where!r}: string formats and patterns are not supported; describe the shape instead")
        return _SCALARS[kind]
    if kind == "array":
        return list[_type(title, prop.get("items", {"type": "string"}), fail, f"{where}[]")]  # type: ignore[misc]
    if kind == "object":
        return _model(title, prop, fail, where)
    raise fail(
        f"the output schema at {where!r} has type {kind!r}; use string, integer, number, boolean, array, object or enum"
    )


# --- the series-parallel tree -------------------------------------------------------------------


def decompose(names: frozenset[str], deps: Mapping[str, frozenset[str]]) -> Tree:
    """Return a series-parallel tree of `names` that delays no stage past its own dependencies."""
    if len(names) == 1:
        return next(iter(names))
    groups = _components(names, deps)
    if len(groups) > 1:
        return Parallel(tuple(decompose(g, deps) for g in groups))
    ancestors = _ancestors(names, deps)
    # A series cut: a set closed under dependencies whose every stage the rest waits for anyway.
    for name in sorted(names, key=lambda n: len(ancestors[n])):
        for before in (ancestors[name], ancestors[name] | {name}):
            after = names - before
            if not before or not after:
                continue
            if any(ancestors[n] - before for n in before):
                continue
            sinks = {b for b in before if not any(b in deps[o] for o in before)}
            firsts = {a for a in after if not (deps[a] & after)}
            if all(sinks <= ancestors[a] for a in firsts):
                return Series((*_flatten(decompose(before, deps)), *_flatten(decompose(after, deps))))
    return Flat(tuple(sorted(names)))


def _flatten(tree: Tree) -> tuple[Tree, ...]:
    return tree.parts if isinstance(tree, Series) else (tree,)


def _components(names: frozenset[str], deps: Mapping[str, frozenset[str]]) -> list[frozenset[str]]:
    link: dict[str, set[str]] = {n: set() for n in names}
    for n in names:
        for d in deps[n] & names:
            link[n].add(d)
            link[d].add(n)
    groups: list[frozenset[str]] = []
    seen: set[str] = set()
    for start in sorted(names):
        if start in seen:
            continue
        group, todo = set(), [start]
        while todo:
            n = todo.pop()
            if n not in group:
                group.add(n)
                todo.extend(link[n] - group)
        seen |= group
        groups.append(frozenset(group))
    return groups


def _ancestors(names: frozenset[str], deps: Mapping[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    memo: dict[str, frozenset[str]] = {}

    def of(n: str) -> frozenset[str]:
        if n not in memo:
            direct = deps[n] & names
            found: set[str] = set(direct)
            for d in direct:
                found |= of(d)
            memo[n] = frozenset(found)
        return memo[n]

    return {n: of(n) for n in names}
