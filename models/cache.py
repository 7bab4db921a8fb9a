"""The stage-output cache: LangGraph's node caching, keyed by what determines a stage's output.

LangGraph's default cache key pickles a node's whole input, so inside a checkpointed thread (whose
state grows with every request) it never hits. Here a node's key is built from exactly what
decides its update:

    stage names and prompt versions | provider (and engine version) and model | the settings the
    stage declares as changing its output | the values of its declared inputs

The provider, model and settings are those of the run: `intake` writes them per stage into the
`cache_scope` state key (a cache key function only sees the node's input, never the run's
context), and Send payloads carry it to workers.

`StageCache` wraps one of LangGraph's own backends (in-memory, SQLite, Redis), chosen by the
deployment's STAGECRAFT_CACHE, opened on first use (so importing a graph creates no file) and
read strictly. A hit replays the node's whole update, ledger entries included: the cache rewrites
those entries on the way out, so a replayed call costs $0, uses no tokens and says `cached`
(with what it saved), instead of billing the original call again. An update that records a
failed branch or a budget stop is never stored.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from langgraph.cache.base import BaseCache, FullKey, Namespace
from langgraph.types import CachePolicy
from xxhash import xxh3_128_hexdigest

from models.stages import STAGES, Stage
from models.tiers import model_name, tier_for
from state.deployment import deployment
from state.serde import STRICT
from state.settings import Settings

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from langgraph.graph import StateGraph

# Bumped when the offline engine's answers change, so its old outputs are never served again.
OFFLINE_ENGINE_VERSION = "4"
_NO_CACHE = "nocache:"


def cache_scope(settings: Settings) -> dict[str, str]:
    """Return, per declared stage, what of this run decides its output (or "off")."""
    return {name: stage_scope(stage, settings) for name, stage in STAGES.items()}


def stage_scope(stage: Stage, settings: Settings) -> str:
    """Return what of this run decides one stage's output: prompt, provider, model, declared settings (or "off")."""
    if not settings.cache or not stage.cacheable:
        return "off"
    provider = settings.resolved_provider()
    engine = f"{provider}@{OFFLINE_ENGINE_VERSION}" if provider == "offline" else provider
    declared = stage.exact.settings if stage.exact is not None else ()
    knobs = json.dumps({k: getattr(settings, k) for k in declared}, sort_keys=True)
    return f"{stage.prompt.key}|{engine}|{model_name(tier_for(stage, settings), settings)}|{knobs}"


# The (hashed) keys of nodes whose caching is off, so the cache skips them without a trip to its
# backend (a worker thread each time). Hashed as LangGraph hashes a key function's result; if that
# ever changed, the keys would simply not be recognised and take the slow path, still never stored.
_UNCACHED: set[str] = set()
_UNCACHED_MAX = 50_000


def _uncached_key() -> str:
    key = _NO_CACHE + uuid.uuid4().hex
    if len(_UNCACHED) > _UNCACHED_MAX:  # tasks that failed before their writes were stored
        _UNCACHED.clear()
    _UNCACHED.add(xxh3_128_hexdigest(key.encode()))
    return key


def _cacheable(pairs: Mapping[FullKey, tuple[Any, int | None]]) -> dict[FullKey, tuple[Any, int | None]]:
    """The writes worth a trip to the backend: not those of nodes whose caching was off (forgotten now)."""
    kept = {}
    for key, value in pairs.items():
        if key[1] in _UNCACHED:
            _UNCACHED.discard(key[1])
        else:
            kept[key] = value
    return kept


def node_cache(*stages: Stage) -> CachePolicy[Any] | None:
    """Return the cache policy of a node that runs these stages, or None if any of them may not be cached."""
    exacts = [stage.exact for stage in stages]
    if not exacts or any(e is None for e in exacts):
        return None
    inputs = sorted({key for e in exacts if e is not None for key in e.inputs})
    ttls = [e.ttl_s for e in exacts if e is not None and e.ttl_s is not None]
    names = [stage.name for stage in stages]

    def key(value: Any) -> str:
        scope = (value.get("cache_scope") if isinstance(value, Mapping) else None) or {}
        parts = [scope.get(name) for name in names]
        if any(part in (None, "off") for part in parts):
            # Caching is off for this run: a key no entry has, and `set` will not store its writes.
            return _uncached_key()
        picked = {k: value.get(k) for k in inputs}
        return json.dumps([parts, picked], sort_keys=True, ensure_ascii=False, default=str)

    return CachePolicy(key_func=key, ttl=min(ttls) if ttls else None)


Route = TypeVar("Route", bound=Callable[..., Any])
_ROUTE_READS = "__stagecraft_route_reads__"


def route_reads(*keys: str) -> Callable[[Route], Route]:
    """Declare the state keys a conditional edge reads beyond the update of the node it leaves.

    A cache hit replays a node's whole update, and that update includes what its outgoing edges
    decided: the next nodes and the Send packets (with the request's identity in them). The
    values of these keys become part of the node's cache key (see `wire_cache`), so a replayed
    decision is the one the current run would make. Settings a route reads belong in the stage's
    `Exact.settings` instead.
    """

    def declare(route: Route) -> Route:
        setattr(route, _ROUTE_READS, tuple(keys))
        return route

    return declare


def wire_cache(builder: StateGraph[Any, Any, Any, Any]) -> StateGraph[Any, Any, Any, Any]:
    """Key every cached node of a built graph by where its writes go, and by what its routes read.

    A replayed update carries the writes that trigger the next nodes: channels of the graph that
    stored it (the join of analysis' four branches is not the document graph's join of seven).
    Without the wiring in the key, the same node in another graph replayed the other graph's
    triggers and its run stopped short; without the routes' inputs, a second customer's identical
    message replayed the first one's Send packets and received the first customer's case.
    Call it last in a graph's `build()`; a cached node whose route declares nothing is refused.
    """
    for name, spec in builder.nodes.items():
        policy = spec.cache_policy
        if policy is None:
            continue
        reads: set[str] = set()
        branches = []
        for branch_name, branch in builder.branches.get(name, {}).items():
            route = getattr(branch.path, "func", None) or getattr(branch.path, "afunc", None)
            declared = getattr(route, _ROUTE_READS, None)
            if declared is None:
                raise ValueError(
                    f"node {name!r} is cached, so its conditional edge {branch_name!r} must declare the "
                    "state it reads beyond the node's update (@route_reads)"
                )
            reads.update(declared)
            branches.append([branch_name, sorted(f"{k}>{v}" for k, v in (branch.ends or {}).items())])
        wiring = digest(
            {
                "edges": sorted(end for start, end in builder.edges if start == name),
                # In the order LangGraph names the join channel (join:a+b:end), not sorted.
                "joins": sorted([list(starts), end] for starts, end in builder.waiting_edges if name in starts),
                "branches": sorted(branches),
            }
        )
        spec.cache_policy = CachePolicy(key_func=_wired(policy.key_func, wiring, sorted(reads)), ttl=policy.ttl)
    return builder


def _wired(key: Callable[..., str | bytes], wiring: str, reads: list[str]) -> Callable[[Any], str]:
    def wired(value: Any) -> str:
        inner = key(value)
        inner = inner.decode() if isinstance(inner, bytes) else inner
        if inner.startswith(_NO_CACHE):
            return inner  # caching is off for this run: the key the cache recognises and skips
        routed = {k: value.get(k) for k in reads} if isinstance(value, Mapping) else {}
        return json.dumps([wiring, routed, inner], sort_keys=True, ensure_ascii=False, default=str)

    return wired


class StageCache(BaseCache[Any]):
    """LangGraph's cache interface over the deployment's backend, rewriting replayed ledger entries."""

    def __init__(self) -> None:
        super().__init__(serde=STRICT)
        self._backends: dict[str, BaseCache[Any] | None] = {}
        self._lock = threading.Lock()

    def backend(self) -> BaseCache[Any] | None:
        """Return the deployment's cache backend (None: off), opening it on first use."""
        url = deployment().cache_url
        if url.startswith("sqlite:///"):
            url = "sqlite:///" + str(Path(url.removeprefix("sqlite:///")).resolve())
        with self._lock:
            if url not in self._backends:
                self._backends[url] = _open(url)
            return self._backends[url]

    def get(self, keys: Sequence[FullKey]) -> dict[FullKey, Any]:
        """Return the cached writes of these keys, with replayed ledger entries marked cached."""
        backend = self.backend()
        keys = [key for key in keys if key[1] not in _UNCACHED]
        if backend is None or not keys:
            return {}
        try:
            found = backend.get(keys)
        except Exception:
            found = {}
            for key in keys:  # one unreadable entry must not hide the others
                try:
                    found.update(backend.get([key]))
                except Exception as exc:
                    # Corrupt or tampered (the strict serde refuses what it would execute): a miss.
                    # The node runs and its fresh output replaces the entry; nothing is executed.
                    _unreadable(key, exc)
        replays = {}
        for key, writes in found.items():
            try:
                replays[key] = _as_replay(writes)
            except Exception as exc:  # readable, but not the writes of a node
                _unreadable(key, exc)
        return replays

    async def aget(self, keys: Sequence[FullKey]) -> dict[FullKey, Any]:
        """Return the cached writes of these keys, reading the backend off the event loop."""
        keys = [key for key in keys if key[1] not in _UNCACHED]
        return await asyncio.to_thread(self.get, keys) if keys else {}

    def set(self, pairs: Mapping[FullKey, tuple[Any, int | None]]) -> None:
        """Store node writes, unless they record a failure or a stop; the deployment's TTL wins."""
        backend = self.backend()
        pairs = _cacheable(pairs)
        if backend is None or not pairs:
            return
        ttl_override = deployment().cache_ttl_s
        keep = {key: (writes, ttl_override or ttl) for key, (writes, ttl) in pairs.items() if _worth_keeping(writes)}
        if keep:
            backend.set(keep)

    async def aset(self, pairs: Mapping[FullKey, tuple[Any, int | None]]) -> None:
        """Store node writes off the event loop."""
        pairs = _cacheable(pairs)
        if pairs:
            await asyncio.to_thread(self.set, pairs)

    def clear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        """Delete every cached stage output (of these namespaces)."""
        backend = self.backend()
        if backend is not None:
            backend.clear(namespaces)

    async def aclear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        """Delete cached stage outputs off the event loop."""
        await asyncio.to_thread(self.clear, namespaces)


def _unreadable(key: FullKey, exc: Exception) -> None:
    log.warning(
        "stage cache entry %s/%s is unreadable (%s: %s); treated as a miss",
        ":".join(key[0]),
        key[1][:12],
        type(exc).__name__,
        str(exc)[:200],
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
        import redis
        from langgraph.cache.redis import RedisCache

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


def _worth_keeping(writes: Any) -> bool:
    # Only fresh answers of a run with caching on: not a failed branch, a stop, or a run that
    # asked for no caching (its ledger entries say "off").
    for channel, value in writes:
        if channel == "errors" and value:
            return False
        if channel == "termination" and value and value.get("reason") == "budget":
            return False  # the budget depends on the request's spending, not on the node's inputs
        if channel == "ledger" and any(call.get("cache") != "miss" for call in value):
            return False
        if channel == "ledger" and not _every_stage_answered(value):
            return False  # a fallback after unusable outputs (the router's) is not the stage's answer
    return True


def _every_stage_answered(calls: list[dict[str, Any]]) -> bool:
    last = {call.get("stage"): call.get("outcome") for call in calls}
    return all(outcome == "ok" for outcome in last.values())


def _as_replay(writes: Any) -> list[tuple[str, Any]]:
    now = time.time()
    replay: list[tuple[str, Any]] = []
    for channel, value in writes:
        if channel == "ledger" and isinstance(value, list):
            value = [
                {
                    **call,
                    "cost_usd": 0.0,
                    "input_tokens": 0,
                    "output_tokens": 0,
                    "saved_usd": (call.get("cost_usd") or 0.0) + call.get("saved_usd", 0.0),
                    "started": now,
                    "ended": now,
                    "outcome": "cached",
                    "cache": "exact",
                }
                for call in value
            ]
        replay.append((channel, value))
    return replay


def digest(value: Any) -> str:
    """Return a short stable hash of JSON-able data (for namespaces of the semantic cache)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


STAGE_CACHE = StageCache()
"""The cache every exported graph compiles with: it opens the deployment's backend on first use."""
