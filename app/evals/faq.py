"""FAQ: are the FAQ graph's own questions grammatical, cited and grounded; are labelled ones answered right."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver

from app.evals.datasets import Example
from app.evals.grammar import question_problems
from app.evals.runs import each
from app.evals.scoring import STOP, Failure, rate, words
from graphs.faq import build
from state.faq import FaqInput
from state.inputs import InputError
from state.settings import Settings

# An answer sentence is supported by a source when at least this share of its content words
# occur in the source: extractive answers score 1.0, a faithful paraphrase about 0.7.
SUPPORT_SHARE = 0.6


def _content(text: str) -> list[str]:
    return [
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        for w in words(text)
        if w not in STOP and len(w) > 2
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
                    and all(fragment.casefold() in answer for fragment in gold.get("answer_contains", []))
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
        grammatical=rate(grammatical, questions),
        answerable=rate(answerable, questions),
        citation_validity=rate(valid, cited),
        groundedness=rate(grounded_count, answerable),
        labelled=labelled,
        labelled_accuracy=rate(labelled_right, labelled),
        unanswerable_accuracy=rate(unanswerable_right, unanswerable),
        failures=failures,
    )


def predict_faq(settings: Settings) -> Callable[[Example], Awaitable[dict[str, Any]]]:
    """Return the function that sends one example through the graph (`run_faq` runs it on each)."""
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
            }
            await labelled.aupdate_state(config, update, as_node="generate_questions")
            done = await labelled.ainvoke(None, config=config, context=settings)
            result["labelled"] = list(done["faq"])
        return result

    return run


async def run_faq(
    examples: Sequence[Example], settings: Settings, errors: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """Run the FAQ graph on each source set, then its answer stages on the labelled questions."""
    return await each(examples, predict_faq(settings), errors)
