"""Pipelines: checked before anything runs, compiled so each stage starts when its own dependencies finish."""

from __future__ import annotations

import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import BaseModel

from app.cli import main
from graphs.pipelines import Branch, Map, Pipeline, PipelineError, PythonStep, Step, StopWhen, graph_spec, load, plan
from graphs.pipelines.plan import Flat, Parallel, Series
from state.settings import Settings
from tests.conftest import InjectedFault, Script, stage_spans
from tests.fake import Call


class Label(BaseModel):
    team: str


class Points(BaseModel):
    items: list[str]


def _echo(call: Call) -> Any:
    return f"{call.stage} done"


# --- the plan ---------------------------------------------------------------------------------


def _unequal(slow: float = 0.0) -> Pipeline:
    """One branch a single slow stage, the other three quick ones in a chain, joined at the end."""
    return Pipeline(
        name="unequal",
        stages=[
            Step("a", "slow: {text}"),
            Step("c", "quick: {text}"),
            Step("d", "quick: {c}", depends_on=["c"]),
            Step("e", "quick: {d}", depends_on=["d"]),
            Step("f", "join: {a} {e}", depends_on=["a", "e"]),
        ],
    )


def test_the_plan_is_series_parallel_where_the_dependencies_allow() -> None:
    tree = plan(_unequal()).tree
    assert tree == Series((Parallel(("a", Series(("c", "d", "e")))), "f"))
    # An N shape (c needs a and b, d needs b only) has no series-parallel form: one node per stage.
    n_shape = Pipeline(
        name="n_shape",
        stages=[
            Step("a", "{text}"),
            Step("b", "{text}"),
            Step("c", "{a}{b}", depends_on=["a", "b"]),
            Step("d", "{b}", depends_on=["b"]),
        ],
    )
    assert plan(n_shape).tree == Flat(("a", "b", "c", "d"))


def test_each_stage_starts_when_its_own_dependencies_finish(script: Script, scripted: Settings) -> None:
    # LangGraph's supersteps would make d wait for a (both are triggered by the step a runs in):
    # compiled from the series-parallel plan, the quick chain runs at its own pace beside a.
    script.handlers.update({name: _echo for name in "acdef"})
    script.stage_latency.update({"a": 1.0, "c": 0.02, "d": 0.02, "e": 0.02, "f": 0.02})
    out = graph_spec(_unequal()).compile().invoke({"text": "x"}, context=scripted)
    spans = stage_spans(out["ledger"])
    assert spans["e"][1] < spans["a"][1], "the quick chain waited for the slow stage"
    assert spans["f"][0] >= max(spans["a"][1], spans["e"][1])
    assert out["f"] == "f done"


def test_the_naive_compilation_makes_the_chain_wait(script: Script, scripted: Settings) -> None:
    # What the test above guards against: one node per stage (the plan's Flat fallback everywhere).
    from dataclasses import replace

    from graphs.pipelines.compile import build

    planned = plan(_unequal())
    naive = build(replace(planned, tree=Flat(tuple(sorted(planned.stages))))).compile()
    script.handlers.update({name: _echo for name in "acdef"})
    script.stage_latency.update({"a": 0.5, "c": 0.02, "d": 0.02, "e": 0.02, "f": 0.02})
    out = naive.invoke({"text": "x"}, context=scripted)
    spans = stage_spans(out["ledger"])
    assert spans["d"][0] >= spans["a"][1]


def test_stage_outputs_reach_the_stages_that_read_them(script: Script, scripted: Settings) -> None:
    seen: dict[str, dict[str, str]] = {}

    def record(call: Call) -> Any:
        seen[call.stage] = call.values
        return {"items": ["one", "two"]} if call.schema else f"{call.stage}!"

    script.handlers.update({"points": record, "write": record})
    pipeline = Pipeline(
        name="reads",
        inputs=("doc", "audience"),
        stages=[
            Step("points", "<doc>{doc}</doc>", output=Points),
            Step("write", "For {audience}: {points.items} / {points}", depends_on=["points"]),
        ],
    )
    out = graph_spec(pipeline).compile().invoke({"doc": "D", "audience": "execs"}, context=scripted)
    assert out["points"] == {"items": ["one", "two"]}
    assert seen["write"]["audience"] == "execs"
    assert '"one"' in seen["write"]["points__items"] and '"items"' in seen["write"]["points"]
    assert out["write"] == "write!"


# --- map, branch, python stages, stop_when -------------------------------------------------------


def _agenda(cap: int = 20) -> Pipeline:
    return Pipeline(
        name="agenda",
        stages=[
            Step("agenda", "{text}", output=Points),
            Map("each", "agenda.items", Step("each", "item {index}: {item} of {text}"), max_items=cap),
            Step("digest", "{each}", depends_on=["each"]),
        ],
    )


def test_a_map_runs_one_step_per_item_in_order_and_honours_its_cap(script: Script, scripted: Settings) -> None:
    items = [f"item {i}" for i in range(5)]
    script.outputs["agenda"] = [{"items": items}]
    script.handlers["each"] = lambda call: call.values["item"].upper()
    script.handlers["digest"] = _echo
    out = graph_spec(_agenda(cap=3)).compile().invoke({"text": "notes"}, context=scripted)
    assert out["each"] == ["ITEM 0", "ITEM 1", "ITEM 2"]
    assert script.calls["each"] == 3


def test_a_map_over_an_empty_list_still_reaches_the_join(script: Script, scripted: Settings) -> None:
    script.outputs["agenda"] = [{"items": []}]
    script.handlers["digest"] = _echo
    out = graph_spec(_agenda()).compile().invoke({"text": "notes"}, context=scripted)
    assert out["each"] == [] and out["digest"] == "digest done" and script.calls["each"] == 0


def _triage() -> Pipeline:
    return Pipeline(
        name="triage",
        stages=[
            Step("classify", "{text}", output=Label),
            Branch("route", "classify.team", {"billing": "billing", "tech": "tech"}, default="other"),
            Step("billing", "{text}", depends_on=["route"]),
            Step("tech", "{text}", depends_on=["route"]),
            Step("other", "{text}", depends_on=["route"]),
            Step("close", "{billing}{tech}{other}", depends_on=["billing", "tech", "other"]),
        ],
        stop_when=[StopWhen("spam", "classify.team == 'spam'")],
    )


@pytest.mark.parametrize(("team", "chosen"), [("billing", "billing"), ("TECH", "tech"), ("sales", "other")])
def test_a_branch_runs_only_the_route_it_chose(team: str, chosen: str, script: Script, scripted: Settings) -> None:
    script.outputs["classify"] = [{"team": team}]
    script.handlers.update({n: _echo for n in ("billing", "tech", "other", "close")})
    out = graph_spec(_triage()).compile().invoke({"text": "hello"}, context=scripted)
    assert out["route"] == chosen
    assert {s for s in ("billing", "tech", "other") if script.calls[s]} == {chosen}
    assert out["close"] == "close done"
    assert {c["stage"] for c in out["ledger"]} == {"classify", chosen, "close"}


def test_a_stop_condition_ends_the_run_and_says_why(script: Script, scripted: Settings) -> None:
    script.outputs["classify"] = [{"team": "spam"}]
    out = graph_spec(_triage()).compile().invoke({"text": "WIN"}, context=scripted)
    assert out["termination"]["reason"] == "condition" and "spam" in out["termination"]["detail"]
    assert out["terminated_early"] is True
    assert sum(script.calls.values()) == 1
    assert out["execution_report"]["termination"] == "condition"


def test_a_python_stage_reads_inputs_and_outputs_and_names_itself_when_it_fails(
    script: Script, scripted: Settings
) -> None:
    script.outputs["points"] = [{"items": ["a", "b", "c"]}]
    counted = Pipeline(
        name="counted",
        stages=[
            Step("points", "{text}", output=Points),
            PythonStep("count", lambda v: len(v["points"]["items"]) + len(v["text"]), depends_on=["points"]),
        ],
    )
    assert graph_spec(counted).compile().invoke({"text": "xy"}, context=scripted)["count"] == 5
    broken = Pipeline(name="broken", stages=[PythonStep("boom", lambda v: 1 / 0)])
    with pytest.raises(RuntimeError, match="stage 'boom': ZeroDivisionError"):
        graph_spec(broken).compile().invoke({"text": "x"}, context=scripted)


# --- the seed's knobs ---------------------------------------------------------------------------


def test_the_knobs_reach_the_stage_declaration_and_the_ledger(script: Script, scripted: Settings) -> None:
    pipeline = Pipeline(
        name="knobs",
        stages=[Step("s", "{text}", task="classify", tier="PREMIUM", cache=False, timeout_s=7, retries=0)],
    )
    spec = graph_spec(pipeline)
    (stage,) = spec.stages
    assert (stage.cache, stage.timeout_s, stage.retries, stage.prompt.name) == (False, 7, 0, "knobs/s")
    script.handlers["s"] = _echo
    out = spec.compile().invoke({"text": "x"}, context=scripted)
    assert out["ledger"][0]["tier"] == "PREMIUM"
    # A run's override still wins over the stage's own tier.
    out = spec.compile().invoke({"text": "x"}, context=scripted.model_copy(update={"stage_tiers": {"s": "FAST"}}))
    assert out["ledger"][0]["tier"] == "FAST"


def test_retries_zero_gives_up_after_one_transient_fault(script: Script, scripted: Settings) -> None:
    pipeline = Pipeline(name="once", stages=[Step("s", "{text}", retries=0)])
    script.fail("s", 1)
    with pytest.raises(Exception, match="injected failure"):
        graph_spec(pipeline).compile().invoke({"text": "x"}, context=scripted)
    assert script.calls["s"] == 1


# --- resume -------------------------------------------------------------------------------------


def test_a_resumed_run_reruns_only_the_stages_that_had_not_finished(script: Script, scripted: Settings) -> None:
    script.handlers.update({name: _echo for name in "acdef"})
    script.fail("e", 1)  # inside the chain's subgraph: c and d had finished
    graph = graph_spec(_unequal()).compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": uuid.uuid4().hex}}
    with pytest.raises(InjectedFault):
        graph.invoke({"text": "x"}, config, context=scripted)
    out = graph.invoke(None, config, context=scripted)
    assert out["f"] == "f done"
    assert dict(script.calls) == {"a": 1, "c": 1, "d": 1, "e": 2, "f": 1}


# --- bad specs: one line naming the file, line and stage; nothing runs -------------------------

BAD_SPECS = {
    "cycle": (
        """
        name: bad
        stages:
          - {name: a, prompt: "{text} {b}", depends_on: [b]}
          - {name: b, prompt: "{a}", depends_on: [a]}
        """,
        "bad.yaml:3: stage 'a': dependency cycle: a -> b -> a",
    ),
    "unknown dependency": (
        """
        name: bad
        stages:
          - name: a
            prompt: "{text}"
            depends_on: [nope]
        """,
        "bad.yaml:3: stage 'a': depends on 'nope', which is not a stage (stages: a)",
    ),
    "template variable": (
        """
        name: bad
        inputs: [contract]
        stages:
          - {name: parties, prompt: "{contract}"}
          - name: summary
            depends_on: [parties]
            prompt: "Summarise {partys}"
        """,
        "bad.yaml:5: stage 'summary': reads {partys}, which no input or dependency produces "
        "(it may read: contract, parties)",
    ),
    "not a dependency": (
        """
        name: bad
        stages:
          - {name: a, prompt: "{text}"}
          - {name: b, prompt: "{a}"}
        """,
        "bad.yaml:4: stage 'b': reads {a}, which no input or dependency produces; add 'a' to depends_on",
    ),
    "duplicate": (
        """
        name: bad
        stages:
          - {name: a, prompt: "{text}"}
          - {name: a, prompt: "{text}"}
        """,
        "bad.yaml:4: stage 'a': duplicate name 'a'",
    ),
    "schema": (
        """
        name: bad
        stages:
          - name: a
            prompt: "{text}"
            output: {type: object, properties: {when: {type: date}}}
        """,
        "bad.yaml:3: stage 'a': the output schema at 'a.when' has type 'date'",
    ),
    "map over text": (
        """
        name: bad
        stages:
          - {name: a, prompt: "{text}"}
          - {name: b, map: a, prompt: "{item}"}
        """,
        "bad.yaml:4: stage 'b': maps over 'a', which is not a list (string)",
    ),
    "map over a field that is not a list": (
        """
        name: bad
        stages:
          - name: a
            prompt: "{text}"
            output: {type: object, properties: {title: {type: string}}}
          - {name: b, map: a.title, prompt: "{item}"}
        """,
        "bad.yaml:6: stage 'b': maps over 'a.title', which is not a list (string)",
    ),
    "yaml": ("name: bad\nstages: [\n", "bad.yaml:3: not valid YAML"),
    "unknown key": (
        """
        name: bad
        stages:
          - {name: a, prompt: "{text}", depends: [b]}
        """,
        "bad.yaml:3: stage 'a': unknown key 'depends'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_a_bad_spec_is_one_line_naming_file_line_and_stage(case: str, tmp_path: Path) -> None:
    text, expected = BAD_SPECS[case]
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    with pytest.raises(PipelineError) as caught:
        graph_spec(load(path, shown="bad.yaml"))
    assert str(caught.value).startswith(expected), str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("case", ["cycle", "template variable", "map over text"])
def test_the_cli_refuses_a_bad_spec_before_any_call(
    case: str, tmp_path: Path, script: Script, capsys: pytest.CaptureFixture[str]
) -> None:
    text, expected = BAD_SPECS[case]
    (tmp_path / "bad.yaml").write_text(textwrap.dedent(text).lstrip("\n"))
    status = main(["run", "bad.yaml", "some text", "--provider", "scripted"])
    err = capsys.readouterr().err
    assert status == 2
    assert f"error: {expected}" in err and "Traceback" not in err
    assert sum(script.calls.values()) == 0


def test_yaml_keeps_on_as_a_key_and_reads_every_kind(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        textwrap.dedent(
            """
            name: kinds
            inputs: [message]
            stages:
              - name: classify
                prompt: "{message}"
                output: {type: object, properties: {team: {enum: [yes, no, other]}}}
              - name: route
                branch: {on: classify.team, routes: {yes: a}, default: b}
              - {name: a, prompt: "{message}", tier: FAST, cache: false, timeout_s: 5, retries: 1}
              - {name: b, prompt: "{message}", depends_on: [route]}
            stop_when:
              - {name: no, when: "classify.team == no"}
            """
        )
    )
    pipeline = load(path)
    route = pipeline.stages[1]
    assert isinstance(route, Branch) and route.on == "classify.team" and route.routes == {"yes": "a"}
    assert plan(pipeline).deps["a"] == {"route"}  # a route runs after its branch
    assert pipeline.stop_when[0].when == "classify.team == no"


# --- the registry -------------------------------------------------------------------------------


def test_shipped_pipelines_are_graphs_and_files_are_found_by_path(tmp_path: Path) -> None:
    from graphs.registry import GRAPHS, spec_for

    assert {"contract_review", "meeting_digest", "support_triage"} <= set(GRAPHS)
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nstages:\n  - {name: a, prompt: '{text}'}\n")
    first = spec_for(str(path))
    assert first.name == "mine" and first.ref == str(path.resolve())
    path.write_text("name: mine\nstages:\n  - {name: a, prompt: '{text}'}\n  - {name: b, prompt: '{text}!'}\n")
    assert [s.name for s in spec_for(str(path)).stages] == ["a", "b"]  # an edited file is read again
    with pytest.raises(PipelineError, match="cannot read the pipeline file"):
        spec_for(str(tmp_path / "missing.yaml"))


async def test_progress_of_stages_inside_a_parallel_part_reaches_the_stream(script: Script, scripted: Settings) -> None:
    script.handlers.update({name: _echo for name in "acdef"})
    graph = graph_spec(_unequal()).compile()
    started = [
        chunk["stage"]
        async for chunk in graph.astream({"text": "x"}, context=scripted, stream_mode="custom")
        if chunk.get("event") == "stage_started"
    ]
    assert sorted(started) == ["a", "c", "d", "e", "f"]


# --- stagecraft eval on a pipeline's cases ----------------------------------------------------------


def test_eval_scores_a_pipeline_on_its_cases_and_names_what_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"id": "shop", "input": {"message": "Where is your shop in Lyon?"}, "expect": {"route": "general_reply"}}\n'
        '{"id": "wrong", "input": {"message": "My invoice is wrong."}, "expect": {"classify.team": "technical"}}\n'
    )
    status = main(["eval", "support_triage", str(cases), "--provider", "offline", "--json"])
    out = capsys.readouterr().out
    assert status == 0
    import json

    result = json.loads(out)
    assert result["n"] == 2 and result["all_expected"] == 0.5
    assert result["by_expectation"] == {"classify.team": 0.0, "route": 1.0}
    assert result["failures"][0]["id"] == "wrong" and result["failures"][0]["got"] == "billing"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("not json", "not JSON"),
        ('{"id": "a", "input": {"text": "x"}, "expect": {"route": "x"}}', "input must give exactly message"),
        ('{"id": "a", "input": {"message": "x"}, "expect": {"nope": 1}}', "expect names 'nope'"),
        ('{"id": "a", "input": {"message": "x"}}', "missing key 'expect'"),
    ],
)
def test_eval_refuses_malformed_cases_with_one_line(
    line: str, problem: str, tmp_path: Path, script: Script, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(line + "\n")
    status = main(["eval", "support_triage", str(cases), "--provider", "scripted"])
    err = capsys.readouterr().err
    assert status == 2 and f"cases.jsonl:1: {problem}" in err and "Traceback" not in err
    assert sum(script.calls.values()) == 0


# --- the report graph, re-expressed as a pipeline ---------------------------------------------------


def test_the_report_graph_as_a_pipeline_gives_the_same_outputs_and_ledger_shape(
    script: Script, scripted: Settings
) -> None:
    from graphs.registry import GRAPHS
    from nodes.report import EXTRACT, OPPORTUNITY, REPORT_SYNTHESIS, REQUIREMENTS, RISK
    from state.report import Extraction, Findings

    points = "<key_points>\n{extract.key_points}\n</key_points>"
    spec = graph_spec(
        Pipeline(
            name="report_spec",
            inputs=("document",),
            stages=[
                Step("extract", EXTRACT.prompt.user, system=EXTRACT.prompt.system, output=Extraction, task="extract"),
                Step(
                    "risk", points, system=RISK.prompt.system, output=Findings,
                    depends_on=["extract"], task="analysis",
                ),
                Step(
                    "opportunity", points, system=OPPORTUNITY.prompt.system, output=Findings,
                    depends_on=["extract"], task="analysis",
                ),
                Step(
                    "requirements", points, system=REQUIREMENTS.prompt.system, output=Findings,
                    depends_on=["extract"], task="extract",
                ),
                Step(
                    "report_synthesis",
                    "<findings>{extract} {risk} {opportunity} {requirements}</findings>\n<missing></missing>",
                    system=REPORT_SYNTHESIS.prompt.system,
                    depends_on=["extract", "risk", "opportunity", "requirements"],
                    task="writing",
                ),
            ],
        )
    )  # fmt: skip
    answers = {
        "extract": {"key_points": ["Costs rose 9%.", "A grant is open."]},
        "risk": {"items": ["Costs rose 9%."]},
        "opportunity": {"items": ["A grant is open."]},
        "requirements": {"items": []},
        "report_synthesis": "# Report",
    }
    script.handlers.update({stage: (lambda call: answers[call.stage]) for stage in answers})
    document = {"document": "Costs rose 9%. A grant is open."}
    by_hand = GRAPHS["report"].compile().invoke(document, context=scripted)
    as_pipeline = spec.compile().invoke(document, context=scripted)
    assert as_pipeline["extract"]["key_points"] == by_hand["key_points"]
    assert [as_pipeline[k]["items"] for k in ("risk", "opportunity", "requirements")] == [
        by_hand[k] for k in ("risks", "opportunities", "requirements")
    ]
    assert as_pipeline["report_synthesis"] == by_hand["report"]

    def shape(out: dict[str, Any]) -> list[tuple[str, str]]:
        return sorted((call["stage"], call["tier"]) for call in out["ledger"])

    assert shape(as_pipeline) == shape(by_hand)
    hand_report, spec_report = by_hand["execution_report"], as_pipeline["execution_report"]
    assert set(spec_report["by_stage"]) == set(hand_report["by_stage"])
    assert spec_report["critical_path"][0] == "extract" and spec_report["critical_path"][-1] == "report_synthesis"
