"""Related words: which English stems can stand for one another in a question and its answer.

A question worded unlike its source keeps its content words' meaning, not their letters:
"laundered" for "washed", "black" for "dark", "grown" for "adult", "frequently" for "often". The
table maps a Snowball stem to the stems of its synonyms and near relations in WordNet 3.0 (words
of the same synset, derivationally related forms, pertainyms, similar adjectives and see-also
links), read from every sense of each word; single words and two-word phrases, a phrase keyed by
its words' stems joined with "_" ("turn_down" for "turned down", a relative of "reject"). It is a
general English resource, built once from the WordNet data files (`python -m
offline.text.related /usr/share/wordnet`), not from any question set.

WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. Permission to use, copy,
modify and distribute this software and database and its documentation for any purpose and
without fee or royalty is hereby granted, provided that the copyright notice and these
statements appear on all copies. THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON
UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED. The name of Princeton
University may not be used in advertising or publicity pertaining to distribution of the
software and/or database. (The full licence: https://wordnet.princeton.edu/license-and-commercial-use)

The table (about 1.4 MB compressed, 41,000 stems and 48,000 phrases) is read once, by a process's
first FAQ answer (a third of a second of CPU, 60 MB), under a lock; after that every lookup is a dict hit
on a table nobody writes.
"""

from __future__ import annotations

import gzip
import re
import sys
import threading
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

TABLE = Path(__file__).with_name("related.txt.gz")
# How many of a word's senses (WordNet's order, most frequent first) are read; None for all. A rarer
# sense adds noise ("dish" / "stunner") but also the everyday link a paraphrase needs ("dish" /
# "saucer", "coolant" / "antifreeze"): over the six FAQ dev sets, leaving one out to set the answer
# threshold, every sense answers 0.62 of the left-out set's paraphrases where three answered 0.57,
# declining as many unanswerable questions (0.94).
SENSES: int | None = None
# WordNet pointer symbols kept: derivationally related form, pertainym, similar to, also see.
_POINTERS = frozenset({"+", "\\", "&", "^"})

_lock = threading.Lock()
_table: list[dict[str, frozenset[str]]] = []


def load() -> dict[str, frozenset[str]]:
    """Read the table now (a no-op once done) and return it."""
    if not _table:
        with _lock:
            if not _table:
                table: dict[str, frozenset[str]] = {}
                with gzip.open(TABLE, "rt", encoding="utf-8") as handle:
                    for line in handle:
                        head, *rest = line.split()
                        table[head] = frozenset(rest)
                _table.append(table)
    return _table[0]


# WordNet links a weekday to nothing a source would say instead: a question about Saturdays is one
# about weekends.
_DAYS = {day: frozenset({"weekend"}) for day in ("saturday", "sunday")} | {
    day: frozenset({"weekday"}) for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
}


def related(stem: str) -> frozenset[str]:
    """Return the stems related to a stem (empty when WordNet has none)."""
    found = load().get(stem.replace("-", ""), frozenset())
    return found | _DAYS[stem] if stem in _DAYS else found


def phrase(first: str, second: str) -> str:
    """The table's key of a two-word phrase from its words' stems ("turn_down" for "turned down")."""
    return f"{first}_{second}"


def phrases(stems: list[str]) -> list[str]:
    """Return the two-word phrases of the table among a text's consecutive stems (particles kept)."""
    table = load()
    found = (phrase(a, b) for a, b in pairwise(stems))
    return [p for p in found if p in table]


def build(wordnet: Path) -> dict[str, set[str]]:
    """Work the table out from WordNet's data and index files (the Debian `wordnet-base` layout)."""
    from offline.text.stems import stem

    parts = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
    synsets: dict[tuple[str, str], tuple[list[str], list[tuple[str, tuple[str, str], str]]]] = {}
    for name, pos in parts.items():
        for line in (wordnet / f"data.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):
                continue
            head = line.split(" | ")[0].split()
            count = int(head[3], 16)
            words = [head[4 + 2 * i].lower() for i in range(count)]
            k = 4 + 2 * count
            pointers = []
            for i in range(int(head[k])):
                symbol, offset, target_pos, where = head[k + 1 + 4 * i : k + 5 + 4 * i]
                pointers.append((symbol, ("a" if target_pos == "s" else target_pos, offset), where))
            synsets[pos, head[0]] = (words, pointers)
    single = re.compile(r"^[a-z][a-z-]*[a-z]$")
    pair = re.compile(r"^[a-z][a-z-]*[a-z]_[a-z][a-z-]*[a-z]$")  # "drift_off", "turn_down", "fall_asleep"

    def key(word: str) -> str:
        if "_" in word:
            return phrase(*(stem(part.replace("-", ""), "en") for part in word.split("_")))
        return stem(word.replace("-", ""), "en")

    def usable(word: str) -> bool:
        return bool(single.match(word) or pair.match(word))

    table: dict[str, set[str]] = defaultdict(set)
    for name, pos in parts.items():
        for line in (wordnet / f"index.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):
                continue
            fields = line.split()
            lemma, senses, pointer_count = fields[0], int(fields[2]), int(fields[3])
            if not usable(lemma):
                continue
            own = key(lemma)
            for offset in fields[4 + pointer_count + 2 :][:senses][:SENSES]:
                words, pointers = synsets[pos, offset]
                near = list(words)
                for symbol, target, where in pointers:
                    if symbol in _POINTERS:
                        found = synsets[target][0]
                        near += found if where == "0000" else found[int(where[2:], 16) - 1 : int(where[2:], 16)]
                for word in near:
                    word = re.sub(r"\(.*\)$", "", word)
                    if usable(word) and len(other := key(word)) > 2 and other != own:
                        table[own].add(other)
    return table


if __name__ == "__main__":
    found = build(Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet"))
    lines = "".join(f"{head} {' '.join(sorted(rest))}\n" for head, rest in sorted(found.items()))
    with gzip.GzipFile(TABLE, "wb", compresslevel=9, mtime=0) as out:
        out.write(lines.encode("utf-8"))
