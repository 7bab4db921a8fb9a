"""The semantic cache: a near-duplicate input reuses a stage's stored structured output.

Only stages that declare `Semantic` use it, and only their outputs are stored: a router's label,
an answer drawn from a given set of sources. Nothing that replies to one customer in their words
is ever stored, so a near-duplicate message from another request cannot receive a reply quoting
the first one.

Entries live in LangGraph's own store with its vector index (`SqliteStore` with sqlite-vec by
default, `InMemoryStore` for memory://), chosen by the deployment's STAGECRAFT_SEMANTIC_STORE.
Each store serves one embedder (its vectors have one size); inside it, entries are namespaced by
stage, prompt version, model and the exact values of the stage's scope (the sources of an answer),
so a hit can only come from the same stage, asked the same way, of the same model, about the
same material. A hit reports its similarity and the input it matched.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph.store.base import BaseStore

from models.providers import Embedder, embedder_for
from state.deployment import deployment
from state.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    """A stored output close enough to reuse."""

    output: dict[str, Any]
    similarity: float
    matched: str


class SemanticCache:
    """Stored outputs of one embedder's store."""

    def __init__(self, store: BaseStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def lookup(self, namespace: tuple[str, ...], text: str, threshold: float) -> Hit | None:
        """Return the nearest stored output if its input is at least `threshold` similar to `text`.

        The cache is an optimisation: if the store or the embedder fails, the call goes to the
        model as if nothing was stored, and the failure is logged.
        """
        try:
            found = self.store.search(namespace, query=text, limit=1)
        except Exception as exc:
            log.warning("semantic cache lookup failed (%s: %s); asking the model", type(exc).__name__, exc)
            return None
        if not found or found[0].score is None or found[0].score < threshold:
            return None
        item = found[0]
        return Hit(output=item.value["output"], similarity=float(item.score or 0.0), matched=item.value["input"])

    def remember(self, namespace: tuple[str, ...], key: str, text: str, output: dict[str, Any]) -> None:
        """Store an output under its input text (a failure to store is logged, never raised)."""
        try:
            self.store.put(namespace, key, {"input": text, "output": output}, index=["input"])
        except Exception as exc:
            log.warning("semantic cache could not store an entry (%s: %s)", type(exc).__name__, exc)


_lock = threading.Lock()
_caches: dict[tuple[str, str], SemanticCache | None] = {}


def lookup(settings: Settings, namespace: tuple[str, ...], text: str) -> Hit | None:
    """Blocking: open the run's semantic cache if need be and look `text` up in it."""
    cache = semantic_cache(settings)
    if cache is None:
        return None
    return cache.lookup((*namespace, _label(cache.embedder.name)), text, settings.semantic_threshold)


def remember(settings: Settings, namespace: tuple[str, ...], key: str, text: str, output: dict[str, Any]) -> None:
    """Blocking: store an output in the run's semantic cache."""
    cache = semantic_cache(settings)
    if cache is not None:
        cache.remember((*namespace, _label(cache.embedder.name)), key, text, output)


def _label(name: str) -> str:
    # Store namespace labels may not contain periods.
    return name.replace(".", "_")


def semantic_cache(settings: Settings) -> SemanticCache | None:
    """Return the semantic cache for this run's embedder, or None when the deployment turned it off."""
    url = deployment().semantic_url
    if url == "off":
        return None
    embedder = embedder_for(settings)
    if url.startswith("sqlite:///"):
        url = "sqlite:///" + str(Path(url.removeprefix("sqlite:///")).resolve())
    key = (url, embedder.name)
    with _lock:
        if key not in _caches:
            _caches[key] = SemanticCache(_open(url, embedder), embedder)
        return _caches[key]


def _open(url: str, embedder: Embedder) -> BaseStore:
    index: Any = {"dims": embedder.dims, "embed": embedder.embed, "fields": ["input"]}
    if url == "memory://":
        from langgraph.store.memory import InMemoryStore

        return InMemoryStore(index=index)
    if url.startswith("sqlite:///"):
        from langgraph.store.sqlite import SqliteStore

        # One file per embedder: a store's vector index has one size.
        base = Path(url.removeprefix("sqlite:///"))
        path = base.with_name(f"{base.stem}-{embedder.name}{base.suffix or '.sqlite'}")
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = _sqlite_with_extensions().connect(str(path), check_same_thread=False, isolation_level=None)
        store = SqliteStore(conn, index=index)
        store.setup()
        return store
    raise ValueError(f"STAGECRAFT_SEMANTIC_STORE={url!r}: use sqlite:///path, memory:// or off")


def _sqlite_with_extensions() -> Any:
    """Return a sqlite3 module that can load sqlite-vec: the standard one, or pysqlite3 where Python's lacks it.

    Some Python builds (pyenv's, by default) compile sqlite3 without loadable extensions;
    pysqlite3-binary ships SQLite with them.
    """
    import sqlite3

    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    try:
        import pysqlite3  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        raise RuntimeError(
            "the semantic cache's SQLite store needs sqlite-vec, and this Python's sqlite3 cannot load "
            "extensions: install pysqlite3-binary, or set STAGECRAFT_SEMANTIC_STORE=memory:// or off"
        ) from None
    return pysqlite3
