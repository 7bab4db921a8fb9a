"""What the deployment decides, never a run: endpoints, credentials, file paths, ceilings.

Everything here comes from the environment of the process (or the LangGraph server's `env`),
because a served graph's runtime context is written by its client. A client that could choose
`base_url` would receive the server's API key; one that could choose a path would write files.
"""

from __future__ import annotations

import os
from typing import Any

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Tier models a run may always choose: the defaults of `Settings`. An operator widens the list
# with STAGECRAFT_ALLOWED_MODELS (comma-separated) or `*` for any name.
DEFAULT_MODELS: frozenset[str] = frozenset({"gpt-4o-mini", "gpt-4o", "gpt-4.5", "o1"})
DEFAULT_SUPPORT_DB = ".stagecraft/support.sqlite"
DEFAULT_MAX_INPUT_CHARS = 100_000
DEFAULT_CACHE = "sqlite:///.stagecraft/cache.sqlite"
DEFAULT_SEMANTIC_STORE = "sqlite:///.stagecraft/semantic.sqlite"
DEFAULT_SEMANTIC_MAX_ENTRIES = 10_000
DEFAULT_SEMANTIC_TTL_S = 7 * 24 * 3600
DEFAULT_CHECKPOINTER = "sqlite:///.stagecraft/runs.sqlite"


class DeploymentError(ValueError):
    """An environment variable of the deployment holds an unusable value."""


def missing_extra(extra: str, what: str) -> DeploymentError:
    """The error for a URL whose client library is an extra this install lacks."""
    return DeploymentError(
        f"{what} needs the {extra!r} extra: pip install 'stagecraft[{extra}]' (in a checkout: uv sync --extra {extra})"
    )


class Deployment(BaseSettings):
    """The operator's configuration: the process environment, then a `.env` in the working folder."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    """OPENAI_BASE_URL: an OpenAI-compatible endpoint (vLLM, Ollama, LM Studio); None is OpenAI itself."""
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    """OPENAI_API_KEY: the key of the OpenAI-compatible endpoint (any non-empty value for a local server)."""
    anthropic_base_url: str | None = Field(default=None, validation_alias="ANTHROPIC_BASE_URL")
    """ANTHROPIC_BASE_URL: an Anthropic-compatible endpoint; None is Anthropic itself."""
    anthropic_api_key: SecretStr | None = Field(default=None, validation_alias="ANTHROPIC_API_KEY")
    """ANTHROPIC_API_KEY: the key of the Anthropic endpoint."""
    ollama_host: str | None = Field(default=None, validation_alias="OLLAMA_HOST")
    """OLLAMA_HOST: the Ollama server (its native API); None is http://127.0.0.1:11434."""
    support_db: str = Field(default=DEFAULT_SUPPORT_DB, validation_alias="STAGECRAFT_SUPPORT_DB")
    """STAGECRAFT_SUPPORT_DB: the support desk, a SQLite path (sqlite:///path) or postgresql://...?schema=NAME."""
    allowed_models: frozenset[str] | None = Field(default=DEFAULT_MODELS, validation_alias="STAGECRAFT_ALLOWED_MODELS")
    """STAGECRAFT_ALLOWED_MODELS: model names a served run may pick; None allows any."""
    max_input_chars: int = Field(default=DEFAULT_MAX_INPUT_CHARS, validation_alias="STAGECRAFT_MAX_INPUT_CHARS")
    """STAGECRAFT_MAX_INPUT_CHARS: the longest input any run may send; a run may only lower it."""
    approval_above_usd: float | None = Field(default=None, validation_alias="STAGECRAFT_APPROVAL_ABOVE_USD")
    """STAGECRAFT_APPROVAL_ABOVE_USD: returns priced above it wait for a person; a run may only lower it."""
    api_key: str | None = Field(default=None, validation_alias="STAGECRAFT_API_KEY")
    """STAGECRAFT_API_KEY: when set, the served graphs require it in the x-api-key header."""
    cache_url: str = Field(default=DEFAULT_CACHE, validation_alias="STAGECRAFT_CACHE")
    """STAGECRAFT_CACHE: the stage-output cache, sqlite:///path, memory://, redis://host:port/db or off."""
    cache_ttl_s: int | None = Field(default=None, validation_alias="STAGECRAFT_CACHE_TTL")
    """STAGECRAFT_CACHE_TTL: seconds a cached stage output lives, instead of each stage's own TTL."""
    semantic_url: str = Field(default=DEFAULT_SEMANTIC_STORE, validation_alias="STAGECRAFT_SEMANTIC_STORE")
    """STAGECRAFT_SEMANTIC_STORE: the semantic cache's vector store, sqlite:///path, memory:// or off."""
    semantic_max_entries: int = Field(
        default=DEFAULT_SEMANTIC_MAX_ENTRIES, validation_alias="STAGECRAFT_SEMANTIC_MAX_ENTRIES"
    )
    """STAGECRAFT_SEMANTIC_MAX_ENTRIES: the most entries the semantic cache keeps per namespace (the newest)."""
    semantic_ttl_s: int = Field(default=DEFAULT_SEMANTIC_TTL_S, validation_alias="STAGECRAFT_SEMANTIC_TTL")
    """STAGECRAFT_SEMANTIC_TTL: seconds a semantic-cache entry is served and kept."""
    checkpointer_url: str = Field(default=DEFAULT_CHECKPOINTER, validation_alias="STAGECRAFT_CHECKPOINTER")
    """STAGECRAFT_CHECKPOINTER: where CLI and Python runs are saved, sqlite:///path, memory:// or postgresql://..."""

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any, info: ValidationInfo) -> Any:
        # `OPENAI_BASE_URL=` (as .env.example has it) means "not set", never an empty URL.
        if isinstance(value, str) and not value.strip():
            return cls.model_fields[info.field_name or ""].get_default(call_default_factory=True)
        return value

    @field_validator("allowed_models", mode="before")
    @classmethod
    def _models_list(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value.strip() == "*":
            return None
        return DEFAULT_MODELS | {m.strip() for m in value.split(",") if m.strip()}

    @field_validator("max_input_chars", "cache_ttl_s", "semantic_max_entries", "semantic_ttl_s", mode="before")
    @classmethod
    def _positive(cls, value: Any, info: ValidationInfo) -> Any:
        name = _ENV_NAME[info.field_name or ""]
        if isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                raise DeploymentError(f"{name} must be a whole number, not {value!r}") from None
        if isinstance(value, int) and value < 1:
            raise DeploymentError(f"{name} must be at least 1, not {value}")
        return value

    @field_validator("approval_above_usd", mode="before")
    @classmethod
    def _dollars(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                value = float(value)
            except ValueError:
                raise DeploymentError(
                    f"STAGECRAFT_APPROVAL_ABOVE_USD must be a number of dollars, not {value!r}"
                ) from None
        if isinstance(value, (int, float)) and not 0 <= value < float("inf"):
            raise DeploymentError(f"STAGECRAFT_APPROVAL_ABOVE_USD must be 0 or more, not {value}")
        return value

    @field_validator("support_db", "cache_url", "semantic_url", "checkpointer_url")
    @classmethod
    def _url_form(cls, value: str, info: ValidationInfo) -> str:
        return check_url(_ENV_NAME[info.field_name or ""], value)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Deployment:
        """Read the deployment from `env`, or (None) from the process environment, then `.env`."""
        if env is None:
            env = {**env_file_values(), **{k: v for k, v in os.environ.items() if k in _VARIABLES}}
        try:
            # The values given are the sources: `.env` was read once already (no file is read on a
            # server's event loop), and names not given keep their defaults.
            return cls(_env_file=None, **env)  # type: ignore[arg-type]
        except ValidationError as exc:
            first = exc.errors()[0]
            cause = (first.get("ctx") or {}).get("error")
            if isinstance(cause, DeploymentError):
                raise cause from None
            name = str(first["loc"][0]) if first["loc"] else "the deployment"
            raise DeploymentError(f"{name}: {first['msg']}") from None


_ENV_NAME = {
    name: str(field.validation_alias) for name, field in Deployment.model_fields.items() if field.validation_alias
}


# What each URL setting may name ("off" and "memory://" whole, "" a plain path, the rest by
# prefix), and how to say so.
_KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "STAGECRAFT_SUPPORT_DB": (
        ("sqlite:///", "postgresql://", "postgres://", ""),
        "sqlite:///path, a path or postgresql://...",
    ),
    "STAGECRAFT_CACHE": (
        ("off", "memory://", "sqlite:///", "redis://", "rediss://"),
        "sqlite:///path, memory://, redis://host:port/db or off",
    ),
    "STAGECRAFT_SEMANTIC_STORE": (("off", "memory://", "sqlite:///"), "sqlite:///path, memory:// or off"),
    "STAGECRAFT_CHECKPOINTER": (
        ("memory://", "sqlite:///", "postgresql://", "postgres://", ""),
        "sqlite:///path, a path, memory:// or postgresql://...",
    ),
}


def check_url(name: str, url: str) -> str:
    """Return `url` if it has a form the setting `name` accepts, else raise DeploymentError saying which.

    Checked when the deployment is read, so a misspelt URL stops a run before any model call
    instead of failing it at the first stage that needs the service.
    """
    schemes, forms = _KINDS[name]
    for scheme in schemes:
        if scheme in ("off", "memory://"):
            if url == scheme:
                return url
        elif scheme == "":
            if "://" not in url:
                path = url
                break
        elif url.startswith(scheme):
            path = url.removeprefix(scheme) if scheme == "sqlite:///" else url
            break
    else:
        shown = url.split("://")[0] + "://..." if "://" in url else url
        raise DeploymentError(f"{name}={shown!r} is not usable: use {forms}")
    if path.strip() in ("", ":memory:"):
        raise DeploymentError(f"{name}={url!r} names no file; use {forms}")
    return url


_VARIABLES = tuple(sorted(_ENV_NAME.values()))
_read: dict[tuple[str | None, ...], Deployment] = {}


_env_file: dict[str, str] | None = None


def env_file_values() -> dict[str, str]:
    """Return the variables of `.env` in the working folder, read once per process (before any run).

    Read once, so no run reads a file on its event loop; a process started elsewhere reads its own.
    """
    global _env_file
    if _env_file is None:
        _env_file = {k: v for k, v in dotenv_values(".env").items() if v is not None}
    return _env_file


def deployment() -> Deployment:
    """Return the deployment as the environment and `.env` describe it now (read once per set of values)."""
    values = tuple(os.environ.get(name) for name in _VARIABLES)
    found = _read.get(values)
    if found is None:
        found = Deployment.from_env()
        if len(_read) > 64:
            _read.clear()
        _read[values] = found
    return found


env_file_values()
