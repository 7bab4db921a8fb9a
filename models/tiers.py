"""Model tiers and the rule that picks one for each stage."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from state.settings import Settings, SettingsError

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


# Every stage that calls a model is listed here, so its tier is decided in one place.
STAGES: dict[str, StageProfile] = {
    "summarize": StageProfile(complexity="medium", task_type="writing"),
    "translate": StageProfile(complexity="low", task_type="format"),
    "generate_questions": StageProfile(complexity="medium", task_type="writing"),
    "answer": StageProfile(complexity="medium", task_type="analysis"),
    "attribute": StageProfile(complexity="low", task_type="extract"),
    "classify": StageProfile(complexity="low", task_type="classify"),
    "technical": StageProfile(complexity="medium", task_type="writing"),
    "billing": StageProfile(complexity="medium", task_type="writing"),
    "general": StageProfile(complexity="low", task_type="writing"),
    "decompose": StageProfile(complexity="medium", task_type="extract", quality_critical=True),
    "billing_concern": StageProfile(complexity="low", task_type="extract"),
    "synthesize_reply": StageProfile(complexity="medium", task_type="writing", quality_critical=True),
    "sentiment": StageProfile(complexity="low", task_type="classify"),
    "entities": StageProfile(complexity="low", task_type="extract"),
    "doc_summary": StageProfile(complexity="medium", task_type="writing"),
    "topics": StageProfile(complexity="low", task_type="extract"),
    "analysis_synthesis": StageProfile(complexity="high", task_type="writing"),
    "extract": StageProfile(complexity="low", task_type="extract"),
    "risk": StageProfile(complexity="high", task_type="analysis"),
    "opportunity": StageProfile(complexity="high", task_type="analysis"),
    "requirements": StageProfile(complexity="low", task_type="extract"),
    "report_synthesis": StageProfile(complexity="high", task_type="writing", quality_critical=True),
}


def check_stage_tiers(settings: Settings) -> None:
    """Refuse tier overrides for stages that do not exist, naming the ones that do."""
    unknown = sorted(set(settings.stage_tiers) - set(STAGES))
    if unknown:
        raise SettingsError(f"stage_tiers names unknown stages {unknown}; stages: {', '.join(STAGES)}")


def tier_for(stage: str, settings: Settings) -> Tier:
    """Return the tier for a stage: the run's override if any, else its profile's."""
    override = settings.stage_tiers.get(stage)
    if override is not None:
        return Tier(override)
    if stage not in STAGES:
        raise KeyError(f"stage {stage!r} has no profile in models.tiers.STAGES")
    return choose_tier(STAGES[stage])


def model_name(tier: Tier, settings: Settings) -> str:
    """Return the model name configured for a tier."""
    return {
        Tier.FAST: settings.model_fast,
        Tier.BALANCED: settings.model_balanced,
        Tier.PREMIUM: settings.model_premium,
        Tier.REASONING: settings.model_reasoning,
    }[tier]
