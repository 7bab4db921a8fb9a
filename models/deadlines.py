"""Deadlines that hold over HTTP: every request a model or embedder makes ends by its call's deadline.

An HTTP read timeout bounds each read, not a reply: a server that trickles a byte a second never
trips it, and a blocking call cannot be cancelled from outside its thread. So the deadline travels
with the call (a context variable, set by `within`) down to the HTTP clients' transport, which

    tightens every timeout of a request to the time left      (a silent server: ends at the deadline)
    checks the clock between the chunks of the response body  (a trickling one: ends at the next chunk)

and raises httpx.ReadTimeout once it has passed. A timed-out call therefore frees its thread by
its deadline instead of holding it for as long as the server keeps trickling.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("stagecraft_deadline", default=None)
"""Monotonic time by which the current call must have its whole reply; None: no deadline."""


def deadline() -> float | None:
    """Return the monotonic deadline of the current call, if any."""
    return _DEADLINE.get()


def left(at: float | None) -> float | None:
    """Return the seconds left until `at` (None: no deadline)."""
    return None if at is None else at - time.monotonic()


@contextlib.contextmanager
def within(at: float | None) -> Iterator[None]:
    """Make every HTTP request made inside end by the monotonic time `at` (the earlier one if nested)."""
    outer = _DEADLINE.get()
    if at is None or (outer is not None and outer <= at):
        yield
        return
    token = _DEADLINE.set(at)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _tightened(request: httpx.Request, at: float) -> float:
    remaining = at - time.monotonic()
    if remaining <= 0:
        raise httpx.ReadTimeout("the call's deadline passed before the request was sent", request=request)
    timeouts = dict(request.extensions.get("timeout") or {})
    for name in ("connect", "read", "write", "pool"):
        current = timeouts.get(name)
        timeouts[name] = remaining if current is None else min(current, remaining)
    request.extensions["timeout"] = timeouts
    return remaining


def _passed(request: httpx.Request) -> httpx.ReadTimeout:
    return httpx.ReadTimeout("the call's deadline passed while the reply was still arriving", request=request)


class _Stream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, at: float, request: httpx.Request) -> None:
        self._inner, self._at, self._request = inner, at, request

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            if time.monotonic() > self._at:
                raise _passed(self._request)
            yield chunk

    def close(self) -> None:
        self._inner.close()


class _AsyncStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, at: float, request: httpx.Request) -> None:
        self._inner, self._at, self._request = inner, at, request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            if time.monotonic() > self._at:
                raise _passed(self._request)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport (pooled, keep-alive), ending each request by the current call's deadline."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request with its timeouts cut to the deadline, and watch the body as it arrives."""
        at = _DEADLINE.get()
        if at is None:
            return super().handle_request(request)
        _tightened(request, at)
        response = super().handle_request(request)
        stream = response.stream
        assert isinstance(stream, httpx.SyncByteStream)
        response.stream = _Stream(stream, at, request)
        return response


class AsyncDeadlineTransport(httpx.AsyncHTTPTransport):
    """The async twin of DeadlineTransport."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request with its timeouts cut to the deadline, and watch the body as it arrives."""
        at = _DEADLINE.get()
        if at is None:
            return await super().handle_async_request(request)
        _tightened(request, at)
        response = await super().handle_async_request(request)
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        response.stream = _AsyncStream(stream, at, request)
        return response


def client(timeout: float, **kwargs: Any) -> httpx.Client:
    """Return a blocking HTTP client whose requests keep the current call's deadline."""
    return httpx.Client(timeout=timeout, transport=DeadlineTransport(), **kwargs)


def async_client(timeout: float, **kwargs: Any) -> httpx.AsyncClient:
    """Return an async HTTP client whose requests keep the current call's deadline."""
    return httpx.AsyncClient(timeout=timeout, transport=AsyncDeadlineTransport(), **kwargs)
