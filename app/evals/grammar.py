"""Grammar of a generated FAQ question: the checks a question must pass to be good English."""

from __future__ import annotations

import itertools
import re
from typing import Any

_INTERROGATIVE = frozenset(
    """
    what how why when where who whom whose which is are was were am do does did can could should would
    will shall may might must has have had
    """.split()
)
# A question ending on one of these has lost its object ("What is the key to the?").
_DANGLING = frozenset(
    "the a an and or but nor of my your our their its his her this these those that which whose very".split()
)
# Wording that talks about the sources instead of asking what they say.
_META = re.compile(
    r"\b(?:the|this|that|these)\s+(?:source|sources|text|document|passage|article)s?\s+(?:say|says|said|mention|tell)"
    r"|\baccording to the (?:source|text|document|passage|article)\b"
    r"|^what\s+(?:is|was|are)\s+(?:said|written|mentioned|stated)\s+(?:about|of|on)\b",
    re.IGNORECASE,
)
# A clause opener where the subject should be: "How is when magma reaches ...", "What does even if ...".
_CLAUSE_AS_SUBJECT = re.compile(
    r"^(?:what|how|why|when|where|who|which)\s+(?:is|are|was|were|do|does|did|can|could|should|will|would|must|may)"
    r"\s+(?:even\s+)?(?:when|if|because|while|although|though|whether|unless|since|once|where|why|how|what|who)\b",
    re.IGNORECASE,
)
# "How is it called?" is a calque: English asks what something is called.
_HOW_CALLED = re.compile(r"^how\s+(?:is|are|was|were)\b.*\b(?:called|named)$", re.IGNORECASE)
# "How"/"why"/"when" cannot be the object of a preposition, so none can end the question
# ("How is the ideal temperature between?"); "what", "which", "who", "where" and "how much/many" can.
_NO_STRANDING = re.compile(r"^(?:how(?!\s+(?:much|many|long|often|far))|why|when)\b", re.IGNORECASE)
_PREPOSITIONS = frozenset(
    """
    about above across after against along among around at before behind below beneath beside between beyond by
    despite during for from in inside into near of off on onto out outside over past since through throughout
    to toward towards under until up upon via with within without
    """.split()
)
_NOMINATIVE = frozenset("i he she we they it".split())
_FUNCTION = (
    _INTERROGATIVE
    | _PREPOSITIONS
    | frozenset(
        "and or but so if when while because although though that which who whom whose whether unless since once"
        " not".split()
    )
)
_DO_SUPPORT = re.compile(r"^(?:what|how|why|when|where|who|which)\s+(?:do|does|did)\s+(?P<rest>.*)$", re.IGNORECASE)


def question_problems(question: str) -> list[str]:
    """Return why a question is not a grammatical English question; an empty list means it passes.

    The checks: one question mark, at the end; an opening interrogative word or auxiliary; 3 to 30
    words; no adjacent repeated word; no dangling determiner, conjunction or 'of' before the mark;
    no talk about "the source" or about what "is said about" something; after "wh- + do/does/did",
    a subject and a verb (two more words), and no third-person "-s" form right after a one-word
    subject ("What does it takes?"); no clause opener where the subject belongs ("How is when ...");
    no "How is X called?"; no preposition ending a how/why/when question; no subject pronoun
    glued to a noun before a verb ("... the surface it called"); and no second finite verb inside a
    wh-question's subject ("What is the poke test tells you ...?", checked with LemmInflect's tables).
    """
    problems: list[str] = []
    text = " ".join(question.split())
    words = re.findall(r"[A-Za-z0-9'’-]+", text)
    if not text.endswith("?") or text.count("?") != 1:
        problems.append("does not end with a single question mark")
    if not words or words[0].lower() not in _INTERROGATIVE:
        problems.append("does not open with an interrogative word or auxiliary")
    if not 3 <= len(words) <= 30:
        problems.append(f"has {len(words)} words (3 to 30 expected)")
    lowered = [w.lower() for w in words]
    if any(a == b for a, b in itertools.pairwise(lowered)):
        problems.append("repeats a word")
    if lowered and lowered[-1] in _DANGLING:
        problems.append(f"ends on {words[-1]!r}")
    if _META.search(text):
        problems.append("asks about the source instead of the subject")
    do = _DO_SUPPORT.match(text.rstrip("?"))
    if do:
        rest = re.findall(r"[A-Za-z0-9'’-]+", do["rest"])
        if len(rest) < 2:
            problems.append("has do-support without a subject and a verb")
        elif len(rest) == 2 and rest[1].lower().endswith("s") and not rest[1].lower().endswith("ss"):
            problems.append(f"inflects the verb after do-support ({rest[1]!r})")
    bare = text.rstrip("?").strip()
    if _CLAUSE_AS_SUBJECT.match(bare):
        problems.append("has a clause where the subject should be")
    if _HOW_CALLED.match(bare):
        problems.append("asks 'how' something is called (English asks 'what')")
    if lowered and lowered[-1] in _PREPOSITIONS and _NO_STRANDING.match(bare):
        problems.append(f"strands {words[-1]!r} after a how/why/when question")
    for before, pronoun, after in zip(lowered, lowered[1:], lowered[2:], strict=False):
        if pronoun in _NOMINATIVE and before not in _FUNCTION and _can_be_noun(before) and _is_verb_form(after):
            problems.append(f"runs two clauses together ('{before} {pronoun} {after}')")
            break
    if lowered and lowered[0] in _WH and len(lowered) > 3:
        body = lowered[2:]
        cut = next((i for i, w in enumerate(body) if w in _FUNCTION), len(body))
        finite = [w for w in body[:cut] if _only_finite_verb(w)]
        if finite and lowered[1] in ("is", "are", "was", "were", "does", "do", "did"):
            problems.append(f"has a second finite verb ({finite[0]!r})")
    return problems


_WH = frozenset("what how why when where who which whose".split())


def _lemmas(word: str) -> dict[str, Any]:
    import lemminflect  # the tables load on first use: only scoring FAQ questions needs them

    found: dict[str, Any] = lemminflect.getAllLemmas(word)
    return found


def _can_be_noun(word: str) -> bool:
    found = _lemmas(word)
    return not found or "NOUN" in found or "PROPN" in found


def _is_verb_form(word: str) -> bool:
    return "VERB" in _lemmas(word) and word not in _FUNCTION


def _only_finite_verb(word: str) -> bool:
    """Tell whether a word can only be a finite lexical verb: "tells", "develops", "reaches"."""
    import lemminflect

    found = _lemmas(word)
    if set(found) != {"VERB"}:
        return False
    forms = {
        tag
        for lemma in found["VERB"]
        for tag, spelled in lemminflect.getAllInflections(lemma).items()
        if word in spelled
    }
    return bool(forms) and forms <= {"VBZ", "VBD"} and not (forms == {"VBD"} and word.endswith("ed"))
