"""Document assessment, grounding checks and draft evaluation: the offline engine's judging skills.

assess      complexity and length of a document, from countable signals:
                words            short < 80 <= medium < 400 <= long
                signals of density: long sentences (mean > 22 words), figures (>= 1 per 40 words),
                many names (>= 1 capitalised non-initial word per 12 words), risk/opportunity talk
                complexity: no signal -> simple, one -> moderate, two or more -> complex
supported   how much of a statement a source backs: the share of its content words found there
evaluate    a draft against its source: coverage of the source's key facts, and length against the
            task's word limit ("in at most 60 words")
"""

from __future__ import annotations

import re

from models.offline.text.basics import content_stems, keywords, sentences, tokens

SHORT_WORDS = 80  # a paragraph: a brief says all of it
LONG_WORDS = 400  # about a page
LONG_SENTENCE = 22  # mean words per sentence above which prose reads as dense
FIGURES_PER_WORD = 1 / 40  # numbers, amounts, dates: one per two sentences is a report, not a note
NAMES_PER_WORD = 1 / 12  # capitalised words inside sentences: people, companies, places
MIN_NAMES = 3  # a couple of names (a weekday, a city) do not make a text dense
# Capitalised by convention, not because they name someone: they say nothing of density.
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december i".split()
)
_FIGURE = re.compile(r"\d")
_STAKES = re.compile(
    r"\b(risk|threat|delay|shortage|decline|loss|penalt|opportunit|growth|expan|partnership|regulat|require)",
    re.IGNORECASE,
)


def assess(document: str) -> tuple[str, str, float]:
    """Return (complexity, length, confidence) of a document."""
    words = tokens(document)
    count = max(len(words), 1)
    found = sentences(document) or [document]
    length = "short" if count < SHORT_WORDS else "medium" if count < LONG_WORDS else "long"
    names = sum(
        1 for s in found for w in s.split()[1:] if w[:1].isupper() and w.strip(".,;:!?").lower() not in _CALENDAR
    )
    signals = [
        count / len(found) > LONG_SENTENCE,
        len(_FIGURE.findall(document)) / count >= FIGURES_PER_WORD,
        names >= MIN_NAMES and names / count >= NAMES_PER_WORD,
        bool(_STAKES.search(document)),
    ]
    score = sum(signals)
    complexity = "simple" if score == 0 else "moderate" if score == 1 else "complex"
    # Confident when the word count is far from a length boundary and the signals agree.
    margin = min(abs(count - SHORT_WORDS), abs(count - LONG_WORDS)) / SHORT_WORDS
    confidence = 0.6 + 0.2 * min(margin, 1.0) + (0.15 if score in (0, 4) or score >= 2 else 0.0)
    return complexity, length, round(min(confidence, 0.95), 2)


def supported(statement: str, source: str) -> float:
    """Return the share (0-1) of a statement's content words that the source contains."""
    said = set(content_stems(statement))
    if not said:
        return 1.0
    return len(said & set(content_stems(source))) / len(said)


# "in at most 60 words", "under 40 words", "60-word"
_LIMIT = re.compile(r"(?:at most|under|no more than|within|max(?:imum)?)\s+(\d+)\s+words|(\d+)[- ]word", re.I)
DEFAULT_LIMIT = 80
COVERAGE_WEIGHT = 0.75  # what the draft says matters more than how long it is


def word_limit(task: str) -> int:
    """Return the word limit a task asks for, or the default."""
    match = _LIMIT.search(task)
    return int(match.group(1) or match.group(2)) if match else DEFAULT_LIMIT


def key_facts(source: str, k: int = 8) -> list[str]:
    """Return the facts a good summary must carry: figures, then the most frequent terms."""
    # "$42.5M", "18%", "2027" - never the comma or full stop after them.
    figures = re.findall(r"[$€£]?\d(?:[\d.,]*\d)?%?[MBK]?", source)
    return list(dict.fromkeys([*figures, *keywords(source, k)]))[: k + len(figures)]


def evaluate(draft: str, source: str, task: str) -> tuple[float, list[str]]:
    """Return (score 0-1, feedback) for a draft: its coverage of the source's key facts and its length."""
    facts = key_facts(source)
    lower = draft.lower()
    missing = [f for f in facts if f.lower() not in lower]
    coverage = 1 - len(missing) / len(facts) if facts else 1.0
    limit, words = word_limit(task), len(draft.split())
    concision = 1.0 if words <= limit else max(0.0, 1 - (words - limit) / limit)
    feedback = [f"mention {fact}" for fact in missing]
    if words > limit:
        feedback.append(f"cut to at most {limit} words (now {words})")
    score = COVERAGE_WEIGHT * coverage + (1 - COVERAGE_WEIGHT) * concision
    return round(score, 3), feedback


def revise(draft: str, source: str, task: str, feedback: list[str]) -> str:
    """Return the draft with source sentences that carry the missing facts, greedily, within the word limit.

    Each round adds the sentence covering the most missing facts per word that still fits; a draft
    already over the limit first loses its sentences that carry fewest facts (never the opening).
    """
    wanted = [item.removeprefix("mention ").lower() for item in feedback if item.startswith("mention ")]
    limit = word_limit(task)
    kept = sentences(draft)

    def carried(sentence: str) -> int:
        return sum(fact in sentence.lower() for fact in wanted)

    while len(kept) > 1 and sum(len(x.split()) for x in kept) > limit:
        kept.remove(min(kept[1:], key=lambda x: (carried(x), -len(x.split()))))
    while True:
        used = sum(len(x.split()) for x in kept)
        fits = [x for x in sentences(source) if x not in kept and carried(x) and used + len(x.split()) <= limit]
        if not fits:
            return " ".join(kept)
        best = max(fits, key=lambda x: carried(x) / len(x.split()))
        kept.append(best)
        wanted = [fact for fact in wanted if fact not in best.lower()]
