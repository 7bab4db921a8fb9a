"""The synchronous API: `graph.invoke` runs the same async stages."""

from __future__ import annotations

from pathlib import Path

from app.examples import CUSTOMER_QUERY
from graphs.analysis import graph as analysis
from graphs.orchestrator import graph as orchestrator
from graphs.router import graph as router
from tests.conftest import CUSTOMER_TASKS


def test_router_invoke_as_in_the_readme() -> None:
    result = router.invoke({"query": "I think there is a mistake on my last invoice."}, context={"offline_latency": 0})
    assert result["intent"] == "Billing Inquiry" and "account number" in result["response"]


def test_orchestrator_invoke_runs_workers_on_the_desk(tmp_path: Path) -> None:
    context = {"offline_latency": 0}
    result = orchestrator.invoke({"query": CUSTOMER_QUERY}, context=context)
    assert result["tasks"] == CUSTOMER_TASKS and "SP40802" in result["reply"]


async def test_invoke_from_inside_a_running_loop_still_works() -> None:
    # As in a notebook: synchronous invoke called while an event loop is running.
    result = analysis.invoke({"document": "Acme Corp had an excellent year in Berlin."}, context={"offline_latency": 0})
    assert result["sentiment"]["label"] == "positive" and result["errors"] == []
