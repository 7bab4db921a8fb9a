"""Per-run settings: the runtime context every graph declares as its `context_schema`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from langgraph.runtime import Runtime

BranchErrorPolicy = Literal["record", "fail"]


@dataclass(kw_only=True)
class Settings:
    """Run-time settings; Studio shows and edits every field."""

    provider: str = field(
        default="auto",
        metadata={
            "description": "Chat model provider: 'offline' (embedded deterministic engine), "
            "'openai' (any OpenAI-compatible endpoint) or 'auto' (openai when "
            "OPENAI_API_KEY is set, else offline)."
        },
    )
    model_fast: str = field(
        default="gpt-4o-mini",
        metadata={"description": "Model for the FAST tier (classify, extract, format)."},
    )
    model_balanced: str = field(
        default="gpt-4o",
        metadata={"description": "Model for the BALANCED tier (analysis, writing)."},
    )
    model_premium: str = field(
        default="gpt-4.5",
        metadata={"description": "Model for the PREMIUM tier (quality-critical stages)."},
    )
    model_reasoning: str = field(
        default="o1",
        metadata={"description": "Model for the REASONING tier."},
    )
    stage_tiers: dict[str, str] = field(
        default_factory=dict,
        metadata={
            "description": 'Per-stage tier overrides, e.g. {"summarize": "FAST"}; '
            "stages not listed use the tier chosen by their profile."
        },
    )
    base_url: str | None = field(
        default=None,
        metadata={
            "description": "OpenAI-compatible base URL (vLLM, Ollama, LM Studio); "
            "defaults to OPENAI_BASE_URL or OpenAI itself."
        },
    )
    request_timeout: float = field(
        default=60.0,
        metadata={"description": "HTTP timeout in seconds for one model request."},
    )
    client_max_retries: int = field(
        default=2,
        metadata={
            "description": "Retries the OpenAI client makes on connection errors, 429 and 5xx; "
            "LangGraph's node retry is separate and never retries 4xx."
        },
    )
    offline_latency: float | None = field(
        default=None,
        metadata={
            "description": "Simulated seconds per offline model call; unset uses each tier's "
            "typical latency, 0 disables the delay."
        },
    )
    structured_retries: int = field(
        default=2,
        metadata={
            "description": "How many times a malformed structured output is re-asked with "
            "the validation error before the stage fails."
        },
    )
    confidence_threshold: float = field(
        default=0.5,
        metadata={"description": "Router: classifications below this confidence go to the general handler."},
    )
    max_tasks: int = field(
        default=10,
        metadata={"description": "Orchestrator: most sub-tasks dispatched from one message."},
    )
    max_input_chars: int = field(
        default=100_000,
        metadata={"description": "Longest text or document accepted, checked before any model call."},
    )
    on_branch_error: BranchErrorPolicy = field(
        default="record",
        metadata={
            "description": "Parallel graphs: 'record' keeps going and reports a failed branch, 'fail' fails the run."
        },
    )
    support_db: str = field(
        default=".stagecraft/support.sqlite",
        metadata={"description": "Path of the support-desk SQLite database."},
    )

    def __post_init__(self) -> None:
        if self.provider not in ("auto", "offline", "openai") and not _is_registered(self.provider):
            raise ValueError(f"unknown provider {self.provider!r}: choose 'auto', 'offline' or 'openai'")
        if self.on_branch_error not in ("record", "fail"):
            raise ValueError(f"on_branch_error must be 'record' or 'fail', not {self.on_branch_error!r}")
        if self.max_tasks < 1:
            raise ValueError("max_tasks must be at least 1")
        if self.structured_retries < 0:
            raise ValueError("structured_retries cannot be negative")
        if self.offline_latency is not None and self.offline_latency < 0:
            raise ValueError("offline_latency cannot be negative")

    def resolved_provider(self) -> str:
        """Return the provider this run uses: the explicit one, else by OPENAI_API_KEY."""
        if self.provider != "auto":
            return self.provider
        return "openai" if os.environ.get("OPENAI_API_KEY") else "offline"

    @classmethod
    def field_names(cls) -> set[str]:
        """Return the names of all settings."""
        return {f.name for f in fields(cls)}


def _is_registered(name: str) -> bool:
    from models.providers import registered_providers

    return name in registered_providers()


def settings_of(runtime: Runtime[Any] | None) -> Settings:
    """Return the run's settings, or the defaults when the caller passed no context."""
    context = runtime.context if runtime is not None else None
    if context is None:
        return Settings()
    if isinstance(context, Settings):
        return context
    if isinstance(context, dict):
        unknown = set(context) - Settings.field_names()
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        return Settings(**context)
    raise TypeError(f"runtime context must be Settings or a dict, not {type(context).__name__}")
