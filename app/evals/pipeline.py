"""Your own pipeline's figures: cases with an input and the outputs expected of named stages.

    {"id": "refund", "input": {"message": "I was charged twice ..."},
     "expect": {"classify.team": "billing", "route": "billing_reply"}}      (one line in the file)

Each expectation names a stage (its whole output) or `stage.field`; a value matches when it is
equal (text compared without case or surrounding spaces). The result is the share of cases whose
every expectation holds, and each expectation's accuracy across the cases that state it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.evals.datasets import DatasetError, json_lines
from app.evals.runs import each
from app.evals.scoring import Failure, rate
from graphs.spec import GraphSpec
from state.settings import Settings


@dataclass
class PipelineResult:
    """How many cases came out as expected, in all and per expectation."""

    pipeline: str
    n: int
    all_expected: float
    """Share of cases whose every expectation held."""
    by_expectation: dict[str, float]
    failures: list[Failure] = field(default_factory=list)


def load_cases(path: str | Path, spec: GraphSpec) -> list[dict[str, Any]]:
    """Read a pipeline's cases; DatasetError naming the file, the line and the problem."""
    inputs = set(spec.input.__annotations__)
    stages = _stage_names(spec)
    cases: list[dict[str, Any]] = []
    seen: set[str] = set()
    for where, case in json_lines(path):
        problem = _problem(case, inputs, stages, seen)
        if problem:
            raise DatasetError(f"{where}: {problem}")
        seen.add(case["id"])
        cases.append(case)
    if not cases:
        raise DatasetError(f"{path}: no cases")
    return cases


def _stage_names(spec: GraphSpec) -> set[str]:
    from typing import get_type_hints

    output = get_type_hints(spec.build().output_schema)
    return set(output) - {"termination", "terminated_early", "execution_report", "ledger", "errors"}


def _problem(case: Any, inputs: set[str], stages: set[str], seen: set[str]) -> str | None:
    if not isinstance(case, dict):
        return "a case must be a JSON object with id, input and expect"
    missing = [key for key in ("id", "input", "expect") if key not in case]
    if missing:
        return f"missing key {missing[0]!r}"
    if not isinstance(case["id"], str) or not case["id"]:
        return "id must be a non-empty string"
    if case["id"] in seen:
        return f"duplicate id {case['id']!r}"
    given = case["input"]
    if not isinstance(given, dict) or set(given) != inputs or not all(isinstance(v, str) for v in given.values()):
        return f"input must give exactly {', '.join(sorted(inputs))}, each a text"
    expect = case["expect"]
    if not isinstance(expect, dict) or not expect:
        return "expect must map stage or stage.field to the expected value"
    for ref in expect:
        if ref.partition(".")[0] not in stages:
            return f"expect names {ref!r}, but the pipeline has no such stage ({', '.join(sorted(stages))})"
    return None


async def run_cases(
    spec: GraphSpec, cases: Sequence[dict[str, Any]], settings: Settings, errors: dict[str, str]
) -> dict[str, Any]:
    """Run every case through the pipeline; return case id -> its output."""
    graph = spec.compile()

    async def run(case: dict[str, Any]) -> Any:
        return await graph.ainvoke(case["input"], context=settings)

    return await each(cases, run, errors)


def score_cases(name: str, cases: Sequence[dict[str, Any]], outputs: dict[str, Any]) -> PipelineResult:
    """Score outputs (case id -> output) against each case's expectations."""
    held: dict[str, list[bool]] = {}
    failures: list[Failure] = []
    whole = 0
    for case in cases:
        out = outputs.get(case["id"]) or {}
        ok_all = True
        for ref, want in case["expect"].items():
            got = _get(out, ref)
            ok = _same(got, want)
            held.setdefault(ref, []).append(ok)
            if not ok:
                ok_all = False
                failures.append(Failure(case["id"], want, got, ref))
        whole += ok_all
    return PipelineResult(
        pipeline=name,
        n=len(cases),
        all_expected=rate(whole, len(cases)),
        by_expectation={ref: rate(sum(v), len(v)) for ref, v in sorted(held.items())},
        failures=failures,
    )


def render(result: PipelineResult) -> list[str]:
    """The result as lines for a terminal."""
    lines = [f"{result.pipeline}: {result.n} cases, every expectation held in {result.all_expected:.3f}", ""]
    width = max((len(ref) for ref in result.by_expectation), default=10)
    lines += [f"{'expectation':<{width}}  accuracy"]
    lines += [f"{ref:<{width}}  {value:.3f}" for ref, value in result.by_expectation.items()]
    if result.failures:
        lines += ["", "not as expected:"]
        lines += [f"  {f.id}: {f.note} expected {f.expected!r}, got {f.got!r}" for f in result.failures[:40]]
    return lines


def _get(out: dict[str, Any], ref: str) -> Any:
    head, _, attr = ref.partition(".")
    value = out.get(head)
    return value.get(attr) if attr and isinstance(value, dict) else (None if attr else value)


def _same(got: Any, want: Any) -> bool:
    if isinstance(got, str) and isinstance(want, str):
        return got.strip().casefold() == want.strip().casefold()
    return bool(got == want)
