"""What the offline engine shares across calls is safe to use from several threads at once.

LangGraph runs a batch's nodes in worker threads; tests/integration_tests/test_offline_threads.py
runs a batch of every graph. Here, the stemmers themselves, the engine's one object that was not.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from offline.text.stems import LANGS, Lang, stem


@pytest.fixture
def frequent_thread_switches() -> Iterator[None]:
    """Switch threads every 0.1 ms instead of every 5 ms: a race that needs an unlucky switch meets one."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    yield
    sys.setswitchinterval(interval)


def _stem_or_error(word: str, lang: Lang) -> str:
    try:
        return stem(word, lang)
    except Exception as exc:  # a stemmer shared between threads raised IndexError
        return repr(exc)


@pytest.mark.usefixtures("frequent_thread_switches")
def test_words_stemmed_from_many_threads_at_once_get_their_own_stems() -> None:
    rng = random.Random(7)
    syllables = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "de", "fu", "ation", "ness", "ing", "ed"]
    # Made up, so no cached stem answers: every call runs a stemmer.
    pairs = [("zq" + "".join(rng.choice(syllables) for _ in range(8)), LANGS[n % len(LANGS)]) for n in range(4000)]
    with ThreadPoolExecutor(16) as pool:
        stems = list(pool.map(_stem_or_error, *zip(*pairs, strict=True)))
    alone = [stem.__wrapped__(word, lang) for word, lang in pairs]  # one thread, past the cache
    wrong = [(pair, got, want) for pair, got, want in zip(pairs, stems, alone, strict=True) if got != want]
    assert wrong == [], f"{len(wrong)} of {len(pairs)} stems wrong, the first: {wrong[0]}"
