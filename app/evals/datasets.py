"""Labelled sets: read a JSONL file of one kind and check every example's shape and labels.

The shapes below are the formats of `evals/README.md`; a file that breaks them is refused with
one line naming the file, the line and the problem, before any graph runs.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, NotRequired, get_args

from pydantic import AfterValidator, ConfigDict, Field, TypeAdapter, ValidationError, with_config
from pydantic_core import ErrorDetails
from typing_extensions import TypedDict

from state.analysis import Entity, Sentiment
from state.inputs import InputError
from state.orchestrator import KNOWN_TYPES
from state.router import Intent

Kind = Literal["routing", "decomposition", "faq", "analysis"]
KINDS: tuple[Kind, ...] = ("routing", "decomposition", "faq", "analysis")
Example = dict[str, Any]

SENTIMENTS: tuple[str, ...] = get_args(Sentiment.model_fields["label"].annotation)
ENTITY_TYPES: tuple[str, ...] = get_args(Entity.model_fields["type"].annotation)
TASK_TYPES = (*KNOWN_TYPES, "Unknown")


class DatasetError(InputError):
    """A dataset file is missing, unreadable or has an example of the wrong shape."""


def _one_of(allowed: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"not one of {', '.join(allowed)}")
        return value

    return check


Text = Annotated[str, Field(min_length=1)]
Strict = with_config(ConfigDict(strict=True))  # an id of 7 or a count of "2" is an error, not converted


@Strict
class RoutingExample(TypedDict):
    """A message and the intent it needs."""

    id: Text
    text: Text
    label: Intent
    lang: NotRequired[str]
    kinds: NotRequired[list[str]]


@Strict
class BillingTask(TypedDict):
    """A question about an invoice."""

    query_type: Literal["BillingInquiry"]
    invoice_number: Text


@Strict
class ReturnTask(TypedDict):
    """A product to take back; without a reason, the reason is "not specified"."""

    query_type: Literal["ProductReturn"]
    product_name: Text
    reason_for_return: NotRequired[str]


@Strict
class StatusTask(TypedDict):
    """An order whose status is asked for."""

    query_type: Literal["StatusUpdate"]
    order_id: Text


@Strict
class UnknownTask(TypedDict):
    """A request of any other kind (its text is not scored)."""

    query_type: Literal["Unknown"]


GoldTask = Annotated[BillingTask | ReturnTask | StatusTask | UnknownTask, Field(discriminator="query_type")]


@Strict
class DecompositionExample(TypedDict):
    """A message and the requests in it, in order."""

    id: Text
    text: Text
    tasks: list[GoldTask]


@Strict
class Source(TypedDict):
    """A document the FAQ is written from."""

    title: Text
    content: Text


@Strict
class LabelledQuestion(TypedDict):
    """A question and the sources that answer it (none: the sources do not answer it)."""

    question: Text
    titles: list[str]
    answer_contains: NotRequired[list[str]]


@Strict
class FaqExample(TypedDict):
    """A set of sources, how many questions to write, and labelled questions about them."""

    id: Text
    sources: Annotated[list[Source], Field(min_length=1)]
    num_questions: Annotated[int, Field(ge=1)]
    questions: NotRequired[list[LabelledQuestion]]


@Strict
class GoldEntity(TypedDict):
    """An entity the document names; an optional one is neither required nor an error when found."""

    name: Text
    type: Annotated[str, AfterValidator(_one_of(ENTITY_TYPES))]
    aliases: NotRequired[list[str]]
    optional: NotRequired[bool]


@Strict
class AnalysisExample(TypedDict):
    """A document, its tone, its entities, and what its report and topics should hold."""

    id: Text
    document: Text
    sentiment: Annotated[str, AfterValidator(_one_of(SENTIMENTS))]
    entities: list[GoldEntity]
    risks: NotRequired[list[str]]
    opportunities: NotRequired[list[str]]
    requirements: NotRequired[list[str]]
    topics: NotRequired[list[str]]


_SHAPES: dict[Kind, TypeAdapter[Any]] = {
    "routing": TypeAdapter(RoutingExample),
    "decomposition": TypeAdapter(DecompositionExample),
    "faq": TypeAdapter(FaqExample),
    "analysis": TypeAdapter(AnalysisExample),
}


def load_dataset(path: str | Path, kind: Kind) -> list[Example]:
    """Read a JSONL dataset of the given kind; raise DatasetError on the first line that breaks its format."""
    if kind not in _SHAPES:
        raise DatasetError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    examples: list[Example] = []
    seen: set[str] = set()
    for where, example in json_lines(path):
        problem = _problem(example, kind)
        if problem is None and example["id"] in seen:
            problem = f"duplicate id {example['id']!r}"
        if problem:
            raise DatasetError(f"{where}: {problem}")
        seen.add(example["id"])
        examples.append(example)
    if not examples:
        raise DatasetError(f"{path}: no examples")
    return examples


def json_lines(path: str | Path) -> Iterator[tuple[str, Any]]:
    """Yield ("FILE:LINE", the parsed JSON) for each non-blank line; DatasetError names the line that is not JSON."""
    # Split as bytes: a line's number is the one an editor shows, and a binary line is named.
    for number, raw in enumerate(_read(Path(path)).splitlines(), 1):
        where = f"{path}:{number}"
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise DatasetError(f"{where}: not UTF-8 text (is this a JSONL file?)") from None
        if not line.strip():
            continue
        try:
            yield where, json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: not JSON ({exc.msg})") from None


def _read(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise DatasetError(f"cannot read {path}: it is a directory")
        if not stat.S_ISREG(mode):
            # A FIFO or a device would block or never end.
            raise DatasetError(f"cannot read {path}: not a regular file")
        return path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc.strerror or exc}") from None


def _problem(example: Any, kind: Kind) -> str | None:
    """Say what is wrong with one example of a kind, or None when nothing is."""
    if not isinstance(example, dict):
        return f"not a JSON object but {type(example).__name__}"
    try:
        _SHAPES[kind].validate_python(example)
    except ValidationError as exc:
        other = next((k for k in KINDS if k != kind and _fits(example, k)), None)
        if other:
            return f"a {other} example, not a {kind} one (is this the right file?)"
        return _say(exc.errors()[0])
    if kind == "faq":
        titles = {source["title"] for source in example["sources"]}
        for n, question in enumerate(example.get("questions", [])):
            unknown = [title for title in question["titles"] if title not in titles]
            if unknown:
                return f"questions[{n}].titles: {unknown[0]!r} is not the title of one of the sources"
    return None


def _fits(example: dict[str, Any], kind: Kind) -> bool:
    try:
        _SHAPES[kind].validate_python(example)
    except ValidationError:
        return False
    return True


def _say(error: ErrorDetails) -> str:
    """Say one validation error in a few words: where in the example, what was found, what is wanted."""
    where = ""
    for part in error["loc"]:
        if isinstance(part, int):
            where += f"[{part}]"
        elif part not in TASK_TYPES:  # a task's type, which pydantic adds to the path of its fields
            where += f".{part}" if where else str(part)
    if error["type"] == "missing":
        return f"needs {where}"
    if error["type"] == "union_tag_not_found":
        return f"needs {where}.query_type"
    if error["type"] == "union_tag_invalid":
        return f"{where}.query_type {json.dumps(error['input']['query_type'])}: not one of {', '.join(TASK_TYPES)}"
    found = error["input"]
    shown = f" {json.dumps(found, ensure_ascii=False)[:40]}" if isinstance(found, str | int | float | bool) else ""
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}{shown}: {message}"
