"""Sentiment and named entities."""

from __future__ import annotations

import math
import re
from functools import cache
from typing import TYPE_CHECKING

from models.offline.text.basics import STOPWORDS, sentences, stem, tokens

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_POSITIVE = frozenset(
    """
    good great excellent amazing awesome fantastic wonderful outstanding superb perfect love lovely enjoy
    happy pleased satisfied delighted helpful friendly fast quick easy reliable efficient effective
    impressive recommend best better beautiful nice smooth affordable valuable useful positive success
    successful improve improvement benefit beneficial resilient stable thank grateful glad brilliant
    superior convenient comfortable exceptional favorable profitable gain win innovative secure
    excited exciting incredible responsive professional polite courteous seamless flawless viable
    strong growth praise praised reliability savings opportunity robust thrive thriving
    """.split()
)
_NEGATIVE = frozenset(
    """
    bad poor terrible awful horrible worst worse hate disappointing disappointed disappointment broken
    late delay slow rude unhelpful useless problem issue error fail failure faulty defective damaged
    crash bug wrong mistake annoying frustrating frustrated angry upset unhappy dissatisfied expensive
    overpriced overcharged complaint complain confusing confused missing lost loss decline weak
    unreliable unstable noisy dirty sad unfortunately regret costly threat negative concern worried
    worry disaster nightmare incorrect inaccurate unacceptable ridiculous pathetic outage
    shortage risk risky shortfall downturn layoffs penalty penalties
    """.split()
)
_POS_STEMS = frozenset(stem(w) for w in _POSITIVE)
_NEG_STEMS = frozenset(stem(w) for w in _NEGATIVE)
# Words that describe a state of affairs rather than judge it: a report of a problem that was
# solved, or a growth figure, is not a tone. They count for DESCRIPTIVE of a judging word, so a
# factual text stays neutral while a complaint ("rude", "disappointed") or praise still decides.
_DESCRIPTIVE = frozenset(
    stem(w)
    for w in """
    problem issue error fail failure faulty defective damaged crash bug missing lost loss decline weak delay
    unavailable incident
    late slow risk risky shortage shortfall downturn layoffs penalty penalties outage concern threat costly
    expensive unstable incorrect inaccurate broken wrong mistake growth improve improvement benefit beneficial
    stable efficient effective success successful savings opportunity robust secure reliable reliability
    strong fast quick easy affordable valuable useful positive gain win innovative profitable favorable
    viable resilient thrive thriving
    """.split()
)
DESCRIPTIVE = 0.35
# A text that reports the problem solved ("the service recovered", "rolled back") is an account,
# not a complaint: its descriptive problem words count for a further RESOLVED_FACTOR.
_RESOLVED = re.compile(
    r"\b(?:fixed|resolved|restored|recovered|rolled\s+back|solved|repaired|back\s+to\s+normal|mitigated)\b",
    re.IGNORECASE,
)
RESOLVED_FACTOR = 0.3
# Neutral verbs that only carry sentiment when negated ("not working").
_NEGATABLE = frozenset(stem(w) for w in "work function help recommend like load connect respond arrive".split())
_NEGATORS = frozenset(
    """
    not no never isn't wasn't aren't weren't don't doesn't didn't can't cannot couldn't won't wouldn't
    shouldn't hasn't haven't hadn't nothing without hardly barely neither nor
    """.split()
)
_INTENSIFIERS = frozenset(
    "very extremely really so too incredibly absolutely highly super totally completely particularly "
    "remarkably exceptionally truly utterly".split()
)
_DOWNTONERS = frozenset("slightly somewhat bit little fairly rather mildly".split())


# Below this much evidence a text is neutral (a negated judging word is 0.8, so it counts);
# a text is mixed when its weaker side has at least MIXED_LOW and MIXED_RATIO of the stronger.
NEUTRAL_BELOW = 0.75
JUDGEMENT_FREE_BELOW = 1.5  # a text with no judging word needs more: five descriptive words
MIXED_LOW = 0.6
MIXED_RATIO = 0.4


def sentiment(text: str) -> tuple[str, float, list[str]]:
    """Classify sentiment as positive/negative/neutral/mixed with a confidence and key phrases."""
    pos = neg = 0.0
    judged = False
    resolved = bool(_RESOLVED.search(text))
    phrases: list[str] = []
    for sentence in sentences(text):
        toks = tokens(sentence)
        for i, tok in enumerate(toks):
            st = stem(tok)
            polarity = 1.0 if st in _POS_STEMS else -1.0 if st in _NEG_STEMS else 0.0
            descriptive = st in _DESCRIPTIVE
            if descriptive:
                polarity *= DESCRIPTIVE * (RESOLVED_FACTOR if resolved and polarity < 0 else 1.0)
            window = toks[max(0, i - 3) : i]
            negated = any(w in _NEGATORS for w in window)
            if polarity == 0.0 and not (negated and st in _NEGATABLE):
                continue
            judged = judged or not descriptive
            start = i
            if negated:
                polarity = -0.8 * polarity if polarity else -0.8
                start = max(j for j in range(max(0, i - 3), i) if toks[j] in _NEGATORS)
            if i > 0 and toks[i - 1] in _INTENSIFIERS:
                polarity *= 1.5
                start = min(start, i - 1)
            elif i > 0 and toks[i - 1] in _DOWNTONERS:
                polarity *= 0.6
                start = min(start, i - 1)
            if start == i and i > 0 and toks[i - 1] not in STOPWORDS:
                start = i - 1
            end = i + 1
            if end < len(toks) and toks[end] not in STOPWORDS and stem(toks[end]) not in _POS_STEMS | _NEG_STEMS:
                end += 1
            phrase = " ".join(toks[start:end])
            if phrase not in phrases:
                phrases.append(phrase)
            if polarity > 0:
                pos += polarity
            else:
                neg -= polarity
    total = pos + neg
    low, high = min(pos, neg), max(pos, neg)
    two_sided = low >= MIXED_LOW and low / high >= MIXED_RATIO
    if total < NEUTRAL_BELOW or (not judged and total < JUDGEMENT_FREE_BELOW and not two_sided):
        return "neutral", 0.6, phrases[:8]
    if two_sided:
        return "mixed", round(0.5 + 0.4 * low / high, 2), phrases[:8]
    confidence = 0.5 + 0.5 * ((high - low) / total) * (1 - math.exp(-total / 1.5))
    return ("positive" if pos > neg else "negative"), round(min(confidence, 0.98), 2), phrases[:8]


_ORG_SUFFIXES = frozenset(
    """
    inc ltd llc plc corp corporation co company gmbh ag sa nv bv spa srl bank group holdings partners
    technologies systems labs university institute foundation agency association ministry council
    logistics foods energy robotics solutions airlines airways motors media capital insurance telecom
    software networks consulting services industries pharma bouw bau construction studios
    """.split()
)
_ORG_PREFIXES = frozenset("bank university institute ministry department bureau college".split())
_TITLES = frozenset(
    """
    mr mrs ms dr prof professor sir dame ceo cto cfo coo cio president director manager chairman
    chairwoman founder senator minister governor mayor judge captain
    """.split()
)
_FIRST_NAMES = frozenset(
    """
    james john robert michael william david richard joseph thomas charles mary patricia jennifer linda
    elizabeth barbara susan jessica sarah karen jane anna maria peter paul mark george laura emma olivia
    sophia lucas noah liam ethan daniel matthew andrew alice bob carol eve frank grace henry isabel jack
    kate lisa mike nina oscar rachel sam tom victor wendy hans klaus pierre marie carlos juan luca
    giulia ahmed fatima wei yuki raj priya omar
    """.split()
)
_LOCATIONS = frozenset(
    """
    berlin paris london madrid rome milan munich hamburg frankfurt vienna zurich geneva amsterdam
    brussels lisbon dublin stockholm oslo copenhagen helsinki warsaw prague budapest athens istanbul
    moscow dubai cairo lagos nairobi mumbai delhi bangalore beijing shanghai tokyo seoul singapore
    sydney melbourne toronto vancouver montreal chicago boston seattle austin denver miami atlanta
    houston dallas washington germany france spain italy portugal ireland netherlands belgium austria
    switzerland sweden norway denmark finland poland greece turkey russia ukraine china japan india
    korea brazil mexico canada argentina chile egypt nigeria kenya australia europe asia africa
    america california texas florida bavaria scotland england wales uk usa eu
    """.split()
) | frozenset(
    {
        "new york",
        "los angeles",
        "san francisco",
        "hong kong",
        "united states",
        "united kingdom",
        "south africa",
        "north america",
        "south america",
        "new zealand",
        "saudi arabia",
        "new delhi",
        "rio de janeiro",
        "sao paulo",
        "mexico city",
        "tel aviv",
        "buenos aires",
        "cape town",
    }
)
# Capitalised words that open sentences without naming anything.
_COMMON_CAPS = frozenset(
    """
    hi hello hey dear thanks thank please yes also finally however meanwhile today yesterday tomorrow
    overall moreover furthermore additionally unfortunately sure okay ok regards best sincerely
    sir madam minutes present
    """.split()
)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,\s*|\s+)\d{{4}}\b"), "DATE"),
    (re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+\d{{4}}\b"), "DATE"),
    (re.compile(rf"\b{_MONTH}\.?\s+\d{{4}}\b"), "DATE"),
    (re.compile(rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?![\d,])"), "DATE"),
    # "2 June", "30 September": a day keeps its month even without a year
    (re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b"), "DATE"),
    (re.compile(r"\b(?:first|second|third|fourth|last)\s+quarter\s+of\s+(?:19|20)\d{2}\b"), "DATE"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(?:Q[1-4]|H[12])\s+\d{4}\b"), "DATE"),
    (
        re.compile(
            r"\b(?:January|February|March|April|June|July|August|September|October|November|December"
            r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
        ),
        "DATE",
    ),
    (re.compile(r"\b(?:in|since|by|until|during|from)\s+((?:19|20)\d{2})\b"), "DATE"),
    (
        re.compile(
            r"(?:US\$|[$€£¥]|\b(?:USD|EUR|GBP|CHF)\s?)\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
            r"(?:\s?(?:[kKmMbB]n?|million|billion|thousand)\b)?"
        ),
        "MONEY",
    ),
    (
        re.compile(r"\b(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s?(?:USD|EUR|GBP|CHF|JPY|dollars|euros|pounds)\b"),
        "MONEY",
    ),
    (re.compile(r"(?:#\s?)?\b([A-Z]{1,5}-\d{2,}(?:-\d+)?)\b|#(\d{3,})\b"), "IDENTIFIER"),
]
_EDGE = ".,;:!?()[]{}\"'“”‘’"


def _pattern_entities(sentence: str) -> list[tuple[int, int, str, str]]:
    found: list[tuple[int, int, str, str]] = []
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(sentence):
            group = next((g for g in range(1, (m.lastindex or 0) + 1) if m.group(g)), 0)
            start, end = m.span(group)
            if not any(s < end and start < e for s, e, _, _ in found):
                found.append((start, end, sentence[start:end], kind))
    return found


# Context around a capitalised name that tells its type, when no list knows the name:
#   PERSON        CEO Maria Lopez | led by Tomasz Nowak | the waiter, Marco, | Ruth Adeyemi said
#   LOCATION      in Utrecht | near Foz | off the coast of Denmark | the Ribeira district
#   ORGANIZATION  analysts at Baird & Cole | a contract with Carrefour | Nordmart announced
_PERSON_BEFORE = frozenset(
    """
    ceo cto cfo coo founder co-founder mayor president director manager chairman chairwoman chair officer
    executive minister chief waiter waitress member colleague engineer analyst professor researcher
    spokesperson spokeswoman spokesman couple led by mr mrs ms dr sir dame
    """.split()
)
_PERSON_AFTER = frozenset("said says warned called told added seemed wrote explained noted believes thinks".split())
_LOCATION_BEFORE = frozenset("in to near across into around outside towards toward via between".split())
_PLACE_NOUNS = frozenset("city town coast region country capital province district village island state area".split())
_LOCATION_AFTER = frozenset(
    "district river region office branch area coast airport station province valley city lake mountains".split()
)
_ORG_BEFORE = frozenset("with at vendor company firm supplier partner customer client by for".split())
_ORG_AFTER = frozenset(
    """
    announced reported closed confirmed acquired launched raised lost sees expects delivered signed
    opened hired employs plans offers sells
    """.split()
)
# Well-known company names: exemplars for the nearest-meaning vote on names no list knows.
_ORG_EXEMPLARS = (
    "Google Microsoft Siemens Nestle Unilever Vodafone Ikea Toyota Samsung Shell Barclays Deloitte Accenture "
    "Oracle Spotify Airbus Danone Philips Nokia Ericsson Heineken Adidas Lufthansa Renault Santander Allianz "
    "Bosch Canon Intel Pfizer"
).split()
# A single unknown name takes the type of its nearest exemplars only with this lead (cosine).
NAME_VOTE_MARGIN = 0.04


@cache
def _name_exemplars() -> dict[str, npt.NDArray[np.float32]]:
    from models.offline.text.embed import embed

    return {
        "LOCATION": embed(sorted(w.title() for w in _LOCATIONS if " " not in w and len(w) > 3)),
        "PERSON": embed(sorted(w.title() for w in _FIRST_NAMES)),
        "ORGANIZATION": embed(list(_ORG_EXEMPLARS)),
    }


def _nearest_kind(word: str) -> str | None:
    """Vote LOCATION, PERSON or ORGANIZATION for an unknown name by its nearest exemplars."""
    from models.offline.text.embed import embed

    vector = embed([word])[0]
    scores: dict[str, float] = {}
    for kind, vectors in _name_exemplars().items():
        sims = sorted((vectors @ vector).tolist())[-5:]
        scores[kind] = sum(sims) / len(sims)
    ranked = sorted(scores, key=lambda k: -scores[k])
    return ranked[0] if scores[ranked[0]] - scores[ranked[1]] >= NAME_VOTE_MARGIN else None


def _classify(
    words: list[str], person_hint: bool, before: list[str] | None = None, after: list[str] | None = None
) -> str:
    """Type a capitalised name from its shape, the built-in lists and the words around it."""
    before, after = before or [], after or []
    name = " ".join(words)
    lower = [w.lower().rstrip(".") for w in words]
    if len(words) > 1 and (any(w in _ORG_SUFFIXES for w in lower[1:]) or lower[0] in _ORG_PREFIXES or "&" in words):
        return "ORGANIZATION"
    if name.lower() in _LOCATIONS:
        return "LOCATION"
    if any(any(c.isdigit() for c in w) or re.search(r"[a-z][A-Z]", w) for w in words):
        return "PRODUCT"
    if len(words) <= 3 and (person_hint or (lower[0] in _FIRST_NAMES and all(w[0].isupper() for w in words))):
        return "PERSON"
    prev = [w.lower().strip(_EDGE) for w in before]
    nxt = [w.lower().strip(_EDGE) for w in after]
    votes = dict.fromkeys(("ORGANIZATION", "PERSON", "LOCATION"), 0.0)  # a tie goes to the first
    if prev and (
        prev[-1] in _PERSON_BEFORE or (before[-1].endswith(",") and len(prev) > 1 and prev[-1] in _PERSON_BEFORE)
    ):
        votes["PERSON"] += 3
    if any(w in _PERSON_BEFORE for w in prev[-3:]) and before and before[-1].endswith(","):
        votes["PERSON"] += 3  # apposition: "the staff member, Gary Holt,"
    if nxt and nxt[0] in _PERSON_AFTER:
        votes["PERSON"] += 2
    if after and after[0].startswith("(") and nxt[0].strip("()") in _PERSON_BEFORE:
        votes["PERSON"] += 3  # "Helen Park (chair)"
    if prev and prev[-1] in _LOCATION_BEFORE:
        votes["LOCATION"] += 2
    if len(prev) > 1 and prev[-1] == "of" and prev[-2] in _PLACE_NOUNS:
        votes["LOCATION"] += 3
    if nxt and nxt[0] in _LOCATION_AFTER:
        votes["LOCATION"] += 3
    if prev and prev[-1] in _ORG_BEFORE:
        votes["ORGANIZATION"] += 1.5
    if nxt and (nxt[0] in _ORG_AFTER or (words[-1].endswith(("'s", "’s")))):
        votes["ORGANIZATION"] += 1.5
    if len(words) in (2, 3):
        # Most two- and three-word names in running text are people's: "first-name last-name".
        first = _nearest_kind(words[0])
        votes["PERSON"] += 2 if first == "PERSON" else 1
    else:
        nearest = _nearest_kind(words[0])
        if nearest:
            votes[nearest] += 1.5
    best = max(votes, key=lambda k: votes[k])
    return best if votes[best] > 0 else "ORGANIZATION"


def _span_entities(sentence: str, masked: str, lower_words: set[str]) -> list[tuple[int, str, str]]:
    out: list[tuple[int, str, str]] = []
    span: list[tuple[int, str, int]] = []  # (offset, word, index in sentence)
    raw_words = list(re.finditer(r"\S+", masked))

    def flush() -> None:
        while span and span[-1][1].lower() in {"of", "de", "&", "von", "van"}:
            span.pop()
        words = [w for _, w, _ in span]
        person_hint = False
        first_index = span[0][2] if span else 0
        if span and first_index > 0 and raw_words[first_index - 1].group().strip(_EDGE).lower() in _TITLES:
            person_hint = True
        while words and words[0].lower().rstrip(".") in _TITLES:
            words.pop(0)
            first_index += 1
            person_hint = True
        if words and first_index == 0:
            head = words[0].lower()
            strong = head in _FIRST_NAMES or " ".join(words).lower() in _LOCATIONS or len(words) > 1
            if head in STOPWORDS or head in _COMMON_CAPS or head in lower_words or not strong:
                words.pop(0)
                first_index += 1
        single = len(words) == 1 and words[0].lower().replace("’", "'")
        if words and not (single and (len(single) < 2 or single in STOPWORDS or single in _COMMON_CAPS)):
            last_index = span[-1][2]
            before = [raw_words[j].group() for j in range(max(0, first_index - 4), first_index)]
            after = [raw_words[j].group() for j in range(last_index + 1, min(len(raw_words), last_index + 4))]
            out.append((span[0][0], " ".join(words), _classify(words, person_hint, before, after)))
        span.clear()

    for index, m in enumerate(raw_words):
        raw = m.group()
        core = raw.strip(_EDGE)
        if core.endswith(("'s", "’s")):
            core = core[:-2]
        capital = bool(core) and (core[0].isupper() or bool(re.match(r"[a-z]+[A-Z]", core)))
        model_number = bool(span) and core.isdigit()
        connector = bool(span) and core.lower() in {"of", "de", "&", "von", "van"}
        if core and (capital or model_number or connector) and "\x00" not in raw and not raw.startswith("("):
            span.append((m.start(), core, index))
        else:
            flush()
            continue
        if raw != raw.rstrip(_EDGE) and not raw.endswith("'s"):
            flush()
    flush()
    return out


def entities(text: str) -> list[tuple[str, str]]:
    """Find named entities as (name, type) pairs in order of first appearance, deduplicated."""
    lower_words = {t for t in re.findall(r"\b[a-z][a-z'-]*\b", text)}
    found: list[tuple[int, int, str, str]] = []
    for n, sentence in enumerate(sentences(text)):
        patterned = _pattern_entities(sentence)
        masked = list(sentence)
        for start, end, name, kind in patterned:
            masked[start:end] = ["\x00"] * (end - start)
            found.append((n, start, name, kind))
        for start, name, kind in _span_entities(sentence, "".join(masked), lower_words):
            found.append((n, start, name, kind))
    out: list[tuple[str, str]] = []
    seen: list[str] = []
    for _, _, name, kind in sorted(found, key=lambda f: (f[0], f[1])):
        key = name.lower()
        if any(key == s or f" {key} " in f" {s} " for s in seen):
            continue
        seen.append(key)
        out.append((name, kind))
    return out
