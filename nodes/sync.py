"""Give async nodes a synchronous twin, so `graph.invoke` works as well as `graph.ainvoke`."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

# LangGraph's own node wrapper: given both functions it runs `func` under invoke and
# `afunc` under ainvoke, injecting `runtime` from the shared signature.
from langgraph._internal._runnable import RunnableCallable


def both_ways(node: Callable[..., Awaitable[Any]]) -> RunnableCallable:
    """Return `node` as a LangGraph node that also runs under the synchronous API."""

    @functools.wraps(node)
    def run_sync(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(_call(node, args, kwargs))
        # Called from a thread that already runs a loop (a notebook): use a private one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, _call(node, args, kwargs)).result()

    return RunnableCallable(run_sync, node, name=node.__name__)


async def _call(node: Callable[..., Awaitable[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return await node(*args, **kwargs)
