"""Every graph's offline work grows linearly with its input, for every adversarial shape.

The whole matrix: eight graphs, each shape of tests/adversarial.py, CPU at 12.5 KB against CPU
at 50 KB. About two minutes of CPU; tests/unit_tests/test_offline_linear.py runs a sample.
"""

from __future__ import annotations

import pytest

from tests.adversarial import CORES, GROWTH, INPUTS, MAX_CHARS, SPREAD, growth

pytestmark = pytest.mark.integration

SIZE = 12_500


@pytest.fixture(autouse=True)
def _large_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGECRAFT_MAX_INPUT_CHARS", str(MAX_CHARS))


@pytest.mark.parametrize("shape", sorted(CORES))
@pytest.mark.parametrize("graph", sorted(INPUTS))
def test_cpu_grows_linearly_with_the_input(graph: str, shape: str) -> None:
    small, large = growth(graph, shape, SIZE)
    assert large <= GROWTH * small, f"{SPREAD}x the {shape} input cost {large / small:.1f}x the CPU ({small:.2f}s)"
