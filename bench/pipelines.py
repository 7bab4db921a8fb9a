"""Pipelines in `make bench`: each stage starts when its own dependencies finish, at little cost per stage.

Unequal branches: one branch a single slow stage (1.5 s), the other three quick ones in a chain
(0.5 s each), joined by a last stage (0.5 s). The true critical path is 2.0 s. Compiled one node
per stage, LangGraph's supersteps make the chain's second stage wait for the slow one (3.0 s);
compiled from the plan's series-parallel tree, the chain runs at its own pace.

Overhead: the report graph written by hand against the same five stages as a pipeline, replies
that cost nothing (a remote-like provider at 0 s), CPU per run, interleaved; the difference per stage.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

from graphs.pipelines import Pipeline, Step, graph_spec, plan
from graphs.pipelines.compile import build
from graphs.pipelines.plan import Flat
from models.providers import ModelSpec, register_provider
from state.settings import Settings

LATENCY = {"a": 1.5, "c": 0.5, "d": 0.5, "e": 0.5, "f": 0.5}
CRITICAL_PATH_S = 2.0
TARGETS = {"unequal_branches": 1.05, "overhead_ms_per_stage": 2.0}


def unequal() -> Pipeline:
    """The pipeline of the figure: a beside c -> d -> e, then f."""
    return Pipeline(
        name="unequal",
        stages=[
            Step("a", "slow: {text}"),
            Step("c", "quick: {text}"),
            Step("d", "quick: {c}", depends_on=["c"]),
            Step("e", "quick: {d}", depends_on=["d"]),
            Step("f", "join: {a} {e}", depends_on=["a", "e"]),
        ],
    )


def _timed_provider() -> None:
    from offline.engine import OfflineChatModel

    def build(spec: ModelSpec) -> OfflineChatModel:
        return OfflineChatModel(stage=spec.stage.name, prompt=spec.stage.prompt, latency=LATENCY[spec.stage.name])

    register_provider("bench-timed", build)


async def unequal_branches(repeat: int = 3) -> dict[str, float]:
    """Median wall time of the planned and the naive compilation, interleaved."""
    _timed_provider()
    planned = graph_spec(unequal()).compile()
    flat = plan(unequal())
    naive = build(replace(flat, tree=Flat(tuple(sorted(flat.stages))))).compile()
    context = Settings(provider="bench-timed", cache=False)
    walls: dict[str, list[float]] = {"planned_s": [], "naive_s": []}
    for _ in range(repeat):
        for label, graph in (("planned_s", planned), ("naive_s", naive)):
            started = time.perf_counter()
            await graph.ainvoke({"text": "x"}, context=context)
            walls[label].append(time.perf_counter() - started)
    out = {label: sorted(values)[len(values) // 2] for label, values in walls.items()}
    return {**out, "critical_path_s": CRITICAL_PATH_S}


async def overhead(runs: int = 60) -> dict[str, float]:
    """CPU ms per run: the report graph by hand and as a pipeline, replies that cost nothing."""
    from app.examples import BUSINESS_DOCUMENT
    from bench import measures as m
    from graphs.registry import GRAPHS
    from nodes.report import EXTRACT, OPPORTUNITY, REPORT_SYNTHESIS, REQUIREMENTS, RISK
    from state.report import Extraction, Findings

    points = "<key_points>\n{extract.key_points}\n</key_points>"

    def step(stage: Any, prompt: str, task: Any, output: Any = Findings, after: tuple[str, ...] = ("extract",)) -> Step:
        return Step(stage.name, prompt, system=stage.prompt.system, output=output, depends_on=list(after), task=task)

    spec = graph_spec(
        Pipeline(
            name="report_spec",
            inputs=("document",),
            stages=[
                step(EXTRACT, EXTRACT.prompt.user, "extract", Extraction, ()),
                step(RISK, points, "analysis"),
                step(OPPORTUNITY, points, "analysis"),
                step(REQUIREMENTS, points, "extract"),
                step(
                    REPORT_SYNTHESIS,
                    "<findings>{extract} {risk} {opportunity} {requirements}</findings>",
                    "writing",
                    None,
                    ("extract", "risk", "opportunity", "requirements"),
                ),
            ],
        )
    )
    m._remote_like()
    context = m.settings(latency=0.0, provider=m.REMOTE)
    payload = {"document": BUSINESS_DOCUMENT}
    by_hand, as_pipeline = GRAPHS["report"].compile(), spec.compile()
    cpu = await m._cpu_ms(
        {
            "by_hand_ms": lambda: by_hand.ainvoke(payload, context=context),
            "pipeline_ms": lambda: as_pipeline.ainvoke(payload, context=context),
        },
        runs,
    )
    stages = len(spec.stages)
    return {**cpu, "stages": stages, "per_stage_ms": (cpu["pipeline_ms"] - cpu["by_hand_ms"]) / stages}


def measure(quick: bool = False) -> dict[str, Any]:
    """Both figures."""
    return {
        "unequal": asyncio.run(unequal_branches(1 if quick else 3)),
        "overhead": asyncio.run(overhead(20 if quick else 60)),
    }


def report(r: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The markdown section and the targets missed."""
    u, o = r["unequal"], r["overhead"]
    ratio, naive = u["planned_s"] / u["critical_path_s"], u["naive_s"] / u["critical_path_s"]
    fast, cheap = ratio <= TARGETS["unequal_branches"], o["per_stage_ms"] <= TARGETS["overhead_ms_per_stage"]
    failures = ([] if fast else ["pipeline unequal branches"]) + ([] if cheap else ["pipeline overhead"])
    lines = [
        "",
        "## Pipelines",
        "",
        "Unequal branches: a single 1.5 s stage beside a chain of three 0.5 s stages, then a 0.5 s join "
        "(critical path 2.0 s). *Planned*: compiled from the series-parallel plan (each multi-stage parallel part "
        "a subgraph). *Naive*: one node per stage, LangGraph's supersteps. Overhead: the report graph by hand "
        "against the same five stages as a pipeline, CPU per run with replies that cost nothing.",
        "",
        "| figure | measured | baseline | ratio | target | |",
        "|---|---|---|---|---|---|",
        f"| unequal branches, planned | {u['planned_s']:.3f} s | critical path {u['critical_path_s']:.1f} s | "
        f"{ratio:.3f}x | <= {TARGETS['unequal_branches']}x | {'pass' if fast else 'FAIL'} |",
        f"| unequal branches, naive | {u['naive_s']:.3f} s | critical path {u['critical_path_s']:.1f} s | "
        f"{naive:.3f}x | (what the plan avoids) | |",
        f"| pipeline overhead per stage | {o['pipeline_ms']:.2f} ms per run | by hand {o['by_hand_ms']:.2f} ms | "
        f"{o['per_stage_ms']:+.2f} ms per stage ({o['stages']}) | <= {TARGETS['overhead_ms_per_stage']} ms | "
        f"{'pass' if cheap else 'FAIL'} |",
    ]
    return lines, failures


if __name__ == "__main__":
    result = measure(quick=False)
    print("\n".join(report(result)[0]))
