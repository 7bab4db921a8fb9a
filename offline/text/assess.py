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

import heapq
import re
from collections import Counter, deque

from offline.text.basics import content_stems, keywords, sentences, tokens

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


# "in at most 60 words", "under 40 words", "60-word" (a number is read from its first digit only,
# and whole: from every digit of a long run it was quadratic in the run)
_LIMIT = re.compile(r"(?:at most|under|no more than|within|max(?:imum)?)\s+(\d+)\s+words|(?<!\d)(\d++)[- ]word", re.I)
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
    lowered = [f.lower() for f in facts]
    found = _facts_in(lowered, [draft.lower()])[0]
    missing = [f for f, low in zip(facts, lowered, strict=True) if low not in found]
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

    Each round adds the sentence covering the most missing facts per word that still fits (the
    first such sentence of the source on a tie); a draft already over the limit first loses its
    sentences that carry fewest facts (never the opening).
    """
    wanted = Counter(item.removeprefix("mention ").lower() for item in feedback if item.startswith("mention "))
    limit = word_limit(task)
    kept = sentences(draft)
    pool = list(dict.fromkeys(sentences(source)))  # a sentence said twice is one candidate
    texts = list(dict.fromkeys([*kept, *pool]))
    carries = dict(zip(texts, _facts_in(list(wanted), [x.lower() for x in texts]), strict=True))
    words = {x: len(x.split()) for x in texts}

    def carried(sentence: str) -> int:
        return sum(wanted[fact] for fact in carries[sentence])

    while len(kept) > 1 and sum(words[x] for x in kept) > limit:
        kept.remove(min(kept[1:], key=lambda x: (carried(x), -words[x])))
    # Rounds pick from a heap of (-facts per word, place in the source) that is told when a
    # sentence carries fewer facts; recounting every sentence each round was quadratic.
    used = sum(words[x] for x in kept)
    taken = set(kept)
    count = {x: carried(x) for x in pool}
    holders: dict[str, list[str]] = {}
    for x in pool:
        for fact in carries[x]:
            holders.setdefault(fact, []).append(x)
    place = {x: n for n, x in enumerate(pool)}
    heap = [(-count[x] / words[x], place[x], x) for x in pool if count[x] and x not in taken]
    heapq.heapify(heap)
    while heap:
        ratio, _, best = heapq.heappop(heap)
        if best in taken or -ratio != count[best] / words[best] or used + words[best] > limit:
            continue  # taken, counted since (a fresher entry is in the heap), or too long from now on
        kept.append(best)
        taken.add(best)
        used += words[best]
        for fact in carries[best]:
            times, wanted[fact] = wanted[fact], 0
            for x in holders[fact] if times else ():
                count[x] -= times
                if count[x] and x not in taken:
                    heapq.heappush(heap, (-count[x] / words[x], place[x], x))
    return " ".join(kept)


def _facts_in(facts: list[str], texts: list[str]) -> list[set[str]]:
    """Return, for each text, which of the facts it contains, in one pass over it.

    An Aho-Corasick automaton: a fact per text per search was quadratic when a document has
    thousands of figures and of sentences.
    """
    goto: list[dict[str, int]] = [{}]
    ends: list[str | None] = [None]  # the fact a state spells out, if any
    for fact in facts:
        state = 0
        for char in fact:
            if char not in goto[state]:
                goto[state][char] = len(goto)
                goto.append({})
                ends.append(None)
            state = goto[state][char]
        ends[state] = fact
    fail = [0] * len(goto)
    nearest = [-1] * len(goto)  # the state, on the chain of fallbacks, that ends a fact
    queue = deque(goto[0].values())
    while queue:
        state = queue.popleft()
        nearest[state] = state if ends[state] is not None else nearest[fail[state]]
        for char, child in goto[state].items():
            back = fail[state]
            while back and char not in goto[back]:
                back = fail[back]
            fail[child] = goto[back][char] if char in goto[back] and goto[back][char] != child else 0
            queue.append(child)
    out: list[set[str]] = []
    for text in texts:
        found: set[str] = {""} if ends[0] is not None else set()
        reached: set[int] = set()
        state = 0
        for char in text:
            while state and char not in goto[state]:
                state = fail[state]
            state = goto[state].get(char, 0)
            hit = nearest[state]
            # A state met before has reported every fact on its chain already.
            while hit > 0 and hit not in reached:
                reached.add(hit)
                found.add(ends[hit] or "")
                hit = nearest[fail[hit]]
        out.append(found)
    return out
