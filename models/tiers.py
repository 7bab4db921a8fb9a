"""Model tiers and the rule that picks one for each stage."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from state.settings import Settings

if TYPE_CHECKING:
    from models.stage import Stage

Complexity = Literal["low", "medium", "high"]
TaskType = Literal["classify", "extract", "format", "analysis", "writing", "verification", "reasoning", "general"]


class Tier(StrEnum):
    """A class of model, from cheapest and fastest to strongest."""

    FAST = "FAST"
    BALANCED = "BALANCED"
    PREMIUM = "PREMIUM"
    REASONING = "REASONING"


@dataclass(frozen=True)
class StageProfile:
    """What a stage asks of its model."""

    complexity: Complexity = "medium"
    task_type: TaskType = "general"
    quality_critical: bool = False


def choose_tier(profile: StageProfile) -> Tier:
    """Pick the cheapest tier that fits a stage's profile."""
    if profile.task_type == "reasoning":
        return Tier.REASONING
    if profile.quality_critical:
        return Tier.BALANCED
    if profile.complexity == "low" or profile.task_type in ("format", "classify", "extract"):
        return Tier.FAST
    return Tier.BALANCED


def tier_for(stage: Stage, settings: Settings) -> Tier:
    """Return the tier for a stage: the run's override if any, else its own, else the one its profile calls for."""
    override = settings.stage_tiers.get(stage.name)
    if override is not None:
        return Tier(override)
    return stage.tier if stage.tier is not None else choose_tier(stage.profile)


def model_name(tier: Tier, settings: Settings) -> str:
    """Return the model name configured for a tier."""
    return {
        Tier.FAST: settings.model_fast,
        Tier.BALANCED: settings.model_balanced,
        Tier.PREMIUM: settings.model_premium,
        Tier.REASONING: settings.model_reasoning,
    }[tier]
