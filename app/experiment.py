"""Run an evaluation as a LangSmith experiment: `stagecraft eval KIND DATASET --langsmith`.

The labelled set becomes a LangSmith dataset (named after the file and its content, so an edited
file is a new dataset and the same file is reused), uploaded in batches. A dataset that an earlier,
interrupted upload left short of examples is completed, never silently reused. The evaluation
then runs through LangSmith's own `aevaluate`: each example's graph run is the experiment's row,
traced with its spans and model calls inside, scored `correct` (1 when the scorer finds no failure
in it) by an evaluator. The predictions are scored as without --langsmith, and the headline
figures become the experiment's metadata.

It uses the LangSmith client's own settings: LANGSMITH_API_KEY (required) and LANGSMITH_ENDPOINT;
nothing is sent without --langsmith, whatever the environment holds. A LangSmith that is down or
failing ends the command after a few short attempts with one line, not a retry loop.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
import os
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING, Any

from state.inputs import InputError

if TYPE_CHECKING:
    from langsmith import Client
    from langsmith.schemas import Example as LangSmithExample
    from langsmith.schemas import Run

    from app.evals import Evaluation, Example, Kind
    from state.settings import Settings

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

# Examples per upload request: one request per batch, not per example, and none too large.
UPLOAD_BATCH = 100

# Each request to LangSmith: a short connect and read timeout and one retry without honouring a
# long Retry-After (the client's defaults retry for minutes against a failing endpoint).
_TIMEOUT_MS = (5_000, 10_000)
_RETRIES = 1
# The longest wait for the scores still being sent when the experiment's runs are done.
_SCORES_TIMEOUT_S = 60.0


class ExperimentError(RuntimeError):
    """The experiment could not be recorded."""


@dataclasses.dataclass(frozen=True)
class Recorded:
    """Where an evaluation was recorded."""

    dataset: str
    experiment: str
    url: str | None
    lost: str | None = None  # why part of it was not recorded, when the evaluation itself completed


def check_configured() -> None:
    """Raise InputError unless a LangSmith key is set (checked before the evaluation runs)."""
    if not os.environ.get("LANGSMITH_API_KEY", "").strip():
        raise InputError("--langsmith needs LANGSMITH_API_KEY (and LANGSMITH_ENDPOINT for a self-hosted LangSmith)")


def dataset_name(kind: str, path: Path) -> str:
    """The LangSmith dataset of a labelled file: its kind, its name and a digest of its content."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    return f"stagecraft-{kind}-{path.stem}-{digest}"


async def evaluate_on_langsmith(
    kind: Kind, examples: list[Example], path: Path, settings: Settings
) -> tuple[Evaluation, Recorded]:
    """Run the evaluation as a LangSmith experiment over the labelled set's dataset; return it and where it is."""
    import asyncio

    from langsmith import aevaluate, traceable

    from app.evals import is_correct, predictor, scored
    from app.evals.runs import CONCURRENCY

    provider = settings.resolved_provider()
    name = dataset_name(kind, path)
    by_id = {str(example["id"]): example for example in examples}
    predict = predictor(kind, settings)

    @traceable(name=f"stagecraft-eval-{kind}", process_inputs=lambda given: dict(given["inputs"]))
    async def target(inputs: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
        # The example as the file has it (the dataset holds the same inputs): the same run as without LangSmith.
        return {"prediction": await predict(by_id[metadata["stagecraft_id"]])}

    def correct(run: Run, example: LangSmithExample) -> dict[str, Any]:
        labelled = by_id[(example.metadata or {})["stagecraft_id"]]
        right = run.error is None and is_correct(kind, labelled, (run.outputs or {}).get("prediction"))
        return {"key": "correct", "score": 1.0 if right else 0.0}

    # aevaluate draws a tqdm progress bar on stderr; the command's output stays its own.
    os.environ.setdefault("TQDM_DISABLE", "1")
    with _failures_as_one_line() as failed:
        client = _client()
        rows = await asyncio.to_thread(_dataset, client, name, kind, path, examples)
        # aevaluate prints the experiment's address on stdout, where --json output goes: the
        # command says where it recorded the experiment itself, on stderr.
        with redirect_stdout(io.StringIO()):
            results = await aevaluate(
                target,
                data=rows,
                evaluators=[correct],
                experiment_prefix=f"{name}-{provider}",
                description=f"stagecraft eval {kind} on {path.name} with provider {provider}",
                metadata={"provider": provider, "kind": kind},
                max_concurrency=CONCURRENCY,
                client=client,
            )
        predictions: dict[str, Any] = {}
        errors: dict[str, str] = {}
        async for row in results:
            key = (row["example"].metadata or {})["stagecraft_id"]
            if row["run"].error is not None:
                errors[key] = str(row["run"].error).strip().splitlines()[-1]
            else:
                predictions[key] = (row["run"].outputs or {}).get("prediction")
        evaluation = scored(kind, examples, predictions, errors)
        summary = {key: value for key, value in _as_json(evaluation).items() if key != "failures"}
        metadata = {"provider": provider, "kind": kind, **summary}
        await asyncio.to_thread(_finish, client, results.experiment_id, metadata, len(examples))
        url = await results.get_comparison_url() or results.url
    lost = _failure_line(failed[0], what="lost some runs or scores") if failed else None
    return evaluation, Recorded(dataset=name, experiment=results.experiment_name, url=url, lost=lost)


def _client() -> Any:  # a langsmith Client, with wait_for_scores
    from langsmith import Client
    from langsmith.utils import LangSmithRetry

    class FewAttempts(Client):
        """The client with one retry per request, counting the scores it has sent (or failed to)."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.scores_sent = 0
            self._sent = threading.Condition()

        def create_feedback(self, *args: Any, **kwargs: Any) -> Any:
            # The client tries each score 10 times, 1 s to 256 s apart (8.5 minutes against a
            # failing endpoint): here the one retry every request has is enough.
            kwargs["stop_after_attempt"] = 1
            try:
                return super().create_feedback(*args, **kwargs)
            finally:
                with self._sent:
                    self.scores_sent += 1
                    self._sent.notify_all()

        def wait_for_scores(self, count: int) -> None:
            # aevaluate sends the evaluators' scores from threads it does not wait for.
            with self._sent:
                self._sent.wait_for(lambda: self.scores_sent >= count, timeout=_SCORES_TIMEOUT_S)

    retries = LangSmithRetry(
        total=_RETRIES,
        status_forcelist=[429, 500, 502, 503, 504],
        backoff_factor=0.5,
        allowed_methods=None,
        raise_on_status=False,
        respect_retry_after_header=False,
    )
    return FewAttempts(retry_config=retries, timeout_ms=_TIMEOUT_MS)


def _dataset(client: Client, name: str, kind: str, path: Path, examples: Sequence[Example]) -> list[LangSmithExample]:
    """The examples of the labelled file's dataset, which is created or completed first."""
    if client.has_dataset(dataset_name=name):
        dataset = client.read_dataset(dataset_name=name)
    else:
        dataset = client.create_dataset(name, description=f"stagecraft eval {kind}: {path.name}")
    wanted = {str(_example_id(name, example)): example for example in examples}
    present = {str(row.id) for row in client.list_examples(dataset_id=dataset.id)}
    # An upload cut short (an empty or partial dataset) is completed, never reused as it is.
    missing = [example for key, example in wanted.items() if key not in present]
    for start in range(0, len(missing), UPLOAD_BATCH):
        client.create_examples(
            dataset_id=dataset.id,
            examples=[
                {
                    "id": _example_id(name, example),
                    "inputs": _inputs(kind, example),
                    "outputs": _reference(kind, example),
                    "metadata": {"stagecraft_id": str(example["id"])},
                }
                for example in missing[start : start + UPLOAD_BATCH]
            ],
        )
    rows = [row for row in client.list_examples(dataset_id=dataset.id) if str(row.id) in wanted]
    if len(rows) != len(wanted):
        raise ExperimentError(
            f"LangSmith dataset {name} holds {len(rows)} of the file's {len(wanted)} examples after the upload"
        )
    return rows


def _finish(client: Any, experiment_id: uuid.UUID, metadata: dict[str, Any], scores: int) -> None:
    client.wait_for_scores(scores)
    client.flush()  # the runs are sent before the command ends
    client.update_project(experiment_id, metadata=metadata)


@contextmanager
def _failures_as_one_line() -> Iterator[list[logging.LogRecord]]:
    """Keep the LangSmith client's own failure logs (multi-line, with tracebacks) off the terminal.

    An exception becomes ExperimentError with one line; what the client only logged (its background
    uploads of runs and feedback) is collected in the list the caller reads afterwards.
    """
    failed: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if not record.name.startswith("langsmith.evaluation"):  # a graph run's own error is a result
                failed.append(record)

    root = logging.getLogger("langsmith")
    handler, propagate = Collect(logging.WARNING), root.propagate
    root.addHandler(handler)
    root.propagate = False
    try:
        yield failed
    except Exception as exc:
        # The command ends here: what the client still logs on its way out (a last flush, its
        # info request) stays collected too.
        if isinstance(exc, ExperimentError):
            raise
        # The client's own message can quote the request's headers, API key included: never shown.
        raise ExperimentError(_failure_line(exc, what="failed")) from None
    root.removeHandler(handler)
    root.propagate = propagate


def _failure_line(cause: BaseException | logging.LogRecord, *, what: str) -> str:
    name = type(cause).__name__ if isinstance(cause, BaseException) else "an upload error"
    if isinstance(cause, logging.LogRecord) and cause.exc_info and cause.exc_info[0]:
        name = cause.exc_info[0].__name__
    return (
        f"recording the LangSmith experiment at {_where()} {what}: {name} "
        "(check LANGSMITH_ENDPOINT and LANGSMITH_API_KEY)"
    )


def _where() -> str:
    # host:port only: an endpoint URL may carry credentials.
    endpoint = os.environ.get("LANGSMITH_ENDPOINT") or "https://api.smith.langchain.com"
    return endpoint.split("://", 1)[-1].split("@")[-1].split("/")[0]


def _as_json(evaluation: Evaluation) -> dict[str, Any]:
    from app.evals import as_json

    return as_json(evaluation.result)


def _example_id(dataset: str, example: Example) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{dataset}/{example['id']}")


def _inputs(kind: str, example: Example) -> dict[str, Any]:
    return {key: example[key] for key in _INPUT_KEYS[kind] if key in example}


def _reference(kind: str, example: Example) -> dict[str, Any]:
    # JSON round trip: a dataset example holds plain data only.
    skip = {"id", *_INPUT_KEYS[kind]}
    return dict(json.loads(json.dumps({k: v for k, v in example.items() if k not in skip}, default=str)))
