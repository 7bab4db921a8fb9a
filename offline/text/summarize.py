"""Extractive summarisation."""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

from offline.text.basics import is_content, sentence_words, sentences


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) > 0.7


def summarize(text: str, max_sentences: int = 3) -> str:
    """Return the most representative sentences of text, verbatim and in their original order."""
    sents, bags, order = _ranked(text)
    if max_sentences <= 0 or not sents:
        return ""
    if len(sents) <= max_sentences:
        return " ".join(sents)
    chosen: list[int] = []
    for i in order:
        if not any(_similar(bags[i], bags[j]) for j in chosen):
            chosen.append(i)
        if len(chosen) == max_sentences:
            break
    for i in order:
        if len(chosen) == max_sentences:
            break
        if i not in chosen:
            chosen.append(i)
    return " ".join(sents[i] for i in sorted(chosen))


# A document is often summarised twice at once (a summary and its key points): rank it once.
@lru_cache(maxsize=16)
def _ranked(text: str) -> tuple[tuple[str, ...], tuple[frozenset[str], ...], tuple[int, ...]]:
    """Return the sentences, each one's set of content stems, and the sentences' places best first."""
    sents = sentences(text)
    words = [[st for t, st in zip(toks, stems, strict=True) if is_content(t)] for toks, stems in sentence_words(text)]
    freq = Counter(w for ws in words for w in ws)
    top = max(freq.values(), default=1)
    raw: list[float] = []
    for ws in words:
        score = sum(freq[w] for w in ws) / top / math.sqrt(len(ws)) if ws else 0.0
        # Fragments (headings, greetings) rarely make good summary sentences.
        raw.append(score * (0.5 if len(ws) < 3 else 1.0))
    best = max(raw, default=0.0) or 1.0
    n = len(sents)
    scored = [(raw[i] / best + (0.15 if i == 0 else 0.05 * (1 - i / n)), i) for i in range(n)]
    order = tuple(i for _, i in sorted(scored, key=lambda item: (-item[0], item[1])))
    return tuple(sents), tuple(frozenset(ws) for ws in words), order
