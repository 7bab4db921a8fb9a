"""Prices per million tokens, and the cost of one call."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    """US dollars per million input and output tokens."""

    input_per_m: float
    output_per_m: float


# Public list prices; a model not listed costs nothing in the ledger and is flagged as unpriced.
PRICES: dict[str, Price] = {
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.5": Price(75.00, 150.00),
    "o1": Price(15.00, 60.00),
    "o3-mini": Price(1.10, 4.40),
}


def price_of(model: str) -> Price | None:
    """Return the price of a model, matching dated snapshots to their base name."""
    if model in PRICES:
        return PRICES[model]
    # "gpt-4o-mini-2024-07-18" is priced as "gpt-4o-mini": take the longest listed prefix.
    matches = [name for name in PRICES if model.startswith(name + "-")]
    return PRICES[max(matches, key=len)] if matches else None


def cost_usd(model: str, input_tokens: int, output_tokens: int) -> float | None:
    """Return the dollar cost of one call, or None when the model has no known price."""
    price = price_of(model)
    if price is None:
        return None
    return (input_tokens * price.input_per_m + output_tokens * price.output_per_m) / 1_000_000
