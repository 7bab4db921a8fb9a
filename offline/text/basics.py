"""Sentence splitting, tokenisation, light stemming and keyword ranking."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
    don't down during each either else etc even ever every few for from further had hadn't has hasn't
    have haven't having he he'd he'll he's her here here's hers herself him himself his how however i
    i'd i'll i'm i've if in into is isn't it it's its itself just let's like many may me might more
    most much must my myself no nor not now of off often on once only or other others our ours
    ourselves out over own per quite rather really same shall she she'd she'll she's should shouldn't
    since so some such than that that's the their theirs them themselves then there there's these they
    they'd they'll they're they've this those though through thus to too under until up upon us very
    via was wasn't we we'd we'll we're we've were weren't what what's when where where's whether which
    while who who's whom whose why will with within without won't would wouldn't yet you you'd you'll
    you're you've your yours yourself yourselves
    """.split()
)
# Frequent but uninformative words that should never surface as keywords or topics.
_GENERIC = frozenset(
    "also one two get got use used using well way thing things lot lots new able based including include includes "
    "say said see never always anyone anything everyone everything someone something currently usually".split()
)
# Abbreviations after which a period never ends a sentence.
_NO_BREAK = frozenset({"e.g", "i.e", "mr", "mrs", "ms", "dr", "prof", "st", "vs", "cf", "approx", "fig", "sr", "jr"})
# Abbreviations that end a sentence only when a capitalised word follows.
_SOFT_BREAK = frozenset(
    "etc inc ltd corp co approx dept est fig vol pp ca ft jan feb mar apr jun jul aug sep sept oct nov dec al".split()
)
# A sentence end: a run of end marks, closing quotes or brackets, then a space or the end. It is
# tried only where a run of marks starts, and never gives a mark back: "word.....word" is one
# failed attempt, not one per dot (that was quadratic in the run).
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’)\]]*+(?=\s|$)")
_BULLET = re.compile(r"^(?:[-*•‣◦▪–]|\d{1,3}[.)])\s+")
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_SEGMENT = re.compile(r"[,;:()\[\]—–]|\s-\s")


def _blocks(text: str) -> list[str]:
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(" ".join(current))
            current.clear()

    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            flush()
            continue
        bullet = _BULLET.match(line)
        if bullet:
            flush()
            blocks.append(line[bullet.end() :])
            continue
        # A short unpunctuated line followed by a capitalised one (or one ending in ':') is a heading.
        previous = current[-1] if current else ""
        heading = len(previous.split()) <= 6 and previous[-1:].isalnum() and line[0].isupper()
        if previous.endswith(":") or heading:
            flush()
        current.append(line)
    flush()
    return blocks


def _split_block(block: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(block):
        # A block's words are one space apart: the next word starts at most one character on.
        # Only that character and the word before the mark are read, never the rest of the block.
        nxt = block[match.end() : match.end() + 2].lstrip()[:1]
        if nxt:
            space = block.rfind(" ", start, match.start())
            before = block[space + 1 if space >= 0 else start : match.start()].lstrip("(\"'“‘")
            word = before.lower()
            if match.group()[0] == ".":
                if word in _NO_BREAK or (len(before) == 1 and "A" <= before <= "Z"):
                    continue
                # "No. 48213", "Nr. 33120", "n. 2291", "núm. 7": a number follows, not a sentence.
                if word in ("no", "nr", "n", "nº", "núm", "num") and nxt.isdigit():
                    continue
            if nxt.islower() and (match.group()[0] != "." or word in _SOFT_BREAK or "." in word or len(word) == 1):
                continue
        piece = block[start : match.end()].strip()
        if piece:
            out.append(piece)
        start = match.end()
    tail = block[start:].strip()
    if tail:
        out.append(tail)
    return out


def sentences(text: str) -> list[str]:
    """Split text into sentences, treating bullet lines and headings as their own sentences."""
    return list(_sentences(text))


# Most skills of a graph read the same document's sentences (the document pipeline splits it
# eight times): split once. A tuple, so that no caller can change what the next one reads.
@lru_cache(maxsize=16)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(sentence for block in _blocks(text) for sentence in _split_block(block))


# The analyses of one document (sentiment, summary, key points) each read its words and their
# stems: tokenise and stem each sentence once per text, each distinct word stemmed once.
@lru_cache(maxsize=16)
def sentence_words(text: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """Return each sentence's tokens and their stems (as `tokens` and `stem` give them), computed once per text."""
    stems: dict[str, str] = {}
    out = []
    for sentence in _sentences(text):
        found = tuple(tokens(sentence))
        out.append((found, tuple(stems[t] if t in stems else stems.setdefault(t, stem(t)) for t in found)))
    return tuple(out)


def tokens(text: str) -> list[str]:
    """Return lowercase word tokens (internal apostrophes and hyphens kept)."""
    return [t.replace("’", "'") for t in _WORD.findall(text.lower())]


def stem(word: str) -> str:
    """Reduce a lowercase word to a crude stem so inflections match (turbines/turbine, installed/install)."""
    w = word.lower()
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("sses", "xes", "ches", "shes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif w.endswith("ed") and len(w) > 4:
        w = w[:-2]
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]
    return w


def is_content(token: str) -> bool:
    """Tell whether a token carries meaning (not a stopword, number or very short word)."""
    return len(token) >= 3 and token not in STOPWORDS and token not in _GENERIC and not any(c.isdigit() for c in token)


def content_stems(text: str) -> list[str]:
    """Return the stems of the content words of a text, in order."""
    return [stem(t) for t in tokens(text) if is_content(t)]


def scored_keywords(text: str) -> list[tuple[str, float]]:
    """Rank content words and repeated bigrams by frequency, returning (surface form, score)."""
    uni: Counter[str] = Counter()
    bi: Counter[tuple[str, str]] = Counter()
    surfaces: dict[str, Counter[str]] = {}
    first: dict[str, int] = {}
    pos = 0
    for sentence in sentences(text):
        for segment in _SEGMENT.split(sentence):
            prev: tuple[str, str] | None = None
            for tok in tokens(segment):
                if not is_content(tok):
                    prev = None
                    continue
                st = stem(tok)
                uni[st] += 1
                surfaces.setdefault(st, Counter())[tok] += 1
                first.setdefault(st, pos)
                if prev is not None:
                    key = f"{prev[0]} {st}"
                    bi[(prev[0], st)] += 1
                    surfaces.setdefault(key, Counter())[f"{prev[1]} {tok}"] += 1
                    first.setdefault(key, pos)
                prev = (st, tok)
                pos += 1
    scored: dict[str, float] = {}
    covered: Counter[str] = Counter()
    for (a, b), count in bi.items():
        if count >= 2 and a != b:
            scored[f"{a} {b}"] = count * 1.5
            covered[a] = max(covered[a], count)
            covered[b] = max(covered[b], count)
    for st, count in uni.items():
        if covered[st] < count:
            scored[st] = float(count)
    ranked = sorted(scored, key=lambda key: (-scored[key], first[key], key))
    return [(_surface(surfaces[key]), scored[key]) for key in ranked]


def _surface(forms: Counter[str]) -> str:
    return sorted(forms.items(), key=lambda item: (-item[1], item[0]))[0][0]


def keywords(text: str, k: int = 8) -> list[str]:
    """Return up to k content words or bigrams ranked by frequency."""
    return [word for word, _ in scored_keywords(text)[: max(k, 0)]]
