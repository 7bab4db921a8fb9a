"""Providers: the only code that constructs chat models."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import logging
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import httpx
from pydantic import SecretStr

from models import deadlines
from models.tiers import Tier, model_name

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from models.stage import Stage
from state.deployment import deployment
from state.settings import Settings


class ProviderError(RuntimeError):
    """A provider cannot be used as configured (unknown name, missing package or key)."""


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


ProviderFactory = Callable[[ModelSpec], "BaseChatModel"]
_log = logging.getLogger(__name__)
StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]

# Built models are reused across runs: building one (and its HTTP clients) costs far more than a call.
_lock = threading.Lock()


def split_model(ref: str, default_provider: str) -> tuple[str, str]:
    """Split a tier's model into (provider, model): "ollama:llama3.2" names its provider, "gpt-4o" takes the run's.

    Only a known provider's name counts as a prefix, so a model name with a colon of its own
    ("llama3.2:3b") stays whole.
    """
    head, sep, rest = ref.partition(":")
    if sep and rest and head in registered_providers():
        return head, rest
    return default_provider, ref


def tier_model(tier: Tier, settings: Settings) -> tuple[str, str]:
    """Return the (provider, model) a tier uses in this run."""
    return split_model(model_name(tier, settings), settings.resolved_provider())


def check_provider(settings: Settings) -> str:
    """Return the run's default provider, or raise ProviderError if any tier's provider cannot be used."""
    default = settings.resolved_provider()
    for name in sorted({default, *(tier_model(tier, settings)[0] for tier in Tier)}):
        found = provider(name)
        if found.check is not None:
            found.check()
    return default


def _needs(package: str, extra: str) -> None:
    if importlib.util.find_spec(package) is None:
        raise ProviderError(f"provider {extra!r} needs its package: pip install 'stagecraft[{extra}]'")


def _check_openai() -> None:
    if deployment().openai_api_key is None:
        raise ProviderError(
            "provider 'openai' needs OPENAI_API_KEY (for a local OpenAI-compatible server "
            "any non-empty value works); or use --provider offline"
        )


def _check_anthropic() -> None:
    _needs("langchain_anthropic", "anthropic")
    if deployment().anthropic_api_key is None:
        raise ProviderError("provider 'anthropic' needs ANTHROPIC_API_KEY; or use --provider offline")


def _check_ollama() -> None:
    _needs("langchain_ollama", "ollama")


class _Pooled:
    """Chat models by configuration, with HTTP clients that outlive a run and never a loop.

    The blocking client is shared by every thread. An async client's pooled connections belong to
    the event loop that opened them, so each running loop gets its own models and client; entries
    of closed loops are dropped. (langchain-openai's default async client is one per process, which
    fails with "Event loop is closed" once a second loop reuses a kept-alive connection.)
    """

    def __init__(self) -> None:
        self.sync_models: dict[tuple[Any, ...], BaseChatModel] = {}
        self.loop_models: dict[int, tuple[weakref.ref[asyncio.AbstractEventLoop], dict[tuple[Any, ...], Any]]] = {}
        self.http: dict[tuple[Any, ...], Any] = {}

    def model(
        self,
        key: tuple[Any, ...],
        timeout: float,
        build: Callable[[httpx.Client, httpx.AsyncClient | None], BaseChatModel],
    ) -> BaseChatModel:
        """Return the model built for `key` (by `build(sync_http, async_http)`), building it once per loop."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with _lock:
            models = self._models_for(loop)
            model = models.get(key)
            if model is not None:
                return model  # type: ignore[no-any-return]
            http_key = (key[0], timeout)
            if http_key not in self.http:
                self.http[http_key] = deadlines.client(timeout)
            async_client = None
            if loop is not None:
                async_client = models.setdefault(("http", *http_key), deadlines.async_client(timeout))
            model = models[key] = build(self.http[http_key], async_client)
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


_pooled = _Pooled()


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def _openai(spec: ModelSpec) -> BaseChatModel:
    _check_openai()
    settings, dep = spec.settings, deployment()
    key: tuple[Any, ...] = ("openai", dep.openai_base_url, spec.model, settings.request_timeout)
    key += (settings.client_max_retries, _secret(dep.openai_api_key))

    def build(http: httpx.Client, async_http: httpx.AsyncClient | None) -> BaseChatModel:
        from langchain.chat_models import init_chat_model

        return init_chat_model(
            f"openai:{spec.model}",
            base_url=dep.openai_base_url,
            api_key=_secret(dep.openai_api_key),
            timeout=settings.request_timeout,
            max_retries=settings.client_max_retries,
            stream_usage=True,
            http_client=http,
            http_async_client=async_http,
        )

    return _pooled.model(key, settings.request_timeout, build)


# Anthropic requires a reply's token limit; this one leaves any stage's answer room.
ANTHROPIC_MAX_TOKENS = 4096


def _anthropic(spec: ModelSpec) -> BaseChatModel:
    _check_anthropic()
    import anthropic

    settings, dep = spec.settings, deployment()
    key: tuple[Any, ...] = ("anthropic", dep.anthropic_base_url, spec.model, settings.request_timeout)
    key += (settings.client_max_retries, _secret(dep.anthropic_api_key))

    def build(http: httpx.Client, async_http: httpx.AsyncClient | None) -> BaseChatModel:
        import httpx2
        from langchain.chat_models import init_chat_model

        model = init_chat_model(
            f"anthropic:{spec.model}",
            base_url=dep.anthropic_base_url,
            api_key=_secret(dep.anthropic_api_key),
            timeout=settings.request_timeout,
            max_retries=settings.client_max_retries,
            max_tokens=ANTHROPIC_MAX_TOKENS,
            stream_usage=True,
        )
        # The anthropic SDK speaks httpx2, so our deadline transports cannot reach it (the stage's
        # deadline still bounds the call). langchain-anthropic shares one async client per process;
        # each loop gets its own here, since a pool's connections belong to the loop that opened them.
        params = model._client_params  # type: ignore[attr-defined]
        timeout = settings.request_timeout
        model.__dict__["_client"] = anthropic.Client(**params, http_client=httpx2.Client(timeout=timeout))
        if async_http is not None:
            model.__dict__["_async_client"] = anthropic.AsyncClient(
                **params, http_client=httpx2.AsyncClient(timeout=timeout)
            )
        return model

    return _pooled.model(key, settings.request_timeout, build)


def _ollama(spec: ModelSpec) -> BaseChatModel:
    _check_ollama()
    settings, host = spec.settings, deployment().ollama_host
    key = ("ollama", host, spec.model, settings.request_timeout)

    def build(http: httpx.Client, async_http: httpx.AsyncClient | None) -> BaseChatModel:
        from langchain.chat_models import init_chat_model

        # The ollama client builds its own httpx clients: it gets our deadline-keeping transports.
        timeout = settings.request_timeout
        return init_chat_model(
            f"ollama:{spec.model}",
            base_url=host,
            sync_client_kwargs={"timeout": timeout, "transport": deadlines.DeadlineTransport()},
            async_client_kwargs={"timeout": timeout, "transport": deadlines.AsyncDeadlineTransport()},
        )

    return _pooled.model(key, settings.request_timeout, build)


@dataclass(frozen=True)
class Provider:
    """How one provider builds a stage's chat model, and what else it offers."""

    chat_model: ProviderFactory
    revision: str = ""
    """The version of its answers: a new one makes the stage cache miss on every old answer."""
    embedder: Callable[[Settings], Embedder] | None = None
    """Its sentence embeddings for the semantic cache; None: the local embedder serves it."""
    prepare: Callable[[Settings], None] | None = None
    """Blocking: load what it loads once, before a run (the offline engine's embedder)."""
    structured_methods: tuple[StructuredMethod, ...] = ("function_calling",)
    """How it can be asked for structured output, best first (a refused one falls back to the next)."""
    check: Callable[[], None] | None = None
    """Raise ProviderError when it cannot be used here (package or key missing), before any call."""


_PROVIDERS: dict[str, Provider] = {}

# Providers in packages of their own: imported the first time a run asks for them, they register
# themselves. The seam never imports one; it only knows where each lives.
_PACKAGES = {"offline": "offline.provider"}

# Whose embedder serves a provider that has none: WordLlama, shipped in its wheel, run locally.
LOCAL_EMBEDDINGS = "offline"


def provider(name: str) -> Provider:
    """Return a registered provider, importing its package on first use; ProviderError for an unknown name."""
    if name not in _PROVIDERS and name in _PACKAGES:
        importlib.import_module(_PACKAGES[name])
    try:
        return _PROVIDERS[name]
    except KeyError:
        raise ProviderError(f"unknown provider {name!r} (choose one of: {', '.join(registered_providers())})") from None


def register_provider(
    name: str,
    chat_model: ProviderFactory,
    *,
    revision: str = "",
    embedder: Callable[[Settings], Embedder] | None = None,
    prepare: Callable[[Settings], None] | None = None,
    structured_methods: tuple[StructuredMethod, ...] = ("function_calling",),
    check: Callable[[], None] | None = None,
) -> None:
    """Make a provider available by name (a package of its own does it when imported; tests plug fakes in)."""
    _PROVIDERS[name] = Provider(chat_model, revision, embedder, prepare, structured_methods, check)


def unregister_provider(name: str) -> None:
    """Remove a provider added with `register_provider`."""
    if name in ("offline", "openai", "anthropic", "ollama"):
        raise ValueError(f"cannot remove built-in provider {name!r}")
    _PROVIDERS.pop(name, None)


def revision_of(name: str) -> str:
    """Return a provider with the revision of its answers, as the stage cache keys them (offline@5)."""
    revision = provider(name).revision
    return f"{name}@{revision}" if revision else name


def registered_providers() -> list[str]:
    """Return the names of every available provider."""
    return sorted({*_PROVIDERS, *_PACKAGES})


_openai_embedders: dict[tuple[Any, ...], Embedder] = {}


def _openai_embedder(settings: Settings) -> Embedder:
    """OpenAI-compatible embeddings with the model `settings.embeddings` names; WordLlama if the server has none."""
    from langchain_openai import OpenAIEmbeddings

    _check_openai()
    dep = deployment()
    model = split_model(settings.embeddings or "", "openai")[1]
    key = (dep.openai_base_url, _secret(dep.openai_api_key), model)
    with _lock:
        found = _openai_embedders.get(key)
    if found is not None:
        return found
    http = deadlines.client(settings.request_timeout)
    client = OpenAIEmbeddings(
        model=model,
        openai_api_base=dep.openai_base_url,
        openai_api_key=dep.openai_api_key,
        request_timeout=settings.request_timeout,
        max_retries=settings.client_max_retries,
        check_embedding_ctx_length=False,  # no tokenizer download: texts are sent as they are
        http_client=http,  # its requests keep the call's deadline
    )

    def vectors(texts: Sequence[str]) -> list[list[float]]:
        return client.embed_documents(list(texts))

    # One probe tells the size of its vectors, and whether the server has embeddings at all: one
    # that has none is answered by the local embedder from then on, with one warning, not one a call.
    try:
        dims = len(vectors(["dimensions"])[0])
        found = Embedder(name=f"openai-{model}", dims=dims, embed=vectors)
    except Exception as exc:
        _log.warning("embeddings %r unavailable (%s); the semantic cache uses the local embedder", model, exc)
        http.close()
        found = _local_embedder()(settings)
    with _lock:
        _openai_embedders[key] = found
    return found


def embedder_for(settings: Settings) -> Embedder:
    """Return the semantic cache's embedder: the `embeddings` setting's provider's own, else the local one."""
    if settings.embeddings is None:
        return _local_embedder()(settings)
    own = provider(split_model(settings.embeddings, settings.resolved_provider())[0]).embedder
    return (own or _local_embedder())(settings)


def _local_embedder() -> Callable[[Settings], Embedder]:
    local = provider(LOCAL_EMBEDDINGS).embedder
    assert local is not None, f"provider {LOCAL_EMBEDDINGS!r} brings the local embedder"
    return local


def prepare(settings: Settings) -> None:
    """Blocking: load what the run's provider loads once (the offline engine's embedder), before a run.

    Done by entry points, so the one-off load does not land in the first stage's time (and never
    on a server's event loop).
    """
    load = provider(settings.resolved_provider()).prepare
    if load is not None:
        load(settings)


def build_model(spec: ModelSpec, name: str) -> BaseChatModel:
    """Return the chat model for one stage with the named provider."""
    return provider(name).chat_model(spec)


register_provider(
    "openai",
    _openai,
    embedder=_openai_embedder,
    structured_methods=("json_schema", "function_calling", "json_mode"),
    check=_check_openai,
)
register_provider("anthropic", _anthropic, structured_methods=("function_calling", "json_mode"), check=_check_anthropic)
register_provider(
    "ollama", _ollama, structured_methods=("json_schema", "function_calling", "json_mode"), check=_check_ollama
)
