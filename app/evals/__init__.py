"""Score the graphs on labelled sets: routing, decomposition, FAQ and analysis.

Each kind has a module with its result type, a pure scorer (`score_KIND`) that compares
predictions with the labels, and a thin runner (`run_KIND`) that sends every example through the
real graph on the active provider and returns plain predictions keyed by example id.
`load_dataset` reads and checks a labelled file, `run_evaluation` runs and scores it, `as_json`
and `render_lines` give the result as JSON or as a terminal report. The dataset formats and the
matching rules are described in `evals/README.md`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app.evals.analysis import predict_analysis, score_analysis
from app.evals.datasets import KINDS, DatasetError, Example, Kind, load_dataset
from app.evals.decomposition import predict_decomposition, score_decomposition
from app.evals.faq import predict_faq, score_faq
from app.evals.routing import predict_routing, score_routing
from app.evals.runs import each
from app.evals.scoring import Failure
from app.evals.tables import Result, render_lines
from state.settings import Settings

__all__ = [
    "KINDS",
    "DatasetError",
    "Evaluation",
    "Example",
    "Kind",
    "Result",
    "as_json",
    "is_correct",
    "load_dataset",
    "predictor",
    "render_lines",
    "run_evaluation",
    "scored",
]

_PREDICTORS: dict[Kind, Callable[[Settings], Callable[[Example], Awaitable[Any]]]] = {
    "routing": predict_routing,
    "decomposition": predict_decomposition,
    "faq": predict_faq,
    "analysis": predict_analysis,
}
_SCORERS: dict[Kind, Callable[[Sequence[Example], Any], Result]] = {
    "routing": score_routing,
    "decomposition": score_decomposition,
    "faq": score_faq,
    "analysis": score_analysis,
}


@dataclass
class Evaluation:
    """One evaluation: the examples, what the graphs returned for each (or why not), and the scores."""

    kind: Kind
    examples: list[Example]
    predictions: dict[str, Any]
    errors: dict[str, str]
    result: Result


def predictor(kind: Kind, settings: Settings) -> Callable[[Example], Awaitable[Any]]:
    """Return what sends one example of this kind through its graphs and returns the prediction."""
    return _PREDICTORS[kind](settings)


async def run_evaluation(kind: Kind, examples: list[Example], settings: Settings) -> Evaluation:
    """Run a loaded dataset through the graphs of its kind and score it, keeping every prediction."""
    errors: dict[str, str] = {}
    predictions = await each(examples, predictor(kind, settings), errors)
    return scored(kind, examples, predictions, errors)


def is_correct(kind: Kind, example: Example, prediction: Any) -> bool:
    """Tell whether one prediction is right: the scorer finds no failure in it."""
    return not _SCORERS[kind]([example], {example["id"]: prediction}).failures


def scored(kind: Kind, examples: list[Example], predictions: dict[str, Any], errors: dict[str, str]) -> Evaluation:
    """Score the predictions (example id -> prediction) and the failed runs (example id -> error)."""
    result = _SCORERS[kind](examples, predictions)
    # The scorer counted each failed run as a wrong answer; say why it has none.
    result.failures += [
        Failure(example_id, "a completed run", error, "run failed") for example_id, error in errors.items()
    ]
    return Evaluation(kind, examples, predictions, errors, result)


def as_json(result: Result) -> dict[str, Any]:
    """Return a result as plain JSON-ready data."""
    return dataclasses.asdict(result)
