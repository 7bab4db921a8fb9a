"""The chain graphs: summarise -> translate, and the FAQ chain over the seed's web pages."""

from __future__ import annotations

from typing import Any

import pytest

from app.examples import ENERGY_SOURCES
from graphs.faq import build as build_faq
from graphs.summarize_translate import build as build_summarize_translate
from offline import text as T
from state.inputs import InputError
from state.settings import Settings
from tests.conftest import Script, stage_spans

TEXT = " ".join(source["content"] for source in ENERGY_SOURCES)
TITLES = {source["title"] for source in ENERGY_SOURCES}


async def test_summary_is_translated(settings: Settings) -> None:
    graph = build_summarize_translate().compile()
    out = await graph.ainvoke({"text": TEXT, "target_language": "Spanish"}, context=settings)
    summary_sentences = T.sentences(out["summary"])
    assert 1 <= len(summary_sentences) <= 3
    assert all(s in TEXT for s in summary_sentences)
    assert out["translation"] != out["summary"]
    assert "energía" in out["translation"].lower()
    assert [c["stage"] for c in out["ledger"]] == ["summarize", "translate"]


async def test_summary_of_a_new_text_comes_from_that_text(settings: Settings) -> None:
    text = (
        "The city council approved a new cycling plan on Monday. It adds forty kilometres of "
        "protected lanes by 2028. Shop owners worry about losing parking spaces. The mayor said "
        "the plan will cut traffic deaths. Construction starts in the spring."
    )
    graph = build_summarize_translate().compile()
    out = await graph.ainvoke({"text": text, "target_language": "French"}, context=settings)
    assert all(s in text for s in T.sentences(out["summary"]))


@pytest.mark.parametrize(
    "payload", [{"text": "   ", "target_language": "Spanish"}, {"text": "Hi.", "target_language": "12"}]
)
async def test_bad_chain_input_fails_before_any_model_call(
    payload: dict[str, str], script: Script, scripted: Settings
) -> None:
    with pytest.raises(InputError):
        await build_summarize_translate().compile().ainvoke(payload, context=scripted)
    assert sum(script.calls.values()) == 0


async def test_faq_matches_the_seed_shape(settings: Settings) -> None:
    graph = build_faq().compile()
    out = await graph.ainvoke({"sources": ENERGY_SOURCES, "num_questions": 10}, context=settings)
    faq = out["faq"]
    assert len(faq) == 10
    assert [e["question"] for e in faq] == out["questions"]
    assert len({e["question"].casefold() for e in faq}) == 10
    for entry in faq:
        assert entry["answerable"] and entry["answer"]
        assert entry["sources"] and set(entry["sources"]) <= TITLES
    # Every source is used by at least one question.
    assert set().union(*(e["sources"] for e in faq)) == TITLES


async def test_faq_workers_run_concurrently(script: Script, scripted: Settings) -> None:
    script.latency = 0.2
    out = await build_faq().compile().ainvoke({"sources": ENERGY_SOURCES, "num_questions": 4}, context=scripted)
    answers = [c for c in out["ledger"] if c["stage"] == "answer"]
    assert len(answers) == 4
    # All four answer calls were in flight at the same moment.
    assert max(c["started"] for c in answers) < min(c["ended"] for c in answers)
    assert script.calls["answer"] == 4 and script.calls["attribute"] == 4
    assert stage_spans(out["ledger"])["generate_questions"][1] <= min(c["started"] for c in answers)


async def test_unanswerable_question_says_so_and_cites_nothing(script: Script, scripted: Settings) -> None:
    script.outputs["generate_questions"] = [
        {"questions": ["What is the capital of France?", "What is the main challenge for wind energy?"]}
    ]
    script.handlers["answer"] = lambda call: (
        {"answerable": False, "answer": "The sources do not say."}
        if "France" in call.values["question"]
        else {"answerable": True, "answer": "Intermittency."}
    )
    out = await build_faq().compile().ainvoke({"sources": ENERGY_SOURCES, "num_questions": 2}, context=scripted)
    unknown, known = out["faq"]
    assert not unknown["answerable"] and unknown["sources"] == []
    assert "do not" in unknown["answer"]
    assert known["sources"] == [ENERGY_SOURCES[0]["title"]] and known["answer"] == "Intermittency."
    # The unanswerable question never reached the attribution stage.
    assert script.calls["attribute"] == 1


async def test_invented_source_titles_are_reasked(script: Script, scripted: Settings) -> None:
    script.outputs["generate_questions"] = [{"questions": ["What is the main challenge for wind energy?"]}]
    script.outputs["attribute"] = [{"sources": ["Wikipedia"]}, {"sources": ["Understanding Wind Turbines"]}]
    out = await build_faq().compile().ainvoke({"sources": ENERGY_SOURCES, "num_questions": 1}, context=scripted)
    assert out["faq"][0]["sources"] == ["Understanding Wind Turbines"]
    assert [c["outcome"] for c in out["ledger"] if c["stage"] == "attribute"] == ["invalid", "ok"]
    # The re-ask told the model what was wrong and which titles there are.
    assert script.calls["attribute"] == 2


async def test_too_few_or_duplicate_questions_are_reasked(script: Script, scripted: Settings) -> None:
    script.outputs["generate_questions"] = [{"questions": ["Why?", "why?"]}]
    out = await build_faq().compile().ainvoke({"sources": ENERGY_SOURCES, "num_questions": 3}, context=scripted)
    assert len(out["faq"]) == 3
    assert script.calls["generate_questions"] == 2


@pytest.mark.parametrize(
    "payload",
    [
        {"sources": [], "num_questions": 3},
        {
            "sources": [{"title": "A", "content": "x y z."}, {"title": "A", "content": "w."}],
            "num_questions": 3,
        },
        {"sources": ENERGY_SOURCES, "num_questions": 0},
        {"sources": [{"title": "A"}], "num_questions": 3},
    ],
)
async def test_bad_faq_input_is_rejected(payload: dict[str, object], script: Script, scripted: Settings) -> None:
    with pytest.raises(InputError):
        await build_faq().compile().ainvoke(payload, context=scripted)
    assert sum(script.calls.values()) == 0


RUSSIAN = "Ветряная турбина преобразует энергию ветра в электричество. " * 1_000  # 59,000 characters


async def test_a_long_non_ascii_source_the_intake_accepts_is_never_refused_later(
    script: Script, scripted: Settings
) -> None:
    # Prompts escaped every Cyrillic character as \\uXXXX: six times the size. A 60,000-character
    # Russian source passed the intake, then every stage's prompt (320,545 characters) was refused
    # as larger than any checked input can make.
    script.outputs["generate_questions"] = [{"questions": ["Что делает ветряная турбина?"]}]
    script.outputs["answer"] = [{"answerable": True, "answer": "Она преобразует энергию ветра в электричество."}]
    script.outputs["attribute"] = [{"sources": ["Ветер"]}]
    payload = {"sources": [{"title": "Ветер", "content": RUSSIAN}], "num_questions": 1}
    out = await build_faq().compile().ainvoke(payload, context=scripted)
    assert out["faq"][0]["sources"] == ["Ветер"]
    assert [c["stage"] for c in out["ledger"]] == ["generate_questions", "answer", "attribute"]


async def test_sources_no_stage_could_send_are_refused_by_the_intake(script: Script, scripted: Settings) -> None:
    # Control characters escape to six characters each in the JSON every stage receives.
    payload = {"sources": [{"title": "A", "content": "a" + "\x01" * 900}], "num_questions": 1}
    with pytest.raises(InputError, match="control characters"):
        await build_faq().compile().ainvoke(payload, context=scripted.model_copy(update={"max_input_chars": 1_000}))
    assert sum(script.calls.values()) == 0


# Each FAQ worker's share of the sources

FILLER = [
    {
        "title": "Tomato Soup",
        "content": "Roast the tomatoes with garlic for forty minutes. Blend them with stock and "
        "a little cream. Season with basil and black pepper before serving.",
    },
    {
        "title": "Mushroom Risotto",
        "content": "Toast the arborio rice in butter before adding any liquid. Add warm "
        "broth one ladle at a time and stir often. Fold in parmesan and sauteed mushrooms at the end.",
    },
    {
        "title": "Pancakes",
        "content": "Whisk flour, milk, eggs and a pinch of sugar into a smooth batter. Rest the "
        "batter for ten minutes. Cook each pancake until bubbles form, then flip it once.",
    },
    {
        "title": "Lentil Curry",
        "content": "Fry onions, ginger and curry paste until fragrant. Simmer red lentils in "
        "coconut milk for twenty minutes. Finish with lime juice and fresh coriander.",
    },
    {
        "title": "Banana Bread",
        "content": "Mash three ripe bananas and mix them with melted butter. Stir in flour, "
        "baking soda and brown sugar. Bake the loaf for an hour at 175 degrees.",
    },
    {
        "title": "Greek Salad",
        "content": "Chop cucumbers, tomatoes and red onion into chunks. Add olives and a thick "
        "slice of feta. Dress the salad with olive oil and dried oregano.",
    },
]


def sources_for(question: str, sources: list[Any], budget: int) -> list[Any]:
    from nodes.faq import sources_per_question

    return sources_per_question([question], sources, budget)[0]


def test_sources_that_fit_the_budget_all_go_to_every_question() -> None:
    assert sources_for("How do wind turbines work?", ENERGY_SOURCES, 8_000) == ENERGY_SOURCES


def test_beyond_the_budget_a_question_gets_the_most_relevant_sources_in_their_order() -> None:
    sources = [*FILLER[:3], *ENERGY_SOURCES, *FILLER[3:]]
    size = sum(len(s["title"]) + len(s["content"]) for s in ENERGY_SOURCES)
    picked = sources_for("How do wind turbines turn kinetic energy into electricity?", sources, size)
    assert "Understanding Wind Turbines" in [s["title"] for s in picked]
    assert all(s in ENERGY_SOURCES for s in picked)  # no recipe outranks a source sharing the question's words
    assert sum(len(s["title"]) + len(s["content"]) for s in picked) <= size
    assert [s["title"] for s in picked] == [s["title"] for s in sources if s in picked]  # original order
    # A budget smaller than any source still gives the best one: a worker never gets nothing.
    assert [s["title"] for s in sources_for("wind turbines", sources, 10)] == ["Understanding Wind Turbines"]


def test_the_fan_out_reads_each_source_once_for_all_its_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    # Choosing sources runs on the critical path, before any worker starts: reading every source
    # again per question cost 42 ms for 50 questions over 42 sources.
    import nodes.faq

    sources = [*FILLER, *ENERGY_SOURCES]
    questions = [f"What does it say about {s['title'].lower()}?" for s in sources] * 5
    expected = [sources_for(q, sources, 2_000) for q in questions]
    reads: list[str] = []
    real = nodes.faq._words
    monkeypatch.setattr(nodes.faq, "_words", lambda text: reads.append(text) or real(text))
    assert nodes.faq.sources_per_question(questions, sources, 2_000) == expected
    assert len(reads) == 2 * len(sources) + len(questions)  # titles and contents once, each question once


async def test_a_faq_over_many_sources_answers_from_the_right_ones_for_fewer_tokens(settings: Settings) -> None:
    graph = build_faq().compile()
    sources = [*FILLER, *ENERGY_SOURCES]
    payload = {"sources": sources, "num_questions": 6}
    whole = await graph.ainvoke(payload, context=settings.model_copy(update={"faq_context_chars": 1_000_000}))
    budget = await graph.ainvoke(payload, context=settings.model_copy(update={"faq_context_chars": 1_000}))
    assert [(e["answer"], e["sources"]) for e in budget["faq"]] == [(e["answer"], e["sources"]) for e in whole["faq"]]

    def answer_tokens(out: dict[str, object]) -> int:
        return sum(c["input_tokens"] for c in out["ledger"] if c["stage"] in ("answer", "attribute"))  # type: ignore[attr-defined, index]

    assert answer_tokens(budget) < 0.7 * answer_tokens(whole)
