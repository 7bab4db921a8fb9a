"""Noun-phrase chunking and topics: what a document is about, named as noun phrases.

Chunking reads each sentence with the part-of-speech tables of `lexemes`: a chunk is a run of
modifiers (adjectives, nouns, participles: "managed", "refurbished", "rising") ending in a noun
("the pipe renewal programme" -> "pipe renewal programme", "Rising energy costs remain" ->
"rising energy costs"), and a gerund may head a compound ("noise cancelling"). Function words,
finite verbs, numbers and punctuation end a chunk. Names (every word capitalised) and measures
("two minutes", "last year") are entities or details, not topics.

Topics rank the chunks KeyBERT-style with the engine's WordLlama embedder: a phrase's cosine
with the whole document says how central it is, and repetition adds to that (the phrase itself,
and its words elsewhere). A phrase sharing most of its words with a better one is left out, so
five topics name five things.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from offline.text import embed as _embedder
from offline.text import lexemes
from offline.text.basics import STOPWORDS, sentences
from offline.text.stems import stem

MAX_WORDS = 4  # longer runs are lists or misreads; keep their last four words ("EU labelling rules")
# Heads that measure or date something rather than name a subject.
_MEASURES = frozenset(
    """
    time times year years month months week weeks day days hour hours minute minutes second seconds quarter half
    percent per cent lot lots way ways thing things part parts number numbers kind kinds type types bit end
    start today yesterday tomorrow morning evening night people someone anyone everyone
    """.split()
)
_NOUN_TAGS = frozenset({"NN", "NNS"})
# After these a verb-capable word is a verb: "to cut", "without hiring", "has cut".
_VERB_OPENERS = frozenset(
    """
    to without before after by for of in on from into while when has have had is are was were be been can could
    may might must should will would we they i you he she it not
    """.split()
)
_PREPOSITION_OPENERS = frozenset("without before after by for of in on from into while when".split())
# Words that open an object or a complement, so a "-s" word before them is a verb ("pushes back").
_OBJECT_OPENERS = frozenset(
    "the a an this that these those its their our your his her back up down out off away about around".split()
)
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred thousand"
    " million billion first second third".split()
)
_MODIFIER_TAGS = frozenset({"NN", "NNS", "JJ", "VBN", "VBG"})
_LETTER_FIRST = re.compile(r"[^\W\d]")
_TOKEN = re.compile(r"[A-Za-zÀ-ÿ][\w'’-]*|\d[\d.,]*|[^\w\s]")

SIM_WEIGHT = 1.0  # cosine with the document: 0.2-0.7 for real phrases
REPEAT_WEIGHT = 0.3  # each further use of the same phrase
WORD_WEIGHT = 0.1  # each further use of its words elsewhere, averaged over its words
PHRASE_BONUS = 0.3  # a phrase names a topic better than a single word, which must be far more central
OVERLAP = 0.5  # a phrase sharing this share of its words with a better one is the same topic


@dataclass
class _Chunk:
    words: list[str]
    count: int = 1

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(stem(w.lower()) for w in self.words)


def _name_like(word: str, position: int) -> bool:
    return word[:1].isupper() and (position > 0 or not lexemes.known(word.lower()))


def _fits(word: str) -> bool:
    low = word.lower()
    if not _LETTER_FIRST.match(word) or len(low) < 2 or low in STOPWORDS or low in _NUMBER_WORDS:
        return False
    found = lexemes.tags(low)
    return bool(found & _MODIFIER_TAGS) or "-" in low


def _head(word: str, previous: str | None) -> bool:
    """Tell whether a word can end a noun phrase: a noun, or a gerund after a noun ("noise cancelling")."""
    low = word.lower()
    found = lexemes.tags(low)
    if low in _MEASURES:
        return False
    if found & _NOUN_TAGS or word[:1].isupper():
        return not lexemes.is_only_verb(low)
    return "VBG" in found and previous is not None and bool(lexemes.tags(previous.lower()) & _NOUN_TAGS)


def _verb_here(word: str, previous: str, following: str) -> bool:
    """Tell whether a word inside a run is the clause's verb: "margin fell", "delay pushes back"."""
    low = word.lower()
    found = lexemes.tags(low)
    if not lexemes.tags(previous.lower()) & _NOUN_TAGS:
        return False
    if "VBD" in found and "NNS" not in found:
        return True  # "prices rose", "construction drove": a past form is rarely a noun
    nxt = following.lower()
    object_next = nxt in _OBJECT_OPENERS or nxt.endswith("ly") or nxt[:1].isdigit()
    return bool("VBZ" in found and object_next) or ("VBN" in found and nxt == "by")


def noun_phrases(text: str) -> list[list[str]]:
    """Return the noun phrases of a text, in order, each as its words (determiners dropped)."""
    out: list[list[str]] = []
    for sentence in sentences(text):
        tokens = [*_TOKEN.findall(sentence), "."]
        run: list[str] = []
        previous = ""  # the token before the run
        for position, token in enumerate(tokens):
            following = tokens[position + 1] if position + 1 < len(tokens) else ""
            # A name may modify a noun ("Douro river") but a noun does not run into a name
            # ("chief executive Sophie Marchand").
            into_name = bool(run) and _name_like(token, position) and not _name_like(run[-1], position - 1)
            verb = bool(run) and _verb_here(token, run[-1], following)
            if _fits(token) and not into_name and not verb:
                if not run:
                    previous = tokens[position - 1].lower() if position else ""
                run.append(token)
                continue
            _close(run, previous, out)
            run = [token] if _fits(token) and not verb else []
            previous = tokens[position - 1].lower() if run and position else ""
    return out


def _close(run: list[str], previous: str, out: list[list[str]]) -> None:
    words = list(run)
    # After "to", a preposition or an auxiliary, a verb opens a verb phrase: "to cut leakage",
    # "before accessing customer records", "has cut picking errors".
    while words and previous in _VERB_OPENERS:
        # After a preposition only a gerund is a verb ("without hiring"); "of delay" is a noun.
        verbal = {"VBG"} if previous in _PREPOSITION_OPENERS else {"VB", "VBG", "VBD"}
        if not lexemes.tags(words[0].lower()) & verbal:
            break
        previous, words = words[0].lower(), words[1:]
    while words and not _head(words[-1], words[-2] if len(words) > 1 else None):
        words.pop()
    if words:
        out.append(words[-MAX_WORDS:])


def _is_name(words: list[str]) -> bool:
    return all(w[:1].isupper() for w in words) and not (
        len(words) > 1 and all(lexemes.known(w.lower()) for w in words[1:]) and not words[1][:1].isupper()
    )


def _surface(words: list[str]) -> str:
    """Lower-case a phrase for display, keeping names and acronyms ("Douro river", "EU labelling rules")."""
    return " ".join(
        w if (w[:1].isupper() and not lexemes.known(w.lower())) or w.isupper() else w.lower() for w in words
    )


def topics(text: str, k: int = 5) -> list[tuple[str, float]]:
    """Return up to k topics as (noun phrase, relevance in (0, 1]), most relevant first."""
    if k <= 0:
        return []
    chunks: dict[tuple[str, ...], _Chunk] = {}
    for words in noun_phrases(text):
        if _is_name(words):
            continue  # "Greenleaf Foods", "Sophie Marchand": entities, not topics
        chunk = _Chunk(words)
        if chunk.key in chunks:
            chunks[chunk.key].count += 1
        else:
            chunks[chunk.key] = chunk
    if not chunks:
        return []
    words_used = Counter(t for chunk in chunks.values() for t in chunk.key for _ in range(chunk.count))
    candidates = list(chunks.values())
    # Two calls: WordLlama pads a batch to its longest text, and the document is far longer.
    vectors = _embedder.embed([_surface(c.words) for c in candidates])
    centrality = vectors @ _embedder.embed([text])[0]
    scored: list[tuple[float, _Chunk]] = []
    for chunk, sim in zip(candidates, centrality.tolist(), strict=True):
        elsewhere = sum(words_used[t] - chunk.count for t in chunk.key) / len(chunk.key)
        score = (
            SIM_WEIGHT * sim
            + REPEAT_WEIGHT * (chunk.count - 1)
            + WORD_WEIGHT * math.log1p(max(elsewhere, 0))
            + (PHRASE_BONUS if len(chunk.words) > 1 else 0.0)
        )
        scored.append((score, chunk))
    scored.sort(key=lambda item: (-item[0], item[1].key))
    chosen: list[tuple[float, _Chunk]] = []
    for score, chunk in scored:
        taken = set(chunk.key)
        if any(len(taken & set(c.key)) >= OVERLAP * min(len(taken), len(c.key)) for _, c in chosen):
            continue
        chosen.append((score, chunk))
        if len(chosen) == k:
            break
    top = chosen[0][0] if chosen and chosen[0][0] > 0 else 1.0
    return [(_surface(c.words), round(max(s / top, 0.01), 2)) for s, c in chosen]
