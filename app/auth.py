"""Custom auth for the LangGraph server (`auth` in langgraph.json): an API key, and what clients may write.

- With STAGECRAFT_API_KEY set in the server's environment, every request must carry it in the
  `x-api-key` header (`get_client(url=..., api_key=...)` in langgraph-sdk sends it there);
  without it, the server is open, as `langgraph dev` is by default. The server's own routes
  (/metrics, /docs...) are guarded by app/served_http.py with the same check.
- The context of a run or an assistant is written by the client. The server would silently drop
  keys that are not settings; here a context that names a setting the deployment owns (an
  endpoint, a key, a path), an unknown key or an out-of-range value is refused with 422 and the
  reason, before the run is created.
- A run's input is checked as its graph's intake would check it (422 with the reason, 413 when
  it is over the size limit), and a run's `command` may only answer an approval
  (`{"resume": {"approved": bool, "reason": str}}`, or such answers by interrupt id): a command's
  `goto` or `update` would send work to a node, or write state, past the graph's own checks.
- Metadata is the client's too, and the server copies a run's into every checkpoint: it is
  limited in size (413), and may not name a key the server or Stagecraft writes (422).
"""

from __future__ import annotations

import functools
import hmac
import json
from typing import Any

import httpx
from langgraph_sdk import Auth, get_client
from langgraph_sdk.client import LangGraphClient

from graphs.registry import GRAPHS, stages
from models.stage import check_stage_tiers
from state.deployment import deployment
from state.inputs import InputError
from state.settings import SettingsError, make_settings

auth = Auth()


def key_accepted(given: bytes) -> bool:
    """Tell whether an x-api-key admits a request: any does when no key is configured."""
    expected = deployment().api_key
    return expected is None or hmac.compare_digest(given, expected.encode())


@auth.authenticate
async def authenticate(headers: dict[bytes, bytes]) -> Auth.types.MinimalUserDict:
    """Accept the request when no key is configured or when x-api-key matches it."""
    if not key_accepted(headers.get(b"x-api-key", b"")):
        raise Auth.exceptions.HTTPException(status_code=401, detail="missing or wrong x-api-key")
    return {"identity": "operator" if deployment().api_key else "anonymous", "is_authenticated": True}


@auth.on
async def single_tenant(ctx: Auth.types.AuthContext, value: Any) -> None:
    """Allow every resource to whoever passed authentication: one key, one tenant.

    A deployment that serves several customers should replace this with per-owner filters
    (`{"owner": ctx.user.identity}`), as LangGraph's auth guide shows.
    """
    return None


def _refused(detail: str, status_code: int = 422) -> Auth.exceptions.HTTPException:
    return Auth.exceptions.HTTPException(status_code=status_code, detail=detail)


def _checked(context: Any) -> None:
    if context in (None, {}):
        return
    if not isinstance(context, dict):
        raise _refused("context must be an object of settings")
    try:
        # Any graph's stages: an assistant's or a schedule's context may serve any of them.
        check_stage_tiers(make_settings(**context), stages().values())
    except SettingsError as exc:
        raise _refused(str(exc)) from None


# JSON around the text (keys, quotes, escapes) on top of the longest text a run may send.
_ENVELOPE_CHARS = 10_000


def _check_size(value: Any) -> None:
    size = len(json.dumps(value, default=str))
    limit = deployment().max_input_chars + _ENVELOPE_CHARS
    if size > limit:
        raise _refused(f"input is {size:,} characters; the limit is {limit:,} (STAGECRAFT_MAX_INPUT_CHARS)", 413)


def _checked_config(config: Any) -> None:
    """Check the settings a config's `configurable` carries: the server reads them as context too."""
    configurable = (config or {}).get("configurable") if isinstance(config, dict) else None
    if not isinstance(configurable, dict):
        return
    _checked({k: v for k, v in configurable.items() if not k.startswith("__") and k not in _LANGGRAPH_KEYS} or None)


# Keys LangGraph itself keeps in `configurable` (never settings).
_LANGGRAPH_KEYS = frozenset(
    {
        "thread_id",
        "checkpoint_id",
        "checkpoint_ns",
        "checkpoint_map",
        "run_id",
        "assistant_id",
        "graph_id",
        "user_id",
        "cron_id",
    }
)

# Room for tags and ids, not for documents: a run's metadata is copied into each of its checkpoints.
MAX_METADATA_CHARS = 10_000

# Metadata keys the server writes (the CLI reads graph_id to list a served run) or Stagecraft does
# (every stagecraft_* key: the graph, shape, provider and start time of a CLI run). The server
# itself strips thread_id, assistant_id, run_id and cron_id from client metadata, with a warning.
_SERVER_KEYS = frozenset({"graph_id", "user_id"})


def _check_metadata(metadata: Any, *, allowed: frozenset[str] = frozenset()) -> None:
    if metadata in (None, {}):
        return
    if not isinstance(metadata, dict):
        raise _refused("metadata must be an object")
    size = len(json.dumps(metadata, default=str))
    if size > MAX_METADATA_CHARS:
        raise _refused(f"metadata is {size:,} characters; the limit is {MAX_METADATA_CHARS:,}", 413)
    owned = sorted(k for k in metadata if (k in _SERVER_KEYS or k.startswith("stagecraft_")) and k not in allowed)
    if owned:
        raise _refused(f"metadata may not set {', '.join(owned)}: the server and Stagecraft write those keys")


def _check_config_metadata(config: Any) -> None:
    """Check the metadata a config carries: the server merges it into the run's and the thread's."""
    _check_metadata(config.get("metadata") if isinstance(config, dict) else None)


@functools.cache
def _server() -> LangGraphClient:
    # The in-process client (no URL): it calls this server's API directly, past authentication.
    return get_client(url=None, api_key=None)


async def _check_input(assistant_id: Any, payload: Any, context: Any) -> None:
    """Check a run's input as the intake of the assistant's graph will, or refuse it with 422."""
    if payload is None:  # a run that continues its thread's state
        return
    name = str(assistant_id)
    assistant_context: dict[str, Any] = {}
    if name not in GRAPHS:
        try:
            assistant = await _server().assistants.get(name)
        except httpx.HTTPStatusError:
            return  # no such assistant: the server answers that itself
        name, static = assistant["graph_id"], assistant.get("context")
        assistant_context = dict(static) if isinstance(static, dict) else {}
    if not isinstance(payload, dict):
        raise _refused(f"input must be an object, not {type(payload).__name__}")
    try:
        settings = make_settings(**{**assistant_context, **(context or {})})
        spec = GRAPHS[name]
        check_stage_tiers(settings, spec.stages)
        spec.check(payload, settings)
    except (InputError, SettingsError) as exc:
        raise _refused(str(exc)) from None


@auth.on.threads.create
async def check_thread(ctx: Auth.types.AuthContext, value: Auth.types.ThreadsCreate) -> None:
    """Refuse a thread whose metadata is too large or sets a key the server owns.

    The one exception is a graph_id naming a served graph: langgraph-sdk's `threads.create(graph_id=...)`
    writes it, the server needs it to update the state of a thread that has had no run yet, and
    the first run on the thread replaces it with that run's graph.
    """
    metadata = value.get("metadata")
    graph = metadata.get("graph_id") if isinstance(metadata, dict) else None
    if graph is not None and graph not in GRAPHS:
        raise _refused(f"graph_id must name a served graph: {', '.join(GRAPHS)}")
    _check_metadata(metadata, allowed=frozenset({"graph_id"}))


@auth.on.threads.update
async def check_thread_update(ctx: Auth.types.AuthContext, value: Auth.types.ThreadsUpdate) -> None:
    """Refuse new thread metadata that is too large or sets a key the server owns."""
    _check_metadata(value.get("metadata"))


@auth.on.threads.create_run
async def check_run(ctx: Auth.types.AuthContext, value: Auth.types.RunsCreate) -> None:
    """Refuse a run whose context, input or metadata is not acceptable, or whose command does more than answer.

    Refused here, before the run is created, nothing of it is ever written to a checkpoint.
    """
    kwargs = value.get("kwargs") or {}
    _checked(kwargs.get("context"))
    if kwargs.get("command"):
        _check_command(kwargs["command"])
    _check_metadata(value.get("metadata"))
    _check_config_metadata(kwargs.get("config"))
    _check_size(kwargs.get("input"))
    await _check_input(value.get("assistant_id"), kwargs.get("input"), kwargs.get("context"))


def _check_command(command: Any) -> None:
    """Refuse a command that is not `resume` with an approver's answer (or answers by interrupt id)."""
    from pydantic import ValidationError

    from state.orchestrator import check_answer

    if not isinstance(command, dict) or any(value for key, value in command.items() if key != "resume"):
        raise _refused("a run's command may only resume a pending approval: goto and update are not accepted")
    try:
        check_answer(command.get("resume"))
    except (ValidationError, ValueError) as exc:
        raise _refused(f"resume must be {{'approved': bool, 'reason': str}}: {_first_error(exc)}") from None


def _first_error(exc: Exception) -> str:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        item = exc.errors()[0]
        where = ".".join(str(p) for p in item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        return f"{where}: {message}" if where else message
    return str(exc)


@auth.on.assistants.create
async def check_assistant(ctx: Auth.types.AuthContext, value: Auth.types.AssistantsCreate) -> None:
    """Refuse an assistant whose static context (or config's configurable) or metadata is not acceptable."""
    _checked(value.get("context"))
    _checked_config(value.get("config"))
    _check_metadata(value.get("metadata"))
    _check_config_metadata(value.get("config"))


@auth.on.assistants.update
async def check_assistant_update(ctx: Auth.types.AuthContext, value: Auth.types.AssistantsUpdate) -> None:
    """Refuse an assistant update whose static context (or config's configurable) or metadata is not acceptable."""
    _checked(value.get("context"))
    _checked_config(value.get("config"))
    _check_metadata(value.get("metadata"))
    _check_config_metadata(value.get("config"))


def _check_cron_payload(payload: dict[str, Any]) -> None:
    _checked(payload.get("context"))
    _checked_config(payload.get("config"))
    _check_metadata(payload.get("metadata"))
    _check_config_metadata(payload.get("config"))
    _check_size(payload.get("input"))


@auth.on.crons.create
async def check_cron(ctx: Auth.types.AuthContext, value: Auth.types.CronsCreate) -> None:
    """Refuse a scheduled run whose context, input or metadata is not acceptable."""
    payload = value.get("payload") or {}
    _check_cron_payload(payload)
    _check_metadata(value.get("metadata"))
    await _check_input(payload.get("assistant_id"), payload.get("input"), payload.get("context"))


@auth.on.crons.update
async def check_cron_update(ctx: Auth.types.AuthContext, value: Auth.types.CronsUpdate) -> None:
    """Refuse a schedule update whose context, input size or metadata is not acceptable.

    Its input is checked against its graph when each scheduled run is created (`check_run`).
    """
    _check_cron_payload(value.get("payload") or {})
    _check_metadata(value.get("metadata"))
