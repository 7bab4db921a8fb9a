"""Your own pipelines: stages with `depends_on`, in Python or YAML, compiled to a LangGraph graph.

    from graphs.pipelines import Pipeline, Step, graph_spec
    spec = graph_spec(Pipeline(name="digest", stages=[Step("summary", "Summarise: {text}")]))
    graph = spec.compile()

`graph_spec` checks the pipeline (graphs.pipelines.plan) and gives the house's GraphSpec, so the
CLI, the server, batches, evals, threads and the execution report take it like any graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphs.pipelines.compile import build, input_check, model_stages, state_types
from graphs.pipelines.load import load
from graphs.pipelines.plan import Planned, plan
from graphs.pipelines.spec import AgentStep, Branch, Map, Pipeline, PipelineError, PythonStep, Step, StopWhen
from graphs.spec import GraphSpec, Section, failed_branches

__all__ = [
    "AgentStep",
    "Branch",
    "Map",
    "Pipeline",
    "PipelineError",
    "PythonStep",
    "Step",
    "StopWhen",
    "graph_spec",
    "load",
    "plan",
]


def graph_spec(pipeline: Pipeline, ref: str = "") -> GraphSpec:
    """Check `pipeline` (PipelineError for its first mistake) and return it as a GraphSpec.

    `ref` is how it is found again (a file's path) for `stagecraft resume`; a name by default.
    """
    planned = plan(pipeline)
    input_type, _, _ = state_types(planned)
    first = pipeline.inputs[0]
    description = pipeline.description or f"Pipeline of {len(planned.stages)} stages ({', '.join(planned.order)})."
    return GraphSpec(
        name=pipeline.name,
        description=description.strip().splitlines()[0],
        build=lambda: build(planned),
        input=input_type,
        check=input_check(planned),
        from_text=lambda text, options: {first: text},
        stages=tuple(model_stages(planned).values()),
        show=lambda output: show(planned, output),
        ref=ref or pipeline.name,
    )


def show(planned: Planned, output: Mapping[str, Any]) -> list[Section]:
    """Each stage's output in order, what failed, and a note when the offline engine wrote them."""
    import json

    sections = failed_branches(output)
    for name in planned.order:
        if name not in output or output[name] is None:
            continue
        value = output[name]
        body = value if isinstance(value, str) else json.dumps(value, indent=1, ensure_ascii=False)
        sections.append(Section(name, body, "markdown" if isinstance(value, str) else "text"))
    if any(str(call.get("provider")) == "offline" for call in output.get("ledger") or []):
        sections.append(
            Section("", "Written by the offline engine: an approximation of what a model would answer.", "dim")
        )
    return sections
