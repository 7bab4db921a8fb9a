"""Routing: does the router graph send each message to the intent its label names."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from app.evals.datasets import Example
from app.evals.runs import each
from app.evals.scoring import Failure, rate
from graphs.router import build
from state.router import INTENTS
from state.settings import Settings


@dataclass
class RoutingResult:
    """Accuracy of the router, its confusion matrix (gold -> predicted -> count) and breakdowns."""

    n: int
    accuracy: float
    confusion: dict[str, dict[str, int]]
    by_kind: dict[str, float]
    by_lang: dict[str, float]
    failures: list[Failure] = field(default_factory=list)


def score_routing(examples: Sequence[Example], predicted: dict[str, str]) -> RoutingResult:
    """Score predicted intents (example id -> intent) against the labels."""
    confusion: dict[str, dict[str, int]] = {gold: dict.fromkeys(INTENTS, 0) for gold in INTENTS}
    kinds: dict[str, list[bool]] = {}
    langs: dict[str, list[bool]] = {}
    failures: list[Failure] = []
    right = 0
    for example in examples:
        gold, got = example["label"], predicted.get(example["id"], "(none)")
        row = confusion[gold]
        row[got] = row.get(got, 0) + 1
        ok = got == gold
        right += ok
        for tag in example.get("kinds", []):
            kinds.setdefault(tag, []).append(ok)
        langs.setdefault(example.get("lang", "?"), []).append(ok)
        if not ok:
            failures.append(Failure(example["id"], gold, got, example["text"][:160]))
    return RoutingResult(
        n=len(examples),
        accuracy=rate(right, len(examples)),
        confusion=confusion,
        by_kind={k: rate(sum(v), len(v)) for k, v in sorted(kinds.items())},
        by_lang={k: rate(sum(v), len(v)) for k, v in sorted(langs.items())},
        failures=failures,
    )


def predict_routing(settings: Settings) -> Callable[[Example], Awaitable[str]]:
    """Return the function that sends one example through the graph (`run_routing` runs it on each)."""
    graph = build().compile()

    async def run(example: Example) -> str:
        out = await graph.ainvoke({"query": example["text"]}, context=settings)
        return str(out["intent"])

    return run


async def run_routing(
    examples: Sequence[Example], settings: Settings, errors: dict[str, str] | None = None
) -> dict[str, str]:
    """Route every example with the router graph; return example id -> routed intent."""
    return await each(examples, predict_routing(settings), errors)
