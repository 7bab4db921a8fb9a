"""The offline engine plays every stage of every graph, and nothing else: skills are keyed by prompt name.

A pipeline's stages (prompts named pipeline/stage) are played by its generic skills (offline.generic).
"""

from __future__ import annotations

from graphs.registry import GRAPHS, stages
from offline.engine import ALL_SKILLS


def test_every_stage_of_every_graph_has_a_skill_and_every_skill_a_stage() -> None:
    from offline.agent import AGENT_SKILLS

    declared = {name for name in stages() if "/" not in name}
    played = set(ALL_SKILLS) | set(AGENT_SKILLS)  # an agent's turns are played by its agent skill
    assert declared - played == set(), "stages the offline engine cannot play"
    assert played - declared == set(), "skills for stages no graph declares"


def test_every_graph_runs_offline_from_the_engine_alone() -> None:
    # The engine is a provider like any other: registered on first use, no graph imports it.
    import sys

    from state.settings import Settings

    spec = GRAPHS["router"]
    out = spec.compile().invoke(
        {"query": "My router keeps crashing."}, context=Settings(provider="offline", offline_latency=0)
    )
    assert out["ledger"][0]["provider"] == "offline" and "offline.provider" in sys.modules
