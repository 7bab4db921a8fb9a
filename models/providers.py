"""Providers: the only code that constructs chat models."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

from models.tiers import Tier
from state.settings import Settings


class ProviderError(RuntimeError):
    """A provider cannot be used as configured (unknown name, missing key)."""


@dataclass(frozen=True)
class ModelSpec:
    """Everything a provider needs to build the model for one stage."""

    stage: str
    tier: Tier
    model: str
    settings: Settings


ProviderFactory = Callable[[ModelSpec], BaseChatModel]

_TIER_LATENCY = {Tier.FAST: 0.15, Tier.BALANCED: 0.4, Tier.PREMIUM: 0.6, Tier.REASONING: 1.0}


def _offline(spec: ModelSpec) -> BaseChatModel:
    from models.offline.engine import OfflineChatModel

    latency = spec.settings.offline_latency
    return OfflineChatModel(
        stage=spec.stage,
        model_name=f"offline/{spec.model}",
        latency=_TIER_LATENCY[spec.tier] if latency is None else latency,
    )


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


def _openai(spec: ModelSpec) -> BaseChatModel:
    check_provider(spec.settings)
    # Imported here so graphs import, and the offline path runs, without touching OpenAI at all.
    from langchain_openai import ChatOpenAI

    settings = spec.settings
    return ChatOpenAI(
        model=spec.model,
        base_url=settings.base_url or os.environ.get("OPENAI_BASE_URL") or None,
        timeout=settings.request_timeout,
        max_retries=settings.client_max_retries,
        stream_usage=True,
    )


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


def build_model(spec: ModelSpec, provider: str) -> BaseChatModel:
    """Build the chat model for one stage with the named provider."""
    try:
        factory = _PROVIDERS[provider]
    except KeyError:
        names = ", ".join(registered_providers())
        raise ProviderError(f"unknown provider {provider!r} (choose one of: {names})") from None
    return factory(spec)
