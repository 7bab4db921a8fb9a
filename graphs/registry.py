"""The graphs Stagecraft serves: the one list, which everything that lists graphs reads.

The CLI, the demo, the benchmarks and the server auth read `GRAPHS`; `langgraph.json` and
`langgraph.shared.json` are checked against it by a test. Adding a graph is its modules and one
line here; adding a pipeline is a file in pipelines/ (graphs.pipelines), listed here by its name.
A pipeline file anywhere else is found by its path (`spec_for("my/pipeline.yaml")`).
"""

from __future__ import annotations

from pathlib import Path

from graphs import (
    analysis,
    document,
    faq,
    orchestrator,
    refine,
    report,
    router,
    summarize_translate,
    support_agent,
)
from graphs.pipelines import FOLDER, PipelineError, desk_lookup, graph_spec, load
from graphs.spec import GraphSpec
from models.stage import Stage
from state.inputs import InputError

BUILT_IN: tuple[GraphSpec, ...] = (
    summarize_translate.SPEC,
    faq.SPEC,
    router.SPEC,
    orchestrator.SPEC,
    analysis.SPEC,
    report.SPEC,
    document.SPEC,
    refine.SPEC,
    support_agent.SPEC,
)
PIPELINES: tuple[GraphSpec, ...] = (
    *(graph_spec(load(path, shown=f"pipelines/{path.name}")) for path in sorted(FOLDER.glob("*.yaml"))),
    graph_spec(desk_lookup.PIPELINE),  # in Python: its agent stage's tools are Python functions
)

GRAPHS: dict[str, GraphSpec] = {}
for _spec in (*BUILT_IN, *PIPELINES):
    if GRAPHS.setdefault(_spec.name, _spec) is not _spec:
        raise ValueError(f"two graphs are named {_spec.name!r}")

_files: dict[tuple[str, int, int], GraphSpec] = {}


def is_file(name: str) -> bool:
    """Tell whether a graph argument names a pipeline file rather than a graph."""
    return name.endswith((".yaml", ".yml"))


def spec_for(name: str) -> GraphSpec:
    """Return the named graph, or the pipeline in a .yaml file; InputError (PipelineError) saying why not."""
    if is_file(name):
        return _pipeline_file(name)
    try:
        return GRAPHS[name]
    except KeyError:
        raise InputError(
            f"unknown graph {name!r}; known graphs: {', '.join(GRAPHS)} (or a pipeline file: NAME.yaml)"
        ) from None


def known(name: object) -> GraphSpec | None:
    """Return the graph a run recorded (a name or a pipeline file), or None if it cannot be found now."""
    if not isinstance(name, str):
        return None
    try:
        return spec_for(name)
    except InputError:
        return None


def _pipeline_file(name: str) -> GraphSpec:
    path = Path(name).expanduser()
    try:
        info = path.stat()
    except OSError as exc:
        raise PipelineError(f"cannot read the pipeline file ({exc.strerror or exc})", source=name) from None
    resolved = str(path.resolve())
    key = (resolved, info.st_mtime_ns, info.st_size)
    if key not in _files:
        # Recorded by its absolute path, so `stagecraft resume` finds it from any folder.
        _files[key] = graph_spec(load(path, shown=name), ref=resolved)
    return _files[key]


def stages() -> dict[str, Stage]:
    """Return every graph's stages by prompt name (a stage two graphs share is one declaration)."""
    found: dict[str, Stage] = {}
    for spec in GRAPHS.values():
        for stage in spec.stages:
            if found.setdefault(stage.prompt.name, stage) is not stage:
                raise ValueError(f"two different stages have the prompt {stage.prompt.name!r}")
    return found
