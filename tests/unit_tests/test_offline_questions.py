"""FAQ question generation: every question grammatical, asked the way its sentence's shape asks it."""

from __future__ import annotations

import pytest

from app.evaluate import question_problems
from models.offline.text import answer_question, generate_questions

OFFICE = [
    (
        "Desk Set-up",
        "Your monitor should sit an arm's length away, with the top of the screen at eye level. "
        "Chairs with adjustable lumbar support reduce lower back strain. Keep your wrists straight while typing. "
        "A footrest is useful when your feet do not reach the floor.",
    ),
    (
        "Taking Breaks",
        "Stand up and move for a few minutes every half hour. Looking at something twenty feet away "
        "for twenty seconds relaxes the eye muscles. Short walks after lunch improve concentration in the afternoon.",
    ),
    (
        "Lighting",
        "Natural light is the best light for a home office. Place the desk beside a window, not facing it, "
        "to avoid glare on the screen. In the evening, a warm desk lamp is easier on the eyes than a bright "
        "ceiling light.",
    ),
]
TOMATOES = [
    (
        "Planting Tomatoes",
        "Tomato seedlings are planted outdoors after the last frost. Each plant needs a sturdy stake "
        "or cage. Pinch out the side shoots that grow between the stem and the leaves. Do not water the leaves, "
        "because wet foliage spreads blight.",
    ),
    (
        "Harvesting",
        "Tomatoes are picked when they are fully coloured and slightly soft. Green tomatoes can be ripened "
        "indoors on a sunny windowsill. The harvest usually lasts until the first autumn frost.",
    ),
]


@pytest.mark.parametrize("sources", [OFFICE, TOMATOES], ids=["office", "tomatoes"])
def test_every_generated_question_is_grammatical_and_answered_by_its_sources(
    sources: list[tuple[str, str]],
) -> None:
    questions = generate_questions(sources, 20)
    assert len(questions) >= 6
    for question in questions:
        assert question_problems(question) == [], question
        assert not question.lower().startswith("what is said about")
        assert answer_question(question, sources)[0] is not None, question


@pytest.mark.parametrize(
    ("sources", "question"),
    [
        (TOMATOES, "Should you water the leaves?"),  # negative imperative -> should you ...?
        (TOMATOES, "When are tomatoes picked?"),  # passive + "when" clause -> when ...?
        (TOMATOES, "What does each plant need?"),  # -s verb + object -> what does ... need?
        (OFFICE, "Where should you place the desk?"),  # imperative + place -> where should you ...?
        (OFFICE, "What do short walks after lunch improve?"),  # "Short walks": a noun, not "walks" the verb
        (OFFICE, "Is a footrest useful when your feet do not reach the floor?"),  # the inner "not" stays
    ],
)
def test_a_sentence_is_asked_the_way_its_shape_asks(sources: list[tuple[str, str]], question: str) -> None:
    assert question in generate_questions(sources, 20)
