"""The graphs Stagecraft serves: the one list, which everything that lists graphs reads.

The CLI, the demo, the benchmarks and the server auth read `GRAPHS`; `langgraph.json` and
`langgraph.shared.json` are checked against it by a test. Adding a graph is its modules and one
name here; adding a pipeline is a file in pipelines/ (graphs.pipelines), found by its file name.
A pipeline file anywhere else is found by its path (`spec_for("my/pipeline.yaml")`).

Each graph is loaded the first time it is asked for, so `stagecraft run router` imports the
router's modules and not the other graphs' (nor YAML, nor the agent's tool machinery): importing
every graph to run one cost a third of the command's start-up above LangGraph's own import.
"""

from __future__ import annotations

import ast
import importlib
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from state.inputs import InputError

if TYPE_CHECKING:  # importing the spec imports LangGraph: listing the graphs needs neither
    from graphs.spec import GraphSpec
    from models.stage import Stage

BUILT_IN: tuple[str, ...] = (
    "summarize_translate",
    "faq",
    "router",
    "orchestrator",
    "analysis",
    "report",
    "document",
    "refine",
    "support_agent",
)
"""The graphs of graphs/: graphs/NAME.py declares `SPEC` named NAME (langgraph.json serves its `graph`)."""

FOLDER = Path(__file__).resolve().parents[1] / "pipelines"
"""The pipelines Stagecraft ships (and serves): pipelines/NAME.yaml, named NAME."""

_SHIPPED_YAML = tuple(sorted(path.stem for path in FOLDER.glob("*.yaml")))
_SHIPPED_PYTHON = ("desk_lookup",)  # graphs/pipelines/NAME.py declares PIPELINE: its agent's tools are Python
PIPELINES: tuple[str, ...] = (*_SHIPPED_YAML, *_SHIPPED_PYTHON)
"""The names of the shipped pipelines."""


def description(name: str) -> str:
    """Return a listed graph's one-line description, read from its file: `stagecraft graphs` loads no graph.

    The description is the literal `description=` of the module's SPEC (or PIPELINE), or a YAML
    pipeline's `description:`; a graph whose description is not written out as one is loaded.
    """
    load = _LOADERS[name]  # KeyError for an unknown name
    here = Path(__file__).resolve().parent
    if load is _yaml_pipeline:
        import yaml  # type: ignore[import-untyped]

        data = yaml.safe_load((FOLDER / f"{name}.yaml").read_text(encoding="utf-8"))
        written = data.get("description") if isinstance(data, dict) else None
    else:
        module = here / f"{name}.py" if load is _built_in else here / "pipelines" / f"{name}.py"
        written = _literal_description(module.read_text(encoding="utf-8"))
    if isinstance(written, str) and written.strip():
        return written.strip().splitlines()[0]
    return GRAPHS[name].description


def _literal_description(source: str) -> str | None:
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            if any(isinstance(t, ast.Name) and t.id in ("SPEC", "PIPELINE") for t in node.targets):
                for keyword in node.value.keywords:
                    if keyword.arg == "description" and isinstance(keyword.value, ast.Constant):
                        return str(keyword.value.value)
    return None


def _built_in(name: str) -> GraphSpec:
    spec: GraphSpec = importlib.import_module(f"graphs.{name}").SPEC
    return spec


def _yaml_pipeline(name: str) -> GraphSpec:
    from graphs.pipelines import graph_spec, load

    return graph_spec(load(FOLDER / f"{name}.yaml", shown=f"pipelines/{name}.yaml"))


def _python_pipeline(name: str) -> GraphSpec:
    from graphs.pipelines import graph_spec

    return graph_spec(importlib.import_module(f"graphs.pipelines.{name}").PIPELINE)


class _Registry(Mapping[str, "GraphSpec"]):
    """Graph name -> spec, each spec loaded once, on first use, and checked to carry the name it is listed by."""

    def __init__(self, loaders: dict[str, Callable[[str], GraphSpec]]) -> None:
        self._loaders = loaders
        self._loaded: dict[str, GraphSpec] = {}
        self._lock = threading.RLock()  # a graph module that reads the registry as it loads

    def __getitem__(self, name: str) -> GraphSpec:
        spec = self._loaded.get(name)
        if spec is None:
            load = self._loaders[name]  # KeyError for an unknown name, as a dict's
            with self._lock:  # two threads asking at once get the same spec
                spec = self._loaded.get(name)
                if spec is None:
                    spec = load(name)
                    if spec.name != name:
                        raise ValueError(f"the graph listed as {name!r} is named {spec.name!r}")
                    self._loaded[name] = spec
        return spec

    def __contains__(self, name: object) -> bool:
        return name in self._loaders  # Mapping's default would load the graph to answer

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaders)

    def __len__(self) -> int:
        return len(self._loaders)


def _listed() -> dict[str, Callable[[str], GraphSpec]]:
    loaders: dict[str, Callable[[str], GraphSpec]] = {}
    for names, load in ((BUILT_IN, _built_in), (_SHIPPED_YAML, _yaml_pipeline), (_SHIPPED_PYTHON, _python_pipeline)):
        for name in names:
            if name in loaders:
                raise ValueError(f"two graphs are named {name!r}")
            loaders[name] = load
    return loaders


_LOADERS = _listed()
GRAPHS: Mapping[str, GraphSpec] = _Registry(_LOADERS)

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
    from graphs.pipelines import PipelineError, graph_spec, load

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
