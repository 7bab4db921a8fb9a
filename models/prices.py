"""The dollar cost of one call: genai-prices' table (shipped with it, read offline) and ours.

A real provider's call is priced from genai-prices first, then from the local table. A simulated
one (the offline engine, which bills as the model it stands in for) is priced from the local table
first: loading genai-prices' data costs about a second of CPU per process, more than a whole offline
run, and buys nothing for a bill that is an estimate anyway.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    """US dollars per million input and output tokens (cached input at the input price unless given)."""

    input_per_m: float
    output_per_m: float
    cached_input_per_m: float | None = None


# The fallback for models genai-prices does not know; a model in neither is unpriced, never $0.
PRICES: dict[str, Price] = {
    "gpt-4o-mini": Price(0.15, 0.60, 0.075),
    "gpt-4o": Price(2.50, 10.00, 1.25),
    "gpt-4.1-nano": Price(0.10, 0.40, 0.025),
    "gpt-4.1-mini": Price(0.40, 1.60, 0.10),
    "gpt-4.1": Price(2.00, 8.00, 0.50),
    "gpt-4.5": Price(75.00, 150.00, 37.50),
    "o1": Price(15.00, 60.00, 7.50),
    "o3-mini": Price(1.10, 4.40, 0.55),
}

# Our providers whose calls are billed at list price, as genai-prices names them; any other is
# looked up by model alone, after the local table.
_PROVIDER_IDS = {"openai": "openai", "anthropic": "anthropic"}


def price_of(model: str) -> Price | None:
    """Return the local table's price of a model, matching dated snapshots to their base name."""
    if model in PRICES:
        return PRICES[model]
    # "gpt-4o-mini-2024-07-18" is priced as "gpt-4o-mini": take the longest listed prefix.
    matches = [name for name in PRICES if model.startswith(name + "-")]
    return PRICES[max(matches, key=len)] if matches else None


@functools.lru_cache(maxsize=1024)
def _maintained(model: str, provider: str | None) -> Price | None:
    """genai-prices' rates for a model, per million tokens of each kind (a lookup costs ~0.1 ms: done once)."""
    from genai_prices import Usage, calc_price

    def rate(**tokens: int) -> float:
        return float(calc_price(Usage(**tokens), model, provider_id=provider).total_price)

    try:
        return Price(
            input_per_m=rate(input_tokens=1_000_000),
            output_per_m=rate(output_tokens=1_000_000),
            cached_input_per_m=rate(input_tokens=1_000_000, cache_read_tokens=1_000_000),
        )
    except LookupError:
        return None


def cost_usd(
    model: str,
    input_tokens: int,
    output_tokens: int,
    *,
    cached_tokens: int = 0,
    provider: str | None = None,
) -> float | None:
    """Return the dollar cost of one call, or None when the model has no known price.

    `input_tokens` counts every prompt token, `cached_tokens` (read from the provider's prompt
    cache, billed at its cached rate) among them; `output_tokens` counts reasoning tokens too, as
    providers bill them. Priced at the rates of a prompt's first tier (long-context surcharges are
    not applied).
    """
    provider_id = _PROVIDER_IDS.get(provider or "")
    if provider_id is not None:
        price = _maintained(model, provider_id) or price_of(model)
    else:
        price = price_of(model) or _maintained(model, None)
    if price is None:
        return None
    cached = min(max(cached_tokens, 0), input_tokens)
    cached_rate = price.input_per_m if price.cached_input_per_m is None else price.cached_input_per_m
    return (
        (input_tokens - cached) * price.input_per_m + cached * cached_rate + output_tokens * price.output_per_m
    ) / 1_000_000
