"""Translation: never an English word passed off as translated."""

from __future__ import annotations

import re

import pytest

from offline.text import translate

NOTES = {
    "es": "Sin traducir (en inglés): ",
    "fr": "Non traduit (en anglais) : ",
    "de": "Nicht übersetzt (Englisch): ",
    "it": "Non tradotto (in inglese): ",
}
SUMMARY = (
    "Greenleaf Foods opened a new factory in Lyon on Monday. The company expects strong demand, "
    "but rising energy costs remain a serious risk."
)


@pytest.mark.parametrize("lang", sorted(NOTES))
def test_every_word_left_in_english_is_bracketed_and_listed(lang: str) -> None:
    out = translate(SUMMARY, lang)
    body, _, note = out.partition("\n\n")
    bracketed = re.findall(r"\[([^\]]+)\]", body)
    assert bracketed, "this summary has words outside the lexicon"
    assert note.startswith(NOTES[lang])
    assert note.removeprefix(NOTES[lang]).split(", ") == list(dict.fromkeys(bracketed))
    # Names are kept as written and not marked; the weekday is translated.
    assert "Greenleaf Foods" in body and "Lyon" in body and "[Greenleaf" not in body
    assert "Monday" not in body


def test_a_sentence_inside_the_lexicon_has_no_note() -> None:
    out = translate("The energy is renewable and the costs are low.", "es")
    assert out == "La energía es renovable y los costos son bajos."


def test_no_unbracketed_english_word_survives() -> None:
    # Every lowercase ASCII word of the output is Spanish or bracketed: none of the source's
    # English content words comes through bare.
    source = "The new wind turbines produce more electricity, but the local residents complain about the noise."
    out = translate(source, "es")
    body = out.partition("\n\n")[0]
    bare = set(re.sub(r"\[[^\]]+\]", " ", body).lower().split()) & {
        "wind",
        "turbines",
        "produce",
        "electricity",
        "local",
        "residents",
        "complain",
        "noise",
        "new",
    }
    assert bare == set(), out
