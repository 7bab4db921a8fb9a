"""Report findings (risks, opportunities, requirements) and noun-phrase topics on realistic text."""

from __future__ import annotations

import pytest

from offline.text import cue_sentences, topics
from offline.text.findings import findings
from offline.text.phrases import noun_phrases

STATUS = (
    "The clinic's new booking system went live in March. "
    "The root cause of last week's outage was an expired security certificate. "
    "Staff turnover has risen sharply since the winter, and two of our three nurses may leave next year. "
    "Waiting times fell by a fifth after the change. "
    "Patient numbers are growing steadily in the new housing districts. "
    "A regional health fund could cover half the cost of a second consulting room. "
    "Every patient record must be stored on servers inside the country, and staff have to renew their "
    "first-aid certificate every two years. "
    "We may need to hire an agency nurse in August."
)


def test_each_finding_lands_in_its_own_list() -> None:
    found = findings(STATUS)
    risks, chances, rules = found["risk"], found["opportunity"], found["requirement"]
    assert any("expired security certificate" in r for r in risks)  # a root cause is a risk ...
    assert not any("root cause" in c for c in chances)  # ... and never an opportunity
    assert any("Staff turnover has risen sharply" in r for r in risks)  # a bad quantity going up
    assert any("growing steadily" in c for c in chances)  # a good quantity growing now
    assert any("could cover half the cost" in c for c in chances)  # a hedge naming no harm
    assert not any("Waiting times fell" in r for r in risks)  # a bad quantity going down is no risk
    assert any("must be stored on servers" in q for q in rules)
    assert any("have to renew" in q for q in rules)
    assert not any("may need to hire" in q for q in rules)  # hedged need is no rule
    assert not any("went live" in x for xs in found.values() for x in xs)  # a plain fact is none of them


def test_a_sentence_mixing_kinds_is_split_into_its_clauses() -> None:
    text = "While the initial installation cost can be high, government grants make the project viable."
    assert cue_sentences(text, "risk") == ["the initial installation cost can be high"]
    assert cue_sentences(text, "opportunity") == ["government grants make the project viable."]


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="risk"):
        cue_sentences(STATUS, "weather")


def test_noun_phrases_stop_at_verbs_and_drop_determiners() -> None:
    phrases = [" ".join(p) for p in noun_phrases("Rising energy costs remain a serious risk for the board.")]
    assert phrases == ["Rising energy costs", "serious risk", "board"]
    # "fell" and "pushes" are verbs here, not the last words of a noun phrase
    assert noun_phrases("Operating margin fell to 4%.") == [["Operating", "margin"]]
    assert ["delay"] in noun_phrases("Every week of delay pushes back the launch.")


def test_topics_are_noun_phrases_not_frequent_single_words() -> None:
    names = [name for name, _ in topics(STATUS)]
    assert all(" " in name for name in names[:3]), names
    assert "booking system" in " | ".join(names) or "security certificate" in " | ".join(names)
    assert not {"Rising", "Company", "Staff"} & set(names)


def test_a_hedge_is_a_prospect_unless_it_names_a_harm() -> None:
    assert cue_sentences("The council could open a second depot next year.", "opportunity")
    assert not cue_sentences("The council could open a second depot next year.", "risk")
    assert cue_sentences("Heavy rain could cause long delays on the coast line.", "risk")


@pytest.mark.parametrize(
    "sentence",
    [
        "A second audit is needed before the merger closes.",
        "Backups are essential for every team.",
        "Visitors should sign in at the front desk.",
    ],
)
def test_necessity_and_advice_are_requirements(sentence: str) -> None:
    assert cue_sentences(sentence, "requirement") == [sentence]
