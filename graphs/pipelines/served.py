"""The shipped pipelines (pipelines/*.yaml), compiled for the LangGraph server: langgraph.json names each.

    "contract_review": "./graphs/pipelines/served.py:contract_review"

Studio shows each one's input, output and settings schemas, generated from its spec.
"""

from __future__ import annotations

from typing import Any

from graphs.registry import GRAPHS, PIPELINES

for _name in PIPELINES:
    globals()[_name] = GRAPHS[_name].compile()


def __getattr__(name: str) -> Any:
    raise AttributeError(f"no shipped pipeline named {name!r}")
