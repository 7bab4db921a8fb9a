"""Decomposition: does the orchestrator graph find each request of a message, with its id or product."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver

from app.evals.datasets import TASK_TYPES, Example
from app.evals.runs import each
from app.evals.scoring import PRF, Failure, rate, token_f1, words
from graphs.orchestrator import build
from state.orchestrator import KNOWN_TYPES
from state.settings import Settings

TASK_FIELDS: dict[str, tuple[str, ...]] = {
    "BillingInquiry": ("invoice_number",),
    "ProductReturn": ("product_name", "reason_for_return"),
    "StatusUpdate": ("order_id",),
    "Unknown": (),
}
STRICT = "strict (ids and product names as gold has them, case and surrounding punctuation aside)"
# Two names are the same for the lenient rule when their token F1 reaches this: "blue rain jacket"
# vs "rain jacket" (0.8) matches, "rain jacket" vs "jacket" (0.67) matches, "toaster" vs "kettle" does not.
NAME_MATCH_F1 = 0.67
LENIENT = f"lenient (ids without punctuation or an INV prefix, product names by token F1 >= {NAME_MATCH_F1})"
REASON_MATCH_F1 = 0.5  # reasons are paraphrased under either rule: "it leaks" for "leaks from the bottom"
NOT_SPECIFIED = "not specified"
_DETERMINERS = frozenset("the a an my our your this that these those his her their its".split())
# What strict matching sets aside: the edges of a value up to its first and last letter or digit,
# '  "#A-900."  ' -> 'A-900'.
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def strict_form(raw: str) -> str:
    """Return a value as strict matching compares it: case folded, no punctuation or spaces at its edges."""
    return _EDGES.sub("", str(raw)).casefold()


def normalise_id(raw: str, kind: str = "") -> str:
    """Return an id as the lenient rule compares it: upper case, letters and digits only, no INV prefix."""
    compact = re.sub(r"[^0-9A-Za-z]", "", str(raw)).upper()
    if kind == "BillingInquiry" and compact.startswith("INV") and len(compact) > 3:
        compact = compact[3:]
    return compact


def normalise_name(raw: str) -> str:
    """Return a product name as the lenient rule compares it: lower case, no leading determiners or punctuation."""
    found = words(raw)
    while found and found[0] in _DETERMINERS:
        found.pop(0)
    return " ".join(found)


def same_id(kind: str, gold: str, got: str, lenient: bool = False) -> bool:
    """Tell whether a predicted invoice number or order id is the gold one."""
    if lenient:
        return normalise_id(gold, kind) == normalise_id(got, kind)
    return strict_form(gold) == strict_form(got)


def same_name(gold: str, got: str, lenient: bool = False) -> bool:
    """Tell whether a predicted product name names the gold product."""
    if lenient:
        wanted, name = normalise_name(gold), normalise_name(got)
        return wanted == name or token_f1(wanted, name) >= NAME_MATCH_F1
    return strict_form(gold) == strict_form(got)


def task_bucket(task: dict[str, Any]) -> str:
    """Return the type a task is scored as: one of the known types, or Unknown for any other kind."""
    kind = str(task.get("query_type", ""))
    return kind if kind in KNOWN_TYPES else "Unknown"


def tasks_match(gold: dict[str, Any], got: dict[str, Any], lenient: bool = False) -> bool:
    """Tell whether a predicted task is the gold task (same type and the same id or product)."""
    kind = task_bucket(gold)
    if task_bucket(got) != kind:
        return False
    if kind == "BillingInquiry":
        return same_id(kind, gold["invoice_number"], str(got.get("invoice_number", "")), lenient)
    if kind == "StatusUpdate":
        return same_id(kind, gold["order_id"], str(got.get("order_id", "")), lenient)
    if kind == "ProductReturn":
        return same_name(gold["product_name"], str(got.get("product_name", "")), lenient)
    return True


def field_correct(kind: str, name: str, gold: str, got: str, lenient: bool = False) -> bool:
    """Tell whether one field of a matched task is right."""
    if name in ("invoice_number", "order_id"):
        return same_id(kind, gold, got, lenient)
    if name == "product_name":
        return normalise_name(gold) == normalise_name(got) if lenient else strict_form(gold) == strict_form(got)
    unspecified = {"", NOT_SPECIFIED, "unspecified", "none", "n/a"}
    if gold.strip().casefold() in unspecified or got.strip().casefold() in unspecified:
        return gold.strip().casefold() in unspecified and got.strip().casefold() in unspecified
    return token_f1(gold, got, drop_stopwords=True) >= REASON_MATCH_F1


@dataclass
class Lenient:
    """The tasks matched by the lenient rule: a figure printed beside the strict one, never instead of it."""

    rule: str
    overall: PRF
    exact_messages: float


@dataclass
class DecompositionResult:
    """Precision, recall and F1 of the tasks found, matched strictly, overall, per task type and per field."""

    n: int
    rule: str
    overall: PRF
    by_type: dict[str, PRF]
    by_field: dict[str, PRF]
    exact_messages: float
    lenient: Lenient
    failures: list[Failure] = field(default_factory=list)


def score_decomposition(examples: Sequence[Example], predicted: dict[str, list[dict[str, Any]]]) -> DecompositionResult:
    """Score predicted task lists (example id -> tasks) against the gold tasks, strictly and leniently."""
    strict, loose = _Tally.of(examples, predicted, lenient=False), _Tally.of(examples, predicted, lenient=True)
    return DecompositionResult(
        n=len(examples),
        rule=STRICT,
        overall=strict.overall,
        by_type=strict.by_type,
        by_field=strict.by_field,
        exact_messages=rate(strict.exact, len(examples)),
        lenient=Lenient(LENIENT, loose.overall, rate(loose.exact, len(examples))),
        failures=strict.failures,
    )


@dataclass
class _Tally:
    """The counts of one scoring pass over a set, under one matching rule."""

    overall: PRF = field(default_factory=PRF)
    by_type: dict[str, PRF] = field(default_factory=lambda: {kind: PRF() for kind in TASK_TYPES})
    by_field: dict[str, PRF] = field(
        default_factory=lambda: {name: PRF() for names in TASK_FIELDS.values() for name in names}
    )
    exact: int = 0
    failures: list[Failure] = field(default_factory=list)

    @classmethod
    def of(cls, examples: Sequence[Example], predicted: dict[str, list[dict[str, Any]]], lenient: bool) -> _Tally:
        """Count a whole set."""
        tally = cls()
        for example in examples:
            tally.add(example, list(predicted.get(example["id"], [])), lenient)
        return tally

    def add(self, example: Example, got: list[dict[str, Any]], lenient: bool) -> None:
        """Pair one message's predicted tasks with its gold ones, first match first, and count them."""
        gold: list[dict[str, Any]] = example["tasks"]
        unmatched = list(range(len(got)))
        pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
        missed: list[dict[str, Any]] = []
        for task in gold:
            hit = next((i for i in unmatched if tasks_match(task, got[i], lenient)), None)
            if hit is None:
                missed.append(task)
            else:
                unmatched.remove(hit)
                pairs.append((task, got[hit]))
        extra = [got[i] for i in unmatched]
        for kind in TASK_TYPES:
            self.by_type[kind].add(
                tp=sum(task_bucket(g) == kind for g, _ in pairs),
                fp=sum(task_bucket(t) == kind for t in extra),
                fn=sum(task_bucket(t) == kind for t in missed),
            )
        self.overall.add(tp=len(pairs), fp=len(extra), fn=len(missed))
        wrong_fields: list[str] = []
        for kind, names in TASK_FIELDS.items():
            for name in names:
                right = [
                    g
                    for g, p in pairs
                    if task_bucket(g) == kind
                    and field_correct(kind, name, _gold(g, name), str(p.get(name, "")), lenient)
                ]
                wrong_fields += [
                    f"{name}: {p.get(name)!r} for {_gold(g, name)!r}"
                    for g, p in pairs
                    if task_bucket(g) == kind and g not in right
                ]
                self.by_field[name].add(
                    tp=len(right),
                    fp=sum(task_bucket(t) == kind for t in got) - len(right),
                    fn=sum(task_bucket(t) == kind for t in gold) - len(right),
                )
        if not missed and not extra and not wrong_fields:
            self.exact += 1
        else:
            note = "; ".join(
                [*(f"missed {short(t)}" for t in missed), *(f"extra {short(t)}" for t in extra), *wrong_fields]
            )
            self.failures.append(Failure(example["id"], gold, got, note))


def _gold(task: dict[str, Any], name: str) -> str:
    # A return labelled without a reason is one whose message gives none.
    return str(task.get(name, NOT_SPECIFIED))


def short(task: dict[str, Any]) -> str:
    """Say a task in a few words: its type and its values."""
    values = [str(v) for k, v in task.items() if k != "query_type"]
    return f"{task.get('query_type')}({', '.join(values)[:60]})"


def predict_decomposition(settings: Settings) -> Callable[[Example], Awaitable[list[dict[str, Any]]]]:
    """Return the function that sends one example through the graph (`run_decomposition` runs it on each)."""
    # The run stops after decompose: the workers, which open cases and RMAs, never act on an eval.
    graph = build().compile(checkpointer=InMemorySaver(), interrupt_after=["decompose"])

    async def run(example: Example) -> list[dict[str, Any]]:
        config: RunnableConfig = {"configurable": {"thread_id": f"eval-{example['id']}-{uuid.uuid4().hex}"}}
        await graph.ainvoke({"query": example["text"]}, config=config, context=settings)
        values = (await graph.aget_state(config)).values
        return [*(values.get("tasks") or []), *(values.get("overflow") or [])]

    return run


async def run_decomposition(
    examples: Sequence[Example], settings: Settings, errors: dict[str, str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Run every message through the orchestrator graph; return example id -> tasks (dispatched and overflow)."""
    return await each(examples, predict_decomposition(settings), errors)
