"""langgraph.json: every graph loads the way the LangGraph server loads it, and runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langgraph.pregel import Pregel

from app.registry import GRAPHS

ROOT = Path(__file__).resolve().parent.parent
CONFIG = json.loads((ROOT / "langgraph.json").read_text())


def test_every_registered_graph_is_served() -> None:
    assert set(CONFIG["graphs"]) == set(GRAPHS)


@pytest.mark.parametrize("graph_id", sorted(CONFIG["graphs"]))
def test_entry_loads_like_the_server_loads_it(graph_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from langgraph_api.graph import GraphSpec, _graph_from_spec

    monkeypatch.chdir(ROOT)
    path, variable = CONFIG["graphs"][graph_id].split(":")
    graph = _graph_from_spec(GraphSpec(graph_id, path=path, variable=variable))
    assert isinstance(graph, Pregel)
    assert graph.checkpointer is None, "langgraph dev refuses graphs compiled with a checkpointer"
    assert graph.name == graph_id
    schema = graph.get_context_jsonschema()
    assert schema is not None and "provider" in schema["properties"]
    assert schema["properties"]["provider"].get("description")
