"""Sentiment and named entities."""

from __future__ import annotations

import math
import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from offline.text.basics import STOPWORDS, sentence_words, sentences, stem

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
_POLAR_STEMS = _POS_STEMS | _NEG_STEMS
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
    for toks, stems in sentence_words(text):
        for i, st in enumerate(stems):
            polarity = 1.0 if st in _POS_STEMS else -1.0 if st in _NEG_STEMS else 0.0
            if polarity == 0.0 and st not in _NEGATABLE:
                continue
            descriptive = st in _DESCRIPTIVE
            if descriptive:
                polarity *= DESCRIPTIVE * (RESOLVED_FACTOR if resolved and polarity < 0 else 1.0)
            window = toks[max(0, i - 3) : i]
            negated = any(w in _NEGATORS for w in window)
            if polarity == 0.0 and not negated:
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
            if end < len(toks) and toks[end] not in STOPWORDS and stems[end] not in _POLAR_STEMS:
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
    oy oyj ab asa aps kk pty llp lp sarl sas kg ohg ug bhd ltda
    authority commission department directorate municipality parliament court police committee
    administration government trust fund society union hospital clinic school academy museum
    water power gas rail railways transit transport health retail mobile pharmaceuticals brewery
    shipping freight ferries ventures markets stores supermarkets
    team teams division unit desk regulator ombudsman standards analytics collective housing associates
    consultancy dynamics innovations enterprises international worldwide healthcare properties estates
    brands beverages cooperative co-operative coop co-op office federation alliance league coalition consortium
    network chamber guild club hotel hotels inn restaurant café cafe bistro lodge lodges resort resorts hostel motel
    service executive
    """.split()
)
_ORG_PREFIXES = frozenset(
    """
    bank university institute ministry department bureau college council agency authority commission
    directorate municipality parliament court office board hotel café cafe restaurant bistro
    """.split()
)
# The last word of a product line's name: "Aurora Pro", "Helio Suite", "Nimbus App".
_PRODUCT_HEADS = frozenset(
    "pro plus max mini ultra lite suite app platform edition series os hub cloud watch phone tablet line range "
    "collection".split()
)
# Names that carry a capital inside (McKenzie, O'Neill, DiMarco) as people's names do: not a product's camel case.
_SURNAME_CAPITAL = re.compile(r"^(?:Mc|Mac|O'|O’|Fitz|D'|D’|Di|De|Da|Du|La|Le|Van|Von)[A-Z][a-z]")
# Capitalised words that name a role, not someone: "Chief Financial Officer", "Head of Sales".
_ROLE_WORDS = frozenset(
    """
    chief executive officer financial operating technology information marketing operations head of vice
    president senior junior lead director manager general counsel sales finance human resources
    engineer analyst coordinator assistant secretary treasurer chair chairman chairwoman
    """.split()
)
_ROLE_HEADS = frozenset(
    """
    officer executive head president director manager counsel engineer analyst coordinator assistant secretary
    treasurer chair chairman chairwoman lead
    """.split()
)
# Words around a name that tell its type when no list knows it (each a vote, context outweighs the default).
_ORG_OF = frozenset(
    """
    board ceo chief directors shareholders owner owners staff employees customers management head founder
    spokesperson spokesman spokeswoman subsidiary division shares
    """.split()
)
_ORG_AS = frozenset(
    """
    provider vendor supplier partner company contractor firm bank operator carrier insurer manufacturer
    maker retailer distributor lender employer developer publisher host hosting
    """.split()
)
# What a business is called in an apposition before its name: "our supplier, Elektro Baumann,".
_FIRMS = frozenset(
    "company firm supplier vendor contractor subcontractor manufacturer retailer distributor lender insurer carrier "
    "operator bank".split()
)
_ORG_NEXT_NOUNS = frozenset("team staff board management employees customers spokesperson".split())
_PRODUCT_BEFORE = frozenset(
    """
    launched released using installed upgraded bought ordered deployed adopted introduced unveiled shipped
    purchased tested uses use install buy order
    """.split()
)
_LINKS = frozenset("to the a an our their its his her new".split())
_PRODUCT_AFTER = frozenset(
    "headphones device devices app model models software update firmware phone laptop tablet speaker camera router "
    "vacuum earbuds console".split()
)
_TITLES = frozenset(
    """
    mr mrs ms dr prof professor sir dame ceo cto cfo coo cio president director manager chairman
    chairwoman founder senator minister governor mayor judge captain councillor councilor cllr inspector
    sergeant rev reverend lord lady
    sheriff detective constable lieutenant colonel admiral commissioner superintendent bishop rabbi imam pastor
    chancellor ambassador baron baroness
    sr sra srta mme mlle herr frau sig sig.ra sig.na dott dott.ssa avv
    """.split()
)
_FIRST_NAME_EXEMPLARS = frozenset(
    """
    james john robert michael william david richard joseph thomas charles mary patricia jennifer linda
    elizabeth barbara susan jessica sarah karen jane anna maria peter paul mark george laura emma olivia
    sophia lucas noah liam ethan daniel matthew andrew alice bob carol eve frank grace henry isabel jack
    kate lisa mike nina oscar rachel sam tom victor wendy hans klaus pierre marie carlos juan luca
    giulia ahmed fatima wei yuki raj priya omar
    """.split()
)
# More given names, known only as such: the nearest-meaning vote keeps its exemplars (the names above).
_FIRST_NAMES = _FIRST_NAME_EXEMPLARS | frozenset(
    """
    harriet tanya ingrid dana marvin nils javier sean siobhan patrick deirdre fiona morag gareth ian alan
    margaret claire hannah rebecca kwame aino eamon brendan ciaran niamh aoife roisin declan colm eilidh
    hamish callum angus iain mairi catriona lachlan alasdair andrea alejandro antonio ana beatriz carmen
    diego elena fernando francisco isabel javier jorge jose lucia luis manuel marta miguel pablo pedro
    raquel rosa sergio sofia teresa alessandro chiara davide federica francesca giorgio giovanni lorenzo
    marco matteo paolo roberto simone valentina anne camille chloe claude emilie francois isabelle julien
    louis mathieu nicolas philippe sophie thierry vincent andreas anja birgit christian dieter frank jan
    jens jurgen katrin lena lukas markus martin matthias monika sabine stefan thomas ulrike wolfgang
    astrid bjorn erik freya henrik johan karin lars magnus sven tomas olu ngozi chidi amara kofi ama
    aisha ali hassan hussein karim layla leila mohammed mustafa nadia samir yasmin zainab arjun deepak
    kavita lakshmi meera rahul ravi sanjay sunita vikram hiroshi kenji mei ming yan jin min soo
    tomasz piotr katarzyna agnieszka anna marek pavel olga ivan dmitri natalia sergei elif mehmet emre
    zeynep amy ben beth chris dan emily harry helen jake jamie jenny joe kevin leo lucy martha megan
    nathan neil oliver rose ruth ryan sally sarah simon steve susan tim tony zoe
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
    america california texas florida bavaria scotland england wales uk usa
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
# Bodies known by their initials, which a place list must not claim ("inside the EU").
_KNOWN_ORGANIZATIONS = frozenset("eu un nato who imf oecd wto opec unesco unicef ecb fifa uefa iso".split())
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
# ISO 4217 codes of the currencies a business text most often names.
_CURRENCY = (
    r"(?:USD|EUR|GBP|CHF|JPY|CNY|NOK|SEK|DKK|ISK|PLN|CZK|HUF|RON|BGN|CAD|AUD|NZD|INR|BRL|MXN|ZAR|TRY"
    r"|KRW|SGD|HKD|AED|SAR)"
)
# A weekday written just before its date belongs to it: "Wednesday 21 January 2026", "Friday, May 8".
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
# A clock time, and the zone after it ("09:55 CET"), is no entity; it is masked so no name is read from it.
_CLOCK = ""
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b\d{1,2}:\d{2}(?:\s?(?:[ap]\.?m\b\.?|[A-Z]{2,4}\b))?|\b\d{1,2}\.\d{2}\s?[ap]\.?m\b\.?"), _CLOCK),
    (re.compile(rf"\b{_WEEKDAY}{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,\s*|\s+)\d{{4}}\b"), "DATE"),
    (re.compile(rf"\b{_WEEKDAY}\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+\d{{4}}\b"), "DATE"),
    (re.compile(rf"\b{_MONTH}\.?\s+\d{{4}}\b"), "DATE"),
    (re.compile(rf"\b{_WEEKDAY}{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?![\d,])"), "DATE"),
    # "2 June", "30 September": a day keeps its month even without a year
    (re.compile(rf"\b{_WEEKDAY}\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b"), "DATE"),
    (re.compile(r"\b(?:first|second|third|fourth|last)\s+quarter\s+of\s+(?:19|20)\d{2}\b"), "DATE"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(?:Q[1-4]|H[12])\s+\d{4}\b"), "DATE"),
    (re.compile(r"\bQ(?=\d)[1-4]\b"), "DATE"),  # a quarter without its year: "the Q2 figures"
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
            rf"(?:US\$|[$€£¥]|\b{_CURRENCY}\s?)\s?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?"
            r"(?:\s?(?:[kKmMbB]n?|million|billion|thousand)\b)?"
        ),
        "MONEY",
    ),
    (
        re.compile(
            r"\b(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s?(?:million|billion|thousand|[mb]n))?"
            rf"\s?(?:{_CURRENCY}|dollars|euros|pounds|kroner|kronor|krona|francs|yen)\b"
        ),
        "MONEY",
    ),
    # A reference in capitals and digits, in parts joined by dashes or slashes: "INC-2026-0412",
    # "PL/2025/0388", "SL-4471-MQ", "GH-PRO-2026-07"; or a number after "#". _ID_SHAPE checks the rest.
    (re.compile(r"(?:#\s?)?\b([A-Z0-9]+(?:[-/][A-Z0-9]+)+)\b|#(\d{3,})\b"), "IDENTIFIER"),
]
# A reference has a letter and a run of two digits or more ("24/7" and "4G-LTE" are none).
_ID_SHAPE = re.compile(r"(?=.*[A-Z]).*\d\d|\d+$")
_EDGE = ".,;:!?()[]{}\"'“”‘’"


# Every pattern but the one of month and weekday names needs a digit: a sentence without one is
# read by that pattern alone.
_WORDED = [(pattern, kind) for pattern, kind in _PATTERNS if "\\d" not in pattern.pattern]
_DIGIT = re.compile(r"\d")
# The patterns built on a month's name find nothing in a sentence that names no month: skip them there.
_MONTHLY = frozenset(pattern for pattern, _ in _PATTERNS if _MONTH in pattern.pattern)
_MONTH_NAME = re.compile(rf"\b{_MONTH}")
_WEEKDAY_OPENING = re.compile(_WEEKDAY)


def _pattern_entities(sentence: str) -> list[tuple[int, int, str, str]]:
    found: list[tuple[int, int, str, str]] = []
    patterns = _PATTERNS if _DIGIT.search(sentence) else _WORDED
    if not _MONTH_NAME.search(sentence):
        patterns = [(pattern, kind) for pattern, kind in patterns if pattern not in _MONTHLY]
    # Which characters an earlier (higher-priority) match took: a later match overlapping one is
    # dropped. Marking characters keeps this linear; comparing with every match found so far
    # cost seconds on a sentence of thousands of ids.
    taken = bytearray(len(sentence))
    for pattern, kind in patterns:
        for m in pattern.finditer(sentence):
            group = next((g for g in range(1, (m.lastindex or 0) + 1) if m.group(g)), 0)
            start, end = m.span(group)
            if kind == "IDENTIFIER" and not _ID_SHAPE.match(sentence, start, end):
                continue
            if taken.find(1, start, end) < 0:
                taken[start:end] = b"\x01" * (end - start)
                # the weekday is masked with its date but not named: the date is "21 January 2026"
                day = _WEEKDAY_OPENING.match(sentence, start, end) if kind == "DATE" else None
                found.append((start, end, sentence[day.end() if day else start : end], kind))
    return found


# Context around a capitalised name that tells its type, when no list knows the name:
#   PERSON        CEO Maria Lopez | led by Tomasz Nowak | the waiter, Marco, | Ruth Adeyemi said
#   LOCATION      in Utrecht | near Foz | off the coast of Denmark | the Ribeira district
#   ORGANIZATION  analysts at Baird & Cole | a contract with Carrefour | Nordmart announced
_PERSON_BEFORE = frozenset(
    """
    ceo cto cfo coo founder co-founder mayor president director manager chairman chairwoman chair officer
    executive minister chief waiter waitress member colleague engineer analyst professor researcher
    spokesperson spokeswoman spokesman couple led by mr mrs ms dr sir dame councillor councilor professor
    representative
    """.split()
)
_PERSON_AFTER = frozenset("said says warned called told added seemed wrote explained noted believes thinks".split())
_LOCATION_BEFORE = frozenset("in to near across into around outside towards toward via between".split())
_PLACE_NOUNS = frozenset(
    "city town coast region country capital province district village island state area mayor governor".split()
)
_LOCATION_AFTER = frozenset(
    "district river region office branch area coast airport station province valley city lake mountains site campus "
    "depot quarter neighbourhood neighborhood suburb harbour apartment apartments building estate plant factory "
    "warehouse terminal island islands isles peninsula hills".split()
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
_KNOWN_COMPANIES = frozenset(name.lower() for name in _ORG_EXEMPLARS)
# A single unknown name takes the type of its nearest exemplars only with this lead (cosine).
NAME_VOTE_MARGIN = 0.04


@cache
def _name_exemplars() -> dict[str, npt.NDArray[np.float32]]:
    from offline.text.embed import embed

    return {
        "LOCATION": embed(sorted(w.title() for w in _LOCATIONS if " " not in w and len(w) > 3)),
        "PERSON": embed(sorted(w.title() for w in _FIRST_NAME_EXEMPLARS)),
        "ORGANIZATION": embed(list(_ORG_EXEMPLARS)),
    }


@lru_cache(maxsize=4096)  # a name recurs through a document: one embedding per name, not per mention
def _nearest_kind(word: str) -> str | None:
    """Vote LOCATION, PERSON or ORGANIZATION for an unknown name by its nearest exemplars."""
    from offline.text.embed import embed

    vector = embed([word])[0]
    scores: dict[str, float] = {}
    for kind, vectors in _name_exemplars().items():
        sims = sorted((vectors @ vector).tolist())[-5:]
        scores[kind] = sum(sims) / len(sims)
    ranked = sorted(scores, key=lambda k: -scores[k])
    return ranked[0] if scores[ranked[0]] - scores[ranked[1]] >= NAME_VOTE_MARGIN else None


def _classify(
    words: list[str],
    person_hint: bool,
    before: list[str] | None = None,
    after: list[str] | None = None,
    comma: bool = False,
) -> str:
    """Type a capitalised name from its shape, the built-in lists and the words around it (`comma`: one follows it)."""
    before, after = before or [], after or []
    name = " ".join(words)
    lower = [w.lower().rstrip(".") for w in words]
    prev = [w.lower().strip(_EDGE) for w in before]
    nxt = [w.lower().strip(_EDGE) for w in after]
    if len(prev) > 1 and prev[-1] == "of" and prev[-2] in _DWELLERS:
        return "LOCATION"  # "residents of Linden Court": where people live, whatever its last word
    if len(words) > 1 and lower[-1] in _STREET_HEADS:
        return "LOCATION"  # "Grafton Street", "Marsh Lane"
    legal = words[-1] in _CAPITAL_LEGAL_FORMS  # "Fjellkraft AS": a legal form that is also a word
    if len(words) > 1 and (
        any(w in _ORG_SUFFIXES for w in lower[1:])
        or lower[0] in _ORG_PREFIXES
        or "&" in words
        or "and" in words
        or legal
    ):
        return "ORGANIZATION"
    if name.lower() in _LOCATIONS or (len(words) > 1 and lower[0] in _PLACE_HEADS):
        return "LOCATION"
    if len(words) == 2 and lower[0] in _DIRECTIONS and lower[1] in _LOCATIONS:
        return "LOCATION"  # "Southern Europe", "Greater Manchester"
    if (any(w in _PROJECT_NOUNS for w in nxt[:2]) and not comma) or (len(words) > 1 and lower[-1] in _PROJECT_NOUNS):
        return "OTHER"  # "the Orion billing migration", "the Greenport pilot": a project's name
    if name.lower() in _KNOWN_ORGANIZATIONS:
        return "ORGANIZATION"
    if any(any(c.isdigit() for c in w) for w in words):
        return "PRODUCT"  # a model number: "Aurora X2", "SuperWidget 5000"
    if len(words) <= 3 and (person_hint or (lower[0] in _FIRST_NAMES and all(w[0].isupper() for w in words))):
        return "PERSON"
    votes = dict.fromkeys(("ORGANIZATION", "PERSON", "LOCATION", "PRODUCT"), 0.0)  # a tie goes to the first
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
    if prev and prev[-1] in _LOCATION_BEFORE and prev[-2:-1] != ["according"]:  # "according to Tanya Brooks"
        votes["LOCATION"] += 2
    if len(prev) > 1 and prev[-1] == "of" and prev[-2] in _PLACE_NOUNS:
        votes["LOCATION"] += 3
    if nxt and nxt[0] in _LOCATION_AFTER:
        votes["LOCATION"] += 3
    if len(nxt) > 0 and nxt[0] in _LOCATIONS and comma:
        votes["LOCATION"] += 3  # "Tampere, Finland", "Braga, Portugal": a place, then the country it is in
    if len(prev) > 1 and before[-1].endswith(",") and prev[-1] in _STREET_HEADS:
        votes["LOCATION"] += 3  # "12 Alder Road, Leeds": the town after the street
    if len(words) > 1 and lower[0] not in _DIRECTIONS and any(w in _LOCATIONS for w in lower):
        votes["ORGANIZATION"] += 2.5  # "Crown Estate Scotland", "Visit Norway": a body named for a place
    if len(prev) > 1 and before[-1].endswith(",") and prev[-1] in _FIRMS:
        votes["ORGANIZATION"] += 3  # "its installation partner, Elektro Baumann,"
    if len(prev) > 1 and before[-1].endswith(",") and prev[-1] in _PRODUCT_NOUNS:
        votes["PRODUCT"] += 3  # "our flagship product, Kettu Lens,", "the new app, Nimbus,"
    if len(prev) > 1 and prev[-1] in ("with", "in", "of") and prev[-2] in _SKILL_WORDS:
        votes["PRODUCT"] += 3  # "experience with Apache Kafka", "knowledge of Figma"
    if prev and prev[-1] in _ORG_BEFORE:
        votes["ORGANIZATION"] += 1.5
    if nxt and (nxt[0] in _ORG_AFTER or (words[-1].endswith(("'s", "’s")))):
        votes["ORGANIZATION"] += 1.5
    if len(prev) > 1 and prev[-1] == "of" and prev[-2] in _ORG_OF:
        votes["ORGANIZATION"] += 3  # "the board of Tessaly Water", "shareholders of Brantwick"
    if len(nxt) > 2 and nxt[0] == "as" and nxt[1] in ("a", "an", "the", "our", "its") and nxt[2] in _ORG_AS:
        votes["ORGANIZATION"] += 3  # "... Velmora Cloud as a hosting provider"
    if prev and prev[-1] == "the" and nxt and nxt[0] in _ORG_NEXT_NOUNS:
        votes["ORGANIZATION"] += 3  # "the Ostrava team"
    if (prev and prev[-1] in _PRODUCT_BEFORE) or (len(prev) > 1 and prev[-2] in _PRODUCT_BEFORE and prev[-1] in _LINKS):
        votes["PRODUCT"] += 2  # "we deployed Kestrel Suite", "upgraded to Kestrel Suite"
    if any(_qualifies(w, _THING_NOUNS) for w in after[:2]):
        votes["PRODUCT"] += 3  # "the Lumo Air headphones", "the Beacon mobile app"
    if len(words) > 1 and lower[0] in _KNOWN_COMPANIES:
        votes["PRODUCT"] += 3  # a company's name, then a line of its own: "Google Pay", "Samsung Galaxy"
    if len(words) > 1 and lower[-1] in _PRODUCT_HEADS:
        votes["PRODUCT"] += 2.5  # a product line's name: "Helio Pro", "Nimbus App"
    if any(_INNER_CAPITAL.search(w) and not _SURNAME_CAPITAL.match(w) for w in words):
        votes["PRODUCT"] += 2  # camel case: "SmartDock", "iPlanner"
    if nxt and nxt[0] in _ORG_AFTER_NOUNS:
        votes["ORGANIZATION"] += 3  # "eleven Café Nordlys branches", "Nordmart shareholders"
    if not words[-1].endswith(("'s", "’s")) and any(_qualifies(w, _ORG_HEAD_NOUNS) for w in after[:2]):
        votes["ORGANIZATION"] += 3  # "the KfW development bank", "the Brightwave support team"
    if comma:
        apposed = _apposition_kind(after)
        if apposed:
            votes[apposed] += 3  # "OatCloud Barista, our organic oat drink,"
    determined = bool(prev) and prev[-1] in _DETERMINERS and not person_hint
    if after and _qualifies(after[0], _KIN_NOUNS):
        votes["PERSON"] += 4  # "the Kowalczyk family": a surname before its household
    elif determined and (len(words) > 1 or (after and _qualifies_a_noun(after[0]))):
        votes["PRODUCT"] += 2  # "the Dyson Supersonic", "the Zephyr kettle": a person's name takes no article
    if len(words) in (2, 3) and not determined:
        first = _nearest_kind(words[0])
        if first == "PERSON":
            votes["PERSON"] += 2
        elif _common_noun(lower[-1]):
            # A name that ends in a word of the language ("Vellby Water", "Sarno Retail") names a body
            # or a line of things more often than a person; a surname rarely is a common noun.
            votes["ORGANIZATION"] += 1
        else:
            votes["PERSON"] += 1  # "first-name last-name" is the most common two-word name left
    else:
        nearest = _nearest_kind(words[0])
        if nearest:
            votes[nearest] += 1.5
        if _SURNAME_CAPITAL.match(words[0]):
            votes["PERSON"] += 1  # "McKenzie", "O'Neill"
    best = max(votes, key=lambda k: votes[k])
    return best if votes[best] > 0 else "ORGANIZATION"


# The first word of a part of a place: "Southern Europe", "South Korea", "Greater Manchester".
_DIRECTIONS = frozenset(
    "north south east west northern southern eastern western central greater upper lower inner outer new".split()
)
# Legal forms that are also words, and so count only in capitals: "Fjellkraft AS".
_CAPITAL_LEGAL_FORMS = frozenset("AS SE A/S KG".split())
# Who lives or works in a place: "residents of Linden Court", "tenants of Harbour View".
_DWELLERS = frozenset("residents inhabitants tenants occupants neighbours neighbors citizens".split())
# The last word of a street's or square's name: "Grafton Street", "40 Marsh Lane".
_STREET_HEADS = frozenset(
    "street st road rd avenue ave lane boulevard square terrace crescent quay wharf embankment".split()
)
# Words after a name that make it a project's or programme's name (OTHER): "the Greenport pilot".
_PROJECT_NOUNS = frozenset("project programme program pilot migration initiative scheme rollout campaign".split())
# Words after a name that make it a business's: "eleven Café Nordlys branches".
_ORG_AFTER_NOUNS = frozenset(
    "branches stores shops outlets franchises subsidiaries shareholders employees staffers headquarters".split()
)
# Nouns a name may qualify as a body's: "the KfW development bank".
_ORG_HEAD_NOUNS = frozenset(
    "bank agency company firm group team department ministry authority council fund foundation charity union "
    "insurer operator retailer supplier provider airline university trust board committee society association".split()
)


def _qualifies_a_noun(raw: str) -> bool:
    """Tell whether the word after a name is a common noun in lower case, so the name qualifies it."""
    return raw[:1].islower() and _common_noun(raw.strip(_EDGE))


def _qualifies(raw: str, nouns: frozenset[str]) -> bool:
    """Tell whether a word after a name is one of these nouns in lower case, so the name qualifies it."""
    return raw[:1].islower() and raw.strip(_EDGE) in nouns


# Nouns after a surname that make it a person's: "the Kowalczyk family".
_KIN_NOUNS = frozenset("family families household couple brothers sisters twins".split())
# Words before a name that a person's name does not take ("the Dyson Supersonic", "our Vantor Aero").
_DETERMINERS = frozenset("the a an this that these our your their its my".split())
# Nouns an apposition may name a person, a body or a place by; any other noun names a thing.
_PERSON_NOUNS = frozenset(
    """
    colleague friend partner wife husband son daughter mother father brother sister neighbour neighbor
    co-founder founder owner receptionist waiter waitress caretaker engineer manager director chef doctor
    nurse teacher lawyer adviser advisor consultant contact representative head chair spokesperson
    """.split()
)
_APPOSITION_OPENERS = frozenset("our its their a an the his her my your".split())


def _apposition_kind(after: list[str]) -> str | None:
    """Type a name from the noun of the apposition after its comma: ", our organic oat drink," names a product."""
    if not after or after[0].lower() not in _APPOSITION_OPENERS:
        return None
    head = ""
    for raw in after[1:5]:
        word = raw.lower().strip(_EDGE)
        if not word[:1].isalpha() or (raw[:1].isupper() and "-" not in raw):
            break  # "a Bergen-based developer" goes on past its place
        head = word
        if raw != raw.rstrip(_EDGE):
            break
    if not head or not _common_noun(head):
        return None
    if head in _PERSON_NOUNS or head in _JOB_HEADS or head in _PERSON_BEFORE:
        return "PERSON"
    if head in _ORG_AS or head in _ORG_SUFFIXES:
        return "ORGANIZATION"
    if head in _PLACE_NOUNS or head in _LOCATION_AFTER:
        return "LOCATION"
    return "PRODUCT"


# Nouns an apposition names a product after: "our flagship product, Kettu Lens".
_PRODUCT_NOUNS = frozenset("product products app application tool platform service device model software brand".split())
# Nouns a product's name comes before: "the Lumo Air headphones", "the Larkspur Checkout service".
_THING_NOUNS = _PRODUCT_AFTER | _PRODUCT_NOUNS | frozenset("system machine".split())
# Nouns a job posting names a technology after: "experience with Apache Kafka", "knowledge of Figma".
_SKILL_WORDS = frozenset(
    "experience experienced knowledge familiarity proficiency proficient skilled expertise fluency".split()
)


# The last word of a job's name: "Project Manager", "Quality Assurance Lead", "Finance Director" name a
# role, not someone (a person's name after it is read apart: "Project Manager Ana Ruiz").
_JOB_HEADS = _ROLE_HEADS | frozenset(
    """
    representative advisor adviser consultant specialist supervisor administrator architect designer planner
    owner officer partner associate
    """.split()
)
# A job's or an office's last word: "Transport Minister Fiona Hyslop" is a person's name after an office's.
_OFFICES = _JOB_HEADS | (_TITLES - frozenset("mr mrs ms dr prof sir dame lord lady rev reverend".split()))
_ARTICLES = frozenset("the a an our your their its".split())
_COUNTED = frozenset(
    "item section step phase stage room table figure chapter page week point part annex appendix clause level "
    "floor gate option question".split()
)
_TECHNOLOGIES = frozenset(
    "bluetooth wi-fi wifi usb usb-c gps gdpr erp crm api vpn nfc lte hdmi pdf sql html ai iot 4g 5g sim esim "
    "ssd cpu gpu ram tls ssl http https dns".split()
)
# The first word of a place's name: "Loch Ness", "Mount Kenya", "Lake Garda", "Isle of Skye".
_PLACE_HEADS = frozenset("loch lake mount river port cape isle glen bay gulf".split())


@lru_cache(maxsize=8192)  # lemmatising is the costliest step of reading a name; names and their words recur
def _known_word(word: str) -> bool:
    from offline.text import lexemes

    return lexemes.known(word)


def _common_noun(word: str) -> bool:
    """Tell whether a lowercase word is a noun of the language (the part-of-speech tables know it)."""
    from offline.text import lexemes

    return lexemes.known(word) and lexemes.is_noun(word)


_NAMES = _FIRST_NAMES | _LOCATIONS | _KNOWN_ORGANIZATIONS | _KNOWN_COMPANIES  # words the lists know as names


def _only_common_words(words: list[str]) -> bool:
    """Tell whether every word of a name is a word of the language, and none says it names a body or place."""
    lower = [w.lower().rstrip(".") for w in words]
    if " ".join(lower) in _LOCATIONS or "&" in words or any(any(c.isdigit() for c in w) for w in words):
        return False
    if any(w in _ORG_SUFFIXES for w in lower[1:]) or any(w in _ORG_PREFIXES for w in lower) or lower[0] in _PLACE_HEADS:
        return False  # "Harlow City Council", "Head Office", "Lake Garda"
    if lower[-1] in _PRODUCT_HEADS or lower[-1] in _STREET_HEADS:  # "Aster Pro", "Nimbus App", "Carver Street"
        return False
    content = [w for w in lower if w not in STOPWORDS]
    return bool(content) and all(_known_word(w) and w not in _NAMES for w in content)


# The last word of an event's or a law's name: "Future Homes Expo", "European Accessibility Act".
_EVENT_HEADS = frozenset(
    "act acts directive regulation regulations law treaty convention code expo summit conference congress festival "
    "fair awards event meeting week day forum exhibition championship championships marathon workshop webinar "
    "hackathon gala fete concert parade ceremony".split()
)
# What a part of a body is called after what it does: "the Platform team", "the Legal department".
_UNIT_NOUNS = frozenset("team department group unit division".split())
_BASED = re.compile(r"^([A-Z][^\W\d_]+)-(?:based|born|headquartered)$")
_INNER_CAPITAL = re.compile(r"[a-z]+[A-Z]")
_RAW_WORD = re.compile(r"\S+")


_CONNECTORS = frozenset({"of", "de", "&", "von", "van", "for", "and"})
# Lower-case words inside a person's name: "Dafydd ap Rhys", "Joost van Leeuwen", "Ana de la Torre".
_NAME_PARTICLES = frozenset("ap bin ibn al el da di du del della der den ter ten dos das la le zu".split())


def _capitalised(raw_words: list[re.Match[str]], index: int) -> bool:
    return index < len(raw_words) and raw_words[index].group()[:1].isupper()


LISTED_WORDS = 6  # how far a comma inside a body's name may look for its "and": "Environment, Food and Rural"


def _listed(raw_words: list[re.Match[str]], index: int) -> bool:
    """Tell whether capitalised words from here end a list with "and" + a capital: "Food and Rural Affairs"."""
    for j in range(index, min(len(raw_words), index + LISTED_WORDS)):
        word = raw_words[j].group()
        if word == "and":
            return _capitalised(raw_words, j + 1)
        if not word[:1].isupper() or word.rstrip(",") != word.rstrip(_EDGE):
            return False
    return False


BODY_AFTER_AND = 4  # how far "and" looks for the body's word ending the name: "and Drug Administration"


def _body_follows(raw_words: list[re.Match[str]], index: int) -> bool:
    """Tell whether capitalised words from here end in a body's word: "Safety Executive", "Drug Administration"."""
    for j in range(index, min(len(raw_words), index + BODY_AFTER_AND)):
        word = raw_words[j].group()
        core = word.strip(_EDGE)
        if not core[:1].isupper():
            return False
        if core.lower() in _ORG_SUFFIXES:
            return True
        if word != core:
            return False
    return False


def _person_of_body(words: list[str]) -> bool:
    """Tell whether "<given name> ... of <body>" names a person, then the body: "Ravi Patel of Harbourline Ltd"."""
    cut = words.index("of", 1)
    body = [w.lower().rstrip(".") for w in words[cut + 1 :]]
    return (
        words[0].lower() in _FIRST_NAMES
        and cut <= 3
        and bool(body)
        and (body[-1] in _ORG_SUFFIXES or body[0] in _ORG_PREFIXES)
    )


def _heads_its_phrase(prev_raw: str, follow: str) -> bool:
    """Tell whether capitalised words after "the" name a thing ("through the Kestrel Gateway failed").

    Such words name one thing, as "the White House" does, when they end their noun phrase or come before
    a product's noun ("the Larkspur Checkout service"); before another noun they only qualify it ("the Dark
    Mode setting").
    """
    after = follow.strip(_EDGE).lower()
    qualified = follow[:1].islower() and _common_noun(after) and after not in _THING_NOUNS
    return prev_raw.lower() == "the" and not qualified


_VERSION = re.compile(r"\d+(?:\.\d+)*$")
# Abbreviations a name goes on after: "& Co. KG", "St. Ives".
_MID_ABBREVIATIONS = frozenset("co st mt ft bros".split())
# A nationality's adjective: "Spanish", "Norwegian", "Japanese", "Nordic", "European" (a given name
# ending so, "Julian", is let through when the lists know it).
_DEMONYM = re.compile(
    r"^[A-Z][a-z]+(?:ish|ese|ian|ean|ic)$|^(?:German|American|African|Mexican|Dutch|French|Greek|Swiss|Thai|Welsh|"
    r"Czech|Cuban|Moroccan|Kenyan|Nigerian|Slovak|Pakistani|Iraqi|Israeli|Saudi)$"
)
_HOUSE_NUMBER = re.compile(r"\d{1,4}[A-Za-z]?$")


def _dwelt_in(raw_words: list[re.Match[str]], index: int) -> bool:
    """Tell whether the words before a name say people live there: "residents of Elm Tower"."""
    return index >= 2 and raw_words[index - 1].group() == "of" and raw_words[index - 2].group().lower() in _DWELLERS


def _span_entities(sentence: str, masked: str, lower_words: set[str]) -> list[tuple[int, str, str]]:
    out: list[tuple[int, str, str]] = []
    span: list[tuple[int, str, int]] = []  # (offset, word, index in sentence)
    raw_words = list(_RAW_WORD.finditer(masked))
    # What the run so far holds, kept as it grows (asking the whole run at each word would be quadratic):
    someone = False  # a title or a given name, so a particle may go on: "Councillor Dafydd ap Rhys"
    body_first = False  # a public body's first word: "Ministry", "Department"
    body_goes_on = False  # ... and its "of" or "for", so "and" or a list may go on: "Ministry of Transport and ..."
    plain = True  # only words of the language, no name: "Health" in "Health and Safety Executive"

    def flush() -> None:
        nonlocal someone, body_first, body_goes_on, plain
        someone = body_first = body_goes_on = False
        plain = True
        while span and (span[-1][1].lower() in _CONNECTORS or span[-1][1] in _NAME_PARTICLES):
            span.pop()
        words = [w for _, w, _ in span]
        person_hint = False
        first_index = span[0][2] if span else 0
        if span and first_index > 0 and raw_words[first_index - 1].group().strip(_EDGE).lower() in _TITLES:
            person_hint = True
        while len(words) > 1 and words[0].lower() in _ARTICLES:
            words.pop(0)  # "Agenda: The Board ...": an article opens no name
            first_index += 1
        if len(words) > 2 and first_index == 0 and words[0].lower() in _COMMON_CAPS:
            words.pop(0)  # "Dear Mr Per Lindqvist": the greeting goes before the title does
            first_index += 1
        while words and words[0].lower().rstrip(".") in _TITLES:
            words.pop(0)
            first_index += 1
            person_hint = True
        if person_hint and words and words[0].lower() == "of":
            words.pop(0)  # "the Mayor of Bristol": a title, then the place or body it is of
            first_index += 1
            person_hint = False
        if len(words) == 2 and words[0].lower() in _COUNTED and words[1].isdigit():
            words = []  # "Item 2", "Phase 3": a numbered part, not a thing
        follow = raw_words[span[-1][2] + 1].group() if span and span[-1][2] + 1 < len(raw_words) else ""
        if (
            len(words) == 1
            and _DEMONYM.match(words[0])
            and words[0].lower() not in _FIRST_NAMES
            and _qualifies_a_noun(follow)
        ):
            words = []  # a nationality before its noun: "Spanish cyclist", "Nordic countries"
        if len(words) == 1 and words[0].lower() in _TECHNOLOGIES:
            words = []  # a technology or a rule ("Bluetooth", "GDPR") is no person, body, place or product
        # "ABERDEEN, 2 February 2026 - ...": a news story opens with its place in capitals, then its date
        dateline = (
            bool(words)
            and first_index == 0
            and all(w.isupper() for w in words)
            and raw_words[span[-1][2]].group().endswith(",")
            and "\x00" in follow
        )
        if words and first_index == 0 and not dateline:
            head = words[0].lower()
            strong = head in _FIRST_NAMES or " ".join(words).lower() in _LOCATIONS or len(words) > 1
            if head in STOPWORDS or head in _COMMON_CAPS or head in lower_words or not strong:
                words.pop(0)
                first_index += 1
            elif len(words) > 2 and words[1] == "of" and _common_noun(head) and head not in _ORG_PREFIXES:
                del words[:2]  # "Customers of Brightline Bank were ...": a sentence's first noun, then "of"
                first_index += 2
        roles = 0
        while roles < len(words) and words[roles].lower().rstrip(".") in _ROLE_WORDS:
            roles += 1
        body_named = roles < len(words) and (
            words[-1].lower() in _ORG_SUFFIXES or words[roles].lower() in _ORG_PREFIXES
        )
        if roles and words[roles - 1].lower() != "of" and body_named:
            roles = 0  # "Head Office", "Chief Medical Office": a body, whatever its first word
        if roles == len(words) or (roles and words[roles - 1].lower() == "of"):
            words = []  # a role, not someone: "Chief Financial Officer", "Head of Procurement"
        elif roles and any(w.lower().rstrip(".") in _ROLE_HEADS for w in words[:roles]):
            # "Chief Operating Officer Lena Brandt": the role before the name tells it is a person's
            del words[:roles]
            first_index += roles
            person_hint = True
        # "Project Manager Ana Ruiz": a job's name before a name tells it is a person's.
        job = max((k for k, w in enumerate(words[:-1]) if w.lower() in _OFFICES and k >= 1), default=-1)
        # ... unless the run names a body: "Glasgow Sheriff Court"
        if job >= 0 and not any(w.lower() == "of" for w in words[: job + 1]) and words[-1].lower() not in _ORG_SUFFIXES:
            del words[: job + 1]
            first_index += job + 1
            person_hint = True
        elif len(words) > 1 and words[-1].lower() in _OFFICES and not person_hint and "and" not in words:
            words = []  # a job, not someone: "Project Manager", "Quality Assurance Lead"
        if words and all(len(w) >= 3 and w.isupper() and _known_word(w.lower()) for w in words):
            words = []  # a heading in capitals: "PRESS RELEASE", "UPDATE"
        prev_raw = raw_words[first_index - 1].group() if 0 < first_index <= len(raw_words) else ""
        named_as_product = prev_raw.endswith(",") and prev_raw.lower().strip(_EDGE) in _PRODUCT_NOUNS
        if words and words[-1].lower() in _STREET_HEADS and _HOUSE_NUMBER.match(prev_raw):
            words.insert(0, prev_raw)  # "40 Marsh Lane": the house number belongs to the address
        last_raw = raw_words[span[-1][2]].group() if span else ""
        # an event's or a law's name is OTHER, unless it labels what follows ("Next Meeting: Friday")
        event = len(words) > 1 and words[-1].lower() in _EVENT_HEADS and not last_raw.endswith(":")
        if (
            len(words) > 1
            and not person_hint
            and not named_as_product  # "our new tool, Brisk Ledger,": an apposition names the thing
            and not event
            and _only_common_words(words)
            and not _heads_its_phrase(prev_raw, follow)
            and not _dwelt_in(raw_words, first_index)
        ):
            # Words of the language written with capitals name no one: a heading ("Action Items"), a
            # feature ("the Dark Mode setting").
            words = []
        if len(words) == 1 and words[0].lower().rstrip(".") in _JOB_HEADS:
            words = []  # a job's last word alone: "(Product Owner)" read from "Owner"
        if len(words) == 1 and span and _known_word(words[0].lower()):
            if follow.lower().strip(_EDGE) in _UNIT_NOUNS:
                words = []  # "the Platform team", "the Finance department": a part of a body, named by what it does
        # "Councillor Fiona MacLeod of Glasgow City Council": a person, then the body they belong to.
        # "Ravi Patel of Harbourline Logistics Ltd": a given name before it tells the same.
        body: list[str] = []
        if "of" in words[1:] and (person_hint or _person_of_body(words)):
            cut = words.index("of", 1)
            words, body = words[:cut], words[cut + 1 :]
        single = len(words) == 1 and words[0].lower().replace("’", "'")
        if words and not (single and (len(single) < 2 or single in STOPWORDS or single in _COMMON_CAPS)):
            last_index = span[-1][2]
            before = [raw_words[j].group() for j in range(max(0, first_index - 4), first_index)]
            after = [raw_words[j].group() for j in range(last_index + 1, min(len(raw_words), last_index + 7))]
            comma = raw_words[last_index].group().endswith(",")
            kind = "OTHER" if event else "LOCATION" if dateline else _classify(words, person_hint, before, after, comma)
            out.append((span[0][0], " ".join(words), kind))
            if body:
                out.append((span[0][0] + 1, " ".join(body), _classify(body, False, ["of"], after)))
        span.clear()

    for index, m in enumerate(raw_words):
        raw = m.group()
        if not span and raw[:1].islower() and not _INNER_CAPITAL.match(raw):
            continue  # most words: lower case outside a name, which nothing below would start one with
        core = raw.strip(_EDGE)
        based = _BASED.match(core)
        if based:
            # "Oslo-based Nordvik Energy": a place, then the name it qualifies
            flush()
            out.append((m.start(), based.group(1), "LOCATION"))
            continue
        if core.endswith(("'s", "’s")):
            core = core[:-2]
        capital = bool(core) and (core[0].isupper() or bool(_INNER_CAPITAL.match(core))) and core != "I"
        model_number = bool(span) and _VERSION.match(core) is not None  # "Trailhawk 9", "FleetView 2.0"
        # "Department for Transport", "Ministry for the Environment" is one name
        lead = bool(span) and span[-1][1].lower() in _ORG_PREFIXES
        low = core.lower()
        connector = bool(span) and (
            low in {"of", "de", "&", "von", "van"}
            or (lead and low == "for")
            or (core in _NAME_PARTICLES and someone)  # "Councillor Dafydd ap Rhys"
            or (low == "and" and body_goes_on)  # "Ministry of Transport and Communications"
            or (low == "and" and plain and _body_follows(raw_words, index + 1))  # "Health and Safety Executive"
        )
        if core and (capital or model_number or connector) and "\x00" not in raw and not raw.startswith("("):
            span.append((m.start(), core, index))
            someone = someone or low.rstrip(".") in _TITLES or low in _FIRST_NAMES
            body_goes_on = body_goes_on or (body_first and low in ("of", "for"))
            body_first = body_first or (len(span) == 1 and low in _ORG_PREFIXES)
            plain = plain and (low in _ARTICLES or (low != "and" and _known_word(low) and low not in _FIRST_NAMES))
        else:
            if span:
                flush()
            continue
        if raw.endswith(("s'", "s’")) and _capitalised(raw_words, index + 1):
            span[-1] = (m.start(), raw, index)  # "Linden Court Owners' Association": a plural possessive inside
        elif raw.endswith(",") and body_goes_on and _listed(raw_words, index + 1):
            span[-1] = (m.start(), core + ",", index)  # "Department for Environment, Food and Rural Affairs"
        elif raw.endswith(".") and low in _MID_ABBREVIATIONS and _capitalised(raw_words, index + 1):
            span[-1] = (m.start(), core + ".", index)  # "Hartmann GmbH & Co. KG", "St. Mary's"
        elif raw != raw.rstrip(_EDGE) and not raw.endswith("'s"):
            flush()
    flush()
    return out


def _title_case_heading(sentence: str) -> bool:
    """Tell whether a sentence is a headline: four words or more, no final stop, most words capitalised."""
    words = sentence.split()
    if len(words) < 4 or sentence.rstrip()[-1:] in ".!?:;," or "," in sentence or "(" in sentence:
        return False
    content = [w for w in words if w[:1].isalpha() and w.lower() not in STOPWORDS]
    return len(content) >= 4 and sum(w[0].isupper() for w in content) >= 0.8 * len(content)


def entities(text: str) -> list[tuple[str, str]]:
    """Find named entities as (name, type) pairs in order of first appearance, deduplicated."""
    lower_words = {t for t in re.findall(r"\b[a-z][a-z'-]*\b", text)}
    found: list[tuple[int, int, str, str]] = []
    for n, sentence in enumerate(sentences(text)):
        patterned = _pattern_entities(sentence)
        masked = list(sentence)
        for start, end, name, kind in patterned:
            masked[start:end] = ["\x00"] * (end - start)
            if kind != _CLOCK:
                found.append((n, start, name, kind))
        spans = _span_entities(sentence, "".join(masked), lower_words)
        if spans and _title_case_heading(sentence):
            # A headline capitalises every word ("Nordvik Energy Signs Supply Deal with ..."): where a name
            # ends there is not told; only the names the text repeats below it are kept.
            rest = text.replace(sentence, " ", 1)
            spans = [span for span in spans if span[1] in rest]
        for start, name, kind in spans:
            found.append((n, start, name, kind))
    out: list[tuple[str, str]] = []
    seen = _WordSequences()  # a name inside one seen before ("Acme" after "Acme Corp") is left out
    for _, _, name, kind in sorted(found, key=lambda f: (f[0], f[1])):
        words = name.lower().split(" ")
        if words in seen:
            continue
        seen.add(words)
        out.append((name, kind))
    return out


class _WordSequences:
    """Every run of consecutive words inside the names added so far: a suffix automaton over words.

    Adding a name costs about one step per word and asking about a run one step per word of it;
    comparing each name with every name before it cost minutes on a document of thousands of ids.
    """

    def __init__(self) -> None:
        self._next: list[dict[object, int]] = [{}]  # per state: word -> state
        self._link = [-1]  # per state: the state of its longest suffix that ends elsewhere too
        self._length = [0]  # per state: its longest run, in words
        self._last = 0

    def __contains__(self, words: list[str]) -> bool:
        state = 0
        for word in words:
            state = self._next[state].get(word, -1)
            if state < 0:
                return False
        return True

    def add(self, words: list[str]) -> None:
        """Add a name's words; no run spans two names."""
        for word in [*words, object()]:  # a separator unlike any word ends the name
            self._extend(word)

    def _extend(self, word: object) -> None:
        nxt, link, length = self._next, self._link, self._length
        current = len(length)
        nxt.append({})
        length.append(length[self._last] + 1)
        link.append(0)
        state = self._last
        while state >= 0 and word not in nxt[state]:
            nxt[state][word] = current
            state = link[state]
        if state >= 0:
            target = nxt[state][word]
            if length[state] + 1 == length[target]:
                link[current] = target
            else:
                clone = len(length)
                nxt.append(dict(nxt[target]))
                length.append(length[state] + 1)
                link.append(link[target])
                while state >= 0 and nxt[state].get(word) == target:
                    nxt[state][word] = clone
                    state = link[state]
                link[target] = link[current] = clone
        self._last = current
