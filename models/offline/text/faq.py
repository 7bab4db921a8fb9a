"""Retrieval-based answering and source attribution over (title, content) pairs.

Answering reads every source sentence as a candidate and scores it on two kinds of evidence:

1. Coverage: the share of the question's terms (Snowball stems of its content words, each
   weighted by its rarity across the sentences) that the sentence carries, literally, in its
   source's title, or as a near-synonym by WordLlama word similarity ("fridge" for
   "refrigerator", "kids" for "children"). Light words that frame a question ("know", "keep",
   "good", "happen") weigh less than the words naming its subject.
2. Meaning: the WordLlama cosine between the question and the sentence, which ranks paraphrases
   ("What makes an eruption explosive?" / "Explosive eruptions happen when gas-rich magma ...").

A question is answered only when its words are, for the most part, the sources' own: when most
of its weight sits on words that no sentence uses, even as a near-synonym ("earthworms", "wifi",
"Vesuvius"), it asks about something the sources do not cover, however close its meaning to
some sentence. A name written with a capital that no source mentions is decisive on its own.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from models.offline.text import embed as _embedder
from models.offline.text.basics import STOPWORDS, is_content, sentences, tokens
from models.offline.text.stems import stem as _snowball

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_QUESTION_WORDS = frozenset("what how why when where who which does did source say says explain describe".split())
# Words that give a question its frame rather than its subject: they count for LIGHT_WEIGHT.
_LIGHT = frozenset(
    """
    need needs know tell tells make makes use get keep put mean means happen happens best good bad way thing
    things kind type sort enough sure want try go come give take
    okay ok idea normal possible right fine work works able allowed
    """.split()
)
_PRONOUN_START = re.compile(r"^(?:it|they|this|these|those|that|such|he|she)\b", re.IGNORECASE)

LIGHT_WEIGHT = 0.3  # a frame word counts for under a third of a subject word
TITLE_MATCH = 0.7  # a term found in the sentence's source title, not the sentence: most of a match
# WordLlama cosine at or above which two words count as near-synonyms: cost/price 0.67,
# fridge/refrigerator 0.80, bigger/larger 0.84, while cheap/expensive (0.49) and most unrelated
# pairs of one topic (sun/light 0.18) stay below.
SOFT_MATCH = 0.55
DENSE_WEIGHT = 0.5  # question-sentence cosine (0.2-0.75 here) added to coverage (0-1) to rank
MIN_COVERAGE = 0.25  # the answering sentence itself must carry a quarter of the question's weight
# Unanswerable when at least this share of the question's weight is on words no source uses.
# On the dev sets, questions the sources answer stay at or under 0.67 and those they do not answer
# start at 0.73.
OOV_MAX = 0.7
SECOND_SHARE = 0.8  # a runner-up sentence this close to the best is part of the answer

# What kind of phrase answers a question, and how a sentence shows it has one:
#   How long / how often / when   "within twenty-eight days", "every two weeks", "in spring"
#   How much / how many           "ten cents", "up to fifteen items", "20%"
#   Why                           "because the crumb is still setting", "so the bread can expand"
_NUMBER = (
    r"(?:\d[\d.,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty"
    r"|fifty|sixty|hundred|thousand|half|a few|several|once|twice)"
)
_DURATION = rf"{_NUMBER}(?:[\s-]+\w+)?[\s-]+(?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?)"
_ANSWER_TYPES: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    (
        re.compile(r"^\s*(?:how\s+(?:long|often|soon|early|late)|when|what\s+time)\b", re.IGNORECASE),
        re.compile(
            rf"\b(?:{_DURATION}|within|until|every|daily|weekly|monthly|yearly|annually|once|twice|before|after"
            r"|spring|summer|autumn|fall|winter|morning|evening|night|overnight)\b",
            re.IGNORECASE,
        ),
    ),
    (
        re.compile(r"^\s*(?:how\s+(?:much|many|far|big|large|heavy|hot|cold|warm)|what\s+percentage)\b", re.IGNORECASE),
        re.compile(rf"\b{_NUMBER}\b|%|[$€£]", re.IGNORECASE),
    ),
    (
        re.compile(r"^\s*why\b", re.IGNORECASE),
        re.compile(
            r"\b(?:because|since|so|due to|as a result|causes?|caused|leads? to|means?|otherwise)\b", re.IGNORECASE
        ),
    ),
]
ANSWER_TYPE_BONUS = 0.3  # holding the kind of phrase asked for outweighs a third of the question's words


def stem(word: str) -> str:
    """Return the Snowball (English) stem of a lowercase word."""
    return _snowball(word, "en")


@dataclass(frozen=True)
class _Passage:
    title: str
    source: int
    index: int
    text: str
    terms: Counter[str]
    length: int
    words: tuple[str, ...]


def _content_words(text: str) -> list[str]:
    """Content tokens, plus the parts of hyphenated words ("non-refundable" also yields "refundable")."""
    out = [t for t in tokens(text) if is_content(t)]
    for tok in tokens(text):
        if "-" in tok:
            out += [part for part in tok.split("-") if is_content(part)]
    return out


def _terms(text: str) -> list[str]:
    return [stem(w) for w in _content_words(text)]


def _passages(sources: list[tuple[str, str]]) -> list[_Passage]:
    out: list[_Passage] = []
    for n, (title, content) in enumerate(sources):
        for i, sentence in enumerate(sentences(content)):
            words = _content_words(sentence)
            terms = Counter(stem(w) for w in words)
            out.append(_Passage(title, n, i, sentence, terms, sum(terms.values()), tuple(dict.fromkeys(words))))
    return out


@dataclass
class _Index:
    passages: list[_Passage]
    df: Counter[str]
    titles: dict[int, set[str]]
    _vectors: dict[str, npt.NDArray[np.float32]] = field(default_factory=dict)
    _sources: list[tuple[str, str]] = field(default_factory=list)
    _source_terms: list[set[str]] | None = None

    @classmethod
    def build(cls, sources: list[tuple[str, str]]) -> _Index:
        passages = _passages(sources)
        df = Counter(t for p in passages for t in set(p.terms))
        titles = {n: set(_terms(title)) for n, (title, _) in enumerate(sources)}
        return cls(passages, df, titles, _sources=list(sources))

    @property
    def stems(self) -> set[str]:
        return set(self.df) | {t for terms in self.titles.values() for t in terms}

    def idf(self, term: str) -> float:
        n, df = len(self.passages), self.df[term]
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def source_terms(self) -> list[set[str]]:
        """The stems of each whole source's content, computed once per index."""
        if self._source_terms is None:
            self._source_terms = [set(_terms(content)) for _, content in self._sources]
        return self._source_terms

    def sentence_vectors(self) -> npt.NDArray[np.float32]:
        """Embed every sentence once per index (a few hundred sentences cost a few milliseconds)."""
        if "__sentences__" not in self._vectors:
            self._vectors["__sentences__"] = _embedder.embed([p.text for p in self.passages])
        return self._vectors["__sentences__"]

    def word_vectors(self) -> tuple[list[str], npt.NDArray[np.float32]]:
        """Embed the sources' distinct content words once per index."""
        vocabulary = sorted({w for p in self.passages for w in p.words})
        if "__words__" not in self._vectors:
            self._vectors["__words__"] = _embedder.embed(vocabulary)
        return vocabulary, self._vectors["__words__"]


def index_of(sources: list[tuple[str, str]]) -> _Index:
    """Return the index of a source set, built once per set.

    Every question about the same sources (a FAQ's workers, all at once) shares its passages and
    its sentence and word embeddings.
    """
    return _cached_index(tuple(sources))


@lru_cache(maxsize=32)
def _cached_index(sources: tuple[tuple[str, str], ...]) -> _Index:
    return _Index.build(list(sources))


def _query_words(question: str) -> list[str]:
    question = re.sub(r"^what is said about\s+", "", question.strip(), flags=re.IGNORECASE)
    question = re.sub(r"\bhow\s+(?:long|many|much|often|far|soon)\b", "how", question, flags=re.IGNORECASE)
    words: list[str] = []
    for word in _content_words(" ".join(t for t in tokens(question) if t not in _QUESTION_WORDS)):
        if stem(word) not in {stem(w) for w in words}:
            words.append(word)
    return words


# "Which cleaner works best?" asks for a comparison: only a sentence that compares can answer it.
_COMPARISON = re.compile(
    r"\b(?:best|worst|most|least|more|less|better|worse|fewer|\w+iest|\w+er\s+than|cheapest|fastest|safest"
    r"|simplest|largest|smallest|highest|lowest|strongest|longest|shortest|greatest|latest|earliest)\b",
    re.IGNORECASE,
)


def _unknown_name(question: str, index: _Index) -> bool:
    """Tell whether the question names something with a capital ("Vesuvius") that no source mentions."""
    names = re.findall(r"(?<=\s)[A-Z][\w-]+", question.strip())
    known = index.stems
    return any(stem(name.lower()) not in known and name.lower() not in STOPWORDS for name in names)


@dataclass(frozen=True)
class _Ranked:
    score: float
    coverage: float
    passage: _Passage


def _rank(question: str, index: _Index) -> tuple[list[_Ranked], float]:
    """Score every passage for the question; return them best first with the question's unknown share."""
    import numpy as np

    words = _query_words(question)
    if not words or not index.passages:
        return [], 1.0
    terms = [stem(w) for w in words]
    weights = [index.idf(t) * (LIGHT_WEIGHT if w in _LIGHT else 1.0) for w, t in zip(words, terms, strict=True)]
    total = sum(weights)
    vocabulary, vectors = index.word_vectors()
    position = {w: i for i, w in enumerate(vocabulary)}
    query = _embedder.embed([*words, question])
    near = query[:-1] @ vectors.T if len(vocabulary) else np.zeros((len(words), 0), dtype=np.float32)
    known = index.stems
    unknown = sum(
        weight
        for j, (term, weight) in enumerate(zip(terms, weights, strict=True))
        if term not in known and not (near.shape[1] and near[j].max() >= SOFT_MATCH)
    )
    dense = index.sentence_vectors() @ query[-1]
    shapes = [answer for asked, answer in _ANSWER_TYPES if asked.match(question)]
    ranked: list[_Ranked] = []
    for k, p in enumerate(index.passages):
        columns = [position[w] for w in p.words]
        covered = 0.0
        for j, (term, weight) in enumerate(zip(terms, weights, strict=True)):
            if p.terms[term]:
                match = 1.0
            elif term in index.titles[p.source]:
                match = TITLE_MATCH
            else:
                best = float(near[j, columns].max()) if columns else 0.0
                match = best if best >= SOFT_MATCH else 0.0
            covered += weight * match
        coverage = covered / total
        bonus = ANSWER_TYPE_BONUS if any(shape.search(p.text) for shape in shapes) else 0.0
        ranked.append(_Ranked(coverage + DENSE_WEIGHT * float(dense[k]) + bonus, coverage, p))
    ranked.sort(key=lambda r: (-r.score, r.passage.source, r.passage.index))
    return ranked, unknown / total


def _answer(question: str, index: _Index) -> tuple[str | None, list[str]]:
    ranked, unknown = _rank(question, index)
    if _COMPARISON.search(question):
        ranked = [r for r in ranked if _COMPARISON.search(r.passage.text)]
    if not ranked or unknown >= OOV_MAX or ranked[0].coverage < MIN_COVERAGE or _unknown_name(question, index):
        return None, []
    best = ranked[0].passage
    chosen = [best]
    if _PRONOUN_START.match(best.text) and best.index > 0:
        # A sentence opening with a pronoun needs its predecessor to make sense on its own.
        previous = (p for p in index.passages if p.source == best.source and p.index == best.index - 1)
        chosen.insert(0, next(previous))
    elif len(ranked) > 1 and ranked[1].score >= SECOND_SHARE * ranked[0].score:
        if ranked[1].coverage >= MIN_COVERAGE:
            second = ranked[1].passage
            chosen.append(second)
            if second.source == best.source:
                chosen.sort(key=lambda p: p.index)
    titles: list[str] = []
    for p in [best, *chosen]:
        if p.title not in titles:
            titles.append(p.title)
    return " ".join(p.text for p in chosen), titles


def answer_question(question: str, sources: list[tuple[str, str]]) -> tuple[str | None, list[str]]:
    """Answer from the best 1-2 source sentences, with their titles; (None, []) when unsupported."""
    return _answer(question, index_of(sources))


def attribute(answer: str, sources: list[tuple[str, str]]) -> list[str]:
    """Return the titles of the sources whose content supports the answer, best supported first."""
    support: dict[int, float] = {}
    index = index_of(sources)
    for part in sentences(answer):
        words = set(_terms(part))
        if not words:
            continue
        for p in index.passages:
            overlap = len(words & p.terms.keys()) / len(words)
            if overlap >= 0.5:
                support[p.source] = max(support.get(p.source, 0.0), overlap)
    words = set(_terms(answer))
    for n, terms in enumerate(index.source_terms()):
        if words and n not in support:
            overlap = len(words & terms) / len(words)
            if overlap >= 0.7:
                support[n] = overlap * 0.9
    titles: list[str] = []
    for n in sorted(support, key=lambda n: (-support[n], n)):
        if sources[n][0] not in titles:
            titles.append(sources[n][0])
    return titles
