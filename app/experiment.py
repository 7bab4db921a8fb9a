"""Record an evaluation as a LangSmith experiment: `stagecraft eval KIND DATASET --langsmith`.

The labelled set becomes a LangSmith dataset (named after the file and its content, so an edited
file is a new dataset and the same file is reused), each example's run in this evaluation a run of
a new experiment (a project whose reference dataset is that dataset), with the graph's prediction as
its output, the run's error if it failed, and a `correct` score: 1 when the example is not among the
evaluation's failures. The evaluation's headline figures are the experiment's metadata.

It uses the LangSmith client's own settings: LANGSMITH_API_KEY (required) and LANGSMITH_ENDPOINT;
nothing is sent without --langsmith, whatever the environment holds.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from state.inputs import InputError

if TYPE_CHECKING:
    from app.evaluate import Evaluation, Example

# Example ids are derived from the dataset and the example's own id, so a second recording of the
# same file points its runs at the examples the first one created.
_NAMESPACE = uuid.UUID("6f1f3a0e-2b7c-4d8e-9a55-3c1d2e4f5a6b")

# What each kind of example gives as input, the rest being the reference answer.
_INPUT_KEYS = {
    "routing": ("text",),
    "decomposition": ("text",),
    "faq": ("sources", "num_questions", "questions"),
    "analysis": ("document",),
}


class ExperimentError(RuntimeError):
    """The experiment could not be recorded; the evaluation itself stands."""


@dataclasses.dataclass(frozen=True)
class Recorded:
    """Where an evaluation was recorded."""

    dataset: str
    experiment: str
    url: str | None


def check_configured() -> None:
    """Raise InputError unless a LangSmith key is set (checked before the evaluation runs)."""
    if not os.environ.get("LANGSMITH_API_KEY", "").strip():
        raise InputError("--langsmith needs LANGSMITH_API_KEY (and LANGSMITH_ENDPOINT for a self-hosted LangSmith)")


def dataset_name(kind: str, path: Path) -> str:
    """The LangSmith dataset of a labelled file: its kind, its name and a digest of its content."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    return f"stagecraft-{kind}-{path.stem}-{digest}"


def record(evaluation: Evaluation, path: Path, provider: str, summary: dict[str, Any]) -> Recorded:
    """Send an evaluation to LangSmith as an experiment over the labelled set's dataset."""
    from langsmith import Client

    name = dataset_name(evaluation.kind, path)
    experiment = f"{name}-{provider}-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}"
    failed = {failure.id for failure in evaluation.result.failures}
    client = Client()
    try:
        if client.has_dataset(dataset_name=name):
            dataset = client.read_dataset(dataset_name=name)
        else:
            dataset = client.create_dataset(name, description=f"stagecraft eval {evaluation.kind}: {path.name}")
            client.create_examples(
                dataset_id=dataset.id,
                examples=[
                    {
                        "id": _example_id(name, example),
                        "inputs": _inputs(evaluation.kind, example),
                        "outputs": _reference(evaluation.kind, example),
                        "metadata": {"stagecraft_id": str(example["id"])},
                    }
                    for example in evaluation.examples
                ],
            )
        project = client.create_project(
            experiment,
            reference_dataset_id=dataset.id,
            description=f"stagecraft eval {evaluation.kind} on {path.name} with provider {provider}",
            metadata={"provider": provider, "kind": evaluation.kind, **summary},
        )
        runs: list[tuple[uuid.UUID, bool]] = []
        for example in evaluation.examples:
            key = str(example["id"])
            run_id = uuid.uuid4()
            now = datetime.now(UTC)
            client.create_run(
                f"eval-{evaluation.kind}",
                _inputs(evaluation.kind, example),
                "chain",
                id=run_id,
                project_name=experiment,
                reference_example_id=_example_id(name, example),
                outputs={"prediction": evaluation.predictions.get(key)},
                error=evaluation.errors.get(key),
                start_time=now,
                end_time=now,
            )
            runs.append((run_id, key not in failed))
        client.flush()  # the runs exist before their scores refer to them
        for run_id, correct in runs:
            client.create_feedback(run_id, key="correct", score=1.0 if correct else 0.0, session_id=project.id)
        client.flush()
    except Exception as exc:  # whatever the service or its client does, the evaluation above stands
        # The client's own message can quote the request's headers, API key included: never shown.
        raise ExperimentError(
            f"recording the LangSmith experiment at {_where()} failed: {type(exc).__name__} "
            "(the evaluation above stands; check LANGSMITH_ENDPOINT and LANGSMITH_API_KEY)"
        ) from None
    return Recorded(dataset=name, experiment=experiment, url=getattr(project, "url", None))


def _where() -> str:
    # host:port only: an endpoint URL may carry credentials.
    endpoint = os.environ.get("LANGSMITH_ENDPOINT") or "https://api.smith.langchain.com"
    return endpoint.split("://", 1)[-1].split("@")[-1].split("/")[0]


def _example_id(dataset: str, example: Example) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{dataset}/{example['id']}")


def _inputs(kind: str, example: Example) -> dict[str, Any]:
    return {key: example[key] for key in _INPUT_KEYS[kind] if key in example}


def _reference(kind: str, example: Example) -> dict[str, Any]:
    # JSON round trip: a dataset example holds plain data only.
    skip = {"id", *_INPUT_KEYS[kind]}
    return dict(json.loads(json.dumps({k: v for k, v in example.items() if k not in skip}, default=str)))
