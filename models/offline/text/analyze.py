"""Sentiment, named entities, topics and cue sentences (risks, opportunities, requirements)."""

from __future__ import annotations

import math
import re

from models.offline.text.basics import STOPWORDS, scored_keywords, sentences, stem, tokens

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


def sentiment(text: str) -> tuple[str, float, list[str]]:
    """Classify sentiment as positive/negative/neutral/mixed with a confidence and key phrases."""
    pos = neg = 0.0
    phrases: list[str] = []
    for sentence in sentences(text):
        toks = tokens(sentence)
        for i, tok in enumerate(toks):
            st = stem(tok)
            polarity = 1.0 if st in _POS_STEMS else -1.0 if st in _NEG_STEMS else 0.0
            window = toks[max(0, i - 3) : i]
            negated = any(w in _NEGATORS for w in window)
            if polarity == 0.0 and not (negated and st in _NEGATABLE):
                continue
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
    if total < 0.5:
        return "neutral", 0.6, phrases[:8]
    low, high = min(pos, neg), max(pos, neg)
    if low >= 1.0 and low / high >= 0.5:
        return "mixed", round(0.5 + 0.4 * low / high, 2), phrases[:8]
    confidence = 0.5 + 0.5 * ((high - low) / total) * (1 - math.exp(-total / 1.5))
    return ("positive" if pos > neg else "negative"), round(min(confidence, 0.98), 2), phrases[:8]


_ORG_SUFFIXES = frozenset(
    """
    inc ltd llc plc corp corporation co company gmbh ag sa nv bv spa srl bank group holdings partners
    technologies systems labs university institute foundation agency association ministry council
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


def _classify(words: list[str], person_hint: bool) -> str:
    name = " ".join(words)
    last = words[-1].lower().rstrip(".")
    if len(words) > 1 and (last in _ORG_SUFFIXES or words[0].lower() in _ORG_PREFIXES):
        return "ORGANIZATION"
    if name.lower() in _LOCATIONS:
        return "LOCATION"
    if len(words) <= 3 and (person_hint or (words[0].lower() in _FIRST_NAMES and all(w[0].isupper() for w in words))):
        return "PERSON"
    if any(any(c.isdigit() for c in w) or re.search(r"[a-z][A-Z]", w) for w in words):
        return "PRODUCT"
    return "OTHER"


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
        if words and not (len(words) == 1 and (len(words[0]) < 2 or words[0].lower().replace("’", "'") in STOPWORDS)):
            out.append((span[0][0], " ".join(words), _classify(words, person_hint)))
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


def topics(text: str, k: int = 5) -> list[tuple[str, float]]:
    """Return up to k topics as (name, relevance in (0, 1]) from keyword clusters, most relevant first."""
    candidates = scored_keywords(text)[: max(k, 0) * 4]
    unigram = {word: score for word, score in candidates if " " not in word}
    bigrams = {word: score for word, score in candidates if " " in word}
    scores: dict[str, float] = {}
    for word, score in candidates:
        if word in bigrams:
            # A phrase inherits part of the weight of its words: "energy storage" outranks "storage".
            scores[word] = score + 0.5 * sum(unigram.get(part, 0.0) for part in word.split())
        elif not any(word in b.split() and bigrams[b] / 1.5 >= 2 / 3 * score for b in bigrams):
            scores[word] = score
    ranked = sorted(scores.items(), key=lambda item: -item[1])[: max(k, 0)]
    if not ranked:
        return []
    top = ranked[0][1]
    return [(word.title() if word.islower() else word, round(score / top, 2)) for word, score in ranked]


_CUES: dict[str, re.Pattern[str]] = {
    "risk": re.compile(
        r"\b(?:risk\w*|threat\w*|delay\w*|shortage\w*|exposure|exposed|declin\w*|challeng\w*|intermitten\w*"
        r"|depend\w*|vulnerab\w*|uncertain\w*|volatil\w*|disrupt\w*|shortfall|downturn|penalt\w*"
        r"|breach\w*|fail\w*|loss(?:es)?|costly|expensive|bottleneck\w*|outage\w*|scarcity|obsole\w*"
        r"|concern\w*|problem\w*|costs? (?:can be |are |is |remains? )?(?:high|rising))\b",
        re.IGNORECASE,
    ),
    "opportunity": re.compile(
        r"\b(?:opportunit\w*|growth|grow\w*|expand\w*|expansion|demand|potential|saving\w*|advantage\w*"
        r"|benefit\w*|incentive\w*|affordable|profit\w*|revenue\w*|untapped|emerging|innovat\w*"
        r"|efficien\w*|market share|lower\w* (?:\w+ )?(?:costs?|bills?)|upside|new markets?)\b",
        re.IGNORECASE,
    ),
    "requirement": re.compile(
        r"\b(?:must|shall|required|requires?|requirements?|need(?:s|ed)? to|necessary|necessitat\w*"
        r"|should|mandatory|complian\w*|comply|obligat\w*|ha(?:ve|s) to|is crucial|are crucial|essential)\b",
        re.IGNORECASE,
    ),
}


def cue_sentences(text: str, kind: str) -> list[str]:
    """Return the sentences carrying risk, opportunity or requirement cues, in order."""
    pattern = _CUES.get(kind.lower())
    if pattern is None:
        raise ValueError(f"unknown cue kind {kind!r}; expected one of {', '.join(sorted(_CUES))}")
    return [s for s in sentences(text) if pattern.search(s)]
