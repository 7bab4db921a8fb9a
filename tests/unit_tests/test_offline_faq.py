"""The FAQ engine: answers to questions worded unlike their sources, refusals for what they do not cover."""

from __future__ import annotations

import pytest

from models.offline.text import answer_question

KITCHEN = [
    (
        "Storing Food",
        "Cooked rice should go into the refrigerator within one hour and be eaten within a day. "
        "Bread keeps longer in a cool cupboard than in the refrigerator, where it goes stale quickly. "
        "Frozen meat must thaw in the refrigerator overnight, never on the counter.",
    ),
    (
        "Cleaning the Oven",
        "A paste of baking soda and water loosens burnt grease without harsh chemicals. "
        "Leave the paste on the oven walls for twelve hours before wiping it off. "
        "Never spray cleaner onto a hot oven, because the fumes are toxic.",
    ),
]


@pytest.mark.parametrize(
    ("question", "fragment", "title"),
    [
        # "fridge" is never written in the sources: WordLlama finds "refrigerator".
        ("Should bread go in the fridge?", "stale", "Storing Food"),
        ("Why shouldn't I spray cleaner on a hot oven?", "toxic", "Cleaning the Oven"),
    ],
)
def test_questions_worded_unlike_the_sources_are_answered(question: str, fragment: str, title: str) -> None:
    answer, titles = answer_question(question, KITCHEN)
    assert answer is not None and fragment in answer, answer
    assert titles[0] == title


@pytest.mark.parametrize(
    "question",
    [
        "Which brand of oven cleaner works best?",  # on topic, but brands are never discussed
        "Does Pyrex keep cooked rice cold in the refrigerator?",  # a name no source mentions
        "Can frozen meat be fed to pet snakes?",  # most of its weight is on words no source uses
    ],
)
def test_questions_the_sources_do_not_cover_are_refused(question: str) -> None:
    assert answer_question(question, KITCHEN) == (None, [])


def test_a_near_synonym_counts_as_the_sources_word() -> None:
    sources = [("Cold", "A refrigerator should be kept at four degrees. Bread is baked at two hundred degrees.")]
    assert answer_question("What temperature suits a fridge?", sources)[0] == sources[0][1].split(". ")[0] + "."


def test_a_sentence_with_the_kind_of_phrase_asked_for_stands_alone() -> None:
    sources = [("Rice", "Cooked rice is a common cause of food poisoning. Cooked rice should be eaten within a day.")]
    # Both sentences are about cooked rice; only the second says how long, so it answers alone.
    assert (
        answer_question("How long is cooked rice good for?", sources)[0] == "Cooked rice should be eaten within a day."
    )
    assert answer_question("Why is cooked rice a food risk?", sources)[0] == (
        "Cooked rice is a common cause of food poisoning."
    )
