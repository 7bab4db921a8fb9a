"""Which model errors are worth retrying, and the retry policy of every node that calls a model."""

from __future__ import annotations

import sys

from langgraph.types import RetryPolicy

from models.faults import StageCallError
from models.providers import ProviderError
from models.stage import StageOutputError
from state.inputs import InputError


def retryable(exc: BaseException) -> bool:
    """Retry only what can pass: connection trouble, timeouts, 429 and 5xx; never another 4xx."""
    # An OpenAI error can only exist once the openai package is imported, so the offline path
    # never imports it (it costs most of a second of start-up).
    openai = sys.modules.get("openai")
    if openai is not None:
        if isinstance(exc, openai.APIStatusError):
            status: int = exc.status_code
            return status == 429 or status >= 500
        if isinstance(exc, (openai.APIConnectionError, openai.APITimeoutError)):
            return True
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(exc, httpx.TransportError):
        return True
    return isinstance(exc, (ConnectionError, TimeoutError))


# The OpenAI client already retries each request (settings.client_max_retries); this outer
# retry re-runs the whole stage once more, so a request is tried at most 2 x (1 + client retries).
MODEL_RETRY = RetryPolicy(max_attempts=2, initial_interval=1.0, retry_on=retryable)


def worth_resuming(exc: BaseException) -> bool:
    """Tell whether resuming the same run later can succeed once its cause is fixed.

    Yes for transient trouble and for a provider's refusal that the operator can fix (a key, a
    model name, a quota); no when the input itself is at fault, or for an error in our own code.
    """
    if isinstance(exc, InputError):
        return False
    if retryable(exc) or isinstance(exc, (ProviderError, StageOutputError, StageCallError)):
        return True
    openai = sys.modules.get("openai")
    return openai is not None and isinstance(exc, openai.APIStatusError)
