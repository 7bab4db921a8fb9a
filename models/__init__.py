"""Everything about calling chat models: tiers, prices, providers, the offline engine."""
