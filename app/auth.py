"""Custom auth for the LangGraph server (`auth` in langgraph.json): an API key, and context checks.

- With STAGECRAFT_API_KEY set in the server's environment, every request must carry it in the
  `x-api-key` header (`get_client(url=..., api_key=...)` in langgraph-sdk sends it there);
  without it, the server is open, as `langgraph dev` is by default.
- The context of a run or an assistant is written by the client. The server would silently drop
  keys that are not settings; here a context that names a setting the deployment owns (an
  endpoint, a key, a path), an unknown key or an out-of-range value is refused with 422 and the
  reason, before the run is created.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from langgraph_sdk import Auth

from app.registry import declared_stages
from models.stages import check_stage_tiers
from state.deployment import deployment
from state.settings import SettingsError, make_settings

auth = Auth()


@auth.authenticate
async def authenticate(headers: dict[bytes, bytes]) -> Auth.types.MinimalUserDict:
    """Accept the request when no key is configured or when x-api-key matches it."""
    expected = deployment().api_key
    if expected is None:
        return {"identity": "anonymous", "is_authenticated": True}
    given = headers.get(b"x-api-key", b"")
    if not hmac.compare_digest(given, expected.encode()):
        raise Auth.exceptions.HTTPException(status_code=401, detail="missing or wrong x-api-key")
    return {"identity": "operator", "is_authenticated": True}


@auth.on
async def single_tenant(ctx: Auth.types.AuthContext, value: Any) -> None:
    """Allow every resource to whoever passed authentication: one key, one tenant.

    A deployment that serves several customers should replace this with per-owner filters
    (`{"owner": ctx.user.identity}`), as LangGraph's auth guide shows.
    """
    return None


def _checked(context: Any) -> None:
    if context in (None, {}):
        return
    if not isinstance(context, dict):
        raise Auth.exceptions.HTTPException(status_code=422, detail="context must be an object of settings")
    declared_stages()
    try:
        check_stage_tiers(make_settings(**context))
    except SettingsError as exc:
        raise Auth.exceptions.HTTPException(status_code=422, detail=str(exc)) from None


# JSON around the text (keys, quotes, escapes) on top of the longest text a run may send.
_ENVELOPE_CHARS = 10_000


@auth.on.threads.create_run
async def check_run_context(ctx: Auth.types.AuthContext, value: Auth.types.RunsCreate) -> None:
    """Refuse a run whose context is not valid settings, or whose input is over the size limit.

    Refused here, before the run is created, nothing of it is ever written to a checkpoint.
    """
    kwargs = value.get("kwargs") or {}
    _checked(kwargs.get("context"))
    _check_size(kwargs.get("input"))


def _check_size(value: Any) -> None:
    size = len(json.dumps(value, default=str))
    limit = deployment().max_input_chars + _ENVELOPE_CHARS
    if size > limit:
        raise Auth.exceptions.HTTPException(
            status_code=413, detail=f"input is {size:,} characters; the limit is {limit:,} (STAGECRAFT_MAX_INPUT_CHARS)"
        )


def _checked_config(config: Any) -> None:
    """Check the settings a config's `configurable` carries: the server reads them as context too."""
    configurable = (config or {}).get("configurable") if isinstance(config, dict) else None
    if not isinstance(configurable, dict):
        return
    _checked({k: v for k, v in configurable.items() if not k.startswith("__") and k not in _LANGGRAPH_KEYS} or None)


# Keys LangGraph itself keeps in `configurable` (never settings).
_LANGGRAPH_KEYS = frozenset(
    {"thread_id", "checkpoint_id", "checkpoint_ns", "checkpoint_map", "run_id", "assistant_id", "graph_id", "user_id"}
)


@auth.on.assistants.create
async def check_assistant_context(ctx: Auth.types.AuthContext, value: Auth.types.AssistantsCreate) -> None:
    """Refuse an assistant whose static context (or config's configurable) is not valid settings."""
    _checked(value.get("context"))
    _checked_config(value.get("config"))


@auth.on.assistants.update
async def check_assistant_update(ctx: Auth.types.AuthContext, value: Auth.types.AssistantsUpdate) -> None:
    """Refuse an assistant update whose static context (or config's configurable) is not valid settings."""
    _checked(value.get("context"))
    _checked_config(value.get("config"))


@auth.on.crons.create
async def check_cron(ctx: Auth.types.AuthContext, value: Auth.types.CronsCreate) -> None:
    """Refuse a scheduled run whose context is not valid settings or whose input is over the limit."""
    payload = value.get("payload") or {}
    _checked(payload.get("context"))
    _checked_config(payload.get("config"))
    _check_size(payload.get("input"))
