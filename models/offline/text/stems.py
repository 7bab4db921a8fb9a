"""Snowball stemmers for the engine's five languages, with a cache in front of each.

Snowball's stemmers are the standard, published suffix-stripping rules per language (Porter's
own successor for English): "caring" -> "care", "facturé" -> "factur", "Verbindung" -> "verbind".
They replace a hand-made English stripper that cut "caring" to "car" and knew no other language.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Literal

import snowballstemmer

Lang = Literal["en", "es", "fr", "de", "it"]
LANGS: tuple[Lang, ...] = ("en", "es", "fr", "de", "it")
_ALGORITHM: dict[Lang, str] = {"en": "english", "es": "spanish", "fr": "french", "de": "german", "it": "italian"}


@cache
def _stemmer(lang: Lang) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(_ALGORITHM[lang])


@lru_cache(maxsize=65536)
def stem(word: str, lang: Lang = "en") -> str:
    """Return the Snowball stem of a word in a language (lower-cased; curly apostrophes straightened)."""
    return str(_stemmer(lang).stemWord(word.lower().replace("’", "'")))
