"""Analysis: entities, sentiment and topics of the analysis graph; findings of the report graph."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.evals.datasets import ENTITY_TYPES, SENTIMENTS, Example
from app.evals.runs import each
from app.evals.scoring import PRF, Failure, rate
from graphs.analysis import build as build_analysis
from graphs.report import build as build_report
from state.analysis import DocumentInput
from state.settings import Settings


def normalise_entity(name: str) -> str:
    """Return an entity name in comparable form: case folded, no edge punctuation or leading 'the'."""
    text = " ".join(str(name).replace("’", "'").split()).casefold().strip(" .,;:!?\"'()[]")
    return text[4:] if text.startswith("the ") else text


@dataclass
class AnalysisResult:
    """Entity precision and recall (with and without types), sentiment accuracy, report findings."""

    documents: int
    entities_typed: PRF
    entities_untyped: PRF
    by_type: dict[str, PRF]
    sentiment_accuracy: float
    sentiment_confusion: dict[str, dict[str, int]]
    findings_recall: dict[str, float]
    findings_mislabelled: int
    empty_reports: int
    topic_recall: float
    failures: list[Failure] = field(default_factory=list)


FINDING_KINDS = ("risks", "opportunities", "requirements")


def _entity_names(entity: dict[str, Any]) -> set[str]:
    return {normalise_entity(n) for n in [entity["name"], *entity.get("aliases", [])]}


def score_analysis(examples: Sequence[Example], predicted: dict[str, dict[str, Any]]) -> AnalysisResult:
    """Score analysis outputs (example id -> {sentiment, entities, risks, ...}) against the labels."""
    typed, untyped = PRF(), PRF()
    by_type = {t: PRF() for t in ENTITY_TYPES}
    confusion = {s: dict.fromkeys(SENTIMENTS, 0) for s in SENTIMENTS}
    right_sentiment = 0
    found = dict.fromkeys(FINDING_KINDS, 0)
    wanted = dict.fromkeys(FINDING_KINDS, 0)
    mislabelled = empty = topics_hit = topics_total = 0
    failures: list[Failure] = []
    for example in examples:
        out = predicted.get(example["id"], {})
        label = str(out.get("sentiment", "(none)"))
        confusion[example["sentiment"]][label] = confusion[example["sentiment"]].get(label, 0) + 1
        if label == example["sentiment"]:
            right_sentiment += 1
        else:
            failures.append(Failure(example["id"], example["sentiment"], label, "sentiment"))
        for with_type, counts in ((True, typed), (False, untyped)):
            tp, fp, fn, misses, extras, per_type = _entity_counts(
                example["entities"], out.get("entities", []), with_type
            )
            counts.add(tp=tp, fp=fp, fn=fn)
            if with_type:
                for kind, (t_tp, t_fp, t_fn) in per_type.items():
                    by_type[kind].add(tp=t_tp, fp=t_fp, fn=t_fn)
                if misses or extras:
                    failures.append(
                        Failure(example["id"], misses, extras, "entities (missed -> expected, extra -> got)")
                    )
        lists = {kind: [str(item).casefold() for item in out.get(kind, [])] for kind in FINDING_KINDS}
        gold_any = False
        for kind in FINDING_KINDS:
            for fragment in example.get(kind, []):
                gold_any = True
                wanted[kind] += 1
                needle = fragment.casefold()
                if any(needle in item for item in lists[kind]):
                    found[kind] += 1
                    continue
                elsewhere = [k for k in FINDING_KINDS if k != kind and any(needle in item for item in lists[k])]
                mislabelled += bool(elsewhere)
                failures.append(Failure(example["id"], f"{kind}: {fragment}", elsewhere or "not found", "report"))
        if gold_any and not any(lists.values()):
            empty += 1
        names = [str(t).casefold() for t in out.get("topics", [])]
        for phrase in example.get("topics", []):
            topics_total += 1
            needle = phrase.casefold()
            if any(needle in n or (len(n) > 3 and n in needle) for n in names):
                topics_hit += 1
    return AnalysisResult(
        documents=len(examples),
        entities_typed=typed,
        entities_untyped=untyped,
        by_type={k: v for k, v in by_type.items() if v.tp + v.fp + v.fn},
        sentiment_accuracy=rate(right_sentiment, len(examples)),
        sentiment_confusion=confusion,
        findings_recall={k: rate(found[k], wanted[k]) for k in FINDING_KINDS},
        findings_mislabelled=mislabelled,
        empty_reports=empty,
        topic_recall=rate(topics_hit, topics_total),
        failures=failures,
    )


def _entity_counts(
    gold: list[dict[str, Any]], got: list[dict[str, Any]], with_type: bool
) -> tuple[int, int, int, list[str], list[str], dict[str, tuple[int, int, int]]]:
    """Match predicted entities to gold ones; a prediction matching an optional entity is ignored."""
    matched: set[int] = set()
    extras: list[str] = []
    per_type: Counter[tuple[str, str]] = Counter()
    seen: set[tuple[str, str]] = set()
    for entity in got:
        key = (normalise_entity(entity.get("name", "")), str(entity.get("type", "")) if with_type else "")
        if key in seen:
            continue  # the same entity listed twice is one prediction
        seen.add(key)
        hits = [
            i
            for i, g in enumerate(gold)
            if key[0] in _entity_names(g) and (not with_type or g["type"] == entity.get("type"))
        ]
        if not hits:
            extras.append(f"{entity.get('name')} ({entity.get('type')})")
            per_type[(str(entity.get("type")), "fp")] += 1
            continue
        for i in hits:
            if not gold[i].get("optional") and i not in matched:
                matched.add(i)
                per_type[(gold[i]["type"], "tp")] += 1
    required = [i for i, g in enumerate(gold) if not g.get("optional")]
    misses = [f"{gold[i]['name']} ({gold[i]['type']})" for i in required if i not in matched]
    for i in required:
        if i not in matched:
            per_type[(gold[i]["type"], "fn")] += 1
    kinds = {k for k, _ in per_type}
    table = {k: (per_type[(k, "tp")], per_type[(k, "fp")], per_type[(k, "fn")]) for k in kinds}
    return len(matched), len(extras), len(misses), misses, extras, table


def predict_analysis(settings: Settings) -> Callable[[Example], Awaitable[dict[str, Any]]]:
    """Return the function that sends one example through the graph (`run_analysis` runs it on each)."""
    analysis, report = build_analysis().compile(), build_report().compile()

    async def run(example: Example) -> dict[str, Any]:
        payload = DocumentInput(document=example["document"])
        first = await analysis.ainvoke(payload, context=settings)
        second = await report.ainvoke(payload, context=settings)
        return {
            "sentiment": first.get("sentiment", {}).get("label"),
            "entities": first.get("entities", []),
            "topics": [t["name"] for t in first.get("topics", [])],
            **{kind: second.get(kind, []) for kind in FINDING_KINDS},
        }

    return run


async def run_analysis(
    examples: Sequence[Example], settings: Settings, errors: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """Run each document through the analysis and report graphs; return example id -> findings."""
    return await each(examples, predict_analysis(settings), errors)
