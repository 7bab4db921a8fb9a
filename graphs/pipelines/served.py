"""The shipped pipelines (pipelines/*.yaml), compiled for the LangGraph server: langgraph.json names each.

    "contract_review": "./graphs/pipelines/served.py:contract_review"

Studio shows each one's input, output and settings schemas, generated from its spec.
"""

from __future__ import annotations

from typing import Any

from graphs.registry import PIPELINES

for _spec in PIPELINES:
    globals()[_spec.name] = _spec.compile()


def __getattr__(name: str) -> Any:
    raise AttributeError(f"no shipped pipeline named {name!r}")
