"""Inputs shaped to find quadratic work in the offline engine, and the CPU a graph spends on one.

Each shape is a core (a long run of one thing, or many short repeats) between a few ordinary
sentences, so that every graph takes its full path (the document pipeline its full analysis, the
FAQ a question to ask) whatever the core. The shapes are those that once stalled the engine:

    newlines    word\\n\\n\\n ... \\nword            the injection stripper: 300 s at 100 KB
    dots        word....... ...word             sentence splitting: 300 s at 100 KB
    hyphens     well-known-well-known- ...      typo matching of one huge word
    ids         INV-17 order A-17, #17 ...      every entity and task compared with every other
    vocabulary  The lokalo lokalos ...          the refine loop's facts checked in every sentence

and runs of "#", "no", digits, repeated words, mixed scripts, combining marks, bidi controls,
spaces, colons and capitalised words. Growth is measured, not time: CPU at one size against CPU
at four times that size.
"""

from __future__ import annotations

import gc
import importlib
import time
from collections.abc import Callable
from typing import Any

from state.settings import Settings

# Every run's text starts with its own reference, so that no cache of an earlier run answers.
LEAD = (
    "Ref {salt:06d}. Revenue grew 12% in 2024 while costs rose. The router keeps dropping my connection and "
    "invoice INV-2041 charged me twice. Solar panels can be installed on most roofs within two days.\n"
)
TAIL = "\nThe main risk is a shortage of parts, but new partnerships could help. Where is order 55120?"


def _run(char: str, before: str = "word") -> Callable[[int], str]:
    """One run of a character inside words: "word....word" (no space after the run to end it)."""
    return lambda n: before + char * max(n - len(before) - 4, 0) + "word"


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda n: unit * (n // len(unit) + 1)


def _numbered(template: str) -> Callable[[int], str]:
    """Repeat a template with a counter and a made-up word that differ each time."""

    def make(n: int) -> str:
        parts: list[str] = []
        size = i = 0
        while size < n:
            parts.append(template.format(i=i, w=_word(i)))
            size += len(parts[-1])
            i += 1
        return "".join(parts)

    return make


def _word(i: int) -> str:
    syllables = ["ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "de", "fu"]
    out, i = "", i + 100
    while i:
        out, i = out + syllables[i % 10], i // 10
    return out


CORES: dict[str, Callable[[int], str]] = {
    "newlines": _run("\n"),
    "newlines_short": _repeat("a\n\n \n"),
    "dots": _run("."),
    "dots_short": _repeat("No. 5 e.g. a... b. . "),
    "hyphens": _repeat("well-known-"),
    "hyphens_short": _numbered("state-of-the-{w} "),
    "hashes": _run("#", "order "),
    "hashes_short": _numbered("#{i} # "),
    "no": _repeat("no "),
    "no_dots": _repeat("No. no. Nr. "),
    "digits": _run("7", "order "),
    "digits_short": _numbered("{i}, {i}.5 "),
    "ids": _numbered("INV-{i} order A-{i}, #{i} and ZX-{i}/{i}B "),
    "repeated": _repeat("refund "),
    "vocabulary": _numbered("The {w} {w}s Sophie at Acme{i} Ltd. "),
    "mixed_scripts": _numbered("Hello Привет{i} Γειά 你好 مرحبا{i} "),
    "combining": _run("\u0301", "Cafe"),
    "combining_short": _repeat("e\u0301a\u0300 "),
    "bidi": _repeat("abc\u202edef\u202c\u2066ghi\u2069 "),
    "spaces": _run(" "),
    "colons": _repeat("a: b; c, (d) "),
    "caps": _numbered("Alpha {w} Gamma "),
}

INPUTS: dict[str, Callable[[str], dict[str, Any]]] = {
    "router": lambda text: {"query": text},
    "orchestrator": lambda text: {"query": text},
    "summarize_translate": lambda text: {"text": text, "target_language": "Spanish"},
    "faq": lambda text: {"sources": [{"title": "A", "content": text}], "num_questions": 3},
    "analysis": lambda text: {"document": text},
    "report": lambda text: {"document": text},
    "document": lambda text: {"document": text},
    "refine": lambda text: {"text": text, "task": "Summarise it."},
}

# Far above the largest size measured: the synthesis stages read the document several times over
# (summary, key points, risks each quote it), and a prompt past the ceiling would stop a run early.
# The deployment must allow it: STAGECRAFT_MAX_INPUT_CHARS at least this.
MAX_CHARS = 1_000_000

_salt = iter(range(1, 1_000_000))


def shaped(shape: str, size: int) -> str:
    """Return `size` characters of a shape between ordinary sentences, unlike any text made before."""
    lead = LEAD.format(salt=next(_salt))
    room = size - len(lead) - len(TAIL)
    return lead + CORES[shape](room)[:room] + TAIL


def cpu_seconds(graph: str, text: str) -> float:
    """Return the process CPU (every thread's) one offline run of a graph spends on a text."""
    compiled = importlib.import_module(f"graphs.{graph}").build().compile()
    settings = Settings(provider="offline", offline_latency=0, cache=False, max_input_chars=MAX_CHARS)
    gc.collect()
    start = time.process_time()
    compiled.invoke(INPUTS[graph](text), context=settings)
    return time.process_time() - start


# Four times the input may cost at most GROWTH times the CPU: linear work grows about 4x (plus
# the fixed cost of a run, which only lowers the ratio), quadratic work 16x.
SPREAD = 4
GROWTH = 8.0


def growth(graph: str, shape: str, size: int) -> tuple[float, float]:
    """Return the CPU of a graph on a shape at `size` and at SPREAD times it.

    The first size is run twice and the lesser kept: the first run of a process also pays the
    embedder's load and the tables built on first use, which are not growth. A large run over the
    bound is run once more and the lesser kept: at tens of milliseconds one collection of the
    garbage collector or a cache eviction is a spike, not growth (seen: 17 ms, then 35 ms, 123 ms,
    37 ms for the same shape); quadratic work is over the bound every time.
    """
    small = min(cpu_seconds(graph, shaped(shape, size)) for _ in range(2))
    large = cpu_seconds(graph, shaped(shape, size * SPREAD))
    if large > GROWTH * small:
        large = min(large, cpu_seconds(graph, shaped(shape, size * SPREAD)))
    return small, large
