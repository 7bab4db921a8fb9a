"""Model-calling stages, each declared once: name, prompt and version, tier profile, cache rules.

A stage is declared beside the node that runs it (`CLASSIFY = Stage(...)` in nodes/router.py)
and registers itself here by name. Everything else reads the declaration: the tier rule
(`models.tiers`), the ledger, cache keys (exact and semantic), traces and the offline engine,
which parses the stage's inputs out of its messages with `stage.prompt.parse`.

Cache rules say what may be reused and what must not:

    Exact(inputs=("query",), settings=("confidence_threshold",))
        the node's update may be replayed for the same inputs, prompt version, model and
        settings; `inputs` are the state keys (or Send payload keys) its prompt is built from.
    Semantic(query="query")
        a near-duplicate value of the prompt variable `query` may reuse the stored output;
        only for outputs that carry nothing personal (a label, an answer from given sources).

A stage with side effects, or whose output is a reply to one customer, declares neither.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.prompts import Prompt
from models.tiers import StageProfile
from state.settings import Settings, SettingsError


@dataclass(frozen=True)
class Exact:
    """The stage's node may be served from the stage-output cache."""

    inputs: tuple[str, ...]
    settings: tuple[str, ...] = ()
    ttl_s: int | None = 7 * 24 * 3600


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
    exact: Exact | None = None
    semantic: Semantic | None = None

    def __post_init__(self) -> None:
        if self.prompt.name != self.name:
            raise ValueError(f"stage {self.name!r} declares prompt {self.prompt.name!r}: they must share the name")
        if self.semantic is not None:
            unknown = {self.semantic.query, *self.semantic.scope} - self.prompt.variables
            if unknown:
                raise ValueError(f"stage {self.name!r}: semantic rule names {sorted(unknown)}, not prompt variables")
        known = STAGES.get(self.name)
        if known is not None and known != self:
            raise ValueError(f"stage {self.name!r} is declared twice, differently")
        STAGES[self.name] = self

    @property
    def cacheable(self) -> bool:
        """Tell whether any cache may serve this stage."""
        return self.exact is not None or self.semantic is not None


STAGES: dict[str, Stage] = {}
"""Every declared stage by name, filled as the node modules that declare them are imported."""


def check_stage_tiers(settings: Settings) -> None:
    """Refuse tier overrides for stages that are not declared, naming the ones that are."""
    unknown = sorted(set(settings.stage_tiers) - set(STAGES))
    if unknown:
        raise SettingsError(f"stage_tiers names unknown stages {unknown}; stages: {', '.join(sorted(STAGES))}")


def stage_named(name: str) -> Stage:
    """Return a declared stage, or raise KeyError naming the declared ones."""
    try:
        return STAGES[name]
    except KeyError:
        raise KeyError(f"no stage {name!r} is declared; declared stages: {', '.join(sorted(STAGES))}") from None
