"""The stage cache on its real backends, and the seed's hands-on exercise as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from graphs.router import build as build_router
from models.caches import STAGE_CACHE, CacheUnavailable
from state.settings import Settings
from tests.integration_tests.services import require
from tests.loopback import Reply, openai_server, schema_name

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
STAGECRAFT = str(Path(sys.executable).parent / "stagecraft")
REDIS = "redis://127.0.0.1:6379/13"
REPORT = "examples/quarterly-report.txt"


async def test_the_redis_backend_serves_a_repeated_run(monkeypatch: pytest.MonkeyPatch) -> None:
    require("Redis", "127.0.0.1", 6379)
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    monkeypatch.setenv("STAGECRAFT_CACHE", REDIS)
    graph = build_router().compile(cache=STAGE_CACHE)
    context = Settings(provider="offline", offline_latency=0)
    first = await graph.ainvoke({"query": "My router reboots every hour."}, context=context)
    again = await graph.ainvoke({"query": "My router reboots every hour."}, context=context)
    assert [c["cache"] for c in first["ledger"]] == ["miss", "miss"]
    assert [c["cache"] for c in again["ledger"]] == ["exact", "exact"]
    assert redis.Redis.from_url(REDIS).keys("stagecraft:cache:*")


async def test_an_unreachable_cache_says_which_and_where(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGECRAFT_CACHE", "redis://:secret@127.0.0.1:9/0")
    with pytest.raises(CacheUnavailable, match=r"stage cache Redis at 127\.0\.0\.1:9 unreachable") as failed:
        await build_router().compile(cache=STAGE_CACHE).ainvoke({"query": "hello"}, context=Settings(offline_latency=0))
    assert "secret" not in str(failed.value)


def _run(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "STAGECRAFT_"))}
    return subprocess.run(
        [STAGECRAFT, *args], cwd=folder, capture_output=True, text=True, timeout=120, env={**base, **(env or {})}
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path


def test_the_seed_exercise_full_path_parallel_and_served_from_cache_in_a_new_process(folder: Path) -> None:
    # First process: the full path, with the offline engine's simulated latency per tier.
    first = _run(folder, "run", "document", "--file", REPORT, "--json")
    assert first.returncode == 0, first.stderr
    out = json.loads(first.stdout)
    report = out["execution_report"]
    assert out["path"] == "full" and len(report["by_stage"]) >= 4
    assert 1 - report["wall_s"] / report["sequential_s"] >= 0.5, report
    assert all(c["cache"] == "miss" for c in out["ledger"]) and report["cost_usd"] > 0
    assert {stage: entry["cost_usd"] for stage, entry in report["by_stage"].items()}  # cost by stage
    # Second process: every stage is served from the SQLite cache in .stagecraft/, no model call.
    second = _run(folder, "run", "document", "--file", REPORT)
    assert second.returncode == 0, second.stderr
    hits = len(out["ledger"])
    assert f"Hits: {hits} ({hits} exact, 0 semantic), Misses: 0, Rate: 100%" in second.stdout
    assert "Total:               $0.000000" in second.stdout


def _document_replies(request: dict[str, Any]) -> Reply:
    name = schema_name(request)
    answers: dict[str | None, Any] = {
        "Assessment": {"complexity": "complex", "length": "medium", "confidence": 0.9},
        "Summary": {"summary": "Northwind grew 18% but faces a cell shortage."},
        "Extraction": {"key_points": ["Revenue rose 18% to $42.5M."]},
        "Sentiment": {"label": "mixed", "confidence": 0.8, "key_phrases": ["strong growth"]},
        "Entities": {"entities": [{"name": "Northwind Energy", "type": "ORGANIZATION"}]},
        "Topics": {"topics": [{"name": "battery storage", "relevance": 0.9}]},
        "Findings": {"items": ["A shortage of lithium cells could delay deliveries."]},
        "Synthesis": {"synthesis": "Growth with a supply risk.", "confidence": 0.95},
    }
    return 200, json.dumps(answers[name])


def test_a_second_process_makes_no_request_to_the_provider(folder: Path) -> None:
    with openai_server(_document_replies) as server:
        env = {"OPENAI_API_KEY": "sk-loopback", "OPENAI_BASE_URL": server.base_url}
        first = _run(folder, "run", "document", "--file", REPORT, "--provider", "openai", "--json", env=env)
        assert first.returncode == 0, first.stderr
        made = len(server.requests)
        second = _run(folder, "run", "document", "--file", REPORT, "--provider", "openai", "--json", env=env)
        assert second.returncode == 0, second.stderr
    assert made >= 4 and len(server.requests) == made
    assert all(c["cache"] == "exact" for c in json.loads(second.stdout)["ledger"])
