"""The offline engine as a provider: it registers itself with the model seam the first time a run asks for it."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from models.providers import Embedder, ModelSpec, register_provider
from models.tiers import Tier
from offline import ENGINE_VERSION
from state.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

# Simulated seconds per call when a run sets none: each tier's typical latency, so that reports show
# what running stages side by side saves.
TIER_LATENCY = {Tier.FAST: 0.15, Tier.BALANCED: 0.4, Tier.PREMIUM: 0.6, Tier.REASONING: 1.0}

_lock = threading.Lock()
_models: dict[tuple[str, str, float], BaseChatModel] = {}


def chat_model(spec: ModelSpec) -> BaseChatModel:
    """Return the engine playing one stage's model (built once per stage, model and latency)."""
    from offline.engine import OfflineChatModel

    latency = spec.settings.offline_latency
    # By the prompt's fingerprint, not the stage's name: a pipeline's "classify" is not the router's.
    key = (spec.stage.prompt.fingerprint, spec.model, TIER_LATENCY[spec.tier] if latency is None else latency)
    with _lock:
        model = _models.get(key)
        if model is None:
            model = _models[key] = OfflineChatModel(
                stage=spec.stage.name, prompt=spec.stage.prompt, model_name=f"offline/{spec.model}", latency=key[2]
            )
    return model


def wordllama(settings: Settings) -> Embedder:
    """Return WordLlama, the local embedder (from its wheel, never downloaded): the engine's, and the fallback."""
    from offline.text import embed

    def vectors(texts: Sequence[str]) -> list[list[float]]:
        rows: list[list[float]] = embed.embed(list(texts)).tolist()
        return rows

    return Embedder(
        name=f"wordllama-{embed.CONFIG.replace('_', '')}-{embed.DIMENSIONS}", dims=embed.DIMENSIONS, embed=vectors
    )


def load(settings: Settings) -> None:
    """Blocking: load the embedder and the part-of-speech tables, before a run rather than in its first stage."""
    from offline.text import embed

    embed.model()


register_provider("offline", chat_model, revision=ENGINE_VERSION, embedder=wordllama, prepare=load)
