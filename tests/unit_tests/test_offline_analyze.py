"""The offline analysis skills: entity types without name lists, dates with days, neutral tone."""

from __future__ import annotations

import sys

from offline.text import basics, entities, keywords, sentiment, summarize
from offline.text.basics import sentence_words, sentences, stem, tokens

summarize_module = sys.modules["offline.text.summarize"]  # the package exports the function under that name


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


REVIEW = (
    "Harbourline Ferries cut its crossing times in May, and passengers praised the friendly crews. "
    "However, the booking app was slow and confusing, and several customers complained about refunds. "
    "The operator's chief executive, Dr. Tomas Reyne, said a new app would launch in Bergen next year."
)


def test_the_shared_words_of_a_document_are_what_each_analysis_would_read_alone() -> None:
    # sentiment and summary read each sentence's tokens and stems from one shared, per-text computation
    shared = sentence_words(REVIEW)
    assert shared == tuple((tuple(tokens(s)), tuple(stem(t) for t in tokens(s))) for s in sentences(REVIEW))


def test_analyses_are_the_same_from_cold_and_warm_caches() -> None:
    def analyse(text: str) -> tuple[object, ...]:
        return sentiment(text), entities(text), summarize(text, max_sentences=2), keywords(text)

    other = REVIEW.replace("slow and confusing", "quick and clear").replace("complained about", "asked for")
    for cached in (sentence_words, basics._sentences, summarize_module._ranked):
        cached.cache_clear()
    cold = [analyse(REVIEW), analyse(other)]
    warm = [analyse(REVIEW), analyse(other)]  # every per-text cache now holds both texts
    assert warm == cold
    assert cold[0][0][0] == "mixed" and cold[1][0][0] == "positive"  # the two texts differ where it shows


def test_a_capital_inside_a_surname_does_not_make_a_product() -> None:
    found = dict(entities("We thanked MacAllister for the audit. Later, the inspector, Rosa O'Connell, signed it."))
    assert found.get("MacAllister") == "PERSON"
    assert found.get("Rosa O'Connell") == "PERSON"


def test_two_word_names_take_their_type_from_the_words_in_and_around_them() -> None:
    found = dict(
        entities(
            "The board of Jensen met on Monday with Tarnby Energy and the Ministry of Housing. "
            "Velsa Oy and Brannock AB will supply the Qorvel Harbour site, while the Okafor team moves "
            "to Kelso Cloud as its hosting provider. Customers upgraded to Aster Pro and ordered Miro Dock. "
            "Chief Financial Officer Petra Lundgren presented the budget, which the Head of Procurement approved."
        )
    )
    assert found.get("Jensen") == "ORGANIZATION"  # "the board of ...", though Jensen is a surname
    assert found.get("Tarnby Energy") == "ORGANIZATION"  # an industry word ends the name
    assert found.get("Ministry of Housing") == "ORGANIZATION"  # a government word
    assert found.get("Velsa Oy") == "ORGANIZATION" and found.get("Brannock AB") == "ORGANIZATION"  # legal forms
    assert found.get("Okafor") == "ORGANIZATION"  # "the ... team", though Okafor is a surname
    assert found.get("Kelso Cloud") == "ORGANIZATION"  # "... as its hosting provider"
    assert found.get("Aster Pro") == "PRODUCT"  # a product line's word
    assert found.get("Miro Dock") == "PRODUCT"  # "ordered ..."
    assert found.get("Petra Lundgren") == "PERSON"  # the role before the name
    assert "Chief Financial Officer" not in found and "Procurement" not in found  # a role is not an entity


def test_money_in_any_common_currency_code() -> None:
    found = dict(entities("The refund was SEK 12,500, the fee 900 DKK and the grant 3 million euros."))
    assert found == {"SEK 12,500": "MONEY", "900 DKK": "MONEY", "3 million euros": "MONEY"}


def test_job_names_headings_and_numbered_parts_are_not_entities() -> None:
    found = dict(
        entities(
            "WEEKLY UPDATE. Our Project Manager reported delays. The Quality Assurance Lead agreed. "
            "Item 3: the Finance Director will brief Fernhill Foods Ltd. "
            "The scanners use Bluetooth and the forms follow GDPR."
        )
    )
    assert found == {"Fernhill Foods Ltd": "ORGANIZATION"}


def test_a_job_or_title_before_a_name_makes_a_person_and_the_body_after_of_is_apart() -> None:
    found = dict(
        entities(
            "Site Supervisor Olu Bankole met Councillor Morag Tulloch of Perth County Council. "
            "The Department for Education and Head Office approved. Lake Vyrnwy is nearby."
        )
    )
    assert found["Olu Bankole"] == "PERSON"
    assert found["Morag Tulloch"] == "PERSON"
    assert found["Perth County Council"] == "ORGANIZATION"
    assert found["Department for Education"] == "ORGANIZATION"
    assert found["Head Office"] == "ORGANIZATION"
    assert found["Lake Vyrnwy"] == "LOCATION"


def test_teams_are_bodies_and_product_lines_are_products() -> None:
    found = dict(entities("Last week the Claims Team shipped the Harbor Range and the Solace Line to Ostrava."))
    assert found["Claims Team"] == "ORGANIZATION"
    assert found["Harbor Range"] == "PRODUCT"
    assert found["Solace Line"] == "PRODUCT"


def test_given_names_quarters_and_titles_of_a_place() -> None:
    found = dict(
        entities(
            "According to Dagny Holm, the Q3 numbers are fine. Work with Harriet Crane went well. "
            "Birchwood Analytics moved to Nimbus Cloud. The Mayor of Leeds, Ruth Ames, agreed."
        )
    )
    assert found["Dagny Holm"] == "PERSON"  # "according to" is no place's preposition
    assert found["Harriet Crane"] == "PERSON"  # a given name the lists know, though "crane" is a noun
    assert found["Q3"] == "DATE"
    assert found["Birchwood Analytics"] == "ORGANIZATION"
    assert found["Nimbus Cloud"] == "PRODUCT"
    assert found["Leeds"] == "LOCATION"
    assert found["Ruth Ames"] == "PERSON"
    assert "Mayor of Leeds" not in found


def test_capitalised_words_of_the_language_name_no_entity() -> None:
    # features and headings written with capitals are not entities; events and laws are OTHER (evals/README.md)
    found = dict(
        entities(
            "Reviewers praised the Quiet Mode feature and the new Smart Alerts panel. Action Items were agreed "
            "at the Spring Launch Event in Porto. The design follows the Building Safety Act. Verdant Payments Ltd "
            "will ship the Aster Pro soon. Rubens Quay Trust manages the Head Office. Staff flew to the Kelvor "
            "Design Summit to discuss the Marwick Accessibility Act."
        )
    )
    assert found == {
        "Spring Launch Event": "OTHER",
        "Porto": "LOCATION",
        "Building Safety Act": "OTHER",
        "Verdant Payments Ltd": "ORGANIZATION",
        "Aster Pro": "PRODUCT",
        "Rubens Quay Trust": "ORGANIZATION",
        "Head Office": "ORGANIZATION",
        "Kelvor Design Summit": "OTHER",
        "Marwick Accessibility Act": "OTHER",
    }


def test_a_job_word_alone_or_a_team_named_by_its_work_is_no_entity() -> None:
    found = dict(entities("Attendees: Ines Moreau (Product Owner) and the Platform team met the Legal department."))
    assert found == {"Ines Moreau": "PERSON"}


def test_a_headline_keeps_only_the_names_its_text_repeats() -> None:
    found = dict(
        entities(
            "Harwick Foods Buys Small Bakery Chain In Surprise Move\n\n"
            "Harwick Foods said on Monday that it had bought the chain from Elna Rusk."
        )
    )
    assert found == {"Harwick Foods": "ORGANIZATION", "Monday": "DATE", "Elna Rusk": "PERSON"}


def test_a_place_before_based_after_a_name_and_an_apposition_tell_the_type() -> None:
    found = dict(
        entities(
            "The Lyon-based Corvel Systems hired Anouk Garnier. Office: Varnstad, Portugal. We sell our new "
            "tool, Brisk Ledger, to shops. Experience with Vantor Graph is required."
        )
    )
    assert found["Lyon"] == "LOCATION" and found["Corvel Systems"] == "ORGANIZATION"
    assert found["Varnstad"] == "LOCATION"  # a place, a comma, then the country it is in
    assert found["Brisk Ledger"] == "PRODUCT"  # "our new tool, Brisk Ledger,"
    assert found["Vantor Graph"] == "PRODUCT"  # "experience with ..."


def test_dates_keep_their_weekday_out_and_clock_times_are_no_entity() -> None:
    found = entities(
        "The lift is closed on Thursday 5 March 2026 from 08:30 to 11:00 GMT, and again on Monday, 9 March."
    )
    assert found == [("5 March 2026", "DATE"), ("9 March", "DATE")]  # no "Thursday", no "GMT" organisation


def test_references_in_parts_are_identifiers() -> None:
    found = dict(
        entities("See permit HB/2024/0917, booking TR-5520-KX and quote AC-QT-2025-14. The desk is open 24/7 on 5G-NR.")
    )
    assert found == {"HB/2024/0917": "IDENTIFIER", "TR-5520-KX": "IDENTIFIER", "AC-QT-2025-14": "IDENTIFIER"}


def test_a_title_after_a_greeting_and_particles_inside_a_name() -> None:
    found = dict(
        entities(
            "Dear Dr Marguerite Olsen, thank you. Professor Ewan ap Gruffydd and Mrs Lotte de Vries met "
            "Omar bin Yusuf at the depot."
        )
    )
    assert found == {
        "Marguerite Olsen": "PERSON",  # no "Dear Dr"
        "Ewan ap Gruffydd": "PERSON",
        "Lotte de Vries": "PERSON",
        "Omar bin Yusuf": "PERSON",  # a given name the lists know lets the particle in
    }
    assert entities("The Bellini ap Roma was sold.") != [("Bellini ap Roma", "PERSON")]


def test_a_body_named_by_a_list_and_a_person_of_a_body() -> None:
    found = dict(
        entities(
            "A letter from the Ministry of Culture and Sport reached the Department for Housing, Planning and "
            "Local Government. Sarah Quinn of Holloway Freight Ltd replied. The tenants of Beech Court and the "
            "Beech Court Tenants' Association met on Carver Street."
        )
    )
    assert found == {
        "Ministry of Culture and Sport": "ORGANIZATION",
        "Department for Housing, Planning and Local Government": "ORGANIZATION",
        "Sarah Quinn": "PERSON",
        "Holloway Freight Ltd": "ORGANIZATION",
        "Beech Court": "LOCATION",  # "the tenants of ...", though a court may be a body
        "Beech Court Tenants' Association": "ORGANIZATION",
        "Carver Street": "LOCATION",
    }
    # without a body's first word, "and" and a comma still part two names
    assert dict(entities("Velsa Oy and Brannock AB signed.")) == {
        "Velsa Oy": "ORGANIZATION",
        "Brannock AB": "ORGANIZATION",
    }


def test_events_and_laws_are_other_unless_they_label_a_line() -> None:
    found = dict(entities("We will meet at the Harvest Open Day.\nNext Meeting: Tuesday"))
    assert found == {"Harvest Open Day": "OTHER", "Tuesday": "DATE"}


def test_the_words_around_a_name_tell_a_body_a_product_a_place_or_a_project() -> None:
    found = dict(
        entities(
            "Maple Works Cooperative will stock Brindle Crisp, our salted rye cracker, in all nine Hotel Orsolo "
            "rooms and in the forty Tavi Kumar branches. Guests praised the Rowan Silkline in every bathroom. "
            "The Hollin rollout is late, and payments through the Osprey Ledger failed while the Amber Alerts "
            "setting was off."
        )
    )
    assert found["Maple Works Cooperative"] == "ORGANIZATION"  # a legal form
    assert found["Brindle Crisp"] == "PRODUCT"  # ", our salted rye cracker,": the apposition's noun names a thing
    assert found["Hotel Orsolo"] == "ORGANIZATION"  # a venue's word first
    assert found["Tavi Kumar"] == "ORGANIZATION"  # "... branches"
    assert found["Rowan Silkline"] == "PRODUCT"  # "the ...": a person's name takes no article
    assert found["Hollin"] == "OTHER"  # "the ... rollout": a project
    assert found["Osprey Ledger"] == "PRODUCT"  # words of the language ending their phrase after "the"
    assert "Amber Alerts" not in found  # ... but only qualifying the noun after them: a setting


def test_an_apposition_names_a_person_or_a_place_too() -> None:
    found = dict(entities("We met Selka Andrin, our caretaker, and toured Vessby, a small village."))
    assert found == {"Selka Andrin": "PERSON", "Vessby": "LOCATION"}


def test_a_sentence_s_first_noun_an_office_and_a_pronoun_stay_out_of_names() -> None:
    found = dict(
        entities(
            "Clients of Marlow Savings Bank lost access. Health Minister Oskar Lindgren spoke, and I think "
            "Penrose & Vale LLP I spoke to agreed."
        )
    )
    assert found == {
        "Marlow Savings Bank": "ORGANIZATION",  # not "Clients of Marlow Savings Bank"
        "Oskar Lindgren": "PERSON",  # an office's word before the name
        "Penrose & Vale LLP": "ORGANIZATION",  # the pronoun "I" is no part of a name
    }


def test_a_firm_before_a_name_a_body_s_noun_after_it_and_an_address() -> None:
    found = dict(
        entities(
            "The works go to our contractor, Steinhaus Bauer, with a loan from the Velko development bank. "
            "Residents of Oak Tower, 12 Mill Road, were told."
        )
    )
    assert found == {
        "Steinhaus Bauer": "ORGANIZATION",  # "our contractor, ...,"
        "Velko": "ORGANIZATION",  # "the ... development bank"
        "Oak Tower": "LOCATION",  # words of the language, kept after "residents of"
        "12 Mill Road": "LOCATION",
    }
    assert dict(entities("The grant came from the Halden trust.")) == {"Halden": "ORGANIZATION"}


def test_nationalities_legal_forms_in_capitals_versions_and_forums() -> None:
    found = dict(
        entities(
            "The Danish cyclist Mette Holm joined Brian at the Lisbon Mobility Forum. The Breda fund invested in "
            "Skarvik AS, a Tromsø-based ferry operator, whose RouteDesk 3.1 software runs at St. Olav Clinic."
        )
    )
    assert "Danish" not in found  # a nationality before its noun
    assert found["Mette Holm"] == "PERSON" and found["Brian"] == "PERSON"  # "Brian" is no nationality
    assert found["Lisbon Mobility Forum"] == "OTHER"  # an event
    assert found["Skarvik AS"] == "ORGANIZATION"  # "AS", though "as" is a word, after "invested in"
    assert found["RouteDesk 3.1"] == "PRODUCT"  # a version number ends the name
    assert found["St. Olav Clinic"] == "ORGANIZATION"  # "St." goes on


def test_a_name_before_a_thing_a_project_s_last_word_and_a_company_s_own_line() -> None:
    found = dict(
        entities(
            "Buyers asked about the Corvina kettle and the Lumen mobile app at the Ostrava plant. The Dock "
            "Renewal Project is led by the Kirkby Tenants' Federation. Checkout accepts Samsung Pay."
        )
    )
    assert found == {
        "Corvina": "PRODUCT",  # "the ... kettle": a person's name takes no article
        "Lumen": "PRODUCT",  # "the ... mobile app": a product's noun one word on
        "Ostrava": "LOCATION",  # "the ... plant"
        "Dock Renewal Project": "OTHER",
        "Kirkby Tenants' Federation": "ORGANIZATION",
        "Samsung Pay": "PRODUCT",  # a known company's name, then a line of its own
    }


def test_titles_in_other_languages_a_venue_s_word_inside_and_a_product_before_its_noun() -> None:
    found = dict(
        entities(
            "Herr Jonas Weber and Sra. Lucía Prieto met Mme Odile Marchand at the Royal Hotel Belvedere. "
            "Orders failed while the Swallow Checkout service was down, though the Night Mode setting was on."
        )
    )
    assert found == {
        "Jonas Weber": "PERSON",
        "Lucía Prieto": "PERSON",
        "Odile Marchand": "PERSON",
        "Royal Hotel Belvedere": "ORGANIZATION",
        "Swallow Checkout": "PRODUCT",  # words of the language before a product's noun name the product
    }  # ... and before another noun only qualify it: no "Night Mode"


def test_a_surname_before_its_family_is_a_person() -> None:
    assert entities("The Wojcik family moved to Gdynia in 2019.") == [
        ("Wojcik", "PERSON"),
        ("Gdynia", "LOCATION"),
        ("2019", "DATE"),
    ]


def test_a_dateline_an_address_s_town_a_body_named_for_a_place_and_a_region() -> None:
    found = dict(
        entities(
            "TRUNDLEBY, 4 May 2026 - The licence went to Marine Works Denmark for cables to the Farro islands. "
            "Post goes to Ash House, 3 Elm Road, Kirkwall, and to buyers in Southern Europe. The Autumn Gala "
            "follows."
        )
    )
    assert found == {
        "TRUNDLEBY": "LOCATION",  # a story's place in capitals before its date
        "4 May 2026": "DATE",
        "Marine Works Denmark": "ORGANIZATION",  # a place's name inside another name
        "Farro": "LOCATION",  # "the ... islands"
        "3 Elm Road": "LOCATION",
        "Kirkwall": "LOCATION",  # the town after the street
        "Southern Europe": "LOCATION",
        "Autumn Gala": "OTHER",
    }


def test_more_offices_lodges_and_a_partner_s_sign_off() -> None:
    found = dict(
        entities(
            "Detective Ruth Calder spoke at Dunmore Sheriff Court. We stayed at Pinecrest Lodges near Ambleside. "
            "Yours faithfully, Colm Reilly, Partner"
        )
    )
    assert found == {
        "Ruth Calder": "PERSON",  # an office stripped like a title
        "Dunmore Sheriff Court": "ORGANIZATION",  # an office's word inside a body's name is no title
        "Pinecrest Lodges": "ORGANIZATION",
        "Ambleside": "LOCATION",
        "Colm Reilly": "PERSON",  # "Partner" after the name is a job, not a body
    }


def test_and_inside_a_body_s_name_of_plain_words() -> None:
    found = dict(
        entities(
            "The Fire and Rescue Authority and the Parks and Wildlife Service met Kelby and Harlow City Council. "
            "Our Sales and Marketing Director agreed."
        )
    )
    assert found == {
        "Fire and Rescue Authority": "ORGANIZATION",
        "Parks and Wildlife Service": "ORGANIZATION",
        "Harlow City Council": "ORGANIZATION",  # "Kelby" is a name: "and" does not join it to the council
        "Kelby": found.get("Kelby"),
    }
    assert "Sales and Marketing Director" not in found  # a job, not a body
