"""Stage bodies written once, run with blocking I/O or with asyncio: effects and their two drivers.

A stage body is a generator: where it needs I/O it yields an effect and receives the result
(or has the error raised at the `yield`), so its logic is written once:

    reply = yield Invoke(model, messages)        # a model call
    case = yield Blocking(desk.open_case, ...)   # a blocking call (database)

`run_steps` performs each effect with blocking calls in the calling thread (what
`graph.invoke` needs: no event loop is created, so pooled HTTP clients stay valid);
`arun_steps` awaits the async twin of each effect on the running loop (what `graph.ainvoke`
needs: fan-outs stay concurrent on one loop). LangGraph's own prebuilt agent gives its model
node the same two real implementations; here they come from one body instead of two copies.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import time
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from langchain_core.runnables import Runnable, RunnableConfig

from models.deadlines import left, within

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Effect(Protocol[T_co]):
    """One piece of I/O with a blocking and an async implementation."""

    def run(self) -> T_co:
        """Perform it, blocking the calling thread."""
        ...

    def arun(self) -> Awaitable[T_co]:
        """Perform it on the running event loop."""
        ...


Steps = Generator[Effect[Any], Any, T]
"""A stage body: yields effects, receives their results, returns its value."""


@dataclass(frozen=True)
class Invoke(Generic[T]):
    """Call a runnable (a chat model, a structured-output chain) on one input."""

    runnable: Runnable[Any, T]
    input: Any
    config: RunnableConfig | None = None
    """Run name, tags and metadata for traces; merged into the node's config (callbacks are kept)."""
    deadline: float | None = None
    """Monotonic time by which the whole call must end, streaming included (an HTTP read timeout resets per chunk)."""

    def run(self) -> T:
        """Invoke it synchronously, giving up with DeadlineExceeded at the deadline."""
        if self.deadline is None:
            return self.runnable.invoke(self.input, self.config)
        # The call runs in a worker thread (with this thread's context: config, callbacks, the
        # deadline its HTTP requests keep) so that this one can stop waiting at the deadline; the
        # worker itself ends by then too, its requests cut off by their transport (models.deadlines).
        context = contextvars.copy_context()
        future = _DEADLINE_POOL.submit(
            context.run, _call_within, self.deadline, self.runnable.invoke, self.input, self.config
        )
        try:
            return future.result(timeout=max(left(self.deadline) or 0.0, 0.0))
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise DeadlineExceeded() from None

    async def arun(self) -> T:
        """Invoke it asynchronously, giving up with DeadlineExceeded at the deadline."""
        if self.deadline is None:
            return await self.runnable.ainvoke(self.input, self.config)
        try:
            with within(self.deadline):
                async with asyncio.timeout(max(left(self.deadline) or 0.0, 0.0)):  # no task per call, as wait_for makes
                    return await self.runnable.ainvoke(self.input, self.config)
        except TimeoutError:
            raise DeadlineExceeded() from None


def _call_within(at: float, func: Callable[..., T], *args: Any) -> T:
    with within(at):
        return func(*args)


class DeadlineExceeded(TimeoutError):
    """A call did not end by its deadline."""

    def __init__(self) -> None:
        super().__init__("no complete reply by the call's deadline")


# Threads that carry blocking calls with a deadline (the caller's thread waits on them). Each ends by
# its call's deadline, so a provider that trickles forever cannot keep them: none is lost for good.
_DEADLINE_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix="stage-call")


@dataclass(frozen=True)
class Pause:
    """Wait: time.sleep under `invoke`, asyncio.sleep under `ainvoke` (backing off before a retry)."""

    seconds: float

    def run(self) -> None:
        """Sleep in this thread."""
        time.sleep(self.seconds)

    async def arun(self) -> None:
        """Sleep without blocking the loop."""
        await asyncio.sleep(self.seconds)


@dataclass(frozen=True)
class Blocking(Generic[T]):
    """Call a blocking function: in place under `invoke`, in a worker thread under `ainvoke`."""

    func: Callable[..., T]
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    deadline: float | None = None
    """Monotonic time by which its HTTP requests must end (models.deadlines); None: no deadline."""

    @classmethod
    def call(cls, func: Callable[..., T], /, *args: Any, **kwargs: Any) -> Blocking[T]:
        """Return the effect of calling `func(*args, **kwargs)`."""
        return cls(func, args, tuple(kwargs.items()))

    def by(self, deadline: float | None) -> Blocking[T]:
        """Return the same call, its HTTP requests ending by `deadline`."""
        return Blocking(self.func, self.args, self.kwargs, deadline)

    def run(self) -> T:
        """Call it in this thread."""
        with within(self.deadline):
            return self.func(*self.args, **dict(self.kwargs))

    async def arun(self) -> T:
        """Call it in a worker thread so the event loop never blocks."""
        with within(self.deadline):  # to_thread copies this context, the deadline with it
            return await asyncio.to_thread(self.func, *self.args, **dict(self.kwargs))


def run_steps(steps: Steps[T]) -> T:
    """Drive a stage body to its value, performing each effect with blocking calls."""
    value: Any = None
    error: Exception | None = None
    while True:
        try:
            effect = steps.throw(error) if error is not None else steps.send(value)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        try:
            value, error = effect.run(), None
        except Exception as exc:
            value, error = None, exc


async def arun_steps(steps: Steps[T]) -> T:
    """Drive a stage body to its value, awaiting the async twin of each effect."""
    value: Any = None
    error: Exception | None = None
    while True:
        try:
            effect = steps.throw(error) if error is not None else steps.send(value)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        try:
            value, error = await effect.arun(), None
        except Exception as exc:
            value, error = None, exc
