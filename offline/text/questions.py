"""FAQ question generation: grammatical questions that one sentence of the sources answers.

Each sentence is read shallowly. Lead-in clauses ("If you bake only on weekends, ...") are dropped,
then the clause is split into subject, verb group and rest at its first finite verb, found with
the part-of-speech tables of `lexemes` and subject-verb agreement: in "The poke test tells you"
the head "test" is singular, so the verb is the -s form "tells", not "test". A question is made
only when the parts have one of these shapes, each asked the way English asks it:

    copula + participle    Shaped loaves are proofed in baskets   -> Where are shaped loaves proofed?
    copula + "the ..."     Spring is the best time to repot       -> What is the best time to repot?
    copula + "a ..."       A starter is a mixture of flour        -> What is a starter?
    copula + value         The ideal temperature is 90 degrees    -> What is the ideal temperature?
    modal + be + participle The starter can be stored in a fridge -> Where can the starter be stored?
    modal + verb + object  Members can borrow up to ten items     -> How many items can members borrow?
    verb + object          A manager generates a password         -> What does a manager generate?
    imperative             Cool the burn for twenty minutes       -> How long should you cool the burn?
    negative imperative    Do not burst any blisters              -> Should you burst any blisters?
    yes/no                 Folding bicycles are carried free      -> Are folding bicycles carried free?
    purpose clause         ... to ensure a steady supply          -> What is needed to ensure a steady supply?

The question word follows the complement: a time cue asks "when" or "how long", a place "where",
a count "how many", "with" + tool "what ... with". A shape that matches nothing gives no
question: there is no catch-all template ("What is said about X?" asked nothing a reader would).
A question is kept only when the engine's own answering step, given it, finds the sentence it
came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from offline.text import lexemes
from offline.text.basics import sentences
from offline.text.faq import _answer, _terms, index_of

_BE = frozenset("is are was were".split())
_MODALS = frozenset("can could may might must should will would shall".split())
_DO = frozenset("do does did".split())
_HAVE = frozenset("has have had".split())
_AUX = _BE | _MODALS | _DO | _HAVE
_DETERMINERS = frozenset(
    "the a an this these that those my your our their its his her each every some any all both no most many several"
    " such another".split()
)
_PREPOSITIONS = frozenset(
    """
    in on at for with from by of to into onto over under between through during after before around about
    against without within near across along behind beyond toward towards per via up down off out inside
    outside upon than like as beside besides beneath below above next throughout
    """.split()
)
_SUBORDINATORS = frozenset(
    "if when whenever while although though because since unless until once whereas where so but and or".split()
)
_PRONOUNS = frozenset("it they he she we you i there this that these those one".split())
_NUMBERS = frozenset(
    """
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen
    eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million half
    """.split()
)
_NEGATIONS = frozenset({"not", "never", "n't"})
_RELATIVES = frozenset("who which that whose whom".split())
# Words that never sit inside a noun phrase (its determiner is checked separately).
_CLOSED = (
    _AUX
    | (_PREPOSITIONS - {"of"})
    | (_SUBORDINATORS - {"and"})
    | _NEGATIONS
    | _RELATIVES
    | _PRONOUNS
    | frozenset("what how why not also only just even very too".split())
)
# Complements that show what a question should ask for.
_LOCATION_PREPS = frozenset(
    "in at on inside outside near into onto under behind across along around beside next within".split()
)
_TIME_OPENERS = frozenset("when whenever once after before until during every daily weekly monthly yearly".split())
_UNITS = r"(?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?)"
_DURATION = re.compile(
    rf"^(?:for|within)\s+(?:at\s+least\s+|up\s+to\s+|about\s+|around\s+)?\S+(?:\s+\S+)?\s+{_UNITS}\b"
)
# How long something takes: "3 to 5 business days", "about two hours".
_SPAN = re.compile(rf"^(?:about\s+|around\s+|up\s+to\s+)?\S+\s+(?:to\s+\S+\s+)?(?:\S+\s+)?{_UNITS}\b")
# A time by which something happens: "within 5 business days", "in 2027", "after the journey".
_DEADLINE = re.compile(
    rf"\b(?:within|after|before|by|in)\s+(?:\S+\s+){{0,2}}{_UNITS}\b|\b(?:in|by|before|until)\s+(?:19|20)\d\d\b"
)
_FREQUENCY = re.compile(
    rf"\b(?:once|twice|daily|weekly|monthly|yearly|annually)\b|\bevery\s+(?:\S+\s+)?{_UNITS}"
    rf"|\b\w+\s+times?\s+a\s+{_UNITS}"
)
_LEAD_IN = re.compile(
    r"^(?:(?:even\s+)?(?:while|although|though|because|since|as|when|whenever|if|whereas|after|before|once|unless"
    r"|in|on|at|for|with|during|over|today|currently|by)\b[^,]{0,100},\s*|(?:however|moreover|also|additionally"
    r"|furthermore|finally|overall|in fact|in addition|for example|for instance|as a result|therefore|instead"
    r"|otherwise|still|then),\s*)",
    re.IGNORECASE,
)
# Where a complement stops: a comma, a dash, a colon, or a word opening another clause.
_CLAUSE_END = re.compile(
    r"\s*(?:[,;:—–(]|\s-\s|\b(?:because|so that|which|while|whereas|but|although|unless|except)\b).*$", re.IGNORECASE
)
_PURPOSE = re.compile(
    r"\bto\s+(?P<verb>ensure|achieve|provide|maintain|reduce|balance|improve|increase|support|protect|prevent"
    r"|avoid|meet|guarantee|enable|keep|lower|cut|boost|secure|deliver)\s+(?P<obj>[^,;.—:]+)",
    re.IGNORECASE,
)
# Words tagged adverb that carry the question's shape and are never skipped as mere adverbs.
_KEPT = frozenset("when where once then there here as so not never up down out off on in away back".split())
# Nouns after "in"/"on" that make an idiom, not a place: "in advance", "on time".
_NOT_PLACES = frozenset(
    "advance time general particular total fact addition short person turn average size number value price length"
    " weight volume height width depth midnight noon night dawn dusk weekend weekends morning evening afternoon"
    " summer winter spring autumn".split()
)
# Nouns that make a time, not a thing acted on: "run every hour", "grows every summer".
_TIME_NOUNS = frozenset(
    "second minute hour day night week month year morning evening afternoon weekend summer winter spring autumn"
    " season time".split()
)
_NEEDED = re.compile(
    r"\b(?P<be>is|are)\s+(?:also\s+)?(?P<adj>crucial|essential|important|vital|necessary|key)\s+(?P<prep>for|to)\s+"
    r"(?P<rest>.+)$",
    re.IGNORECASE,
)
_WHERE_ADJECTIVES = frozenset("available located situated based found sold accessible open".split())
# Words after an object that make it a measure, not a thing acted on: "sit an arm's length away".
_MEASURE_AFTER = frozenset("away ago long apart wide deep high tall old later earlier".split())
_NEED_ADJECTIVES = frozenset("crucial essential important vital necessary key critical".split())
_TITLE_LEAD = re.compile(
    r"^(?:(?:the\s+)?(?:benefits|advantages|basics|importance|future|role|history|science|economics|overview"
    r"|introduction|guide|case)\s+(?:of|to|for)\s+|(?:understanding|exploring|introducing|about)\s+)",
    re.IGNORECASE,
)
MAX_SUBJECT_WORDS = 10  # a longer "subject" is almost always a misread clause
MAX_COMPLEMENT_WORDS = 10  # yes/no questions repeat their complement: keep it readable


@dataclass(frozen=True)
class _Clause:
    subject: list[str]  # as written, first word lower-cased unless a name
    verb: str  # the finite word: an auxiliary, a modal or a lexical verb, lower case
    rest: list[str]  # the words after it, as written


def _low(word: str) -> str:
    return word.lower().replace("’", "'")


def _is_number(word: str) -> bool:
    return any(c.isdigit() for c in word) or _low(word) in _NUMBERS or _low(word).split("-")[0] in _NUMBERS


def _nominal(word: str) -> bool:
    """Tell whether a word can sit inside a noun phrase (noun, adjective, participle, number, name)."""
    low = _low(word)
    if not re.match(r"^[\w$€£]", word) or low in _CLOSED:
        return False
    if _is_number(word) or word[:1].isupper() or "-" in low or low in ("of", "and"):
        return True
    found = lexemes.tags(low)
    return bool(found & {"NN", "NNS", "JJ", "VBN", "VBG"})


def _noun_phrase(words: list[str], modified: bool = False) -> bool:
    """Tell whether words form a noun phrase: determiner or modifiers, then a noun-capable head.

    With `modified`, the head may be followed by a prepositional phrase or a relative clause
    ("the main challenge for wind energy", "homeowners who install solar panels"); only the part
    before it is checked, and the whole must hold no comma.
    """
    if not words or len(words) > MAX_SUBJECT_WORDS:
        return False
    if "," in words:
        # Only a list may hold commas, and it ends with "and"/"or": "the face, hands, feet or genitals".
        last = len(words) - 1 - words[::-1].index(",")
        if not any(_low(w) in ("and", "or") for w in words[last:]) or words[-1] == ",":
            return False
    if modified:
        cut = next(
            (
                i
                for i, w in enumerate(words)
                if i
                and (
                    _low(w) in _RELATIVES | (_PREPOSITIONS - {"of"})
                    or (_low(w) == "such" and i + 1 < len(words) and _low(words[i + 1]) == "as")
                    or (lexemes.tags(_low(w)) <= {"VBN", "VBG", "VBD"} and lexemes.is_noun(_low(words[i - 1])))
                )
            ),
            None,
        )
        opening = cut + (_low(words[cut]) == "such") if cut else 0
        if cut and _low(words[opening]) in _PREPOSITIONS and not _noun_phrase(words[opening + 1 :], modified=True):
            return False  # "Aim for roughly two or three": the phrase after the preposition is no noun phrase
        words = words[:cut] if cut else words
    body = [w for w in (words[1:] if _low(words[0]) in _DETERMINERS else words) if w != ","]
    if not body or _low(body[-1]) in ("of", "and", "or"):
        return False
    head = _low(body[-1])
    gerund = "VBG" in lexemes.tags(head) and len(body) > 1  # "standard shipping", "regular cooling"
    # A modifier may be a verb's base form in a two-word compound: "cling film", "swim shorts"
    # (in a longer run it is more likely an imperative: "Avoid names, birthdays and words").
    compound = len(body) == 2
    modifiers_ok = all(
        _nominal(w) or _low(w) == "or" or (compound and "VB" in lexemes.tags(_low(w))) for w in body[:-1]
    )
    return (
        modifiers_ok
        and _nominal(body[-1])
        and (lexemes.is_noun(head) or gerund or body[-1][:1].isupper() or _is_number(head))
    )


def _number(words: list[str]) -> str:
    """Return "plural", "singular" or "either" (a head such as "rounds" reads both ways) for a noun phrase."""
    head = _head(words)
    if any(_low(w) in ("and", "or") for w in head):
        return "plural"
    found = lexemes.tags(_low(head[-1])) if head else frozenset()
    if "NNS" in found:
        return "either" if "NN" in found else "plural"
    return "singular"


def _head(words: list[str]) -> list[str]:
    for i, w in enumerate(words):
        if i and (_low(w) in _RELATIVES or _low(w) in _PREPOSITIONS or _low(w) == "such"):
            return words[:i]
    return words


def _plural_head(words: list[str]) -> bool:
    """Tell whether a noun phrase is plural: a coordination, or a head noun that is only plural."""
    head = words
    for i, w in enumerate(words):
        if i and (_low(w) in _RELATIVES or _low(w) in _PREPOSITIONS or _low(w) == "such"):
            head = words[:i]
            break
    if any(_low(w) in ("and", "or") for w in head):
        return True
    found = lexemes.tags(_low(head[-1])) if head else frozenset()
    return "NNS" in found and "NN" not in found


def _split(words: list[str]) -> _Clause | None:
    """Find the first finite verb after a noun-phrase subject; None when the clause has no such shape."""
    relative = False  # inside "who/that/which ...": its own verb is not the sentence's
    for v in range(1, min(len(words), MAX_SUBJECT_WORDS + 1)):
        low = _low(words[v])
        nxt = _low(words[v + 1]) if v + 1 < len(words) else ""
        if low in _RELATIVES:
            relative = True
            continue
        anchored = low in _AUX
        if relative and _low(words[v - 1]) in _RELATIVES and lexemes.tags(low) & lexemes.VERB_FORMS:
            relative = False  # "brakes that squeal": the word after the pronoun is its clause's verb
            continue
        if not anchored:
            found = lexemes.tags(low)
            if (_low(words[v - 1]) in _DETERMINERS and not relative) or not found & {"VBZ", "VBP", "VBD"}:
                continue
            if _low(words[v - 1]) in ("and", "or", ","):
                continue  # "meat, dairy and cooked food": after a conjunction it is a modifier
            if found & {"NN", "NNS"} and nxt in _RELATIVES | _AUX:
                continue  # "disc brakes that squeal are ...": a noun followed by its clause or verb
            named = v > 1 and words[v - 1][:1].isupper()
            before = _low(words[v - 1])
            modifier = lexemes.tags(before) & {"JJ", "VBN"} and not lexemes.is_noun(before)
            opener = v == 1 and "JJ" in lexemes.tags(before)  # "Short walks ...", "Natural light ..."
            if found & {"NN", "NNS"} and (modifier or opener) and not named:
                continue  # "worn pads", "low pressure": after a modifier the word is the noun
            if "VBN" in found and _low(words[v - 1]) in ("be", "been", "being"):
                continue  # "that can be found": a participle inside a clause
            if nxt == "," and found & {"NN", "NNS", "VBN"}:
                continue  # "Pyroclastic flows, ...", "changes in the gases released, ...": no verb before a comma
            if "VBN" in found and (nxt == "by" or (lexemes.is_noun(_low(words[v - 1])) and _is_number(nxt))):
                continue  # "codes sent by text message", "children aged five": a participle, not the verb
            if _is_number(words[v - 1]) and found & {"NN", "NNS"}:
                continue  # "thirty minutes": after a number the word is the noun
            number = _number(words[:v])
            finite = ("VBZ" in found and number != "plural") or ("VBP" in found and number != "singular")
            if not (finite or "VBD" in found) or not nxt or (nxt not in _AUX and lexemes.is_only_verb(nxt)):
                continue
        if relative:
            relative = False
            continue
        subject = words[:v]
        while len(subject) > 1 and lexemes.tags(_low(subject[-1])) == frozenset({"RB"}):
            subject = subject[:-1]  # "A dry heap barely breaks down": the adverb is not the subject's
        if _low(subject[0]) in ("no", "none", "neither"):
            return None  # "No method can predict ...": a negative subject makes no question
        if len(subject) == 1 and _low(subject[0]) in _PRONOUNS:
            return _Clause(subject, low, words[v + 1 :])
        # The sentence's first word is capitalised as a sentence opener, not as a name, when the
        # tables know it as a common word ("Rotating pots ...").
        checked = [_low(subject[0]) if lexemes.known(_low(subject[0])) else subject[0], *subject[1:]]
        if _noun_phrase(checked, modified=True):
            return _Clause(subject, low, words[v + 1 :])
        return None
    return None


def _skip_adverbs(words: list[str]) -> list[str]:
    """Drop adverbs opening a complement ("can significantly lower" reads as "can lower")."""
    while (
        len(words) > 1
        and lexemes.tags(_low(words[0])) == frozenset({"RB"})
        and _low(words[0]) not in _KEPT | _PREPOSITIONS
    ):
        words = words[1:]
    return words


def _clip(words: list[str]) -> list[str]:
    """Cut a complement where its clause ends (a comma, 'because', 'which' ...)."""
    text = _CLAUSE_END.sub("", " ".join(words))
    text = re.sub(r"\s*\([^)]*\)?", "", text)
    return text.split()


def _be_for(words: list[str]) -> str:
    return "are" if _plural_head(words) else "is"


def _phrase(words: list[str]) -> str:
    return " ".join(words).replace(" ,", ",").rstrip(".!?:;,")


class _Context:
    """Per-source state: the names of the sources and the running subject, for pronouns."""

    def __init__(self, title: str, proper: set[str]) -> None:
        self.proper = proper
        topic = _TITLE_LEAD.sub("", title).strip().split()
        self.topic: list[str] | None = self.subject_words(topic) if _noun_phrase(topic) else None
        self.subject: list[str] | None = None

    def subject_words(self, words: list[str]) -> list[str]:
        """Lower-case a subject for use mid-question, keeping names and acronyms."""
        out = [w if w in self.proper or (w.isupper() and len(w) > 1) else w.lower() for w in words]
        if out and out[0] in ("this", "these", "that", "those") and len(out) > 1:
            out[0] = "the"
        return out

    def resolve(self, subject: list[str]) -> list[str] | None:
        """Return the subject to ask about: a pronoun becomes the running subject or the topic."""
        low = _low(subject[0]) if len(subject) == 1 else ""
        if low in ("it", "they", "this", "these"):
            for candidate in (self.subject, self.topic):
                if candidate and _plural_head(candidate) == (low in ("they", "these")):
                    return candidate
            return None
        if low in _PRONOUNS:
            return None
        return self.subject_words(subject)


def _passive(aux: str, subject: str, participle: str, tail: list[str], modal: bool) -> str | None:
    """Ask about a passive clause by its complement: when, where, how long, what ... with."""
    verb = f"be {participle}" if modal else participle
    # A manner or place adverb does not change what is asked: "planted outdoors after the last frost".
    while len(tail) > 1 and "RB" in lexemes.tags(_low(tail[0])) and _low(tail[1]) in _TIME_OPENERS:
        tail = tail[1:]
    text = " ".join(_low(w) for w in tail)
    first = _low(tail[0]) if tail else ""
    if _DURATION.match(text) and first == "for":
        return f"How long {aux} {subject} {verb}?"
    if first in _TIME_OPENERS or _DEADLINE.search(text):
        return f"When {aux} {subject} {verb}?"  # "issued ... within 5 business days"
    if first in _LOCATION_PREPS - {"on", "within"} and len(tail) > 1 and _place(tail[1]):
        return f"Where {aux} {subject} {verb}?"
    if first == "called":
        return f"What {aux} {subject} {verb} called?" if not modal else None
    if first == "to" and len(tail) > 2 and "VB" in lexemes.tags(_low(tail[1])) and _low(tail[1]) not in _DETERMINERS:
        return None  # "needed to process a refund": a purpose, not a thing the subject is given to
    if first in ("with", "to", "for", "from", "by", "as") and len(tail) > 1:
        if _nominal(tail[1]) or _low(tail[1]) in _DETERMINERS:
            return f"What {aux} {subject} {verb} {first}?" if first != "by" else f"How {aux} {subject} {verb}?"
    return None


def _place(word: str) -> bool:
    """Tell whether a word can open the noun phrase after a place preposition (not a time or a count)."""
    low = _low(word)
    return low in _DETERMINERS or (
        _nominal(word) and not _is_number(word) and not low.endswith("ly") and low not in _NOT_PLACES
    )


def _yes_no(aux: str, subject: str, rest: list[str], predicate: bool = False) -> str | None:
    """Invert subject and auxiliary: "Cling film does not stick to the wound" -> "Does cling film stick ...?"."""
    words = _clip(rest)
    if len(words) < len(rest):
        # The clause was cut: a subordinate clause it had opened is now a fragment ("form where
        # molten rock"), so the complement ends before its opener.
        opener = next((i for i, w in enumerate(words) if _low(w) in _SUBORDINATORS - {"and", "or", "so"}), None)
        words = words[:opener] if opener is not None else words
    # A second verb joined by "and"/"or" starts a second clause: "sticks to the wound and lets you see it".
    for i, w in enumerate(words[1:], 1):
        nxt = _low(words[i + 1]) if i + 1 < len(words) else ""
        after = lexemes.tags(nxt) if nxt else frozenset()
        verb = nxt in _AUX or after & {"VBZ", "VBD"} or (after and after <= lexemes.VERB_FORMS)
        if _low(w) in ("and", "or") and verb:
            if i < 2:
                return None  # "generate and store a password": one verb would be left without its object
            words = words[:i]
            break
    if words and not predicate and lexemes.tags(_low(words[-1])) == {"JJ"}:
        return None  # "prefer bright, indirect light" cut at its comma: an object is not an adjective
    particle = _low(words[-1]) in ("up", "down", "out", "off", "away", "back") if words else False
    if not words or len(words) > MAX_COMPLEMENT_WORDS or (_low(words[-1]) in _PREPOSITIONS and not particle):
        return None
    if _low(words[-1]) in _DETERMINERS:
        return None
    if words and _low(words[0]) in _NEGATIONS:
        words = words[1:]  # "does not stick" asks "Does it stick?"; a later "not" stays where it is
    return f"{aux.capitalize()} {subject} {_phrase(words)}?" if words else None


def _copula(clause: _Clause, subject: str) -> str | None:
    rest = clause.rest
    words = [w for w in rest if _low(w) not in _NEGATIONS]
    if len(words) > 1 and lexemes.tags(_low(words[0])) == frozenset({"RB"}):
        words = words[1:]  # "are usually proofed": the adverb does not change the question
    if not words:
        return None
    first = _low(words[0])
    if "VBN" in lexemes.tags(first) and first not in _PREPOSITIONS:
        return _passive(clause.verb, subject, first, words[1:], modal=False)
    predicate = _clip(words)
    if first == "the" and len(predicate) >= 3 and _noun_phrase(predicate[:2]):
        return f"What {_be_for(predicate)} {_phrase([w.lower() if not w.isupper() else w for w in predicate])}?"
    definite = _low(clause.subject[0]) == "the" and len(clause.subject) >= 3
    if definite and (first in _DETERMINERS or lexemes.is_noun(first)) and first not in ("a", "an"):
        return f"What {clause.verb} {subject}?"  # "The main challenge ... is its intermittency"
    generic_plural = _number(clause.subject) == "plural" and _low(clause.subject[0]) not in _DETERMINERS
    if (
        generic_plural
        and len(clause.subject) <= 3
        and _noun_phrase(predicate[:3], modified=True)
        and first not in (_DETERMINERS)
    ):
        return f"What {clause.verb} {subject}?"  # "Wind turbines are towering structures ..."
    if first in ("a", "an") and len(clause.subject) <= 4 and _low(clause.subject[0]) not in _DETERMINERS - {"a", "an"}:
        return f"What {clause.verb} {subject}?"  # a definition: "What is a sourdough starter?"
    if _is_number(words[0]) or (first in ("between", "about", "around", "roughly") and len(words) > 1):
        return f"What {clause.verb} {subject}?"
    if first in _NEED_ADJECTIVES and len(predicate) > 2 and _low(predicate[1]) in ("for", "to"):
        return f"What is {_phrase(predicate)}?"  # "What is key to ...?", whatever the subject's number
    if first in _WHERE_ADJECTIVES and len(predicate) > 2 and _low(predicate[1]) in _LOCATION_PREPS:
        return f"Where {clause.verb} {subject} {first}?"
    return None


def _modal(clause: _Clause, subject: str) -> str | None:
    words = _skip_adverbs(clause.rest)
    if words and _low(words[0]) in _NEGATIONS:
        return _yes_no(clause.verb, subject, words)
    if len(words) > 1 and _low(words[0]) == "be" and "VBN" in lexemes.tags(_low(words[1])):
        asked = _passive(clause.verb, subject, _low(words[1]), words[2:], modal=True)
        return asked or _yes_no(clause.verb, subject, words, predicate=True)
    if len(words) < 2 or "VB" not in lexemes.tags(_low(words[0])):
        return None
    verb, after = _low(words[0]), words[1:]
    count = re.match(
        r"^(?:up\s+to\s+|at\s+least\s+|about\s+)?(?P<n>\S+)\s+(?P<noun>[a-z]+s)\b", " ".join(_low(w) for w in after)
    )
    if count and _is_number(count["n"]) and lexemes.is_noun(count["noun"]):
        return f"How many {count['noun']} {clause.verb} {subject} {verb}?"
    first = _low(after[0])
    obj = _object(after)
    measure = bool(obj) and len(after) > len(obj) and _low(after[len(obj)]) in _MEASURE_AFTER
    if obj and not measure and (first in _DETERMINERS or lexemes.is_noun(first)):
        return f"What {clause.verb} {subject} {verb}?"
    if first in ("as", "like") or lexemes.tags(first) == frozenset({"JJ"}):
        return f"How {clause.verb} {subject} {verb}?"
    return _yes_no(clause.verb, subject, words)


def _do_support(verb: str, base: str) -> str:
    """Return the "do" a verb's own form takes: "tells" -> does, "rest" -> do, "grew" -> did."""
    found = lexemes.tags(verb)
    if "VBZ" in found and verb != base:
        return "does"
    if "VBP" in found or verb == base:
        return "do"
    return "did"


def _lexical(clause: _Clause, subject: str) -> str | None:
    base = lexemes.base_verb(clause.verb)
    if base is None or base in ("be", "have", "do"):
        return None
    aux = _do_support(clause.verb, base)
    rest = _skip_adverbs(_clip(clause.rest))
    if len(rest) > 2 and _low(rest[0]) in ("and", "or") and lexemes.tags(_low(rest[1])) & {"VBZ", "VBP", "VBD"}:
        second = lexemes.base_verb(_low(rest[1]))
        if second is None:
            return None
        base, rest = f"{base} {_low(rest[0])} {second}", rest[2:]  # "generates and stores a password"
    if not rest or _low(rest[0]) in ("and", "or"):
        return None
    text = " ".join(_low(w) for w in rest)
    first = _low(rest[0])
    if base in ("take", "last") and (_SPAN.match(text) or first == "until"):
        return f"How long {aux} {subject} {base}?"  # "lasts until the first frost", "takes two days"
    if first == "where":
        return f"Where {aux} {subject} {base}?"
    if first in ("when", "once", "whenever"):
        return f"When {aux} {subject} {base}?"
    obj = _object(rest)
    if obj and _FREQUENCY.search(" ".join(_low(w) for w in rest[len(obj) :])) and _noun_phrase(obj):
        return f"How often {aux} {subject} {base} {_phrase([_low(w) for w in obj])}?"
    if first in ("on", "of", "with", "for", "to") and len(rest) > 1 and _low(rest[1]) in _DETERMINERS:
        return f"What {aux} {subject} {base} {first}?"  # "What does tyre pressure depend on?"
    if first in _LOCATION_PREPS and len(rest) > 1 and _place(rest[1]):
        return f"Where {aux} {subject} {base}?"
    if first in ("you", "us", "them", "me") and len(rest) > 1:
        return f"What {aux} {subject} {base} {first}?"
    pure_noun = len(obj) > 1 or (bool(obj) and not lexemes.tags(_low(obj[0])) & {"JJ", "RB"})
    if obj and len(rest) > len(obj) and _low(rest[len(obj)]) in _MEASURE_AFTER:
        pure_noun, first = False, ""
    timed = bool(obj) and lemma_of(_low(obj[-1])) in _TIME_NOUNS
    if (first in _DETERMINERS or pure_noun) and not timed:
        return f"What {aux} {subject} {base}?"  # not "travel free": an object opens with a noun
    return _yes_no(aux, subject, [base, *rest])  # "Does a dry heap break down?"


def lemma_of(noun: str) -> str:
    """Return a noun's singular ("hours" -> "hour"); the word itself when the tables know no other."""
    return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") and lexemes.known(noun[:-1]) else noun


def _object(words: list[str]) -> list[str]:
    """Return the noun phrase opening words ("the master password" of "the master password written down")."""
    obj: list[str] = []
    for w in words:
        low = _low(w)
        if (low in _DETERMINERS and not obj) or (low in ("and", "or") and obj):
            obj.append(w)
        elif _nominal(w) and not (obj and "RB" in lexemes.tags(low) and lexemes.is_noun(_low(obj[-1]))):
            obj.append(w)
        else:
            break
    while obj and not (lexemes.is_noun(_low(obj[-1])) or _is_number(obj[-1])):
        obj.pop()  # end on the head noun: "the burn loosely" -> "the burn"
    return obj if _noun_phrase(obj) else []


MAX_PLACE_WORDS = 8  # a prepositional phrase kept after a negated imperative's object ("in household bins")


def _imperative(words: list[str]) -> str | None:
    """Ask what a reader should do: "Do not burst blisters" -> "Should you burst blisters?"."""
    low = [_low(w) for w in words]
    negative = low[:2] == ["do", "not"] or low[:1] in (["never"], ["don't"])
    if negative:
        words, low = words[(2 if low[0] == "do" else 1) :], low[(2 if low[0] == "do" else 1) :]
    # A verb opening the sentence is an imperative when it cannot be a noun or a determiner follows
    # ("Cool the burn"); "Cool water helps" opens with a noun phrase instead.
    if len(words) < 2 or "VB" not in lexemes.tags(low[0]):
        return None
    if lexemes.tags(low[0]) & {"NN", "NNS", "JJ"} and not negative and low[1] not in _DETERMINERS:
        return None
    verb = low[0]
    rest = _clip(words[1:])
    obj = _object(rest)
    if not obj:
        return None
    thing = _phrase([w if w.isupper() and len(w) > 1 else _low(w) for w in obj])
    tail = [_low(w) for w in rest[len(obj) :]]
    if negative:
        # A verb of placing needs its place: "Never put batteries in household bins" asks
        # "Should you put batteries in household bins?", not "Should you put batteries?".
        place = tail if tail[:1] and tail[0] in _PREPOSITIONS and len(tail) <= MAX_PLACE_WORDS else []
        return f"Should you {verb} {_phrase([thing, *place])}?"
    kept = (_PREPOSITIONS - {"up", "down", "off", "out"}) | {"when", "where", "so", "then"}
    while tail and ("RB" in lexemes.tags(tail[0]) or "VBN" in lexemes.tags(tail[0])) and tail[0] not in kept:
        tail = tail[1:]  # "cover the burn loosely with ...", "keep the password written down in ..."
    text = " ".join(tail)
    if re.search(rf"\bfor\s+(?:at\s+least\s+|up\s+to\s+|about\s+)?(?:an?|\S+)(?:\s+\S+)?\s+{_UNITS}\b", text):
        return f"How long should you {verb} {thing}?"
    if re.search(r"\b(?:before|after|when|once|if|until|whenever)\b", text):
        return f"When should you {verb} {thing}?"
    if tail[:1] in (["with"], ["using"]):
        return f"What should you {verb} {thing} with?"
    if tail[:1] == ["as"]:
        return f"How should you {verb} {thing}?"
    if len(tail) > 1 and tail[0] in _LOCATION_PREPS - {"on"} and _place(tail[1]):
        return f"Where should you {verb} {thing}?"
    return None


def _inverted(clause: _Clause, subject: str) -> str | None:
    """Ask the clause as a yes/no question, the fallback when more questions are wanted."""
    if clause.verb in _BE:
        return _yes_no(clause.verb, subject, clause.rest, predicate=True)
    if clause.verb in _MODALS | _DO:
        return _yes_no(clause.verb, subject, clause.rest)
    base = lexemes.base_verb(clause.verb)
    if clause.verb in _HAVE or base is None:
        return None
    asked = _yes_no(_do_support(clause.verb, base), subject, [base, *clause.rest])
    # "Do volcanoes form?" asks nothing an FAQ reader would: the verb needs a complement.
    return asked if asked and len(asked.split()) - len(subject.split()) > 3 else None


def _question_for(sentence: str, ctx: _Context) -> tuple[str | None, str | None, str | None]:
    """Return (primary question, secondary question, yes/no fallback) for one sentence."""
    clause_text = _LEAD_IN.sub("", sentence.strip().rstrip(".!?"), count=1)
    clause_text = re.split(r"\s*[:;]\s*", clause_text, maxsplit=1)[0]
    words = re.findall(r"[\w'’%$€£.-]+|[,—–()]", clause_text)
    words = [w.rstrip(".") if w.endswith(".") and not re.match(r"^\d", w) else w for w in words]
    primary: str | None = None
    fallback: str | None = None
    if words and (imperative := _imperative(words)):
        primary = imperative
    elif (clause := _split(words)) is not None:
        resolved = ctx.resolve(clause.subject)
        if resolved:
            subject = _phrase(resolved)
            if clause.verb in _BE:
                primary = _copula(clause, subject) or _yes_no(clause.verb, subject, clause.rest, predicate=True)
            elif clause.verb in _MODALS:
                primary = _modal(clause, subject)
            elif clause.verb in _DO:
                primary = _yes_no(clause.verb, subject, clause.rest) if clause.rest[:1] else None
            elif clause.verb in ("make", "makes") and clause.rest[:1] and _low(clause.rest[0]) in ("it", "them"):
                # "Incentives make it a viable option" asks what makes the thing so.
                thing = ctx.resolve([clause.rest[0]])
                quality = re.sub(r"\s+for\s+(?:many|most|some|all|everyone)$", "", _phrase(_clip(clause.rest[1:])))
                if thing and quality and _low(quality.split()[-1]) not in _PREPOSITIONS | _DETERMINERS:
                    primary = f"What makes {_phrase(thing)} {quality}?"
            elif clause.verb not in _HAVE:
                primary = _lexical(clause, subject)
            fallback = _inverted(clause, subject)
            if len(clause.subject) > 1 or _low(clause.subject[0]) not in _PRONOUNS:
                ctx.subject = resolved
    if primary is None and (need := _NEEDED.search(clause_text)):
        # "Storing excess energy ... is crucial for a stable grid": whatever the subject's shape,
        # the sentence says what something is needed for.
        rest = _clip(need["rest"].split())
        if rest and _low(rest[-1]) not in _PREPOSITIONS | _DETERMINERS and len(rest) <= MAX_COMPLEMENT_WORDS:
            primary = f"What {need['be'].lower()} {need['adj'].lower()} {need['prep'].lower()} {_phrase(rest)}?"
    secondary = None
    if purpose := _PURPOSE.search(sentence):
        obj = " ".join(_clip(purpose["obj"].split())[:8])
        if obj and _low(obj.split()[-1]) not in _PREPOSITIONS | _DETERMINERS:
            secondary = f"What is needed to {purpose['verb'].lower()} {obj}?"
    return primary, secondary, fallback if fallback != primary else None


def _tidy(question: str) -> str:
    question = " ".join(question.split()).replace(" ?", "?")
    return question[:1].upper() + question[1:]


def generate_questions(sources: list[tuple[str, str]], n: int) -> list[str]:
    """Generate up to n distinct questions, round-robin across sources, each answerable from one sentence."""
    if n <= 0:
        return []
    all_text = " ".join(content for _, content in sources)
    proper = {m.group() for m in re.finditer(r"(?<=[a-z,;] )[A-Z][\w-]*", all_text)}
    index = index_of(sources)
    queues: list[list[tuple[str, str]]] = []
    for title, content in sources:
        ctx = _Context(title, proper)
        primaries: list[tuple[str, str]] = []
        secondaries: list[tuple[str, str]] = []
        fallbacks: list[tuple[str, str]] = []
        for sentence in sentences(content):
            asked = _question_for(sentence, ctx)
            for question, bucket in zip(asked, (primaries, secondaries, fallbacks), strict=True):
                if question:
                    bucket.append((_tidy(question), sentence))
        # Yes/no questions come last: asked only when a source has no more wh-questions to give.
        queues.append(primaries + secondaries + fallbacks)
    out: list[str] = []
    taken: list[frozenset[str]] = []  # each kept question's content stems
    used: set[tuple[int, str]] = set()  # the sentences already asked about, per source
    cursors = [0] * len(sources)
    while len(out) < n and any(cursors[i] < len(q) for i, q in enumerate(queues)):
        for i, queue in enumerate(queues):
            while cursors[i] < len(queue) and len(out) < n:
                question, sentence = queue[cursors[i]]
                cursors[i] += 1
                terms = frozenset(_terms(question))
                if (i, sentence) in used or _echoes(question, terms, sentence) or not _grammatical(question):
                    continue  # a second question on one sentence is a near-duplicate of the first
                if any(_near_duplicate(terms, other) for other in taken):
                    continue
                answer, titles = _answer(question, index)
                if answer and sentence in answer and sources[i][0] in titles:
                    used.add((i, sentence))
                    taken.append(terms)
                    out.append(question)
                    break
    return out


# A yes/no question whose sentence adds fewer new content words than this only restates its answer
# ("Are folding bicycles carried free at any time?" / "Folding bicycles are carried free at any time.").
# A wh-question leaves out what it asks, however short ("What is the best light ...?" / "Natural light").
MIN_NEW_WORDS = 2
NEAR_DUPLICATE = 0.6  # two questions sharing this share of their content stems ask the same thing


def _echoes(question: str, terms: frozenset[str], sentence: str) -> bool:
    yes_no = _low(question.split(maxsplit=1)[0]) in _AUX
    return yes_no and len(set(_terms(sentence)) - terms) < MIN_NEW_WORDS


def _near_duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two questions on the same words: most of them shared, or one's words all inside the other's."""
    if not (a and b):
        return False
    return len(a & b) / len(a | b) >= NEAR_DUPLICATE or (min(len(a), len(b)) >= 2 and (a <= b or b <= a))


_DO_OPENERS = frozenset({"do", "does", "did"})
_FINITE = _BE | _MODALS | _HAVE | _DO
_COMPLEMENTIZERS = _RELATIVES | frozenset("when if whether where because while once until after before".split())
_PLURAL_PRONOUNS = frozenset("you we they i".split())


def _grammatical(question: str) -> bool:
    """Tell whether a question built with "do" is grammatical: its subject agrees, and no second finite verb.

    "Does two cables are loose?" and "Do the kettle boil?" are refused; "Does the test tell you
    when proofing is done?" is not (the second verb sits in a clause of its own).
    """
    words = re.findall(r"[\w'’-]+", question)
    if not words or _low(words[0]) not in _DO_OPENERS:
        return True
    later = [_low(w) for w in words[1:]]
    for w in later:
        if w in _COMPLEMENTIZERS:
            break
        if w in _FINITE or w == "cannot" or w.endswith(("n't", "n’t")):
            return False  # a negated one too: "Does a greasy box cannot be recycled?"
    if _low(words[0]) == "did":
        return True
    subject = _subject_of(words[1:])
    if not subject:
        return True
    number = "plural" if _low(subject[0]) in _PLURAL_PRONOUNS else _number(subject)
    if _low(subject[0]) in _NUMBERS - {"one"} or (_is_number(subject[0]) and _low(subject[0]) not in ("1", "one")):
        number = "plural"
    return number == "either" or (number == "plural") == (_low(words[0]) == "do")


def _subject_of(words: list[str]) -> list[str]:
    """Return the noun phrase opening a yes/no question's remainder (its subject), or []."""
    if words and _low(words[0]) in _PRONOUNS:
        return words[:1]
    for end in range(len(words), 0, -1):
        if "VB" in lexemes.tags(_low(words[end - 1])) and end > 1 and _noun_phrase(words[: end - 1]):
            return words[: end - 1]
    return []
