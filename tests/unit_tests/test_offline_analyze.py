"""The offline analysis skills: entity types without name lists, dates with days, neutral tone."""

from __future__ import annotations

from models.offline.text import entities, sentiment


def test_names_outside_the_built_in_lists_are_typed_from_context() -> None:
    found = dict(
        entities(
            "The new depot of Quillon Freight opened in Tarragona on 4 March. Operations chief Ines Valdora said "
            "the contract with Marvoy will double capacity. Trucks leave daily for the Ebro valley."
        )
    )
    assert found.get("Tarragona") == "LOCATION"
    assert found.get("Ines Valdora") == "PERSON"
    assert found.get("4 March") == "DATE"
    assert found.get("Quillon Freight") == "ORGANIZATION"  # "... opened", not a person's name
    assert found.get("Marvoy") == "ORGANIZATION"  # "the contract with Marvoy"
    assert found.get("Ebro") == "LOCATION"  # "the Ebro valley"
    assert "OTHER" not in found.values()


def test_context_types_a_name_no_list_or_vote_knows() -> None:
    # "Quendal" and "Kelderwick" get no nearest-meaning vote: only the words around them decide.
    found = dict(entities("The firm opened new offices in Quendal last spring. CEO Kelderwick said sales doubled."))
    assert found == {"Quendal": "LOCATION", "Kelderwick": "PERSON"}


def test_factual_reports_of_solved_problems_and_rules_are_neutral() -> None:
    incident = (
        "The booking service was unavailable for twenty minutes on Tuesday after a faulty certificate expired. "
        "The on-call engineer replaced the certificate and the service recovered. A renewal reminder must now "
        "be set for every certificate."
    )
    assert sentiment(incident)[0] == "neutral"
    solved = (
        "The outage was caused by a faulty cable and a missing backup. The delay affected some orders. "
        "The problem was fixed the same day."
    )
    assert sentiment(solved)[0] == "neutral"
    assert sentiment("The staff were rude and the room was filthy. Never again.")[0] == "negative"
