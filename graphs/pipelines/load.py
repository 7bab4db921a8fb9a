"""Pipelines written as YAML files (pipelines/NAME.yaml), read into graphs.pipelines.spec with line numbers.

    name: support_triage
    inputs: [message]
    stages:
      - name: classify
        task: classify
        prompt: "Which team should answer? <message>{message}</message>"
        output: {type: object, properties: {team: {enum: [billing, technical, general]}}}
      - name: route
        branch: {on: classify.team, routes: {billing: billing_reply}, default: general_reply}
        depends_on: [classify]
      ...
    stop_when:
      - {name: spam, when: "classify.team == 'spam'"}

A stage is a model step unless it has `map:` (a step per item of a list) or `branch:`; Python
stages exist only in Python. Booleans are only `true` and `false` (so a key named `on` stays a key).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from graphs.pipelines.spec import AnyStage, Branch, Map, Pipeline, PipelineError, Step, StopWhen

MAX_BYTES = 256_000


class _Loader(yaml.SafeLoader):  # type: ignore[misc]
    """YAML 1.2's booleans (true/false only), and every mapping remembers its line."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", __import__("re").compile(r"^(?:true|false)$"), list("tf"))


class _Lined(dict[str, Any]):
    line: int = 0


def _mapping(loader: _Loader, node: yaml.MappingNode) -> _Lined:
    value = _Lined(loader.construct_mapping(node, deep=True))
    value.line = node.start_mark.line + 1
    return value


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)

STEP_KEYS = {"name", "prompt", "system", "output", "depends_on", "task", "tier", "cache", "timeout_s", "retries"}


def load(path: str | Path, shown: str | None = None) -> Pipeline:
    """Read a pipeline file, or raise PipelineError naming the file, the line and the problem.

    `shown` is how the file is named in errors (the path as the user wrote it).
    """
    path = Path(path)
    where = shown or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PipelineError(f"cannot read the pipeline file ({exc.strerror or exc})", source=where) from None
    if len(raw) > MAX_BYTES:
        raise PipelineError(f"the file is larger than {MAX_BYTES} bytes", source=where)
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=_Loader)
    except UnicodeDecodeError:
        raise PipelineError("not UTF-8 text", source=where) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PipelineError(f"not valid YAML: {problem}", source=where, line=mark.line + 1 if mark else None) from None
    return parse(data, where)


def parse(data: Any, where: str) -> Pipeline:
    """Return the pipeline a YAML document describes (see the module docstring)."""
    if not isinstance(data, Mapping):
        raise PipelineError("the file must hold a mapping with name and stages", source=where)
    top = _line(data)

    def fail(message: str, line: int | None, stage: str = "") -> PipelineError:
        return PipelineError(message, source=where, line=line, stage=stage)

    _keys(data, {"name", "description", "inputs", "stages", "stop_when", "version"}, "the pipeline", fail, top)
    name = data.get("name")
    if not isinstance(name, str):
        raise fail("the pipeline needs a name (text)", top)
    stages_data = data.get("stages")
    if not isinstance(stages_data, list) or not stages_data:
        raise fail("stages must be a non-empty list", top)
    inputs = data.get("inputs", ["text"])
    if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
        raise fail("inputs must be a list of names", top)
    stages = [_stage(item, fail, top) for item in stages_data]
    stops = []
    for item in data.get("stop_when") or []:
        if (
            not isinstance(item, Mapping)
            or not isinstance(item.get("name"), str)
            or not isinstance(item.get("when"), str)
        ):
            raise fail("each stop_when entry needs a name and a when (text)", _line(item) or top)
        stops.append(StopWhen(item["name"], item["when"], line=_line(item)))
    return Pipeline(
        name=name,
        stages=stages,
        inputs=tuple(inputs),
        description=str(data.get("description") or ""),
        stop_when=stops,
        version=str(data.get("version", "1")),
        source=where,
        line=top,
    )


def _stage(item: Any, fail: Any, top: int | None) -> AnyStage:
    line = _line(item) or top
    if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
        raise fail("each stage needs a name (text)", line)
    name = item["name"]
    depends = item.get("depends_on", [])
    if isinstance(depends, str):
        depends = [depends]
    if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
        raise fail("depends_on must be a list of stage names", line, name)
    if "branch" in item:
        _keys(item, {"name", "branch", "depends_on"}, "a branch", fail, line, name)
        spec = item["branch"]
        if (
            not isinstance(spec, Mapping)
            or not isinstance(spec.get("on"), str)
            or not isinstance(spec.get("default"), str)
        ):
            raise fail("a branch needs on (stage.field), routes and default", line, name)
        routes = spec.get("routes") or {}
        if not isinstance(routes, Mapping) or not all(isinstance(v, str) for v in routes.values()):
            raise fail("a branch's routes map values to stage names", line, name)
        return Branch(name, spec["on"], {str(k): v for k, v in routes.items()}, spec["default"], depends, line=line)
    if "map" in item:
        _keys(item, {"map", "max_items"} | STEP_KEYS, "a map", fail, line, name)
        over = item["map"]
        if not isinstance(over, str):
            raise fail("map names the list to go over (stage.field)", line, name)
        cap = item.get("max_items", 20)
        if not isinstance(cap, int) or isinstance(cap, bool):
            raise fail("max_items must be a whole number", line, name)
        step = _step({k: v for k, v in item.items() if k not in ("map", "max_items")}, fail, line, name)
        return Map(name, over, step, cap, depends, line=line)
    _keys(item, STEP_KEYS, "a stage", fail, line, name)
    return _step(item, fail, line, name)


def _step(item: Mapping[str, Any], fail: Any, line: int | None, name: str) -> Step:
    prompt = item.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise fail("a model stage needs a prompt (text)", line, name)
    kinds: dict[str, Any] = {
        "system": str,
        "task": str,
        "tier": str,
        "cache": bool,
        "timeout_s": (int, float),
        "retries": int,
    }
    for key, kind in kinds.items():
        if key in item and (not isinstance(item[key], kind) or (kind is int and isinstance(item[key], bool))):
            raise fail(f"{key} has the wrong type", line, name)
    if item.get("task", "general") not in (
        "classify",
        "extract",
        "format",
        "analysis",
        "writing",
        "verification",
        "reasoning",
        "general",
    ):
        raise fail(f"unknown task {item['task']!r}", line, name)
    if item.get("tier") not in (None, "FAST", "BALANCED", "PREMIUM", "REASONING"):
        raise fail(f"unknown tier {item['tier']!r} (FAST, BALANCED, PREMIUM, REASONING)", line, name)
    if "timeout_s" in item and not 0 < item["timeout_s"] <= 3600:
        raise fail("timeout_s must be between 0 and 3600", line, name)
    if "retries" in item and not 0 <= item["retries"] <= 10:
        raise fail("retries must be between 0 and 10", line, name)
    output = item.get("output")
    if output is not None and not isinstance(output, Mapping):
        raise fail("output must be a JSON schema (a mapping)", line, name)
    depends = item.get("depends_on", [])
    return Step(
        name,
        prompt,
        system=item.get("system", ""),
        output=output,
        depends_on=[depends] if isinstance(depends, str) else list(depends),
        task=item.get("task", "general"),
        tier=item.get("tier"),
        cache=item.get("cache", True),
        timeout_s=item.get("timeout_s"),
        retries=item.get("retries"),
        line=line,
    )


def _keys(item: Mapping[str, Any], allowed: set[str], what: str, fail: Any, line: int | None, name: str = "") -> None:
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} in {what} (allowed: {', '.join(sorted(allowed))})", line, name)


def _line(item: Any) -> int | None:
    return getattr(item, "line", None)
