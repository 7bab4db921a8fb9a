"""FAQ question generation: every question grammatical, asked the way its sentence's shape asks it."""

from __future__ import annotations

import re

import pytest

from app.evals.grammar import question_problems
from offline.text import answer_question, generate_questions
from offline.text import questions as questions_module

OFFICE = [
    (
        "Desk Set-up",
        "Your monitor should sit an arm's length away, with the top of the screen at eye level. "
        "Chairs with adjustable lumbar support reduce lower back strain. Keep your wrists straight while typing. "
        "A footrest is useful when your feet do not reach the floor; it takes pressure off the thighs.",
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
    assert len(questions) >= 5  # one per sentence at most, and no yes/no question that only restates one
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


STATION = [
    (
        "At the Station",
        "Several trains run every hour between the two cities. The staff are trained to handle complaints "
        "politely. Lockers are available near the main entrance. Bicycles are carried free on weekend services. "
        "Tickets can be bought online or at the ticket office. Two weeks are needed to process a refund request.",
    ),
    (
        "Refunds",
        "Refunds are paid to the card used for the booking. A refund request must be made within thirty days "
        "of travel. Delayed passengers can claim half the fare back. Passengers can claim the full fare when a "
        "train is cancelled.",
    ),
]


def _content(text: str) -> set[str]:
    return {t for t in text.lower().replace("?", " ").replace(".", " ").split() if len(t) > 3}


def test_questions_neither_restate_their_answer_nor_each_other() -> None:
    questions = generate_questions(STATION, 20)
    assert len(questions) >= 4
    for question in questions:
        assert question_problems(question) == [], question
        answer = answer_question(question, STATION)[0]
        assert answer is not None, question
        if question.split()[0].lower() in {"is", "are", "can", "do", "does", "must", "should"}:
            # a yes/no question leaves something for its answer to say
            assert len(_content(answer) - _content(question)) >= 2, (question, answer)
    for i, first in enumerate(questions):
        for second in questions[i + 1 :]:
            shared = _content(first) & _content(second)
            assert len(shared) / len(_content(first) | _content(second)) < 0.6, (first, second)
    # a time is no object, and "trained to handle" is a purpose, not a thing: neither is asked as one
    assert "What do several trains run?" not in questions
    assert "What are the staff trained to?" not in questions


@pytest.mark.parametrize(
    ("question", "grammatical"),
    [
        ("Does two cables are loose?", False),  # a second finite verb, and "does" with a plural
        ("Do the kettle boil quickly?", False),
        ("Does three members check the tickets?", False),
        ("Do the bus drivers check tickets?", True),
        ("Does the guard tell you when the doors are closing?", True),  # the second verb has its own clause
        ("Do you need a ticket for a dog?", True),
        ("Does a greasy box cannot be recycled?", False),  # a negated modal is a finite verb too
        ("Does a cracked mug can't go in the bottle bank?", False),
        ("Do tyres wear faster when they aren't pumped up?", True),  # inside its own clause
    ],
)
def test_a_question_built_with_do_agrees_with_its_subject(question: str, grammatical: bool) -> None:
    assert questions_module._grammatical(question) is grammatical


@pytest.mark.parametrize(
    ("sentence", "question"),
    [
        (
            "Never put batteries in household bins, because they can start fires.",
            "Should you put batteries in household bins?",
        ),
        ("Never leave a dog in a parked car on a warm day.", "Should you leave a dog in a parked car on a warm day?"),
        ("Do not burst blisters.", "Should you burst blisters?"),
    ],
)
def test_a_negated_imperative_keeps_its_place(sentence: str, question: str) -> None:
    words = re.findall(r"[\w'’%$€£.-]+|[,—–()]", sentence.rstrip("."))
    assert questions_module._imperative(words) == question
