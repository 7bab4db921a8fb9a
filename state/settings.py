"""Per-run settings: the runtime context every graph declares as its `context_schema`.

A served graph's context is written by its client, so every field is validated (type and
range) and nothing here can name an endpoint, a credential or a file: those belong to the
deployment (`state.deployment`). A context that tries to set one is refused, as is any key
that is not a setting.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from state.deployment import Deployment, deployment, env_file_values

BranchErrorPolicy = Literal["record", "fail"]
TierName = Literal["FAST", "BALANCED", "PREMIUM", "REASONING"]
StructuredMethodName = Literal["auto", "json_schema", "function_calling", "json_mode"]

# Context keys a client might try that only the deployment may set, and where they are set.
DEPLOYMENT_KEYS: dict[str, str] = {
    "base_url": "OPENAI_BASE_URL",
    "openai_base_url": "OPENAI_BASE_URL",
    "api_key": "OPENAI_API_KEY",
    "openai_api_key": "OPENAI_API_KEY",
    "support_db": "STAGECRAFT_SUPPORT_DB",
}


class SettingsError(ValueError):
    """A run's settings are unusable; the message says which and why."""


class Settings(BaseModel):
    """Run-time settings; Studio shows and edits every field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str = Field(
        default="auto",
        pattern=r"^[a-z][a-z0-9_-]{0,31}$",
        description="Provider of a tier model named without one: 'offline' (embedded deterministic engine), "
        "'openai' (the deployment's OpenAI-compatible endpoint), 'anthropic', 'ollama', or 'auto' (openai "
        "when OPENAI_API_KEY is set, else offline).",
    )
    model_fast: str = Field(
        default="gpt-4o-mini",
        description="Model for the FAST tier (classify, extract, format): a name, or provider:model "
        "(anthropic:claude-haiku-4-5, ollama:llama3.2).",
    )
    model_balanced: str = Field(default="gpt-4o", description="Model for the BALANCED tier (analysis, writing).")
    model_premium: str = Field(default="gpt-4.5", description="Model for the PREMIUM tier (quality-critical stages).")
    model_reasoning: str = Field(default="o1", description="Model for the REASONING tier.")
    structured_method: StructuredMethodName = Field(
        default="auto",
        description="How structured output is asked for: 'auto' (the provider's best), 'json_schema', "
        "'function_calling' or 'json_mode'. A server that refuses it with a 400 gets the next method once.",
    )
    embeddings: str | None = Field(
        default=None,
        max_length=200,
        description="Semantic cache embeddings as provider:model (openai:text-embedding-3-small); unset, or "
        "a provider with no embeddings, uses WordLlama, locally.",
    )
    stage_tiers: dict[str, TierName] = Field(
        default_factory=dict,
        description='Per-stage tier overrides, e.g. {"summarize": "FAST"}; stages not listed use the tier '
        "chosen by their profile. Unknown stage names are refused.",
    )
    request_timeout: float = Field(
        default=60.0, gt=0, le=600, description="HTTP read timeout in seconds of one model request (0-600]."
    )
    stage_timeout_s: float = Field(
        default=90.0,
        gt=0,
        le=900,
        description="The most one stage may spend on its model calls in all (0-900]: every attempt, retry "
        "pause and re-ask together, streaming included; the stage then fails with a timeout.",
    )
    run_timeout_s: float = Field(
        default=900.0, gt=0, le=86_400, description="The most a CLI or batch run may take in all, in seconds."
    )
    client_max_retries: int = Field(
        default=0,
        ge=0,
        le=10,
        description="Retries the provider's client itself makes (0-10). Each stage already retries transient "
        "faults five times with backoff and Retry-After, so more here multiplies the requests.",
    )
    offline_latency: float | None = Field(
        default=None,
        ge=0,
        le=60,
        description="Simulated seconds per offline model call (0-60); unset uses each tier's typical "
        "latency, 0 disables the delay.",
    )
    structured_retries: int = Field(
        default=2,
        ge=0,
        le=5,
        description="How many times a malformed structured output is re-asked with the validation error "
        "before the stage fails (0-5).",
    )
    approval_above_usd: float | None = Field(
        default_factory=lambda: deployment().approval_above_usd,
        ge=0,
        description="Orchestrator: a return of a product priced above this many dollars waits for a person's "
        "approval before the desk acts (stagecraft resume THREAD --approve / --reject REASON); unset, none waits. "
        "The operator's STAGECRAFT_APPROVAL_ABOVE_USD is the highest a run may set (it may only lower it).",
    )
    confidence_threshold: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Router: classifications below this confidence (0-1) go to the general handler.",
    )
    max_tasks: int = Field(
        default=10, ge=1, le=50, description="Orchestrator: most sub-tasks dispatched from one message (1-50)."
    )
    max_input_chars: int = Field(
        default_factory=lambda: deployment().max_input_chars,
        ge=1,
        description="Longest text or document accepted, checked before any model call; at most the "
        "deployment's ceiling (STAGECRAFT_MAX_INPUT_CHARS).",
    )
    faq_context_chars: int = Field(
        default=8_000,
        ge=500,
        le=1_000_000,
        description="FAQ: the most source text one question's worker gets. Sources that fit are all given; "
        "beyond it each question gets the sources most relevant to it, up to this many characters.",
    )
    on_branch_error: BranchErrorPolicy = Field(
        default="record",
        description="Parallel graphs: 'record' keeps going and reports a failed branch, 'fail' fails the run.",
    )
    cache: bool = Field(
        default=True,
        description="Serve repeated stages from the stage-output cache and near-duplicate classifications and "
        "FAQ answers from the semantic cache; false always calls the model.",
    )
    semantic_threshold: float = Field(
        default=0.92,
        ge=0,
        le=1,
        description="Semantic cache: the least cosine similarity (0-1) between two inputs for one to reuse the "
        "other's output.",
    )
    max_cost_usd: float | None = Field(
        default=None,
        ge=0,
        description="Budget of one request in dollars: once spent no further model call starts and the run ends "
        "with what it has. Calls already in flight may go over it.",
    )
    max_tokens: int | None = Field(
        default=None,
        ge=0,
        description="Budget of one request in tokens (input and output), with the same rule as max_cost_usd.",
    )
    quality_threshold: float = Field(
        default=0.85,
        ge=0,
        le=1,
        description="refine: stop once a draft scores at least this (0-1).",
    )
    min_improvement: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="refine: stop when a revision improves the score by less than this.",
    )
    max_rounds: int = Field(default=4, ge=1, le=10, description="refine: most drafts written (1-10).")
    verify_below: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="document: verify a synthesis against the document only when its confidence is below this.",
    )

    @model_validator(mode="before")
    @classmethod
    def _only_settings(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for key in data:
            if key in DEPLOYMENT_KEYS:
                raise ValueError(f"{key!r} cannot be set by a run: the deployment sets it ({DEPLOYMENT_KEYS[key]})")
        unknown = sorted(set(data) - set(cls.model_fields))
        if unknown:
            raise ValueError(f"unknown settings {unknown}; valid settings: {', '.join(cls.model_fields)}")
        return data

    @field_validator("stage_tiers", mode="before")
    @classmethod
    def _upper_tiers(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: v.upper() if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("model_fast", "model_balanced", "model_premium", "model_reasoning")
    @classmethod
    def _allowed_model(cls, value: str, info: ValidationInfo) -> str:
        # A served run's models are the operator's to allow; a person running the CLI on their own
        # machine chooses any (make_settings(local=True)).
        if isinstance(info.context, dict) and info.context.get("local"):
            return value
        allowed = deployment().allowed_models
        if allowed is not None and value not in allowed and value.partition(":")[2] not in allowed:
            raise ValueError(
                f"model {value!r} is not allowed here; choose one of {sorted(allowed)} "
                "(the operator extends the list with STAGECRAFT_ALLOWED_MODELS)"
            )
        return value

    @field_validator("approval_above_usd")
    @classmethod
    def _approval_within_ceiling(cls, value: float | None) -> float | None:
        # A client may ask for more approvals, never fewer than the operator requires.
        ceiling = deployment().approval_above_usd
        if ceiling is not None and (value is None or value > ceiling):
            raise ValueError(
                f"approval_above_usd may be at most {ceiling:g} here (STAGECRAFT_APPROVAL_ABOVE_USD); "
                "returns above it always wait for a person"
            )
        return value

    @field_validator("max_input_chars")
    @classmethod
    def _within_ceiling(cls, value: int) -> int:
        ceiling = deployment().max_input_chars
        if value > ceiling:
            raise ValueError(f"max_input_chars may be at most {ceiling:,} here (STAGECRAFT_MAX_INPUT_CHARS)")
        return value

    def resolved_provider(self) -> str:
        """Return the provider of tier models named without one: the explicit one, else by OPENAI_API_KEY."""
        if self.provider != "auto":
            return self.provider
        return "openai" if deployment().openai_api_key is not None else "offline"


def describe(error: ValidationError) -> str:
    """Return a validation error as one line a user can act on."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "invalid settings: " + "; ".join(parts)


def make_settings(*, local: bool = False, **values: Any) -> Settings:
    """Build settings, raising SettingsError with one readable line when they are invalid.

    `local`: chosen by the person running this process (the CLI), not a client of a served graph,
    so any model may be named.
    """
    try:
        return Settings.model_validate(values, context={"local": local})
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from None


@dataclass(frozen=True)
class CliShape:
    """How one setting is given on the command line."""

    kind: Literal["value", "bool", "pairs"]
    choices: tuple[str, ...] | None
    shown: str
    """The default, as --help shows it."""


def cli_shape(field: FieldInfo) -> CliShape:
    """Return how a settings field is given on the command line, from its type alone."""
    annotation = field.annotation
    default = field.default
    shown = "none" if default in (None, PydanticUndefined) or default == {} else str(default)
    if annotation is bool:
        return CliShape("bool", None, shown)
    if get_origin(annotation) is dict:
        return CliShape("pairs", None, shown)
    if get_origin(annotation) is Literal:
        return CliShape("value", tuple(str(a) for a in get_args(annotation)), shown)
    return CliShape("value", None, shown)


def local_settings(given: dict[str, Any]) -> Settings:
    """Return the settings of a run started on this machine.

    Each setting comes from `given` (the command line), else STAGECRAFT_<NAME> in the environment,
    else in `.env` in the working folder, else its default.

    A variable the deployment already reads (STAGECRAFT_CACHE is the cache's URL) is not a setting.
    """
    taken = {str(f.validation_alias) for f in Deployment.model_fields.values()}
    found = {**env_file_values(), **os.environ}
    values: dict[str, Any] = {}
    for name, field in Settings.model_fields.items():
        variable = f"STAGECRAFT_{name.upper()}"
        raw = found.get(variable)
        if variable in taken or raw is None or not raw.strip():
            continue
        if get_origin(field.annotation) is dict:  # STAGECRAFT_STAGE_TIERS=summarize=FAST,classify=BALANCED
            values[name] = dict(pair.split("=", 1) for pair in raw.split(",") if "=" in pair)
        else:
            values[name] = raw.strip()
    for name, value in given.items():
        if value is None:
            continue
        values[name] = dict(value) if isinstance(value, list) else value
    return make_settings(local=True, **values)


_DEFAULT: Settings | None = None


def settings_of(runtime: Any) -> Settings:
    """Return the run's settings, or the defaults when the caller passed no context."""
    global _DEFAULT
    context = getattr(runtime, "context", None) if runtime is not None else None
    if context is None:
        if _DEFAULT is None:
            _DEFAULT = Settings()
        return _DEFAULT
    if isinstance(context, Settings):
        return context
    if isinstance(context, dict):
        return make_settings(**context)
    raise SettingsError(f"runtime context must be Settings or a dict, not {type(context).__name__}")
