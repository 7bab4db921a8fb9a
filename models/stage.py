"""Model-calling stages, each declared once: name, prompt and version, tier profile, cache rules.

A stage is declared beside the node that runs it (`CLASSIFY = Stage(...)` in nodes/router.py),
and its graph's spec lists it (graphs.spec). Everything else reads the declaration: the tier rule
(`models.tiers`), the ledger, the caches, traces and the offline engine, which parses the
stage's inputs out of its messages with `stage.prompt.parse`.

Cache rules say what may be reused:

    cache=True (the default)
        the answer to exactly the same messages may be served again (models.caches keys a call
        on the rendered messages, the model and the provider); False for a stage whose answer is
        meant for one request alone (a reply stating a customer's case) or that acts
    Semantic(query="query")
        a near-duplicate value of the prompt variable `query` may reuse the stored output;
        only for outputs that carry nothing personal (a label, an answer from given sources)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from models.prompts import Prompt
from models.tiers import StageProfile, Tier
from state.settings import Settings, SettingsError


@dataclass(frozen=True)
class Semantic:
    """A near-duplicate input may reuse the stage's stored structured output."""

    query: str
    """The prompt variable whose meaning is compared (embedded)."""
    scope: tuple[str, ...] = ()
    """Prompt variables that must match exactly (e.g. the sources an answer comes from)."""


@dataclass(frozen=True)
class Stage:
    """One model-calling stage."""

    name: str
    prompt: Prompt
    profile: StageProfile
    cache: bool = True
    """Whether the answer to the same messages may be served again; False for one request's own."""
    semantic: Semantic | None = None
    tier: Tier | None = None
    """The tier its model comes from; None: the one its profile calls for (a run may still override it)."""
    timeout_s: float | None = None
    """Its own deadline for all its attempts; None: the run's stage_timeout_s."""
    retries: int | None = None
    """Attempts after a transient fault; None: the house default."""

    def __post_init__(self) -> None:
        # A pipeline's stage names its prompt after the pipeline too (contract/summary): stage names
        # are a graph's own, prompt names are the house's.
        if self.prompt.name != self.name and not self.prompt.name.endswith("/" + self.name):
            raise ValueError(f"stage {self.name!r} declares prompt {self.prompt.name!r}: they must share the name")
        if self.semantic is not None and not self.cache:
            raise ValueError(f"stage {self.name!r}: a stage that is never cached cannot declare a semantic rule")
        if self.semantic is not None:
            unknown = {self.semantic.query, *self.semantic.scope} - self.prompt.variables
            if unknown:
                raise ValueError(f"stage {self.name!r}: semantic rule names {sorted(unknown)}, not prompt variables")


def check_stage_tiers(settings: Settings, stages: Iterable[Stage]) -> None:
    """Refuse tier overrides for stages other than these, naming the ones there are."""
    names = {stage.name for stage in stages}
    unknown = sorted(set(settings.stage_tiers) - names)
    if unknown:
        raise SettingsError(f"stage_tiers names unknown stages {unknown}; stages: {', '.join(sorted(names))}")
