"""The offline engine's work grows linearly with its input, whatever the input's shape: a sample.

Each graph with one shape that once made it quadratic (and the hyphens that stalled the router);
tests/integration_tests/test_offline_linear.py runs every shape through every graph.
"""

from __future__ import annotations

import pytest

from tests.adversarial import CORES, GROWTH, INPUTS, MAX_CHARS, SPREAD, growth

SIZE = 12_500

SAMPLE = [
    ("newlines", "router"),  # the injection stripper's clean-up
    ("hyphens", "router"),  # the one-typo variants of one huge word
    ("ids", "orchestrator"),  # every task compared with every other
    ("dots", "summarize_translate"),  # the sentence splitter
    ("combining", "faq"),  # embeddings padded to the longest text of a batch
    ("hashes_short", "analysis"),  # every entity compared with every other
    ("dots", "report"),
    ("dots", "document"),
    ("vocabulary", "refine"),  # every fact searched in every sentence, every round
]


@pytest.fixture(autouse=True)
def _large_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGECRAFT_MAX_INPUT_CHARS", str(MAX_CHARS))


def test_the_sample_covers_every_graph() -> None:
    assert {graph for _, graph in SAMPLE} == set(INPUTS)
    assert {shape for shape, _ in SAMPLE} <= set(CORES)


@pytest.mark.parametrize(("shape", "graph"), SAMPLE)
def test_cpu_grows_linearly_with_the_input(shape: str, graph: str) -> None:
    small, large = growth(graph, shape, SIZE)
    assert large <= GROWTH * small, f"{SPREAD}x the {shape} input cost {large / small:.1f}x the CPU ({small:.2f}s)"
