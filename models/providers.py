"""Providers: the only code that constructs chat models."""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel

from models.tiers import Tier

if TYPE_CHECKING:
    from models.stages import Stage
from state.deployment import deployment
from state.settings import Settings


class ProviderError(RuntimeError):
    """A provider cannot be used as configured (unknown name, missing key)."""


@dataclass(frozen=True)
class ModelSpec:
    """Everything a provider needs to build the model for one stage."""

    stage: Stage
    tier: Tier
    model: str
    settings: Settings


@dataclass(frozen=True)
class Embedder:
    """A sentence embedder: its name (for namespaces), vector size and a blocking embed function."""

    name: str
    dims: int
    embed: Callable[[Sequence[str]], list[list[float]]]


ProviderFactory = Callable[[ModelSpec], BaseChatModel]

_TIER_LATENCY = {Tier.FAST: 0.15, Tier.BALANCED: 0.4, Tier.PREMIUM: 0.6, Tier.REASONING: 1.0}

# Built models are reused across runs: building one (and its HTTP clients) costs far more than a call.
_lock = threading.Lock()
_offline_models: dict[tuple[str, str, float], BaseChatModel] = {}


def _offline(spec: ModelSpec) -> BaseChatModel:
    from models.offline.engine import OfflineChatModel

    latency = spec.settings.offline_latency
    key = (spec.stage.name, spec.model, _TIER_LATENCY[spec.tier] if latency is None else latency)
    with _lock:
        model = _offline_models.get(key)
        if model is None:
            model = _offline_models[key] = OfflineChatModel(
                stage=spec.stage.name, prompt=spec.stage.prompt, model_name=f"offline/{spec.model}", latency=key[2]
            )
    return model


def check_provider(settings: Settings) -> str:
    """Return the provider a run will use, or raise ProviderError if it cannot be used."""
    provider = settings.resolved_provider()
    if provider not in _PROVIDERS:
        names = ", ".join(registered_providers())
        raise ProviderError(f"unknown provider {provider!r} (choose one of: {names})")
    if provider == "openai" and not os.environ.get("OPENAI_API_KEY"):
        raise ProviderError(
            "provider 'openai' needs OPENAI_API_KEY (for a local OpenAI-compatible server "
            "any non-empty value works); or use --provider offline"
        )
    return provider


class _OpenAIClients:
    """ChatOpenAI models by configuration, with HTTP clients that outlive a run and never a loop.

    The blocking client is shared by every thread. An async client's pooled connections belong to
    the event loop that opened them, so each running loop gets its own models and client; entries
    of closed loops are dropped. (langchain-openai's default async client is one per process, which
    fails with "Event loop is closed" once a second loop reuses a kept-alive connection.)
    """

    def __init__(self) -> None:
        self.sync_models: dict[tuple[Any, ...], BaseChatModel] = {}
        self.loop_models: dict[int, tuple[weakref.ref[asyncio.AbstractEventLoop], dict[tuple[Any, ...], Any]]] = {}
        self.http: dict[tuple[Any, ...], Any] = {}

    def model(self, spec: ModelSpec) -> BaseChatModel:
        # Imported here so graphs import, and the offline path runs, without touching OpenAI at all.
        import httpx
        from langchain_openai import ChatOpenAI

        settings = spec.settings
        base_url = deployment().openai_base_url
        key = (
            spec.model,
            base_url,
            settings.request_timeout,
            settings.client_max_retries,
            os.environ["OPENAI_API_KEY"],
        )
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with _lock:
            models = self._models_for(loop)
            model = models.get(key)
            if model is not None:
                return model  # type: ignore[no-any-return]
            http_key = (base_url, settings.request_timeout)
            if http_key not in self.http:
                self.http[http_key] = httpx.Client(timeout=settings.request_timeout)
            async_client = None
            if loop is not None:
                async_client = models.setdefault(
                    ("http", *http_key), httpx.AsyncClient(timeout=settings.request_timeout)
                )
            model = models[key] = ChatOpenAI(
                model=spec.model,
                base_url=base_url,
                timeout=settings.request_timeout,
                max_retries=settings.client_max_retries,
                stream_usage=True,
                http_client=self.http[http_key],
                http_async_client=async_client,
            )
            return model

    def _models_for(self, loop: asyncio.AbstractEventLoop | None) -> dict[tuple[Any, ...], Any]:
        if loop is None:
            return self.sync_models
        for loop_id, (ref, _) in list(self.loop_models.items()):
            alive = ref()
            if alive is None or alive.is_closed():
                del self.loop_models[loop_id]
        entry = self.loop_models.get(id(loop))
        if entry is None or entry[0]() is not loop:
            entry = self.loop_models[id(loop)] = (weakref.ref(loop), {})
        return entry[1]


_openai_clients = _OpenAIClients()


def _openai(spec: ModelSpec) -> BaseChatModel:
    check_provider(spec.settings)
    return _openai_clients.model(spec)


_PROVIDERS: dict[str, ProviderFactory] = {"offline": _offline, "openai": _openai}


def register_provider(name: str, factory: ProviderFactory) -> None:
    """Make a provider available by name (tests plug scripted models in here)."""
    _PROVIDERS[name] = factory


def unregister_provider(name: str) -> None:
    """Remove a provider added with `register_provider`."""
    if name in ("offline", "openai"):
        raise ValueError(f"cannot remove built-in provider {name!r}")
    _PROVIDERS.pop(name, None)


def registered_providers() -> list[str]:
    """Return the names of every available provider."""
    return sorted(_PROVIDERS)


def _wordllama() -> Embedder:
    from models.offline.text import embed

    def vectors(texts: Sequence[str]) -> list[list[float]]:
        rows: list[list[float]] = embed.embed(list(texts)).tolist()
        return rows

    return Embedder(
        name=f"wordllama-{embed.CONFIG.replace('_', '')}-{embed.DIMENSIONS}", dims=embed.DIMENSIONS, embed=vectors
    )


_openai_embedders: dict[tuple[str | None, str], Embedder] = {}


def _openai_embedder(settings: Settings) -> Embedder:
    from langchain_openai import OpenAIEmbeddings

    base_url, model = deployment().openai_base_url, "text-embedding-3-small"
    with _lock:
        key = (base_url, os.environ["OPENAI_API_KEY"])
        if key not in _openai_embedders:
            client = OpenAIEmbeddings(
                model=model,
                openai_api_base=base_url,
                request_timeout=settings.request_timeout,
                max_retries=settings.client_max_retries,
                check_embedding_ctx_length=False,  # no tokenizer download: texts are sent as they are
            )

            def vectors(texts: Sequence[str]) -> list[list[float]]:
                return client.embed_documents(list(texts))

            _openai_embedders[key] = Embedder(name=f"openai-{model}", dims=1536, embed=vectors)
        return _openai_embedders[key]


def embedder_for(settings: Settings) -> Embedder:
    """Return the embedder of this run's provider: the provider's own embeddings online, WordLlama offline."""
    if check_provider(settings) == "openai":
        return _openai_embedder(settings)
    return _wordllama()


def prepare(settings: Settings) -> None:
    """Blocking: load what the run's provider loads once (the offline engine's embedder), before a run.

    Done by entry points, so the one-off load does not land in the first stage's time (and never
    on a server's event loop).
    """
    if settings.resolved_provider() == "offline":
        from models.offline.text import embed

        embed.model()


def build_model(spec: ModelSpec, provider: str) -> BaseChatModel:
    """Return the chat model for one stage with the named provider."""
    try:
        factory = _PROVIDERS[provider]
    except KeyError:
        names = ", ".join(registered_providers())
        raise ProviderError(f"unknown provider {provider!r} (choose one of: {names})") from None
    return factory(spec)
