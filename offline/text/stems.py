"""Snowball stemmers for the engine's five languages, with a cache in front of each.

Snowball's stemmers are the standard, published suffix-stripping rules per language (Porter's
own successor for English): "caring" -> "care", "facturé" -> "factur", "Verbindung" -> "verbind".
They replace a hand-made English stripper that cut "caring" to "car" and knew no other language.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Literal

import snowballstemmer

Lang = Literal["en", "es", "fr", "de", "it"]
LANGS: tuple[Lang, ...] = ("en", "es", "fr", "de", "it")
_ALGORITHM: dict[Lang, str] = {"en": "english", "es": "spanish", "fr": "french", "de": "german", "it": "italian"}


# A Snowball stemmer keeps the word it is working on in its own fields: two threads sharing one
# stem each other's words (an IndexError, or a wrong stem, when LangGraph runs a batch's nodes
# in its worker threads). Each thread makes its own, once per language.
_local = threading.local()


def _stemmer(lang: Lang) -> snowballstemmer.stemmer:
    mine: dict[Lang, snowballstemmer.stemmer] = _local.__dict__.setdefault("stemmers", {})
    if lang not in mine:
        mine[lang] = snowballstemmer.stemmer(_ALGORITHM[lang])
    return mine[lang]


# Longer "words" (a hyphen-joined run, a pasted hash) are no language's words: they are kept as
# they are, since stemming one costs seconds (Snowball's string edits copy the word each time).
LONGEST_WORD = 100


@lru_cache(maxsize=65536)
def stem(word: str, lang: Lang = "en") -> str:
    """Return the Snowball stem of a word in a language (lower-cased; curly apostrophes straightened)."""
    word = word.lower().replace("’", "'")
    return word if len(word) > LONGEST_WORD else str(_stemmer(lang).stemWord(word))
