"""What can go wrong with a model call, and what to do about it.

    transient   retried by the stage, with backoff (Retry-After honoured): connection trouble, a
                read timeout, 408/409/429/5xx, a corrupt body or stream chunk, and a reply that
                cannot be used as it is (a stream that ended before its finish, a reply cut at
                the token limit, an empty reply, a tool call where text was asked for)
    permanent   failed at once, naming the stage and the cause: 400, 401, 403, 404 (a model that
                does not exist), 422 - fixing them is the operator's job, then `stagecraft resume`
    deadline    the whole call took longer than the stage's deadline: not retried, since a retry
                would break the bound the deadline promises

The stage is the one retry layer for model calls: the provider client's own retries are off by
default (they would multiply with these), and no node retries a model call. LangGraph's node
retry is used only where a node does other I/O that a moment may heal: the support desk's
database (nodes.orchestrator.DESK_RETRY), whose writes are idempotent per request and task.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Literal

from models.effects import DeadlineExceeded
from state.inputs import InputError
from state.secrets import redact

FaultKind = Literal["transient", "permanent", "deadline", "other"]

# One fault in five, five tries: a stage fails one time in 3,125 even if faults were independent;
# faults cluster in practice (an overloaded provider), so three tries were too few.
TRANSIENT_ATTEMPTS = 5
BACKOFF_S = 0.5  # first pause; doubled each time
MAX_BACKOFF_S = 8.0
MAX_RETRY_AFTER_S = 30.0  # a provider asking for longer is treated as down


class BadReply(RuntimeError):
    """A reply that arrived but cannot be used as it is."""

    def __init__(self, problem: str, reply: Any = None) -> None:
        super().__init__(problem)
        self.reply = reply


class StageCallError(RuntimeError):
    """A stage's model call failed for good; the message names the stage and the cause."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(f"stage {stage!r}: {message}")
        self.stage = stage


class ProviderRefused(StageCallError):
    """The provider refused the request (a key, a model name, the request itself): not retried."""


class ProviderUnavailable(StageCallError):
    """Transient faults outlasted every attempt."""


class StageTimeout(StageCallError):
    """The call took longer than the stage's deadline."""


class InputRefused(StageCallError, InputError):
    """The provider cannot process this input as it is (422): the input must change, not the settings."""


def kind_of(exc: BaseException) -> FaultKind:
    """Classify an exception raised by a model call."""
    if isinstance(exc, DeadlineExceeded):
        return "deadline"
    if isinstance(exc, (BadReply, json.JSONDecodeError)) or _not_an_object(exc):
        return "transient"
    openai = sys.modules.get("openai")
    if openai is not None:
        if isinstance(exc, (openai.APIConnectionError, openai.APITimeoutError, openai.APIResponseValidationError)):
            return "transient"
        # A structured reply cut at the token limit: asking again usually gets a whole one.
        if isinstance(exc, openai.LengthFinishReasonError):
            return "transient"
    anthropic = sys.modules.get("anthropic")
    if anthropic is not None and isinstance(exc, (anthropic.APIConnectionError, anthropic.APITimeoutError)):
        return "transient"
    # A provider's error that carries an HTTP status (openai's, anthropic's, ollama's, the offline engine's).
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and not isinstance(status, bool) and 400 <= status < 600:
        return "transient" if status in (408, 409, 429) or status >= 500 else "permanent"
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(exc, (httpx.TransportError, httpx.DecodingError)):
        return "transient"
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return "transient"
    return "other"


def _not_an_object(exc: BaseException) -> bool:
    # A tool call whose arguments are JSON but not an object ('[1, 2]'): the provider's client
    # fails building the message itself. Asked again, a model usually sends an object.
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(exc, pydantic.ValidationError) and exc.title in _MESSAGES


_MESSAGES = frozenset({"AIMessage", "AIMessageChunk"})


def pause_before(attempt: int, exc: BaseException) -> float:
    """Seconds to wait before retrying after `attempt` failed: Retry-After if given, else backoff."""
    response = getattr(exc, "response", None)
    header = response.headers.get("retry-after") if response is not None else None
    if header is not None:
        try:
            return min(max(float(header), 0.0), MAX_RETRY_AFTER_S)
        except ValueError:
            pass
    backoff: float = BACKOFF_S * 2 ** (attempt - 1)
    return min(backoff, MAX_BACKOFF_S)


def describe(exc: BaseException) -> str:
    """One line about a provider's error: its status and message, never a traceback."""
    status = getattr(exc, "status_code", None)
    text = redact(str(exc)).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{type(exc).__name__}{f' ({status})' if status else ''}: {text[:300]}"


def check_turn_reply(reply: Any) -> None:
    """Raise BadReply if an agent's turn (tool calls or text) cannot be used as it is."""
    meta = getattr(reply, "response_metadata", None) or {}
    finish = meta.get("finish_reason")
    if finish == "length":
        raise BadReply("the reply was cut off at the token limit", reply)
    if getattr(reply, "invalid_tool_calls", None):
        raise BadReply("the model's tool call arguments are not valid JSON", reply)
    if getattr(reply, "tool_calls", None):
        return
    if not str(getattr(reply, "text", "")).strip():
        raise BadReply("the model returned an empty reply", reply)
    if meta.get("model_provider") == "openai" and finish is None:
        raise BadReply("the stream ended before the reply was complete", reply)


def check_text_reply(reply: Any) -> None:
    """Raise BadReply if a text reply cannot be used as it is."""
    meta = getattr(reply, "response_metadata", None) or {}
    finish = meta.get("finish_reason")
    if finish == "length":
        raise BadReply("the reply was cut off at the token limit", reply)
    if getattr(reply, "tool_calls", None) and not str(getattr(reply, "text", "")).strip():
        raise BadReply("the model answered with a tool call where text was asked for", reply)
    if not str(getattr(reply, "text", "")).strip():
        raise BadReply("the model returned an empty reply", reply)
    # An OpenAI-compatible stream always ends with a finish reason; one without was cut off.
    if meta.get("model_provider") == "openai" and finish is None:
        raise BadReply("the stream ended before the reply was complete", reply)
