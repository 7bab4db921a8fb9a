"""Score the graphs on labelled sets: routing, decomposition, FAQ and analysis.

Each kind has a thin runner (`run_KIND`) that sends every example through the real graph on the
active provider and returns plain predictions keyed by example id, and a pure scorer
(`score_KIND`) that compares predictions with the labels. `evaluate(kind, path, settings)` does
both. Results are dataclasses of plain values (`as_json` gives JSON) with a list of failures.
For a terminal, pure functions turn a result into tables (`confusion_table`, `failure_table`,
`prf_table`) and `render_lines` lays them out in 80 columns. The dataset formats and the matching
rules are described in `evals/README.md`.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import itertools
import json
import re
import textwrap
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver

from state.analysis import DocumentInput
from state.chain import FaqInput
from state.inputs import InputError
from state.router import INTENTS
from state.settings import Settings
from state.support import KNOWN_TYPES

Kind = Literal["routing", "decomposition", "faq", "analysis"]
KINDS: tuple[Kind, ...] = ("routing", "decomposition", "faq", "analysis")
Example = dict[str, Any]

# How many examples run at once: enough to overlap a remote provider's latency, few enough to
# stay under its rate limits. The offline engine is CPU-bound, so more would not help it.
CONCURRENCY = 4


class DatasetError(ValueError):
    """A dataset file is missing, unreadable or has an example of the wrong shape."""


@dataclass
class Failure:
    """One example the graph got wrong, with what was expected and what came out."""

    id: str
    expected: Any
    got: Any
    note: str = ""


@dataclass
class PRF:
    """Counts of true positives, false positives and false negatives, with the derived rates."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0

    def add(self, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        """Add counts and recompute the rates."""
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn
        # An empty side counts as perfect: no prediction is never a wrong prediction.
        self.precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        self.recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        total = self.precision + self.recall
        self.f1 = 2 * self.precision * self.recall / total if total else 0.0


def _rate(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 1.0


# ---------------------------------------------------------------- datasets


_REQUIRED: dict[Kind, tuple[str, ...]] = {
    "routing": ("id", "text", "label"),
    "decomposition": ("id", "text", "tasks"),
    "faq": ("id", "sources", "num_questions"),
    "analysis": ("id", "document", "sentiment", "entities"),
}


def load_dataset(path: str | Path, kind: Kind) -> list[Example]:
    """Read a JSONL dataset of the given kind, checking that every example has its required keys."""
    if kind not in _REQUIRED:
        raise DatasetError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc.strerror or exc}") from None
    examples: list[Example] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            example = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{number}: not JSON ({exc.msg})") from None
        missing = [key for key in _REQUIRED[kind] if not isinstance(example, dict) or key not in example]
        if missing:
            raise DatasetError(f"{path}:{number}: a {kind} example needs {', '.join(missing)}")
        if example["id"] in seen:
            raise DatasetError(f"{path}:{number}: duplicate id {example['id']!r}")
        if kind == "routing" and example["label"] not in INTENTS:
            raise DatasetError(f"{path}:{number}: label {example['label']!r} is not one of {', '.join(INTENTS)}")
        seen.add(example["id"])
        examples.append(example)
    if not examples:
        raise DatasetError(f"{path}: no examples")
    return examples


# ---------------------------------------------------------------- routing


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
        accuracy=_rate(right, len(examples)),
        confusion=confusion,
        by_kind={k: _rate(sum(v), len(v)) for k, v in sorted(kinds.items())},
        by_lang={k: _rate(sum(v), len(v)) for k, v in sorted(langs.items())},
        failures=failures,
    )


# ---------------------------------------------------------------- decomposition

TASK_TYPES = (*KNOWN_TYPES, "Unknown")
TASK_FIELDS: dict[str, tuple[str, ...]] = {
    "BillingInquiry": ("invoice_number",),
    "ProductReturn": ("product_name", "reason_for_return"),
    "StatusUpdate": ("order_id",),
    "Unknown": (),
}
_DETERMINERS = frozenset("the a an my our your this that these those his her their its".split())
# Words that carry no meaning for comparing reasons or answers.
_STOP = frozenset(
    """
    a an the and or but of to in on at for with from by as is are was were be been it its this that
    these those i me my we our you your they them their he she his her not no so very too just than
    then there here has have had do does did can could will would should may might must
    """.split()
)
# Two names (or reasons) are the same when their token F1 reaches this: "blue rain jacket" vs
# "rain jacket" (0.8) matches, "rain jacket" vs "jacket" (0.67) matches, "toaster" vs "kettle" does not.
NAME_MATCH_F1 = 0.67
REASON_MATCH_F1 = 0.5


def normalise_id(raw: str, kind: str = "") -> str:
    """Return an id in comparable form: upper case, letters and digits only, no INV prefix for invoices."""
    compact = re.sub(r"[^0-9A-Za-z]", "", str(raw)).upper()
    if kind == "BillingInquiry" and compact.startswith("INV") and len(compact) > 3:
        compact = compact[3:]
    return compact


def _words(text: str) -> list[str]:
    return re.findall(r"[0-9a-z]+(?:'[a-z]+)?", str(text).casefold())


def normalise_name(raw: str) -> str:
    """Return a product name in comparable form: lower case, no leading determiners or punctuation."""
    words = _words(raw)
    while words and words[0] in _DETERMINERS:
        words.pop(0)
    return " ".join(words)


def token_f1(a: str, b: str, drop_stopwords: bool = False) -> float:
    """Return the F1 overlap of two texts' word multisets."""
    wa, wb = Counter(_words(a)), Counter(_words(b))
    if drop_stopwords:
        wa = Counter({w: c for w, c in wa.items() if w not in _STOP}) or wa
        wb = Counter({w: c for w, c in wb.items() if w not in _STOP}) or wb
    common = sum((wa & wb).values())
    if not common:
        return 0.0
    precision, recall = common / sum(wb.values()), common / sum(wa.values())
    return 2 * precision * recall / (precision + recall)


def task_bucket(task: dict[str, Any]) -> str:
    """Return the type a task is scored as: one of the known types, or Unknown for any other kind."""
    kind = str(task.get("query_type", ""))
    return kind if kind in KNOWN_TYPES else "Unknown"


def tasks_match(gold: dict[str, Any], got: dict[str, Any]) -> bool:
    """Tell whether a predicted task is the gold task (same type and the same id or product)."""
    kind = task_bucket(gold)
    if task_bucket(got) != kind:
        return False
    if kind == "BillingInquiry":
        return normalise_id(gold["invoice_number"], kind) == normalise_id(got.get("invoice_number", ""), kind)
    if kind == "StatusUpdate":
        return normalise_id(gold["order_id"], kind) == normalise_id(got.get("order_id", ""), kind)
    if kind == "ProductReturn":
        wanted, name = normalise_name(gold["product_name"]), normalise_name(got.get("product_name", ""))
        return wanted == name or token_f1(wanted, name) >= NAME_MATCH_F1
    return True


def field_correct(kind: str, name: str, gold: str, got: str) -> bool:
    """Tell whether one field of a matched task is right."""
    if name in ("invoice_number", "order_id"):
        return normalise_id(gold, kind) == normalise_id(got, kind)
    if name == "product_name":
        return normalise_name(gold) == normalise_name(got)
    unspecified = {"", "not specified", "unspecified", "none", "n/a"}
    if gold.strip().casefold() in unspecified or got.strip().casefold() in unspecified:
        return gold.strip().casefold() in unspecified and got.strip().casefold() in unspecified
    return token_f1(gold, got, drop_stopwords=True) >= REASON_MATCH_F1


@dataclass
class DecompositionResult:
    """Precision, recall and F1 of the tasks found, overall, per task type and per field."""

    n: int
    overall: PRF
    by_type: dict[str, PRF]
    by_field: dict[str, PRF]
    exact_messages: float
    failures: list[Failure] = field(default_factory=list)


def score_decomposition(examples: Sequence[Example], predicted: dict[str, list[dict[str, Any]]]) -> DecompositionResult:
    """Score predicted task lists (example id -> tasks) against the gold tasks."""
    overall = PRF()
    by_type = {kind: PRF() for kind in TASK_TYPES}
    by_field = {name: PRF() for names in TASK_FIELDS.values() for name in names}
    failures: list[Failure] = []
    exact = 0
    for example in examples:
        gold: list[dict[str, Any]] = example["tasks"]
        got = list(predicted.get(example["id"], []))
        unmatched = list(range(len(got)))
        pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
        missed: list[dict[str, Any]] = []
        for task in gold:
            hit = next((i for i in unmatched if tasks_match(task, got[i])), None)
            if hit is None:
                missed.append(task)
            else:
                unmatched.remove(hit)
                pairs.append((task, got[hit]))
        extra = [got[i] for i in unmatched]
        for kind in TASK_TYPES:
            by_type[kind].add(
                tp=sum(task_bucket(g) == kind for g, _ in pairs),
                fp=sum(task_bucket(t) == kind for t in extra),
                fn=sum(task_bucket(t) == kind for t in missed),
            )
        overall.add(tp=len(pairs), fp=len(extra), fn=len(missed))
        wrong_fields: list[str] = []
        for kind, names in TASK_FIELDS.items():
            for name in names:
                right = [
                    g
                    for g, p in pairs
                    if task_bucket(g) == kind and field_correct(kind, name, str(g[name]), str(p.get(name, "")))
                ]
                wrong_fields += [
                    f"{name}: {p.get(name)!r} for {g[name]!r}"
                    for g, p in pairs
                    if task_bucket(g) == kind and g not in right
                ]
                by_field[name].add(
                    tp=len(right),
                    fp=sum(task_bucket(t) == kind for t in got) - len(right),
                    fn=sum(task_bucket(t) == kind for t in gold) - len(right),
                )
        if not missed and not extra and not wrong_fields:
            exact += 1
        else:
            note = "; ".join(
                [*(f"missed {_short(t)}" for t in missed), *(f"extra {_short(t)}" for t in extra), *wrong_fields]
            )
            failures.append(Failure(example["id"], gold, got, note))
    return DecompositionResult(
        n=len(examples),
        overall=overall,
        by_type=by_type,
        by_field=by_field,
        exact_messages=_rate(exact, len(examples)),
        failures=failures,
    )


def _short(task: dict[str, Any]) -> str:
    values = [str(v) for k, v in task.items() if k != "query_type"]
    return f"{task.get('query_type')}({', '.join(values)[:60]})"


# ---------------------------------------------------------------- FAQ

_INTERROGATIVE = frozenset(
    """
    what how why when where who whom whose which is are was were am do does did can could should would
    will shall may might must has have had
    """.split()
)
# A question ending on one of these has lost its object ("What is the key to the?").
_DANGLING = frozenset(
    "the a an and or but nor of my your our their its his her this these those that which whose very".split()
)
# Wording that talks about the sources instead of asking what they say.
_META = re.compile(
    r"\b(?:the|this|that|these)\s+(?:source|sources|text|document|passage|article)s?\s+(?:say|says|said|mention|tell)"
    r"|\baccording to the (?:source|text|document|passage|article)\b"
    r"|^what\s+(?:is|was|are)\s+(?:said|written|mentioned|stated)\s+(?:about|of|on)\b",
    re.IGNORECASE,
)
# A clause opener where the subject should be: "How is when magma reaches ...", "What does even if ...".
_CLAUSE_AS_SUBJECT = re.compile(
    r"^(?:what|how|why|when|where|who|which)\s+(?:is|are|was|were|do|does|did|can|could|should|will|would|must|may)"
    r"\s+(?:even\s+)?(?:when|if|because|while|although|though|whether|unless|since|once|where|why|how|what|who)\b",
    re.IGNORECASE,
)
# "How is it called?" is a calque: English asks what something is called.
_HOW_CALLED = re.compile(r"^how\s+(?:is|are|was|were)\b.*\b(?:called|named)$", re.IGNORECASE)
# "How"/"why"/"when" cannot be the object of a preposition, so none can end the question
# ("How is the ideal temperature between?"); "what", "which", "who", "where" and "how much/many" can.
_NO_STRANDING = re.compile(r"^(?:how(?!\s+(?:much|many|long|often|far))|why|when)\b", re.IGNORECASE)
_PREPOSITIONS = frozenset(
    """
    about above across after against along among around at before behind below beneath beside between beyond by
    despite during for from in inside into near of off on onto out outside over past since through throughout
    to toward towards under until up upon via with within without
    """.split()
)
_NOMINATIVE = frozenset("i he she we they it".split())
_FUNCTION = (
    _INTERROGATIVE
    | _PREPOSITIONS
    | frozenset(
        "and or but so if when while because although though that which who whom whose whether unless since once"
        " not".split()
    )
)
_DO_SUPPORT = re.compile(r"^(?:what|how|why|when|where|who|which)\s+(?:do|does|did)\s+(?P<rest>.*)$", re.IGNORECASE)


def question_problems(question: str) -> list[str]:
    """Return why a question is not a grammatical English question; an empty list means it passes.

    The checks: one question mark, at the end; an opening interrogative word or auxiliary; 3 to 30
    words; no adjacent repeated word; no dangling determiner, conjunction or 'of' before the mark;
    no talk about "the source" or about what "is said about" something; after "wh- + do/does/did",
    a subject and a verb (two more words), and no third-person "-s" form right after a one-word
    subject ("What does it takes?"); no clause opener where the subject belongs ("How is when ...");
    no "How is X called?"; no preposition ending a how/why/when question; no subject pronoun
    glued to a noun before a verb ("... the surface it called"); and no second finite verb inside a
    wh-question's subject ("What is the poke test tells you ...?", checked with LemmInflect's tables).
    """
    problems: list[str] = []
    text = " ".join(question.split())
    words = re.findall(r"[A-Za-z0-9'’-]+", text)
    if not text.endswith("?") or text.count("?") != 1:
        problems.append("does not end with a single question mark")
    if not words or words[0].lower() not in _INTERROGATIVE:
        problems.append("does not open with an interrogative word or auxiliary")
    if not 3 <= len(words) <= 30:
        problems.append(f"has {len(words)} words (3 to 30 expected)")
    lowered = [w.lower() for w in words]
    if any(a == b for a, b in itertools.pairwise(lowered)):
        problems.append("repeats a word")
    if lowered and lowered[-1] in _DANGLING:
        problems.append(f"ends on {words[-1]!r}")
    if _META.search(text):
        problems.append("asks about the source instead of the subject")
    do = _DO_SUPPORT.match(text.rstrip("?"))
    if do:
        rest = re.findall(r"[A-Za-z0-9'’-]+", do["rest"])
        if len(rest) < 2:
            problems.append("has do-support without a subject and a verb")
        elif len(rest) == 2 and rest[1].lower().endswith("s") and not rest[1].lower().endswith("ss"):
            problems.append(f"inflects the verb after do-support ({rest[1]!r})")
    bare = text.rstrip("?").strip()
    if _CLAUSE_AS_SUBJECT.match(bare):
        problems.append("has a clause where the subject should be")
    if _HOW_CALLED.match(bare):
        problems.append("asks 'how' something is called (English asks 'what')")
    if lowered and lowered[-1] in _PREPOSITIONS and _NO_STRANDING.match(bare):
        problems.append(f"strands {words[-1]!r} after a how/why/when question")
    for before, pronoun, after in zip(lowered, lowered[1:], lowered[2:], strict=False):
        if pronoun in _NOMINATIVE and before not in _FUNCTION and _can_be_noun(before) and _is_verb_form(after):
            problems.append(f"runs two clauses together ('{before} {pronoun} {after}')")
            break
    if lowered and lowered[0] in _WH and len(lowered) > 3:
        body = lowered[2:]
        cut = next((i for i, w in enumerate(body) if w in _FUNCTION), len(body))
        finite = [w for w in body[:cut] if _only_finite_verb(w)]
        if finite and lowered[1] in ("is", "are", "was", "were", "does", "do", "did"):
            problems.append(f"has a second finite verb ({finite[0]!r})")
    return problems


_WH = frozenset("what how why when where who which whose".split())


def _lemmas(word: str) -> dict[str, Any]:
    import lemminflect  # the tables load on first use: only scoring FAQ questions needs them

    found: dict[str, Any] = lemminflect.getAllLemmas(word)
    return found


def _can_be_noun(word: str) -> bool:
    found = _lemmas(word)
    return not found or "NOUN" in found or "PROPN" in found


def _is_verb_form(word: str) -> bool:
    return "VERB" in _lemmas(word) and word not in _FUNCTION


def _only_finite_verb(word: str) -> bool:
    """Tell whether a word can only be a finite lexical verb: "tells", "develops", "reaches"."""
    import lemminflect

    found = _lemmas(word)
    if set(found) != {"VERB"}:
        return False
    forms = {
        tag
        for lemma in found["VERB"]
        for tag, spelled in lemminflect.getAllInflections(lemma).items()
        if word in spelled
    }
    return bool(forms) and forms <= {"VBZ", "VBD"} and not (forms == {"VBD"} and word.endswith("ed"))


# An answer sentence is supported by a source when at least this share of its content words
# occur in the source: extractive answers score 1.0, a faithful paraphrase about 0.7.
SUPPORT_SHARE = 0.6


def _content(text: str) -> list[str]:
    return [
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        for w in _words(text)
        if w not in _STOP and len(w) > 2
    ]


def supported(sentence: str, source: str) -> bool:
    """Tell whether a source contains enough of a sentence's content words to support it."""
    words = _content(sentence)
    if not words:
        return True
    vocabulary = set(_content(source))
    return sum(w in vocabulary for w in words) / len(words) >= SUPPORT_SHARE


def grounded(answer: str, cited: Sequence[str]) -> bool:
    """Tell whether every sentence of the answer is supported by one of the cited sources' contents."""
    parts = [p for p in re.split(r"(?<=[.!?])\s+", answer.strip()) if p]
    return bool(cited) and bool(parts) and all(any(supported(p, c) for c in cited) for p in parts)


@dataclass
class FaqResult:
    """How the FAQ graph's own questions and the labelled questions fared."""

    sets: int
    questions: int
    requested: int
    grammatical: float
    answerable: float
    citation_validity: float
    groundedness: float
    labelled: int
    labelled_accuracy: float
    unanswerable_accuracy: float
    failures: list[Failure] = field(default_factory=list)


def score_faq(examples: Sequence[Example], predicted: dict[str, dict[str, Any]]) -> FaqResult:
    """Score FAQ outputs (example id -> {"generated": entries, "labelled": entries}) against the sources."""
    questions = requested = grammatical = answerable = cited = valid = grounded_count = 0
    labelled = labelled_right = unanswerable = unanswerable_right = 0
    failures: list[Failure] = []
    for example in examples:
        titles = {s["title"]: s["content"] for s in example["sources"]}
        out = predicted.get(example["id"], {})
        generated = out.get("generated", [])
        requested += int(example["num_questions"])
        if len(generated) < int(example["num_questions"]):
            note = f"too few questions: {out['error']}" if out.get("error") else "too few questions"
            failures.append(Failure(example["id"], example["num_questions"], len(generated), note))
        for entry in generated:
            questions += 1
            problems = question_problems(entry["question"])
            grammatical += not problems
            if problems:
                failures.append(
                    Failure(example["id"], "a grammatical question", entry["question"], "; ".join(problems))
                )
            if not entry.get("answerable"):
                continue
            answerable += 1
            sources = list(entry.get("sources", []))
            if sources:
                cited += 1
                unknown = [t for t in sources if t not in titles]
                valid += not unknown
                if unknown:
                    failures.append(Failure(example["id"], sorted(titles), sources, "cites unknown titles"))
            if grounded(entry.get("answer", ""), [titles[t] for t in sources if t in titles]):
                grounded_count += 1
            else:
                failures.append(Failure(example["id"], "an answer supported by a cited source", entry, "ungrounded"))
        gold_questions = {q["question"]: q for q in example.get("questions", [])}
        for entry in out.get("labelled", []):
            gold = gold_questions.get(entry["question"])
            if gold is None:
                continue
            if gold["titles"]:
                labelled += 1
                answer = entry.get("answer", "").casefold()
                ok = (
                    bool(entry.get("answerable"))
                    and all(fragment.casefold() in answer for fragment in gold["answer_contains"])
                    and bool(set(entry.get("sources", [])) & set(gold["titles"]))
                )
                labelled_right += ok
            else:
                unanswerable += 1
                ok = not entry.get("answerable")
                unanswerable_right += ok
            if not ok:
                failures.append(Failure(example["id"], gold, entry, "labelled question"))
    return FaqResult(
        sets=len(examples),
        questions=questions,
        requested=requested,
        grammatical=_rate(grammatical, questions),
        answerable=_rate(answerable, questions),
        citation_validity=_rate(valid, cited),
        groundedness=_rate(grounded_count, answerable),
        labelled=labelled,
        labelled_accuracy=_rate(labelled_right, labelled),
        unanswerable_accuracy=_rate(unanswerable_right, unanswerable),
        failures=failures,
    )


# ---------------------------------------------------------------- analysis


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


SENTIMENTS = ("positive", "negative", "neutral", "mixed")
FINDING_KINDS = ("risks", "opportunities", "requirements")


def _entity_names(entity: dict[str, Any]) -> set[str]:
    return {normalise_entity(n) for n in [entity["name"], *entity.get("aliases", [])]}


def score_analysis(examples: Sequence[Example], predicted: dict[str, dict[str, Any]]) -> AnalysisResult:
    """Score analysis outputs (example id -> {sentiment, entities, risks, ...}) against the labels."""
    typed, untyped = PRF(), PRF()
    types = ("PERSON", "ORGANIZATION", "LOCATION", "PRODUCT", "DATE", "MONEY", "IDENTIFIER", "OTHER")
    by_type = {t: PRF() for t in types}
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
        sentiment_accuracy=_rate(right_sentiment, len(examples)),
        sentiment_confusion=confusion,
        findings_recall={k: _rate(found[k], wanted[k]) for k in FINDING_KINDS},
        findings_mislabelled=mislabelled,
        empty_reports=empty,
        topic_recall=_rate(topics_hit, topics_total),
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


# ---------------------------------------------------------------- runners (the only part that knows the graphs)


# Set by `evaluate` for the runs it makes: an example whose run raises is recorded here (id -> the
# error) and left out of the predictions, so one provider error does not end a whole evaluation.
# A runner called on its own raises as usual.
_run_errors: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("run_errors", default=None)


async def _each(examples: Sequence[Example], run: Callable[[Example], Awaitable[Any]]) -> dict[str, Any]:
    gate = asyncio.Semaphore(CONCURRENCY)
    errors = _run_errors.get()

    async def one(example: Example) -> tuple[str, Any] | None:
        async with gate:
            try:
                return example["id"], await run(example)
            except Exception as exc:
                if errors is None:
                    raise
                errors[example["id"]] = f"{type(exc).__name__}: {exc}"
                return None

    return dict(pair for pair in await asyncio.gather(*(one(e) for e in examples)) if pair is not None)


async def run_routing(examples: Sequence[Example], settings: Settings) -> dict[str, str]:
    """Route every example with the router graph; return example id -> routed intent."""
    from graphs.router import build

    graph = build().compile()

    async def run(example: Example) -> str:
        out = await graph.ainvoke({"query": example["text"]}, context=settings)
        return str(out["intent"])

    return await _each(examples, run)


async def run_decomposition(examples: Sequence[Example], settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Run every message through the orchestrator graph; return example id -> tasks (dispatched and overflow)."""
    from graphs.orchestrator import build

    # The run stops after decompose: the workers, which open cases and RMAs, never act on an eval.
    graph = build().compile(checkpointer=InMemorySaver(), interrupt_after=["decompose"])

    async def run(example: Example) -> list[dict[str, Any]]:
        config: RunnableConfig = {"configurable": {"thread_id": f"eval-{example['id']}-{uuid.uuid4().hex}"}}
        await graph.ainvoke({"query": example["text"]}, config=config, context=settings)
        values = (await graph.aget_state(config)).values
        return [*(values.get("tasks") or []), *(values.get("overflow") or [])]

    return await _each(examples, run)


async def run_faq(examples: Sequence[Example], settings: Settings) -> dict[str, dict[str, Any]]:
    """Run the FAQ graph on each source set, then its answer stages on the labelled questions."""
    from graphs.faq import build

    generate = build().compile()
    labelled = build().compile(checkpointer=InMemorySaver())

    async def run(example: Example) -> dict[str, Any]:
        payload = FaqInput(sources=example["sources"], num_questions=int(example["num_questions"]))
        result: dict[str, Any] = {"generated": [], "labelled": []}
        try:
            result["generated"] = list((await generate.ainvoke(payload, context=settings))["faq"])
        except InputError as exc:
            # The provider refused the set (too few questions in it): the labelled questions
            # below do not depend on the generated ones, so they are still asked.
            result["error"] = str(exc)
        questions = [q["question"] for q in example.get("questions", [])]
        if questions:
            # Resume the graph as if its own stage had written these questions: the answer and
            # attribution stages, and their fan-out, run exactly as they do for generated ones.
            config: RunnableConfig = {"configurable": {"thread_id": f"eval-{example['id']}"}}
            # A request of its own, uncached: an eval measures the model, not the cache.
            update = {
                "sources": example["sources"],
                "questions": questions,
                "request_id": uuid.uuid4().hex,
                "cache_scope": {},
            }
            await labelled.aupdate_state(config, update, as_node="generate_questions")
            done = await labelled.ainvoke(None, config=config, context=settings)
            result["labelled"] = list(done["faq"])
        return result

    return await _each(examples, run)


async def run_analysis(examples: Sequence[Example], settings: Settings) -> dict[str, dict[str, Any]]:
    """Run each document through the analysis and report graphs; return example id -> findings."""
    from graphs.analysis import build as build_analysis
    from graphs.report import build as build_report

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

    return await _each(examples, run)


Result = RoutingResult | DecompositionResult | FaqResult | AnalysisResult
_RUNNERS: dict[Kind, Callable[[Sequence[Example], Settings], Awaitable[Any]]] = {
    "routing": run_routing,
    "decomposition": run_decomposition,
    "faq": run_faq,
    "analysis": run_analysis,
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


async def run_evaluation(kind: Kind, path: str | Path, settings: Settings) -> Evaluation:
    """Load a dataset, run it through the graphs of its kind and score it, keeping every prediction."""
    examples = load_dataset(path, kind)
    errors: dict[str, str] = {}
    token = _run_errors.set(errors)
    try:
        predictions = await _RUNNERS[kind](examples, settings)
    finally:
        _run_errors.reset(token)
    result = _SCORERS[kind](examples, predictions)
    # The scorer counted each failed run as a wrong answer; say why it has none.
    result.failures += [
        Failure(example_id, "a completed run", error, "run failed") for example_id, error in errors.items()
    ]
    return Evaluation(kind, examples, predictions, errors, result)


async def evaluate(kind: Kind, path: str | Path, settings: Settings) -> Result:
    """Load a dataset, run it through the graphs of its kind and score it."""
    return (await run_evaluation(kind, path, settings)).result


def as_json(result: Result) -> dict[str, Any]:
    """Return a result as plain JSON-ready data."""
    return dataclasses.asdict(result)


def summary_lines(result: Result) -> Iterable[str]:
    """Yield the headline figures of a result, one per line, for a terminal."""
    if isinstance(result, RoutingResult):
        yield f"routing accuracy {result.accuracy:.3f} on {result.n} messages"
    elif isinstance(result, DecompositionResult):
        total = result.overall
        yield f"decomposition F1 {total.f1:.3f} (P {total.precision:.3f}, R {total.recall:.3f})"
        for kind, prf in result.by_type.items():
            yield f"  {kind}: F1 {prf.f1:.3f} (P {prf.precision:.3f}, R {prf.recall:.3f}, n={prf.tp + prf.fn})"
        for name, prf in result.by_field.items():
            yield f"  field {name}: P {prf.precision:.3f}, R {prf.recall:.3f}"
    elif isinstance(result, FaqResult):
        yield (
            f"faq: {result.questions}/{result.requested} questions, grammatical {result.grammatical:.3f}, "
            f"citation validity {result.citation_validity:.3f}, groundedness {result.groundedness:.3f}, "
            f"labelled {result.labelled_accuracy:.3f}, unanswerable {result.unanswerable_accuracy:.3f}"
        )
    else:
        yield (
            f"entities typed P {result.entities_typed.precision:.3f} R {result.entities_typed.recall:.3f}; "
            f"untyped P {result.entities_untyped.precision:.3f} R {result.entities_untyped.recall:.3f}; "
            f"sentiment {result.sentiment_accuracy:.3f}"
        )
        yield (
            f"findings recall {result.findings_recall}, mislabelled {result.findings_mislabelled}, "
            f"empty reports {result.empty_reports}, topic recall {result.topic_recall:.3f}"
        )


# ---------------------------------------------------------------- terminal report (pure: data in, lines out)

WIDTH = 80  # the terminal the report is laid out for
Table = list[list[str]]  # a header row, then data rows, every cell already a string


def confusion_table(confusion: dict[str, dict[str, int]], labels: Sequence[str]) -> Table:
    """Return a confusion matrix as a table: one row per expected label, one column per label predicted.

    A predicted value outside `labels` (a provider's stray label, "(none)" for a missing answer) gets
    a column of its own, so every prediction is counted somewhere.
    """
    extra = sorted({got for row in confusion.values() for got in row} - set(labels))
    columns = [*labels, *extra]
    table: Table = [["expected \\ got", *(_short_label(c) for c in columns), "n"]]
    for gold in labels:
        row = confusion.get(gold, {})
        table.append([_short_label(gold), *(str(row.get(c, 0)) for c in columns), str(sum(row.values()))])
    return table


def failure_table(result: Result) -> Table:
    """Return the failures of a result as a table: id, what was expected, what came out, and why."""
    table: Table = [["id", "expected", "got", "note"]]
    for failure in result.failures:
        gold, got, note = failure.expected, failure.got, failure.note
        expected, produced = _brief(gold), _brief(got)
        if isinstance(gold, dict) and "answer_contains" in gold and isinstance(got, dict):
            # A labelled FAQ question: the question is the note, the cells say what differed.
            expected = ", ".join(gold["answer_contains"]) or "not answered"
            produced = str(got.get("answer", "")) if got.get("answerable") else "not answered"
            note = str(gold["question"])
        table.append([failure.id, expected, produced, note])
    return table


def prf_table(rows: dict[str, PRF], name: str) -> Table:
    """Return precision, recall and F1 per row name, with the counts behind them."""
    table: Table = [[name, "P", "R", "F1", "tp", "fp", "fn"]]
    for key, prf in rows.items():
        table.append(
            [key, f"{prf.precision:.2f}", f"{prf.recall:.2f}", f"{prf.f1:.2f}", str(prf.tp), str(prf.fp), str(prf.fn)]
        )
    return table


def render_table(table: Table, width: int = WIDTH) -> list[str]:
    """Lay a table out in columns no wider than `width`, cutting the widest cells with an ellipsis."""
    if not table:
        return []
    columns = max(len(row) for row in table)
    rows = [[_one_line(cell) for cell in row] + [""] * (columns - len(row)) for row in table]
    sizes = [max(len(row[c]) for row in rows) for c in range(columns)]
    budget = width - 2 * (columns - 1)
    while sum(sizes) > budget and max(sizes) > 4:
        sizes[sizes.index(max(sizes))] -= 1  # shave the widest column until the row fits
    lines = []
    for n, row in enumerate(rows):
        cells = [_cut(cell, sizes[c]).ljust(sizes[c]) for c, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * size for size in sizes))
    return lines


def render_lines(result: Result, width: int = WIDTH, max_failures: int = 40) -> list[str]:
    """Return a terminal report of a result: headline figures, the kind's tables, then the failures."""
    headline = list(summary_lines(result))
    if isinstance(result, DecompositionResult):
        headline = headline[:1]  # the tables below carry the per-type and per-field figures
    lines = [
        wrapped
        for line in headline
        for wrapped in textwrap.wrap(line, width, subsequent_indent="    ", break_long_words=False) or [""]
    ]
    if isinstance(result, RoutingResult):
        lines += ["", "confusion matrix (rows: expected, columns: routed to)"]
        lines += render_table(confusion_table(result.confusion, INTENTS), width)
        lines += ["", "accuracy per language"]
        lines += render_table([["lang", "accuracy"], *([k, f"{v:.2f}"] for k, v in result.by_lang.items())], width)
        lines += ["", "accuracy per kind of message"]
        lines += render_table([["kind", "accuracy"], *([k, f"{v:.2f}"] for k, v in result.by_kind.items())], width)
    elif isinstance(result, DecompositionResult):
        lines += ["", *render_table(prf_table(result.by_type, "task type"), width)]
        lines += ["", *render_table(prf_table(result.by_field, "field"), width)]
        lines.append(f"messages with every task and field right: {result.exact_messages:.2f}")
    elif isinstance(result, AnalysisResult):
        lines += ["", *render_table(prf_table(result.by_type, "entity type"), width)]
        lines += ["", "sentiment (rows: expected, columns: found)"]
        lines += render_table(confusion_table(result.sentiment_confusion, SENTIMENTS), width)
    failures = failure_table(result)
    shown = failures[: max_failures + 1]
    lines += [
        "",
        f"failures: {len(failures) - 1}" + (f" (first {max_failures} shown)" if len(shown) < len(failures) else ""),
    ]
    if len(failures) > 1:
        lines += render_table(shown, width)
    return lines


_LABEL_SHORT = {"Technical Support": "technical", "Billing Inquiry": "billing", "General Question": "general"}


def _short_label(label: str) -> str:
    return _LABEL_SHORT.get(label, label)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: max(size - 1, 0)] + "…"


def _brief(value: Any) -> str:
    """Say a failure's expected or produced value in a few words: a task, a question, a label."""
    if isinstance(value, str):
        return _short_label(value)
    if isinstance(value, dict):
        if "query_type" in value:
            return _short(value)
        if "question" in value:
            verdict = "answered" if value.get("answerable", True) else "not answered"
            if "answer_contains" in value:
                wanted = ", ".join(value["answer_contains"]) or "no answer"
                return f"{value['question']} -> {wanted}"
            return f"{value['question']} -> {verdict}: {value.get('answer', '')}"
    if isinstance(value, list):
        return "; ".join(_brief(v) for v in value) if value else "(none)"
    return json.dumps(value, ensure_ascii=False, default=str)
