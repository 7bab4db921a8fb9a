"""Every pipeline runs offline: the engine plays stages it has never seen by what each asks for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field

from graphs.pipelines import Pipeline, Step, graph_spec
from graphs.registry import GRAPHS
from models.faults import InputRefused
from state.settings import Settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def offline() -> Settings:
    return Settings(provider="offline", offline_latency=0, cache=False)


def _run(name: str, payload: dict[str, Any], settings: Settings) -> dict[str, Any]:
    out: dict[str, Any] = GRAPHS[name].compile().invoke(payload, context=settings)
    return out


def test_the_contract_review_runs_offline_and_reads_the_contract(offline: Settings) -> None:
    out = _run("contract_review", {"contract": (EXAMPLES / "contract.txt").read_text()}, offline)
    assert {"Northwind Analytics Ltd", "Bluebird Retail GmbH"} <= set(out["parties"]["parties"])
    assert any("4,500" in term for term in out["payment"]["payment_terms"])
    assert any("notice" in term for term in out["exit_terms"]["termination_terms"])
    assert out["liability"]["severity"] in ("low", "medium", "high")
    assert out["verdict"].strip()
    assert out["execution_report"]["critical_path"][0] == "parties"


def test_the_meeting_digest_maps_over_the_agenda_offline(offline: Settings) -> None:
    out = _run("meeting_digest", {"notes": (EXAMPLES / "meeting_notes.txt").read_text()}, offline)
    items = out["agenda"]["items"]
    assert items == ["Mobile app release", "Pricing page redesign", "Hiring for support team"]
    assert len(out["per_item"]) == len(items)
    # Each item's outcomes come from what the notes say about that item.
    assert any("2.4" in d for d in out["per_item"][0]["decisions"])
    assert any("enterprise tier" in d for d in out["per_item"][1]["decisions"])
    assert [c["stage"] for c in out["ledger"]].count("per_item") == len(items)


@pytest.mark.parametrize(
    ("message", "route"),
    [
        ("I was charged twice for my subscription this month, please refund one of the payments.", "billing_reply"),
        ("The app crashes every time I open the camera screen on my phone.", "technical_reply"),
        ("Do you have a shop in Lyon, and what are your opening hours?", "general_reply"),
    ],
)
def test_the_support_triage_routes_offline(message: str, route: str, offline: Settings) -> None:
    out = _run("support_triage", {"message": message}, offline)
    assert out["route"] == route and out[route].strip()
    assert not out["termination"]


def test_the_support_triage_stops_on_spam_offline(offline: Settings) -> None:
    out = _run("support_triage", {"message": "WIN a FREE phone!! Click here: http://win.example"}, offline)
    assert out["termination"]["reason"] == "condition" and out.get("route") is None


def test_generic_skills_fill_labels_lists_and_text_from_the_input(offline: Settings) -> None:
    schema = {
        "type": "object",
        "properties": {
            "sentiment": {"enum": ["positive", "negative", "neutral"]},
            "risks": {"type": "array", "items": {"type": "string"}},
            "people": {"type": "array", "items": {"type": "string"}},
            "summary": {"type": "string"},
            "confidence": {"type": "number"},
        },
    }
    pipeline = Pipeline(name="look", stages=[Step("read", "<text>{text}</text>", output=schema)])
    text = (
        "Dr. Helen Park praised the new release, which customers love. However, the supplier shortage "
        "could delay the next shipment by a month. The team is delighted with the results so far."
    )
    out = graph_spec(pipeline).compile().invoke({"text": text}, context=offline)["read"]
    assert out["sentiment"] == "positive"
    assert any("shortage" in r for r in out["risks"])
    assert any("Helen Park" in p for p in out["people"])
    assert out["summary"] and 0 <= out["confidence"] <= 1


def test_a_field_the_engine_cannot_fill_is_refused_naming_the_stage(offline: Settings) -> None:
    class Due(BaseModel):
        due: str = Field(json_schema_extra={"format": "date"})

    pipeline = Pipeline(name="dates", stages=[Step("when", "{text}", output=Due)])
    with pytest.raises(InputRefused, match=r"stage 'when'.*cannot fill 'due'"):
        graph_spec(pipeline).compile().invoke({"text": "Pay by next Friday."}, context=offline)


def test_a_pipeline_stage_named_like_a_built_in_one_is_played_generically(offline: Settings) -> None:
    # "classify" is the router's stage too: the pipeline's prompt (mine/classify) decides the skill.
    schema = {"type": "object", "properties": {"colour": {"enum": ["red", "green", "blue"]}}}
    pipeline = Pipeline(name="mine", stages=[Step("classify", "{text}", output=schema)])
    out = graph_spec(pipeline).compile().invoke({"text": "The sky is blue today."}, context=offline)
    assert out["classify"] == {"colour": "blue"}


def test_the_output_says_the_offline_engine_wrote_it(offline: Settings) -> None:
    spec = GRAPHS["support_triage"]
    out = spec.compile().invoke({"message": "Where is your shop?"}, context=offline)
    assert any("offline engine" in section.body for section in spec.show(out))


def test_the_router_and_a_pipeline_both_named_classify_keep_their_own_prompts(offline: Settings) -> None:
    # The engine kept one model per stage name: the pipeline's classify got the router's prompt.
    GRAPHS["router"].compile().invoke({"query": "My internet is down."}, context=offline)
    out = _run("support_triage", {"message": "My internet is down."}, offline)
    assert out["classify"]["team"] == "technical"
