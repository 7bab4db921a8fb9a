"""`graph.batch` gives every graph's offline results exactly as running the inputs one by one does.

LangGraph runs a batch's nodes in worker threads, so anything the engine shares across calls is
used from several threads at once: a Snowball stemmer shared by all of them lost 1-3 results in
90 and crashed the FAQ. Each input carries made-up words, so the stemmers work instead of their
caches answering, and the interpreter switches threads every 0.1 ms instead of every 5 ms, so a
race that needs an unlucky switch meets one within a batch.
"""

from __future__ import annotations

import importlib
import random
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from state.settings import Settings

pytestmark = pytest.mark.integration

INPUTS = 120


def _made_up(rng: random.Random) -> str:
    syllables = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "de", "fu", "gra", "ston", "vel", "mar"]
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))


def _filler(rng: random.Random) -> str:
    endings = ["ing", "ed", "s", "ation", "ness", "ers"]
    return " ".join(_made_up(rng) + rng.choice(endings) for _ in range(30))


CASES: dict[str, Callable[[list[str], str], dict[str, Any]]] = {
    "router": lambda w, f: {"query": f"My {w[0]} router keeps crashing and I was charged twice for {w[1]}s. It {f}."},
    "orchestrator": lambda w, f: {
        "query": f"Where is order 5512{len(w[0])}? Invoice 4821{len(w[1])} is wrong, the {w[2]} fee was charged "
        f"twice. I want to return the {w[3]} because it {f}."
    },
    "summarize_translate": lambda w, f: {
        "text": f"The {w[0]} project grew quickly. Costs of {w[1]}s rose by 12%. The {w[2]} team is {f}.",
        "target_language": "Spanish",
    },
    "faq": lambda w, f: {
        "sources": [
            {
                "title": f"About {w[0]}",
                "content": f"A {w[0]} is a mixture of {w[1]} and {w[2]}. Most bakers feed their {w[0]} once a day. "
                f"A healthy {w[0]} doubles in size within four hours. Keep the {w[0]} in a {w[3]} when {f}.",
            }
        ],
        "num_questions": 3,
    },
    "analysis": lambda w, f: {
        "document": f"Greenleaf {w[0].title()} reported strong growth of {w[1]}s in Berlin. The {w[2]} shortage is "
        f"a risk, but the {w[3]} partnership could help. CEO Maria Lopez praised the {f}."
    },
    "report": lambda w, f: {
        "document": f"Revenue from {w[0]}s grew 9%. Rising {w[1]} costs remain a risk. The regulator requires "
        f"{w[2]} audits. A new {w[3]} partnership could open markets for {f}."
    },
    "document": lambda w, f: {
        "document": f"The {w[0]} plant in Leeds missed its target. Rising {w[1]} costs could delay the {w[2]} "
        f"programme, a risk for 2025. A partnership with {w[3].title()} Ltd could expand sales. Staff must "
        f"complete training on {f}."
    },
    "refine": lambda w, f: {
        "text": f"The {w[0]} rollout reached 40 sites in 2024. Support {w[1]}s fell by 30%. The {w[2]} budget "
        f"was $2.5M. It {f}.",
        "task": "Summarise it in at most 30 words.",
    },
}


def _comparable(output: Any) -> Any:
    """An output without what differs between any two runs: timings and costs."""
    if isinstance(output, BaseException):
        return repr(output)
    return {key: value for key, value in output.items() if key not in ("ledger", "execution_report")}


@pytest.fixture
def frequent_thread_switches() -> Iterator[None]:
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    yield
    sys.setswitchinterval(interval)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.usefixtures("frequent_thread_switches")
def test_a_batch_gives_what_one_by_one_gives(name: str, settings: Settings) -> None:
    rng = random.Random(name)
    inputs = [CASES[name]([_made_up(rng) for _ in range(4)], _filler(rng)) for _ in range(INPUTS)]
    graph = importlib.import_module(f"graphs.{name}").build().compile()
    # The batch first: run one by one first, every stem would already be in the cache.
    batched = graph.batch(inputs, config={"max_concurrency": 16}, context=settings, return_exceptions=True)
    one_by_one = [graph.invoke(payload, context=settings) for payload in inputs]
    differ = [n for n, (a, b) in enumerate(zip(batched, one_by_one, strict=True)) if _comparable(a) != _comparable(b)]
    assert differ == [], f"{len(differ)} of {INPUTS} differ, the first: {str(_comparable(batched[differ[0]]))[-300:]}"
