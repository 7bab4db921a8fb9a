"""The caches at the model seam: the stage-output cache (exact) and the semantic cache (near duplicates).

The stage-output cache keys a model call on exactly what the model is asked:

    the stage's prompt (name, version and a digest of its text) | the provider and its revision
    (the offline engine's version) | the model | the output schema (or text) | the rendered
    messages, role and text of each

What the model sees is what decides what it says, so the key is right by construction: a prompt
whose text changed misses even when its version did not, a setting that changes the prompt
changes the key, and a node's routes and Send packets are always computed anew by the node (only
the model's answer is reused, never a node's update). Answers are stored in one of LangGraph's own
cache backends (in-memory, SQLite, Redis), chosen by the deployment's STAGECRAFT_CACHE, opened on
first use (importing a graph creates no file) and read strictly: an entry that cannot be read, or
that a strict reader refuses, is a logged miss; the model answers and its answer replaces it.

The semantic cache lets a near-duplicate input reuse a stage's stored structured output. Only
stages that declare `Semantic` use it, and only their outputs are stored: a router's label, an
answer drawn from a given set of sources. An entry holds what matching needs and nothing of the
customer's words:

    namespace   stage, prompt, provider, model and the exact values of the stage's scope (the
                sources of an answer), and the embedder: a hit can only come from the same stage,
                asked the same way, of the same model, about the same material
    id          random; the one thing a hit tells the new request about the entry it matched
    digest      a keyed hash of the input (the key is the store's own), so a repeat is stored once
    vector      the input's embedding
    output      the stage's validated output, what it cost and the model that answered
    created     entries older than the TTL are never served and are deleted; each namespace keeps
                at most `max_entries`, the newest

Entries live in a SQLite file (STAGECRAFT_SEMANTIC_STORE=sqlite:///path, shared by the processes
that use it) or in memory (memory://). Each process searches an in-memory index per namespace
(exact up to EXACT_UP_TO entries, inverted lists past that), brought up to date from the file
before each lookup (one indexed query for the rows added since). A new entry is in the index at
once and written to the store by one background thread per process, in order (`flush` waits).
A row it cannot read is a logged miss, never a failure; when the store or the embedder fails,
the call goes to the model and the failure is logged.

Only validated answers are stored in either cache (never a failed call, a fallback, or a call the
budget stopped), and stages that declare `cache=False` (a reply to one customer, a stage that
acts) use neither. `models.seam` writes the ledger entry of a hit from either.
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import json
import logging
import math
import os
import queue
import secrets
import sqlite3
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.messages import BaseMessage
from langgraph.cache.base import BaseCache

from models.providers import Embedder, embedder_for
from state.deployment import deployment
from state.serde import STRICT
from state.settings import Settings

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)


# The stage-output cache

# How long an answer is served when the deployment sets no STAGECRAFT_CACHE_TTL.
DEFAULT_TTL_S = 7 * 24 * 3600
# Answers a process keeps at hand, and for how long at most (the backend stays the truth).
_RECENT = 4096
_RECENT_TTL_S = 600
_NAMESPACE = ("stagecraft", "answers")


def call_key(prompt: str, provider: str, model: str, output: str, messages: Sequence[BaseMessage]) -> str:
    """Return the cache key of one model call: a digest of everything that decides its answer."""
    rendered = [[m.type, m.content if isinstance(m.content, str) else json.dumps(m.content)] for m in messages]
    return digest([prompt, provider, model, output, rendered])


class StageCache:
    """Answers of model calls in the deployment's backend (STAGECRAFT_CACHE), opened on first use."""

    def __init__(self) -> None:
        self._backends: dict[str, BaseCache[Any] | None] = {}
        self._lock = threading.Lock()
        # The answers this process stored or read lately, by backend and key, with when they expire:
        # a repeat in the same process is served without a trip to the backend (a worker thread).
        self._recent: OrderedDict[tuple[str, str], tuple[float, dict[str, Any]]] = OrderedDict()
        self._current = ""

    def backend(self) -> BaseCache[Any] | None:
        """Blocking: return the deployment's cache backend (None: off), opening it on first use."""
        url = self._url()
        with self._lock:
            if url not in self._backends:
                self._backends[url] = _open(url)
            self._current = url
            return self._backends[url]

    def recent(self, key: str) -> dict[str, Any] | None:
        """Return an answer this process stored or read lately in the current backend, touching no file.

        Safe on an event loop: it resolves no path (the backend last opened, in a worker thread, is current).
        """
        found = self._recent.get((self._current, key))
        if found is None or found[0] < time.time():
            return None
        return found[1]

    def forget(self) -> None:
        """Forget the answers kept at hand (the backend keeps them); the next call reads the backend."""
        with self._lock:
            self._recent.clear()

    def _remember(self, key: str, answer: dict[str, Any], ttl_s: float) -> None:
        with self._lock:
            self._recent[(self._current, key)] = (time.time() + ttl_s, answer)
            self._recent.move_to_end((self._current, key))
            while len(self._recent) > _RECENT:
                self._recent.popitem(last=False)

    def _url(self) -> str:
        url = deployment().cache_url
        if not url.startswith("sqlite:///"):
            return url
        # A relative path names a file of the working folder (abspath: no file-system trip, unlike resolve).
        return "sqlite:///" + os.path.abspath(url.removeprefix("sqlite:///"))

    def get(self, key: str) -> dict[str, Any] | None:
        """Blocking: return the stored answer of a call, or None (a miss, or an unreadable entry)."""
        backend = self.backend()
        if backend is None:
            return None
        try:
            found = backend.get([(_NAMESPACE, key)]).get((_NAMESPACE, key))
        except Exception as exc:
            # Corrupt or tampered (the strict serde refuses what it would execute): a miss. The
            # model answers and its answer replaces the entry; nothing stored is ever executed.
            _unreadable(key, exc)
            return None
        if found is None:
            return None
        if not isinstance(found, dict) or "value" not in found:
            _unreadable(key, ValueError("not a stored answer"))
            return None
        self._remember(key, found, _RECENT_TTL_S)
        return found

    def put(self, key: str, answer: dict[str, Any]) -> None:
        """Blocking: store a validated answer for the deployment's TTL (a failure to store is logged)."""
        backend = self.backend()
        if backend is None:
            return
        ttl = deployment().cache_ttl_s or DEFAULT_TTL_S
        self._remember(key, answer, min(ttl, _RECENT_TTL_S))
        try:
            backend.set({(_NAMESPACE, key): (answer, ttl)})
        except Exception as exc:
            log.warning("stage cache could not store an answer (%s: %s)", type(exc).__name__, str(exc)[:200])

    def clear(self) -> None:
        """Delete every stored answer."""
        self.forget()
        backend = self.backend()
        if backend is not None:
            backend.clear()


def _unreadable(key: str, exc: Exception) -> None:
    log.warning(
        "stage cache entry %s is unreadable (%s: %s); treated as a miss", key[:12], type(exc).__name__, str(exc)[:200]
    )


def _open(url: str) -> BaseCache[Any] | None:
    if url == "off":
        return None
    if url == "memory://":
        from langgraph.cache.memory import InMemoryCache

        return InMemoryCache(serde=STRICT)
    if url.startswith("sqlite:///"):
        from langgraph.cache.sqlite import SqliteCache

        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteCache(path=str(path), serde=STRICT)
    if url.startswith(("redis://", "rediss://")):
        try:
            import redis
            from langgraph.cache.redis import RedisCache
        except ImportError:
            from state.deployment import missing_extra

            raise missing_extra("redis", "a redis:// URL") from None

        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
        try:
            client.ping()
        except redis.RedisError as exc:
            raise CacheUnavailable(f"stage cache Redis at {_where(url)} unreachable: {exc}") from None
        return RedisCache(client, serde=STRICT, prefix="stagecraft:cache:")
    raise CacheUnavailable(f"STAGECRAFT_CACHE={url!r}: use sqlite:///path, memory://, redis://host:port/db or off")


class CacheUnavailable(RuntimeError):
    """The configured cache cannot be opened; the message says which and where."""


def _where(url: str) -> str:
    # host:port only: a URL may carry a password.
    rest = url.split("://", 1)[1]
    return rest.split("@")[-1].split("/")[0]


def digest(value: Any) -> str:
    """Return a stable hash of JSON-able data."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


STAGE_CACHE = StageCache()
"""The stage-output cache every model call goes through (see `models.seam`)."""


# The semantic cache


@dataclass(frozen=True)
class Hit:
    """A stored output close enough to reuse."""

    output: dict[str, Any]
    similarity: float
    entry: str
    """The matched entry's id: never anything of the input it was stored for."""


@dataclass(frozen=True)
class Probe:
    """One lookup: the hit, if any, and what storing the fresh answer needs (no second embedding)."""

    namespace: tuple[str, ...]
    digest: str
    vector: npt.NDArray[np.float32]
    hit: Hit | None


# Nearest-neighbour search in one namespace. Up to EXACT_UP_TO entries are scored all at once (one
# matrix product: a millisecond at 4,096 entries of 256 values). Past that, the entries stored
# until then are also filed in inverted lists (IVF, as faiss's IndexIVFFlat): k-means centroids,
# each entry in the list of its nearest centroid, the vectors of a list side by side in memory.
# A lookup scores the centroids, then only the PROBES lists nearest the query, and the entries
# added since the lists were built exactly:
#
#     query -> centroids (sqrt(n) of them) -> 8 nearest lists -> their entries, exactly scored
#                                           + entries added since the last build, exactly scored
#
# A near duplicate lies in one of the nearest lists: in `make bench`, at 100,000 entries, every
# stored input a query was at least `semantic_threshold` similar to was found (recall beside the
# figure). Lists are rebuilt in the background writer, never on a lookup: when EXACT_UP_TO
# entries wait outside them (centroids trained again once the namespace has grown fourfold).
EXACT_UP_TO = 4096
PROBES = 8
_TRAIN_ROUNDS = 6  # k-means rounds on a sample of at most 32 entries per centroid


@dataclass(frozen=True)
class _Lists:
    """The inverted lists of a namespace's entries with sequence numbers below `upto` (immutable)."""

    centroids: npt.NDArray[np.float32]
    vectors: npt.NDArray[np.float32]
    """Every filed entry's vector, grouped by list."""
    seqs: npt.NDArray[np.int64]
    bounds: npt.NDArray[np.int64]
    """List j is rows bounds[j]:bounds[j + 1]."""
    upto: int
    trained_on: int

    def nearest(self, query: npt.NDArray[np.float32], alive_from: int) -> tuple[int, float]:
        import numpy as np

        scores = self.centroids @ query
        probes = np.argpartition(scores, -PROBES)[-PROBES:] if len(scores) > PROBES else range(len(scores))
        best, seq = -math.inf, -1
        for j in probes:
            a, b = int(self.bounds[j]), int(self.bounds[j + 1])
            if a == b:
                continue
            found = self.vectors[a:b] @ query
            found[self.seqs[a:b] < alive_from] = -math.inf  # expired or beyond the bound since the build
            i = int(np.argmax(found))
            if found[i] > best:
                best, seq = float(found[i]), int(self.seqs[a + i])
        return seq, best


def _file(vectors: npt.NDArray[np.float32], seqs: npt.NDArray[np.int64], previous: _Lists | None) -> _Lists:
    """Return inverted lists of these entries (numbered `seqs`, in order), reusing the previous lists if they can.

    Centroids are trained anew once the entries are four times those they were trained on; until
    then only the entries the previous lists lack are assigned, and the lists merged.
    """
    import numpy as np

    n = len(vectors)
    if previous is not None and n < 4 * previous.trained_on:
        centroids, trained_on = previous.centroids, previous.trained_on
        kept = previous.seqs >= seqs[0]  # still alive
        old = np.repeat(np.arange(len(centroids)), np.diff(previous.bounds))[kept]
        fresh = seqs >= previous.upto
        lists = np.concatenate([old, _assign(vectors[fresh], centroids)])
        vectors = np.concatenate([previous.vectors[kept], vectors[fresh]])
        seqs = np.concatenate([previous.seqs[kept], seqs[fresh]])
    else:
        k = max(16, min(4096, int(math.sqrt(n))))
        rng = np.random.default_rng(n)
        sample = vectors[rng.choice(n, min(n, 32 * k), replace=False)]
        centroids = sample[rng.choice(len(sample), k, replace=False)].copy()
        for _ in range(_TRAIN_ROUNDS):  # spherical k-means
            sums = np.zeros_like(centroids)
            np.add.at(sums, np.argmax(sample @ centroids.T, axis=1), sample)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            centroids = np.where(norms > 0, sums / np.maximum(norms, 1e-12), centroids).astype(np.float32)
        trained_on = n
        lists = _assign(vectors, centroids)
    order = np.argsort(lists, kind="stable")
    bounds = np.searchsorted(lists[order], np.arange(len(centroids) + 1)).astype(np.int64)
    return _Lists(centroids, vectors[order], seqs[order], bounds, int(seqs.max()) + 1, trained_on)


def _assign(vectors: npt.NDArray[np.float32], centroids: npt.NDArray[np.float32]) -> npt.NDArray[np.int64]:
    """The list (nearest centroid) of each vector."""
    import numpy as np

    chunks = [np.argmax(vectors[i : i + 8192] @ centroids.T, axis=1) for i in range(0, len(vectors), 8192)]
    return np.concatenate(chunks).astype(np.int64) if chunks else np.zeros(0, dtype=np.int64)


class _Index:
    """The entries of one namespace as this process knows them, oldest first, numbered in order.

    Entries numbered `lo` to `hi` are alive; row i of the arrays holds entry `base + i` (entries
    below `lo` are dropped from the arrays when they grow).
    """

    def __init__(self, dims: int) -> None:
        import numpy as np

        self.matrix = np.zeros((64, dims), dtype=np.float32)
        self.base = self.lo = self.hi = 0
        self.ids: list[str] = []
        self.created: list[float] = []
        self.outputs: list[dict[str, Any]] = []
        self.by_digest: dict[str, int] = {}
        self.known: set[str] = set()
        self.lists: _Lists | None = None
        self.filing = False
        self.cursor = 0
        """The last row id read from the store."""

    def __len__(self) -> int:
        return self.hi - self.lo

    def add(
        self, entry_id: str, digest: str, created: float, vector: npt.NDArray[np.float32], output: dict[str, Any]
    ) -> None:
        import numpy as np

        if self.hi - self.base == len(self.matrix):
            self._compact()
            if self.hi - self.base == len(self.matrix):
                grown = np.zeros((2 * len(self.matrix), self.matrix.shape[1]), dtype=np.float32)
                grown[: len(self.matrix)] = self.matrix
                self.matrix = grown
        self.matrix[self.hi - self.base] = vector
        self.ids.append(entry_id)
        self.created.append(created)
        self.outputs.append(output)
        self.by_digest[digest] = self.hi
        self.known.add(entry_id)
        self.hi += 1

    def holds(self, digest: str) -> bool:
        return self.by_digest.get(digest, -1) >= self.lo

    def keep(self, newest: int, since: float) -> None:
        """Forget entries beyond the newest `newest` and those created before `since`."""
        self.lo = max(self.lo, self.hi - newest)
        while self.lo < self.hi and self.created[self.lo - self.base] < since:
            self.lo += 1

    def _compact(self) -> None:
        """Drop the rows of entries no longer alive, when they are at least half the arrays."""
        dead = self.lo - self.base
        if dead < len(self.matrix) // 2:
            return
        alive = self.hi - self.lo
        self.matrix[:alive] = self.matrix[dead : dead + alive]
        for column in (self.ids, self.created, self.outputs):
            del column[:dead]
        self.base = self.lo
        self.known = set(self.ids)
        self.by_digest = {d: seq for d, seq in self.by_digest.items() if seq >= self.lo}

    def nearest(self, vector: npt.NDArray[np.float32]) -> tuple[int, float] | None:
        """The alive entry most similar to `vector` (its row, its similarity), or None when there is none."""
        import numpy as np

        if self.hi == self.lo:
            return None
        best, seq, start = -math.inf, -1, self.lo
        if self.lists is not None:
            seq, best = self.lists.nearest(vector, self.lo)
            start = max(self.lo, self.lists.upto)
        if start < self.hi:
            scores = self.matrix[start - self.base : self.hi - self.base] @ vector
            i = int(np.argmax(scores))
            if scores[i] > best:
                best, seq = float(scores[i]), start + i
        return (seq - self.base, best) if seq >= 0 else None

    def unfiled(self) -> int:
        """How many alive entries the inverted lists do not hold."""
        return self.hi - max(self.lo, self.lists.upto if self.lists is not None else self.lo)


class SemanticCache:
    """The stored outputs of one store, matched with one embedder."""

    def __init__(self, store: _Store, embedder: Embedder, *, max_entries: int, ttl_s: int) -> None:
        self.store = store
        self.embedder = embedder
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self._indexes: dict[tuple[str, ...], _Index] = {}
        self._lock = threading.Lock()

    def lookup(self, namespace: tuple[str, ...], text: str, threshold: float) -> Probe | None:
        """Return the nearest stored output whose input is at least `threshold` similar to `text`.

        None when the embedder or the store failed (logged): the caller asks the model and stores nothing.
        """
        try:
            vector = _unit(self.embedder.embed([text])[0])
        except Exception as exc:
            log.warning("semantic cache: embedding failed (%s: %s); asking the model", type(exc).__name__, exc)
            return None
        digest = self.store.digest(text)
        try:
            with self._lock:
                index = self._refreshed(namespace)
                found = index.nearest(vector)
                if found is None or found[1] < threshold:
                    return Probe(namespace, digest, vector, None)
                i, score = found
                hit = Hit(output=index.outputs[i], similarity=min(score, 1.0), entry=index.ids[i])
        except Exception as exc:
            log.warning("semantic cache lookup failed (%s: %s); asking the model", type(exc).__name__, exc)
            return None
        return Probe(namespace, digest, vector, hit)

    def remember(self, probe: Probe, output: dict[str, Any]) -> None:
        """Store the fresh output of a probe that missed (a failure to store is logged, never raised).

        The entry is in this process's index at once (a later lookup finds it); the store is
        written in the background, in order (`flush` waits for it).
        """
        now = time.time()
        entry = uuid.uuid4().hex[:16]
        try:
            with self._lock:
                index = self._refreshed(probe.namespace)
                if index.holds(probe.digest):
                    return  # this very input is stored already
                index.add(entry, probe.digest, now, probe.vector, output)
                index.keep(self.max_entries, now - self.ttl_s)
                self._file_later(probe.namespace, index)
        except Exception as exc:
            log.warning("semantic cache could not store an entry (%s: %s)", type(exc).__name__, exc)
            return
        row = (probe.namespace, entry, probe.digest, now, probe.vector, output)
        _in_background(lambda: self._write(row))

    def _write(self, row: tuple[Any, ...]) -> None:
        namespace, _, _, now, _, _ = row
        try:
            self.store.add(*row)
            self.store.bound(namespace, self.max_entries, now - self.ttl_s)
        except Exception as exc:
            log.warning("semantic cache could not store an entry (%s: %s)", type(exc).__name__, exc)

    def _file_later(self, namespace: tuple[str, ...], index: _Index) -> None:
        """Have the background writer file the index's entries in inverted lists, once enough wait outside them."""
        if index.filing or index.unfiled() < EXACT_UP_TO:
            return
        index.filing = True
        start, end = max(index.lo, index.base), index.hi
        vectors = index.matrix[start - index.base : end - index.base].copy()
        previous = index.lists

        def file() -> None:
            import numpy as np

            lists: _Lists | None
            try:
                lists = _file(vectors, np.arange(start, end, dtype=np.int64), previous)
            except Exception as exc:
                log.warning("semantic cache could not index %s (%s: %s)", namespace[1], type(exc).__name__, exc)
                lists = previous
            with self._lock:
                index.lists, index.filing = lists, False

        _in_background(file)

    def _refreshed(self, namespace: tuple[str, ...]) -> _Index:
        index = self._indexes.get(namespace)
        if index is None:
            index = self._indexes[namespace] = _Index(self.embedder.dims)
        for row_id, entry, digest, created, blob, output in self.store.rows_after(namespace, index.cursor):
            index.cursor = row_id
            if entry in index.known:
                continue  # written by this process: in the index since it was remembered
            parsed = _readable(entry, blob, output, self.embedder.dims)
            if parsed is not None:
                index.add(entry, digest, created, *parsed)
        index.keep(self.max_entries, time.time() - self.ttl_s)
        self._file_later(namespace, index)
        return index


# One writer thread per process, in order: a cache's stored entries and its index's lists.
_tasks: queue.Queue[Callable[[], None]] = queue.Queue()
_writer: threading.Thread | None = None
_writer_lock = threading.Lock()


def _in_background(task: Callable[[], None]) -> None:
    global _writer
    with _writer_lock:
        if _writer is None or not _writer.is_alive():
            _writer = threading.Thread(target=_write_forever, name="stagecraft-semantic-writer", daemon=True)
            _writer.start()
            atexit.register(flush)  # what a run stored reaches the store before the process ends
    _tasks.put(task)


def _write_forever() -> None:
    while True:
        task = _tasks.get()
        try:
            task()
        except Exception as exc:  # each task logs its own failures: this thread must outlive any
            log.warning("semantic cache writer: %s: %s", type(exc).__name__, exc)
        finally:
            _tasks.task_done()


def flush() -> None:
    """Wait until every entry this process remembered is in its store (and its index's lists built)."""
    if _writer is not None:
        _tasks.join()


def _unit(vector: Any) -> npt.NDArray[np.float32]:
    import numpy as np

    values = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(values))
    return values / norm if norm > 0 else values


def _readable(entry: str, blob: Any, output: Any, dims: int) -> tuple[npt.NDArray[np.float32], dict[str, Any]] | None:
    """The vector and output of a stored row, or None (logged) when the row is malformed."""
    import numpy as np

    try:
        vector = np.frombuffer(blob, dtype=np.float32)
        if vector.shape != (dims,) or not np.isfinite(vector).all():
            raise ValueError(f"a vector of {vector.size} values, expected {dims}")
        value = json.loads(output)
        if not isinstance(value, dict) or not isinstance(value.get("value"), dict | list | str | int | float):
            raise ValueError("the output is not a stored stage output")
    except (ValueError, TypeError) as exc:
        log.warning("semantic cache entry %s is unreadable (%s); treated as a miss", str(entry)[:16], exc)
        return None
    return vector, value


class _Store:
    """Where entries persist: rows of (namespace, id, digest, created, vector, output)."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(16)

    def digest(self, text: str) -> str:
        """A keyed hash of an input: equal inputs match, and nobody without the key can test a guess."""
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:32]

    def add(
        self,
        namespace: tuple[str, ...],
        entry: str,
        digest: str,
        created: float,
        vector: npt.NDArray[np.float32],
        output: dict[str, Any],
    ) -> int:
        """Store an entry; return its row id."""
        raise NotImplementedError

    def rows_after(self, namespace: tuple[str, ...], cursor: int) -> list[tuple[int, str, str, float, bytes, str]]:
        """Return the namespace's rows stored after row `cursor`, oldest first."""
        raise NotImplementedError

    def bound(self, namespace: tuple[str, ...], newest: int, since: float) -> None:
        """Delete the namespace's rows beyond the newest `newest` and those created before `since`."""
        raise NotImplementedError


def _blob(vector: npt.NDArray[np.float32]) -> bytes:
    import numpy as np

    return np.asarray(vector, dtype=np.float32).tobytes()


class _MemoryStore(_Store):
    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[tuple[str, ...], list[tuple[int, str, str, float, bytes, str]]] = {}
        self._next = 0

    def add(
        self,
        namespace: tuple[str, ...],
        entry: str,
        digest: str,
        created: float,
        vector: npt.NDArray[np.float32],
        output: dict[str, Any],
    ) -> int:
        self._next += 1
        self._rows.setdefault(namespace, []).append(
            (self._next, entry, digest, created, _blob(vector), json.dumps(output))
        )
        return self._next

    def rows_after(self, namespace: tuple[str, ...], cursor: int) -> list[tuple[int, str, str, float, bytes, str]]:
        return [row for row in self._rows.get(namespace, []) if row[0] > cursor]

    def bound(self, namespace: tuple[str, ...], newest: int, since: float) -> None:
        rows = self._rows.get(namespace, [])
        self._rows[namespace] = [row for row in rows[-newest:] if row[3] >= since]


_SCHEMA = """
CREATE TABLE IF NOT EXISTS semantic_key (key BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS semantic_entries (
    row INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace TEXT NOT NULL,
    entry TEXT NOT NULL,
    digest TEXT NOT NULL,
    created REAL NOT NULL,
    vector BLOB NOT NULL,
    output TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS semantic_entries_by_namespace ON semantic_entries (namespace, row);
"""

# Concurrent writers on one SQLite file wait this long for the lock before a write is given up (logged).
_BUSY_TIMEOUT_S = 5.0


class _SqliteStore(_Store):
    def __init__(self, path: Path) -> None:
        super().__init__()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.executescript(_SCHEMA)
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            row = self._conn.execute("SELECT key FROM semantic_key").fetchone()
            if row is None:
                self._conn.execute("INSERT INTO semantic_key (key) VALUES (?)", (self._key,))
            else:
                self._key = bytes(row[0])
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._lock = threading.Lock()

    def add(
        self,
        namespace: tuple[str, ...],
        entry: str,
        digest: str,
        created: float,
        vector: npt.NDArray[np.float32],
        output: dict[str, Any],
    ) -> int:
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO semantic_entries (namespace, entry, digest, created, vector, output) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (_label(namespace), entry, digest, created, _blob(vector), json.dumps(output)),
            )
            return int(cursor.lastrowid or 0)

    def rows_after(self, namespace: tuple[str, ...], cursor: int) -> list[tuple[int, str, str, float, bytes, str]]:
        with self._lock:
            return self._conn.execute(
                "SELECT row, entry, digest, created, vector, output FROM semantic_entries "
                "WHERE namespace = ? AND row > ? ORDER BY row",
                (_label(namespace), cursor),
            ).fetchall()

    def bound(self, namespace: tuple[str, ...], newest: int, since: float) -> None:
        with self._lock:
            self._conn.execute(
                "DELETE FROM semantic_entries WHERE namespace = ? AND (created < ? OR row <= "
                "(SELECT row FROM semantic_entries WHERE namespace = ? ORDER BY row DESC LIMIT 1 OFFSET ?))",
                (_label(namespace), since, _label(namespace), newest),
            )


def _label(namespace: tuple[str, ...]) -> str:
    return "/".join(namespace)


_lock = threading.Lock()
_caches: dict[tuple[str, str], SemanticCache | None] = {}


def semantic_lookup(settings: Settings, namespace: tuple[str, ...], text: str) -> Probe | None:
    """Blocking: open the run's semantic cache if need be and look `text` up in it."""
    cache = semantic_cache(settings)
    if cache is None:
        return None
    return cache.lookup((*namespace, cache.embedder.name), text, settings.semantic_threshold)


def semantic_remember(settings: Settings, probe: Probe, output: dict[str, Any]) -> None:
    """Blocking: store the fresh output of a probe that missed."""
    cache = semantic_cache(settings)
    if cache is not None:
        cache.remember(probe, output)


def semantic_cache(settings: Settings) -> SemanticCache | None:
    """Return the semantic cache for this run's embedder, or None when the deployment turned it off."""
    where = deployment()
    url = where.semantic_url
    if url == "off":
        return None
    embedder = embedder_for(settings)
    if url.startswith("sqlite:///"):
        url = "sqlite:///" + str(Path(url.removeprefix("sqlite:///")).resolve())
    key = (url, embedder.name)
    with _lock:
        if key not in _caches:
            store: _Store = _MemoryStore() if url == "memory://" else _SqliteStore(Path(url.removeprefix("sqlite:///")))
            _caches[key] = SemanticCache(
                store, embedder, max_entries=where.semantic_max_entries, ttl_s=where.semantic_ttl_s
            )
        return _caches[key]
