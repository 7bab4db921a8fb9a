"""An agent as a pipeline stage: tools as Python functions, its turns in the ledger, checked like every stage."""

from __future__ import annotations

from typing import Any

import pytest

from graphs.pipelines import AgentStep, Pipeline, PipelineError, Step, graph_spec
from graphs.pipelines.compile import PythonStageError
from graphs.registry import GRAPHS
from state.settings import Settings


async def test_the_shipped_agent_pipeline_looks_things_up_then_writes_from_them(settings: Settings) -> None:
    graph = GRAPHS["desk_lookup"].compile()
    out = await graph.ainvoke(
        {"message": "How much is invoice INV-7893? And where is order A-12346?"}, context=settings
    )
    assert "1450.00 EUR" in out["look_up"] and "Shipped" in out["look_up"]
    assert "1450.00 EUR" in out["sms"]  # the next stage read the agent's answer
    turns = [c for c in out["ledger"] if c["stage"] == "look_up"]
    assert [c["tool_calls"] for c in turns] == [
        ['lookup_invoice(invoice_number="INV-7893")', 'order_status(order_id="A-12346")'],
        [],
    ]
    sms = next(c for c in out["ledger"] if c["stage"] == "sms")
    assert sms["started"] >= turns[-1]["ended"]


def count_words(text: str) -> str:
    """Count the words of a text.

    Args:
        text: The text to count.
    """
    return str(len(text.split()))


def _agent(**extra: Any) -> Pipeline:
    step = AgentStep("count", "<text>{text}</text>", **{"tools": [count_words], **extra})
    return Pipeline(name="counting", inputs=("text",), stages=[step])


async def test_an_agent_over_tools_the_engine_has_never_seen_calls_each_it_can_fill(settings: Settings) -> None:
    out = await graph_spec(_agent()).compile().ainvoke({"text": "one two three four"}, context=settings)
    assert out["count"] == "count_words: 4"
    assert [c["tool_calls"] for c in out["ledger"]] == [['count_words(text="one two three four")'], []]


async def test_a_capped_agent_answers_with_what_its_tools_said(settings: Settings) -> None:
    out = await graph_spec(_agent(max_steps=1)).compile().ainvoke({"text": "a b"}, context=settings)
    assert out["count"] == "count_words: 2" and len(out["ledger"]) == 1


def undocumented(text: str) -> str:
    return text


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"tools": []}, "an agent needs tools"),
        ({"tools": [undocumented]}, "an agent needs tools"),
        ({"max_steps": 0}, "max_steps must be at least 1"),
        (
            {"output": {"type": "object", "properties": {"n": {"type": "integer"}}}},
            "an agent answers in free text: it takes no output schema",
        ),
    ],
)
def test_a_bad_agent_stage_is_refused_before_anything_runs(extra: dict[str, Any], says: str) -> None:
    with pytest.raises(PipelineError, match=f"stage 'count': {says}"):
        graph_spec(_agent(**extra))


def test_an_agent_stage_reads_only_what_it_may_like_any_step() -> None:
    bad = Pipeline(
        name="counting",
        inputs=("text",),
        stages=[Step("first", "{text}"), AgentStep("count", "{first} {text}", tools=[count_words])],
    )
    with pytest.raises(PipelineError, match=r"reads \{first\}, which no input or dependency produces"):
        graph_spec(bad)


def refuse(text: str) -> str:
    """Refuse the text.

    Args:
        text: The text to refuse.
    """
    raise ValueError(f"cannot read {text[:5]!r}")


async def test_a_tool_that_raises_fails_the_run_in_one_line_naming_the_stage_and_tool(settings: Settings) -> None:
    graph = graph_spec(_agent(tools=[refuse])).compile()
    with pytest.raises(PythonStageError, match=r"^stage 'count': tool refuse: ValueError: cannot read 'hello'"):
        await graph.ainvoke({"text": "hello world"}, context=settings)
