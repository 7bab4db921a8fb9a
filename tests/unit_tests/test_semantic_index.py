"""The semantic cache's index: the same nearest entry as scoring every one, and entries never waiting on the store."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from models import caches
from models.providers import Embedder

DIMS = 32


class Vectors:
    """An embedder whose texts are names of vectors it was given (a test decides the geometry)."""

    def __init__(self) -> None:
        self.known: dict[str, np.ndarray[Any, Any]] = {}

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [self.known[t].tolist() for t in texts]

    def embedder(self) -> Embedder:
        return Embedder(name="test-vectors", dims=DIMS, embed=self.embed)


class GatedStore(caches._MemoryStore):
    """A memory store whose writes wait until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()

    def add(self, *args: Any) -> int:
        self.gate.wait(timeout=30)
        return super().add(*args)


NAMESPACE = ("semantic", "classify", "test")


def _remember(cache: caches.SemanticCache, text: str, output: str) -> None:
    probe = cache.lookup(NAMESPACE, text, threshold=2.0)  # never a hit: every text is stored
    assert probe is not None and probe.hit is None
    cache.remember(probe, {"value": output})


def test_a_big_namespace_finds_what_scoring_every_entry_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    # Past EXACT_UP_TO entries a lookup scores only the lists nearest the query: the entry it
    # returns for a near duplicate must be the one scoring every entry returns.
    monkeypatch.setattr(caches, "EXACT_UP_TO", 64)
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((40, DIMS)).astype(np.float32)
    stored = centres[rng.integers(0, 40, 2000)] + 0.6 * rng.standard_normal((2000, DIMS)).astype(np.float32)
    stored /= np.linalg.norm(stored, axis=1, keepdims=True)
    vectors = Vectors()
    cache = caches.SemanticCache(caches._MemoryStore(), vectors.embedder(), max_entries=10_000, ttl_s=3600)
    for i, vector in enumerate(stored):
        vectors.known[f"t{i}"] = vector
        _remember(cache, f"t{i}", f"answer {i}")
    caches.flush()
    index = cache._indexes[NAMESPACE]
    assert index.lists is not None and index.lists.upto > 1000  # the lists answer most of the lookup
    assert index.unfiled() < 2000 - 1000

    found = 0
    for q, i in enumerate(rng.choice(2000, 200, replace=False)):
        query = stored[i] + 0.05 * rng.standard_normal(DIMS).astype(np.float32)
        query /= np.linalg.norm(query)
        vectors.known[f"q{q}"] = query
        probe = cache.lookup(NAMESPACE, f"q{q}", threshold=0.9)
        exact = int(np.argmax(stored @ query))
        assert probe is not None
        if float(stored[exact] @ query) >= 0.9:
            assert probe.hit is not None and probe.hit.output == {"value": f"answer {exact}"}
            found += 1
        else:
            assert probe.hit is None
    assert found > 150  # the queries were near duplicates: the check above ran on most of them


def test_a_remembered_entry_is_found_before_the_store_has_it() -> None:
    vectors = Vectors()
    vectors.known["a"] = np.eye(DIMS, dtype=np.float32)[0]
    store = GatedStore()
    cache = caches.SemanticCache(store, vectors.embedder(), max_entries=10, ttl_s=3600)
    _remember(cache, "a", "stored")
    again = cache.lookup(NAMESPACE, "a", threshold=0.99)
    assert again is not None and again.hit is not None and again.hit.output == {"value": "stored"}
    assert store.rows_after(NAMESPACE, 0) == []  # the write waits in the background...
    store.gate.set()
    caches.flush()
    assert len(store.rows_after(NAMESPACE, 0)) == 1  # ...and lands, once
    again = cache.lookup(NAMESPACE, "a", threshold=0.99)  # read back from the store: still one entry
    assert again is not None and again.hit is not None
    assert len(cache._indexes[NAMESPACE]) == 1


def test_entries_past_the_bound_are_never_served(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(caches, "EXACT_UP_TO", 60)
    vectors = Vectors()
    rng = np.random.default_rng(3)
    cache = caches.SemanticCache(caches._MemoryStore(), vectors.embedder(), max_entries=80, ttl_s=3600)
    for i in range(100):
        vector = rng.standard_normal(DIMS).astype(np.float32)
        vectors.known[f"t{i}"] = vector / np.linalg.norm(vector)
        _remember(cache, f"t{i}", f"answer {i}")
        caches.flush()
    index = cache._indexes[NAMESPACE]
    assert index.lists is not None and index.lists.upto == 60 and index.lo == 20  # 0-19 filed, then dropped
    for i in range(100):
        probe = cache.lookup(NAMESPACE, f"t{i}", threshold=0.999)
        assert probe is not None
        assert (probe.hit is not None) is (i >= 20), i
