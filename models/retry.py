"""Which model errors are worth retrying, and the retry policy of every node that calls a model."""

from __future__ import annotations

import httpx
import openai
from langgraph.types import RetryPolicy


def retryable(exc: BaseException) -> bool:
    """Retry only what can pass: connection trouble, timeouts, 429 and 5xx; never a 4xx."""
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return isinstance(exc, (openai.APIConnectionError, openai.APITimeoutError, httpx.TransportError, ConnectionError))


# The OpenAI client already retries each request (settings.client_max_retries); this outer
# retry re-runs the whole stage once more, so a request is tried at most 2 x (1 + client retries).
MODEL_RETRY = RetryPolicy(max_attempts=2, initial_interval=1.0, retry_on=retryable)
