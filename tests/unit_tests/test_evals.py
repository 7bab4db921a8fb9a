"""The scoring library: pure scorers on hand-made predictions, and the thin graph runners."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.evals import Kind, Result, as_json, load_dataset, render_lines, run_evaluation
from app.evals.analysis import score_analysis
from app.evals.decomposition import DecompositionResult, normalise_id, score_decomposition, tasks_match
from app.evals.faq import grounded, run_faq, score_faq
from app.evals.grammar import question_problems
from app.evals.routing import run_routing, score_routing
from app.evals.tables import WIDTH, confusion_table, failure_table, render_table
from state.settings import Settings
from tests.conftest import Script

EVALS = Path(__file__).resolve().parents[2] / "evals"


async def evaluate(kind: Kind, path: Path, settings: Settings) -> Result:
    return (await run_evaluation(kind, load_dataset(path, kind), settings)).result


ROUTING = [
    {"id": "a", "text": "wifi down", "label": "Technical Support", "lang": "en", "kinds": ["plain"]},
    {"id": "b", "text": "charged twice", "label": "Billing Inquiry", "lang": "en", "kinds": ["plain"]},
    {"id": "c", "text": "horario?", "label": "General Question", "lang": "es", "kinds": ["spanish"]},
]


def test_routing_accuracy_confusion_and_breakdowns() -> None:
    result = score_routing(ROUTING, {"a": "Technical Support", "b": "Technical Support", "c": "General Question"})
    assert result.accuracy == pytest.approx(2 / 3, abs=1e-4)
    assert result.confusion["Billing Inquiry"]["Technical Support"] == 1
    assert result.confusion["Technical Support"]["Technical Support"] == 1
    assert result.by_lang == {"en": 0.5, "es": 1.0}
    assert [f.id for f in result.failures] == ["b"]


def test_ids_are_normalised_before_matching() -> None:
    assert normalise_id("INV-4471", "BillingInquiry") == normalise_id("inv 4471", "BillingInquiry") == "4471"
    assert normalise_id("#a-900", "StatusUpdate") == normalise_id("A 900", "StatusUpdate") == "A900"
    assert normalise_id("2024/118", "BillingInquiry") == "2024118"
    # An order id keeps its letters: A-900 and 900 are different orders.
    assert normalise_id("A-900", "StatusUpdate") != normalise_id("900", "StatusUpdate")


def test_lenient_task_matching_rules() -> None:
    ret = {"query_type": "ProductReturn", "product_name": "blue rain jacket", "reason_for_return": "too small"}
    assert tasks_match(ret, {"query_type": "ProductReturn", "product_name": "the Blue Rain Jacket"}, lenient=True)
    assert tasks_match(ret, {"query_type": "ProductReturn", "product_name": "rain jacket"}, lenient=True)
    assert not tasks_match(ret, {"query_type": "ProductReturn", "product_name": "jacket"}, lenient=True)
    assert not tasks_match(ret, {"query_type": "BillingInquiry", "invoice_number": "1"}, lenient=True)
    # Any kind the workers do not know is scored as Unknown.
    assert tasks_match({"query_type": "Unknown"}, {"query_type": "AddressChange", "new_address": "x"}, lenient=True)


def test_strict_matching_takes_ids_and_names_as_gold_has_them() -> None:
    ret = {"query_type": "ProductReturn", "product_name": "blue rain jacket", "reason_for_return": "too small"}
    # Case and surrounding punctuation aside, and nothing else.
    assert tasks_match(ret, {"query_type": "ProductReturn", "product_name": ' "Blue Rain Jacket."'})
    for name in ("the blue rain jacket", "rain jacket", "ing the blue rain jacket", "blue rain jacket both"):
        assert not tasks_match(ret, {"query_type": "ProductReturn", "product_name": name}), name
    invoice = {"query_type": "BillingInquiry", "invoice_number": "FAC-2024-0193"}
    assert tasks_match(invoice, {"query_type": "BillingInquiry", "invoice_number": "#fac-2024-0193"})
    for number in ("INV-FAC-2024-0193", "FAC 2024 0193", "FAC20240193"):
        assert not tasks_match(invoice, {"query_type": "BillingInquiry", "invoice_number": number}), number
    assert not tasks_match(ret, {"query_type": "BillingInquiry", "invoice_number": "1"})
    assert tasks_match({"query_type": "Unknown"}, {"query_type": "AddressChange", "new_address": "x"})


DECOMPOSITION = [
    {"id": "m1", "text": "...", "tasks": [{"query_type": "BillingInquiry", "invoice_number": "FAC-2024-0193"}]},
    {
        "id": "m2",
        "text": "...",
        "tasks": [
            {"query_type": "BillingInquiry", "invoice_number": "48213"},
            {"query_type": "StatusUpdate", "order_id": "A-55120"},
        ],
    },
    {
        "id": "m3",
        "text": "...",
        "tasks": [
            {"query_type": "ProductReturn", "product_name": "blue rain jacket", "reason_for_return": "too small"}
        ],
    },
]


def _rewritten(field: str, rewrite: Callable[[str], str]) -> dict[str, list[dict[str, Any]]]:
    """What an engine returns that copies every gold task but rewrites one field of each."""
    return {
        e["id"]: [{**t, field: rewrite(t[field])} if field in t else dict(t) for t in e["tasks"]] for e in DECOMPOSITION
    }


@pytest.mark.parametrize(
    ("field", "rewrite"),
    [
        ("invoice_number", lambda number: f"INV-{number}"),  # FAC-2024-0193 -> INV-FAC-2024-0193
        ("product_name", lambda name: f"ing the {name}"),  # a return verb matched inside "bring"
    ],
)
def test_an_engine_that_rewrites_every_id_or_name_scores_lower_strictly_and_the_same_leniently(
    field: str, rewrite: Callable[[str], str]
) -> None:
    faithful = score_decomposition(DECOMPOSITION, _rewritten(field, lambda value: value))
    bent = score_decomposition(DECOMPOSITION, _rewritten(field, rewrite))
    assert faithful.overall.f1 == 1.0 and faithful.exact_messages == 1.0
    assert bent.overall.f1 < faithful.overall.f1 and bent.exact_messages < 1.0
    rewritten = sum(field in t for e in DECOMPOSITION for t in e["tasks"])
    assert (bent.overall.tp, bent.overall.fp, bent.overall.fn) == (4 - rewritten, rewritten, rewritten)
    # The lenient rule cannot tell them apart: that is why it is never the headline.
    assert bent.lenient.overall == faithful.lenient.overall and faithful.lenient.overall.f1 == 1.0
    assert bent.rule.startswith("strict") and bent.lenient.rule.startswith("lenient")
    data = as_json(bent)
    assert data["overall"]["f1"] == bent.overall.f1 and data["lenient"]["overall"]["f1"] == 1.0
    lines = render_lines(bent)
    assert lines[0].startswith(f"decomposition F1 {bent.overall.f1:.3f}") and "strict" in lines[0]
    assert any(line.startswith("decomposition F1 1.000") and "lenient" in line for line in lines[1:])


def test_decomposition_per_type_and_per_field() -> None:
    examples = [
        {
            "id": "m1",
            "text": "...",
            "tasks": [
                {"query_type": "BillingInquiry", "invoice_number": "INV-7890"},
                {"query_type": "ProductReturn", "product_name": "kettle", "reason_for_return": "leaks from the bottom"},
            ],
        },
        {"id": "m2", "text": "...", "tasks": [{"query_type": "StatusUpdate", "order_id": "A-12345"}]},
        {"id": "m3", "text": "thanks!", "tasks": []},
    ]
    predicted = {
        "m1": [
            {"query_type": "BillingInquiry", "invoice_number": "inv-7890"},
            {"query_type": "ProductReturn", "product_name": "Kettle.", "reason_for_return": "it leaks"},
        ],
        "m2": [{"query_type": "StatusUpdate", "order_id": "A-1234"}],  # cut short: a miss and an extra
        "m3": [{"query_type": "Unknown", "request": "thanks!"}],
    }
    result = score_decomposition(examples, predicted)
    assert (result.overall.tp, result.overall.fp, result.overall.fn) == (2, 2, 1)
    assert result.by_type["BillingInquiry"].f1 == 1.0
    assert (result.by_type["StatusUpdate"].precision, result.by_type["StatusUpdate"].recall) == (0.0, 0.0)
    assert result.by_type["Unknown"].fp == 1
    assert result.by_field["product_name"].tp == 1
    # "it leaks" shares only "leaks" with "leaks from the bottom" once stopwords go: F1 0.67 >= 0.5.
    assert result.by_field["reason_for_return"].tp == 1
    assert result.exact_messages == pytest.approx(1 / 3, abs=1e-4)
    assert {f.id for f in result.failures} == {"m2", "m3"}


def test_wrong_reason_is_a_field_error_not_a_task_error() -> None:
    gold = [{"query_type": "ProductReturn", "product_name": "toaster", "reason_for_return": "not specified"}]
    got = [{"query_type": "ProductReturn", "product_name": "toaster", "reason_for_return": "too loud"}]
    result = score_decomposition([{"id": "x", "text": "", "tasks": gold}], {"x": got})
    assert result.overall.f1 == 1.0
    assert result.by_field["reason_for_return"].tp == 0 and result.by_field["product_name"].tp == 1
    assert result.failures and "reason_for_return" in result.failures[0].note


@pytest.mark.parametrize(
    "question",
    [
        "What is solar energy?",
        "How long does standard shipping take?",
        "When are refunds issued?",
        "What is it used for?",
        "Can ferns sit in full sun?",
        "What does the poke test tell you?",
        "What is international shipping limited to?",
        "How can I tell that the queen is still there?",
        "What happens if someone steals my password but I use two-factor authentication?",
        "Where are shaped loaves proofed?",
    ],
)
def test_grammatical_questions_pass(question: str) -> None:
    assert question_problems(question) == []


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        ("What does the source say about achieving energy independence?", "source"),
        ("What is the key to the?", "ends on"),
        ("Solar energy is renewable?", "interrogative"),
        ("What is solar energy", "question mark"),
        ("What does it takes?", "inflects"),
        ("What does?", "words"),
        ("What is is solar energy?", "repeats"),
        ("How is when magma reaches the surface it called?", "clause where the subject"),
        ("How is when magma reaches the surface it called?", "called"),
        ("How is when magma reaches the surface it called?", "two clauses"),
        ("What is said about a clean?", "source"),
        ("How is the ideal brewing temperature between?", "strands"),
        ("Why do bakers feed their starter with?", "strands"),
        ("What is the poke test tells you when proofing?", "second finite verb"),
        ("What does even if a criminal steal?", "clause where the subject"),
    ],
)
def test_ungrammatical_questions_fail(question: str, problem: str) -> None:
    assert any(problem in p for p in question_problems(question))


def test_groundedness_needs_a_cited_source_that_supports_every_sentence() -> None:
    source = "Books are lent for three weeks and films for one week. Items can be renewed online."
    assert grounded("Films are lent for one week.", [source])
    assert not grounded("Films are lent for one week.", [])
    assert not grounded("Films are lent for one week. Late fees are five euros per day.", [source])


def test_faq_scores() -> None:
    example = {
        "id": "f",
        "sources": [{"title": "Loans", "content": "Books are lent for three weeks and films for one week."}],
        "num_questions": 2,
        "questions": [
            {"question": "How long can I keep a film?", "titles": ["Loans"], "answer_contains": ["one week"]},
            {"question": "Who built the library?", "titles": [], "answer_contains": []},
        ],
    }
    entry = {"question": "How long are films lent for?", "answer": "Films are lent for one week.", "answerable": True}
    predicted = {
        "f": {
            "generated": [
                {**entry, "sources": ["Loans"]},
                {**entry, "question": "What does the source say about films?", "sources": ["Nowhere"]},
            ],
            "labelled": [
                {
                    "question": "How long can I keep a film?",
                    "answer": "Books are lent for three weeks and films for one week.",
                    "answerable": True,
                    "sources": ["Loans"],
                },
                {"question": "Who built the library?", "answer": "x", "answerable": True, "sources": ["Loans"]},
            ],
        }
    }
    result = score_faq([example], predicted)
    assert (result.questions, result.grammatical, result.citation_validity) == (2, 0.5, 0.5)
    assert result.groundedness == 0.5  # the second cites a title that does not exist, so nothing supports it
    assert (result.labelled_accuracy, result.unanswerable_accuracy) == (1.0, 0.0)


def test_analysis_scores_entities_with_types_aliases_and_optional() -> None:
    example = {
        "id": "d",
        "document": "...",
        "sentiment": "mixed",
        "entities": [
            {"name": "Maria Lopez", "type": "PERSON", "aliases": ["Lopez"]},
            {"name": "Lyon", "type": "LOCATION"},
            {"name": "EU", "type": "ORGANIZATION", "optional": True},
        ],
        "risks": ["energy costs"],
        "opportunities": ["Nordic countries"],
        "requirements": [],
        "topics": ["operating margin"],
    }
    predicted = {
        "d": {
            "sentiment": "negative",
            "entities": [
                {"name": "Lopez", "type": "PERSON"},
                {"name": "Lyon", "type": "ORGANIZATION"},
                {"name": "EU", "type": "OTHER"},
                {"name": "EU", "type": "ORGANIZATION"},
            ],
            "risks": [],
            "opportunities": ["Rising energy costs remain a serious risk."],
            "requirements": [],
            "topics": ["Operating Margin", "Company"],
        }
    }
    result = score_analysis([example], predicted)
    typed = result.entities_typed
    assert (typed.tp, typed.fp, typed.fn) == (1, 2, 1)  # Lyon mistyped, EU as OTHER: two errors
    assert (result.entities_untyped.tp, result.entities_untyped.fn) == (2, 0)
    assert result.sentiment_accuracy == 0.0 and result.sentiment_confusion["mixed"]["negative"] == 1
    assert result.findings_recall == {"risks": 0.0, "opportunities": 0.0, "requirements": 1.0}
    assert result.findings_mislabelled == 1
    assert result.topic_recall == 1.0
    assert json.dumps(as_json(result))


async def test_evaluate_runs_the_router_graph(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "routing.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in ROUTING))
    result = await evaluate("routing", path, settings)
    assert result.n == 3 and sum(sum(row.values()) for row in result.confusion.values()) == 3  # type: ignore[union-attr]


async def test_faq_runner_answers_the_labelled_questions_through_the_graph(settings: Settings) -> None:
    example = {
        "id": "f",
        "sources": [
            {"title": "Loans", "content": "Books are lent for three weeks. Films are lent for one week."},
            {"title": "Printing", "content": "Printing costs ten cents per page at every branch."},
        ],
        "num_questions": 2,
        "questions": [{"question": "How much does printing cost?", "titles": ["Printing"], "answer_contains": []}],
    }
    out = (await run_faq([example], settings))["f"]
    assert len(out["generated"]) == 2
    assert [e["question"] for e in out["labelled"]] == ["How much does printing cost?"]
    assert out["labelled"][0]["sources"] == ["Printing"]


def test_confusion_table_counts_every_prediction_even_a_stray_label() -> None:
    result = score_routing(ROUTING, {"a": "Technical Support", "b": "Sales", "c": "General Question"})
    table = confusion_table(result.confusion, ["Technical Support", "Billing Inquiry", "General Question"])
    assert table[0] == ["expected \\ got", "technical", "billing", "general", "Sales", "n"]
    assert table[2] == ["billing", "0", "0", "0", "1", "1"]  # the stray label has its own column
    assert sum(int(row[-1]) for row in table[1:]) == len(ROUTING)


def test_failure_table_says_id_expected_and_got() -> None:
    result = score_routing(ROUTING, {"a": "Billing Inquiry", "b": "Billing Inquiry", "c": "General Question"})
    assert failure_table(result) == [["id", "expected", "got", "note"], ["a", "technical", "billing", "wifi down"]]


def test_render_lines_fit_eighty_columns_and_hold_matrix_and_failures() -> None:
    long_text = "My invoices page shows an error " * 10
    examples = [*ROUTING, {"id": "a-very-long-identifier-0001", "text": long_text, "label": "Technical Support"}]
    predicted = {"a": "Technical Support", "b": "General Question", "c": "General Question"}
    lines = render_lines(score_routing(examples, {**predicted, "a-very-long-identifier-0001": "Billing Inquiry"}))
    assert max(len(line) for line in lines) <= WIDTH
    assert any(line.startswith("expected \\ got") for line in lines)
    assert "failures: 2" in lines
    failure_rows = [line for line in lines if line.startswith(("b ", "a-very"))]
    assert len(failure_rows) == 2 and "…" in failure_rows[1]  # the long message is cut, not wrapped


def test_render_table_shaves_the_widest_column_first() -> None:
    table = [["id", "note"], ["x1", "n" * 200]]
    lines = render_table(table, width=40)
    assert all(len(line) <= 40 for line in lines)
    assert lines[2].startswith("x1  ") and lines[2].endswith("…")


async def test_a_run_that_raises_is_a_failure_not_the_end_of_the_evaluation(
    tmp_path: Path, script: Script, scripted: Settings
) -> None:
    path = tmp_path / "routing.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in ROUTING))
    script.fail("classify", times=1000)
    result = await evaluate("routing", path, scripted)
    assert result.accuracy < 1.0
    failed = [f for f in result.failures if f.note == "run failed"]
    assert {f.id for f in failed} == {"a", "b", "c"}
    assert all("InjectedFault" in f.got for f in failed)
    with pytest.raises(Exception, match="injected failure"):
        await run_routing(ROUTING, scripted)  # called on its own, a runner still raises


@pytest.mark.parametrize(("dataset", "floor"), [("routing.holdout.jsonl", 0.9), ("routing.fresh2.jsonl", 0.8)])
async def test_the_offline_router_keeps_its_accuracy_on_sets_it_was_not_tuned_on(
    dataset: str, floor: float, settings: Settings
) -> None:
    # Measured 0.968 and 0.84; fresh2 was written blind by a helper that saw only the label rules.
    result = await evaluate("routing", EVALS / dataset, settings)
    assert result.accuracy >= floor, result.accuracy  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("dataset", "strict", "lenient"),
    [("decomposition.holdout.jsonl", 0.85, 0.95), ("decomposition.fresh2.jsonl", 0.55, 0.75)],
)
async def test_the_offline_decomposer_keeps_its_f1_on_sets_it_was_not_tuned_on(
    dataset: str, strict: float, lenient: float, settings: Settings
) -> None:
    # Lenient: measured 1.0 (English) and 0.81 (Spanish, French, German, Italian; written blind, 0.21
    # before). Strict, 2026-12-07: 0.867 and 0.576, held down by the engine's INV- prefix on every
    # invoice id and its cut or padded product names; raise these floors as the engine is fixed.
    result = await evaluate("decomposition", EVALS / dataset, settings)
    assert isinstance(result, DecompositionResult)
    assert result.overall.f1 >= strict, result.overall
    assert result.lenient.overall.f1 >= lenient, result.lenient.overall
