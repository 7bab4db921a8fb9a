"""Send the examples of a set through a graph, a few at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from app.evals.datasets import Example

# How many examples run at once: enough to overlap a remote provider's latency, few enough to
# stay under its rate limits. The offline engine is CPU-bound, so more would not help it.
CONCURRENCY = 4


async def each(
    examples: Sequence[Example], run: Callable[[Example], Awaitable[Any]], errors: dict[str, str] | None = None
) -> dict[str, Any]:
    """Return example id -> what `run` returned for it.

    With `errors`, an example whose run raises is recorded there (id -> the error) and left out, so
    one provider error does not end a whole evaluation; without it, the first error is raised.
    """
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(example: Example) -> tuple[str, Any] | None:
        async with gate:
            try:
                return example["id"], await run(example)
            except Exception as exc:
                if errors is None:
                    raise
                errors[example["id"]] = f"{type(exc).__name__}: {exc}"
                return None

    return dict(pair for pair in await asyncio.gather(*(one(e) for e in examples)) if pair is not None)
