"""What the deployment decides, never a run: endpoints, credentials, file paths, ceilings.

Everything here comes from the environment of the process (or the LangGraph server's `env`),
because a served graph's runtime context is written by its client. A client that could choose
`base_url` would receive the server's API key; one that could choose a path would write files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

# Tier models a run may always choose: the defaults of `Settings`. An operator widens the list
# with STAGECRAFT_ALLOWED_MODELS (comma-separated) or `*` for any name.
DEFAULT_MODELS: frozenset[str] = frozenset({"gpt-4o-mini", "gpt-4o", "gpt-4.5", "o1"})
DEFAULT_SUPPORT_DB = ".stagecraft/support.sqlite"
DEFAULT_MAX_INPUT_CHARS = 100_000
DEFAULT_CACHE = "sqlite:///.stagecraft/cache.sqlite"
DEFAULT_SEMANTIC_STORE = "sqlite:///.stagecraft/semantic.sqlite"
DEFAULT_CHECKPOINTER = "sqlite:///.stagecraft/runs.sqlite"


class DeploymentError(ValueError):
    """An environment variable of the deployment holds an unusable value."""


@dataclass(frozen=True)
class Deployment:
    """The operator's configuration, read from the environment."""

    openai_base_url: str | None
    """OPENAI_BASE_URL: an OpenAI-compatible endpoint (vLLM, Ollama, LM Studio); None is OpenAI itself."""
    support_db: str
    """STAGECRAFT_SUPPORT_DB: the support desk, a SQLite path (sqlite:///path) or postgresql://...?schema=NAME."""
    allowed_models: frozenset[str] | None
    """STAGECRAFT_ALLOWED_MODELS: model names a run may pick; None allows any."""
    max_input_chars: int
    """STAGECRAFT_MAX_INPUT_CHARS: the longest input any run may send; a run may only lower it."""
    api_key: str | None
    """STAGECRAFT_API_KEY: when set, the served graphs require it in the x-api-key header."""
    cache_url: str
    """STAGECRAFT_CACHE: the stage-output cache, sqlite:///path, memory://, redis://host:port/db or off."""
    cache_ttl_s: int | None
    """STAGECRAFT_CACHE_TTL: seconds a cached stage output lives, instead of each stage's own TTL."""
    semantic_url: str
    """STAGECRAFT_SEMANTIC_STORE: the semantic cache's vector store, sqlite:///path, memory:// or off."""
    checkpointer_url: str
    """STAGECRAFT_CHECKPOINTER: where CLI and Python runs are saved, sqlite:///path, memory:// or postgresql://..."""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Deployment:
        """Read the deployment from `env` (default: the process environment)."""
        env = dict(os.environ) if env is None else env
        allowed = env.get("STAGECRAFT_ALLOWED_MODELS", "").strip()
        urls = {
            name: check_url(name, env.get(name) or default)
            for name, default in (
                ("STAGECRAFT_SUPPORT_DB", DEFAULT_SUPPORT_DB),
                ("STAGECRAFT_CACHE", DEFAULT_CACHE),
                ("STAGECRAFT_SEMANTIC_STORE", DEFAULT_SEMANTIC_STORE),
                ("STAGECRAFT_CHECKPOINTER", DEFAULT_CHECKPOINTER),
            )
        }
        return cls(
            openai_base_url=env.get("OPENAI_BASE_URL") or None,
            support_db=urls["STAGECRAFT_SUPPORT_DB"],
            allowed_models=None
            if allowed == "*"
            else DEFAULT_MODELS | {m.strip() for m in allowed.split(",") if m.strip()},
            max_input_chars=_positive_int(env, "STAGECRAFT_MAX_INPUT_CHARS", DEFAULT_MAX_INPUT_CHARS),
            api_key=env.get("STAGECRAFT_API_KEY") or None,
            cache_url=urls["STAGECRAFT_CACHE"],
            cache_ttl_s=_positive_int(env, "STAGECRAFT_CACHE_TTL", 0) or None,
            semantic_url=urls["STAGECRAFT_SEMANTIC_STORE"],
            checkpointer_url=urls["STAGECRAFT_CHECKPOINTER"],
        )


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


def _positive_int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise DeploymentError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise DeploymentError(f"{name} must be at least 1, not {value}")
    return value


def deployment() -> Deployment:
    """Return the deployment as the environment describes it now."""
    return Deployment.from_env()
