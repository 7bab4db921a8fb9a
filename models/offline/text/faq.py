"""Question generation, retrieval-based answering and source attribution over (title, content) pairs."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from models.offline.text.basics import STOPWORDS, content_stems, is_content, sentences, stem, tokens

_QUESTION_WORDS = frozenset("what how why when where who which does did source say says tell explain describe".split())
_PRONOUN_START = re.compile(r"^(?:it|they|this|these|those|that|such|he|she)\b", re.IGNORECASE)
_MIN_COVERAGE = 0.5
_MIN_SCORE = 0.8


@dataclass(frozen=True)
class _Passage:
    title: str
    source: int
    index: int
    text: str
    terms: Counter[str]
    length: int


def _terms(text: str) -> list[str]:
    """Content stems, plus the parts of hyphenated words ("non-refundable" also yields "refundable")."""
    out = content_stems(text)
    for tok in tokens(text):
        if "-" in tok:
            out += [stem(part) for part in tok.split("-") if is_content(part)]
    return out


def _passages(sources: list[tuple[str, str]]) -> list[_Passage]:
    out: list[_Passage] = []
    for n, (title, content) in enumerate(sources):
        for i, sentence in enumerate(sentences(content)):
            terms = Counter(_terms(sentence))
            out.append(_Passage(title, n, i, sentence, terms, sum(terms.values())))
    return out


@dataclass(frozen=True)
class _Index:
    passages: list[_Passage]
    df: Counter[str]
    avg: float
    titles: dict[int, set[str]]

    @classmethod
    def build(cls, sources: list[tuple[str, str]]) -> _Index:
        passages = _passages(sources)
        df = Counter(t for p in passages for t in set(p.terms))
        avg = sum(p.length for p in passages) / len(passages) if passages else 1.0
        return cls(passages, df, avg or 1.0, {n: set(_terms(title)) for n, (title, _) in enumerate(sources)})


def _query_terms(question: str) -> list[str]:
    question = re.sub(r"^what is said about\s+", "", question.strip(), flags=re.IGNORECASE)
    question = re.sub(r"\bhow\s+(?:long|many|much|often|far|soon)\b", "how", question, flags=re.IGNORECASE)
    terms: list[str] = []
    for term in _terms(" ".join(t for t in tokens(question) if t not in _QUESTION_WORDS)):
        if term not in terms:
            terms.append(term)
    return terms


def _rank(question: str, index: _Index) -> list[tuple[float, float, _Passage]]:
    """Score passages with BM25 plus a small title bonus; returns (score, idf coverage, passage), best first."""
    terms = _query_terms(question)
    if not terms or not index.passages:
        return []
    n = len(index.passages)
    idf = {t: math.log(1 + (n - index.df[t] + 0.5) / (index.df[t] + 0.5)) for t in terms}
    total_idf = sum(idf.values())
    ranked: list[tuple[float, float, _Passage]] = []
    for p in index.passages:
        score = matched = 0.0
        for t in terms:
            tf = p.terms[t]
            if tf:
                matched += idf[t]
                score += idf[t] * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * p.length / index.avg))
            if t in index.titles[p.source]:
                score += 0.2 * idf[t]
        ranked.append((score, matched / total_idf, p))
    ranked.sort(key=lambda r: (-r[0], r[2].source, r[2].index))
    return ranked


def _answer(question: str, index: _Index) -> tuple[str | None, list[str]]:
    ranked = _rank(question, index)
    if not ranked or ranked[0][1] < _MIN_COVERAGE or ranked[0][0] < _MIN_SCORE:
        return None, []
    best_score, _, best = ranked[0]
    chosen = [best]
    if _PRONOUN_START.match(best.text) and best.index > 0:
        # A sentence opening with a pronoun needs its predecessor to make sense on its own.
        previous = (p for p in index.passages if p.source == best.source and p.index == best.index - 1)
        chosen.insert(0, next(previous))
    elif len(ranked) > 1 and ranked[1][0] >= 0.8 * best_score and ranked[1][1] >= _MIN_COVERAGE:
        second = ranked[1][2]
        chosen.append(second)
        if second.source == best.source:
            chosen.sort(key=lambda p: p.index)
    titles: list[str] = []
    for p in [best, *chosen]:
        if p.title not in titles:
            titles.append(p.title)
    return " ".join(p.text for p in chosen), titles


def answer_question(question: str, sources: list[tuple[str, str]]) -> tuple[str | None, list[str]]:
    """Answer from the best 1-2 source sentences, with their titles; (None, []) when unsupported."""
    return _answer(question, _Index.build(sources))


def attribute(answer: str, sources: list[tuple[str, str]]) -> list[str]:
    """Return the titles of the sources whose content supports the answer, best supported first."""
    support: dict[int, float] = {}
    passages = _passages(sources)
    for part in sentences(answer):
        words = set(_terms(part))
        if not words:
            continue
        for p in passages:
            overlap = len(words & set(p.terms)) / len(words)
            if overlap >= 0.5:
                support[p.source] = max(support.get(p.source, 0.0), overlap)
    for n, (_, content) in enumerate(sources):
        words = set(_terms(answer))
        if words and n not in support:
            overlap = len(words & set(_terms(content))) / len(words)
            if overlap >= 0.7:
                support[n] = overlap * 0.9
    titles: list[str] = []
    for n in sorted(support, key=lambda n: (-support[n], n)):
        if sources[n][0] not in titles:
            titles.append(sources[n][0])
    return titles


# ---------------------------------------------------------------- question generation

_LEAD_IN = re.compile(
    r"^(?:(?:while|although|though|because|since|as|when|if|whereas|after|before|once|unless|in|on|at|for"
    r"|with|during|over|today|currently)\b[^,]{0,80},\s*|(?:however|moreover|also|additionally|furthermore"
    r"|finally|overall|in fact|in addition|for example|for instance|as a result|therefore),\s*)",
    re.IGNORECASE,
)
_COPULA = re.compile(r"^(?P<subj>[^,;:]+?)\s+(?P<cop>is|are|was|were)\s+(?P<pred>.+)$")
_MODAL = re.compile(r"^(?P<subj>[^,;:]+?)\s+(?P<modal>can|could|may|will|should|must)\s+(?P<rest>.+)$")
_BY_DOING = re.compile(r"^By\s+\w+ing\b[^,]*,\s*(?P<subj>[\w\s'-]+?)\s+(?P<verb>\w+s)\s+(?P<rest>[^,;—]+)")
_MAKES = re.compile(r"^(?P<subj>[^,;:]+?)\s+makes?\s+(?:it|them)\s+(?P<rest>.+)$")
_PURPOSE = re.compile(
    r"\bto\s+(?P<verb>ensure|achieve|provide|maintain|reduce|balance|improve|increase|support|protect|prevent"
    r"|avoid|meet|guarantee|enable|keep|lower|cut|boost|secure|deliver)\s+(?P<obj>[^,;.—]+)",
    re.IGNORECASE,
)
_WHERE_CUE = re.compile(
    r"^(?:both\s+|either\s+)?(?:in|at|on|onshore|offshore|indoors|outdoors|anywhere|everywhere|near|inside"
    r"|outside|across)\b",
    re.IGNORECASE,
)
_WHEN_CUE = re.compile(
    r"\b(?:within|after|before|during|until|daily|weekly|monthly|yearly|annually|every|same day|today|tomorrow"
    r"|\d+\s*(?:am|pm|days?|hours?|weeks?|months?|years?))\b",
    re.IGNORECASE,
)
_SVO = re.compile(
    r"^(?P<subj>(?:[A-Z][\w-]*|the|a|an)(?:\s+[\w-]+){0,3}?)\s+(?P<verb>[a-z]+[^s\W]s)\s+"
    r"(?P<obj>(?:the|a|an|your|our|their|its|his|her|this|these|\d)\S*\s.*)$"
)
_TIME_SPAN = re.compile(r"^\d+(?:\s+to\s+\d+)?\s+(?:\w+\s+)?(?:minutes?|hours?|days?|weeks?|months?|years?)\b")
_PARTICIPLE = r"(?!un)[a-z]+(?:ed|en|wn|lt|de|ne)"
_TITLE_LEAD = re.compile(
    r"^(?:(?:the\s+)?(?:benefits|advantages|basics|importance|future|role|history|science|economics|overview"
    r"|introduction|guide|case)\s+(?:of|to|for)\s+|(?:understanding|exploring|introducing|about)\s+)",
    re.IGNORECASE,
)


def _clip(text: str) -> str:
    """Cut a clause at the first comma, dash or semicolon and drop parentheticals."""
    text = re.split(r",|;|—|–|\s-\s|\s+but\s+|\s+like\s+|\s+such as\s+", text, maxsplit=1)[0]
    return " ".join(re.sub(r"\([^)]*\)", " ", text).split()).rstrip(".!?:")


def _plural(np: str) -> bool:
    head = re.split(r"\s+(?:who|that|which|of|for|in|on|with|from)\s+", np.lower())[0].split()
    return (bool(head) and (head[-1].endswith("s") and not head[-1].endswith(("ss", "us", "is")))) or " and " in np


class _Context:
    """Per-source state for question generation: proper nouns and the running subject."""

    def __init__(self, title: str, proper: set[str]) -> None:
        self.proper = proper
        self.topic = self.noun_phrase(_TITLE_LEAD.sub("", title).strip()) or None
        self.subject: str | None = None

    def noun_phrase(self, text: str) -> str:
        words = _clip(text).split()
        if words and words[0].lower() in {"this", "these", "those", "that"} and len(words) > 1:
            words[0] = "the"
        if words and words[0].lower() in {"the", "a", "an"} and len(words) == 1:
            return ""
        return " ".join(w if w in self.proper or (w.isupper() and len(w) > 1) else w.lower() for w in words)

    def resolve(self, subj: str) -> str | None:
        """Resolve a pronoun subject to the running subject or the title's topic; None when unresolvable."""
        low = subj.lower()
        if low in {"it", "they", "this", "that", "these", "those"}:
            want_plural = low in {"they", "these", "those"}
            for candidate in (self.subject, self.topic):
                if candidate and _plural(candidate) == want_plural:
                    return candidate
            return None
        dangling = re.search(r"\b(?:who|that|which|and|or|of|to|for|with|in|on|by)$", low)
        if low in {"there", "here", "you", "i", "we"} or dangling or len(subj.split()) > 8:
            return None
        return self.noun_phrase(subj) or None


def _base_verb(verb: str) -> str:
    if verb.endswith("ies"):
        return verb[:-3] + "y"
    if verb.endswith(("sses", "xes", "ches", "shes", "oes")):
        return verb[:-2]
    return verb[:-1] if verb.endswith("s") else verb


def _passive_question(aux: str, subj: str, ved: str, tail: str, modal: bool = False) -> str:
    """Ask when/where/how something is done, or what it is done to/for, depending on the complement."""
    verb = f"be {ved}" if modal else ved
    if _WHEN_CUE.search(tail):
        return f"When {aux} {subj} {verb}?"
    if _WHERE_CUE.match(tail):
        return f"Where {aux} {subj} {verb}?"
    prep = re.match(r"(to|for|with|by|from|into|on)\b", tail)
    if prep and not modal:
        return f"What {aux} {subj} {ved} {prep[1]}?"
    return f"How {aux} {subj} {verb}?"


def _question_for(sentence: str, ctx: _Context) -> tuple[str | None, str | None]:
    """Return (primary question, secondary question) for one sentence."""
    clause = sentence.strip().rstrip(".!?")
    clause = _LEAD_IN.sub("", clause, count=1)
    primary: str | None = None
    by_doing = _BY_DOING.match(clause)
    copula = _COPULA.match(clause)
    modal = _MODAL.match(clause)
    makes = _MAKES.match(clause)
    if by_doing:
        subj = ctx.resolve(by_doing["subj"])
        if subj:
            aux, verb = ("do", by_doing["verb"]) if _plural(subj) else ("does", _base_verb(by_doing["verb"]))
            primary = f"How {aux} {subj} {verb} {_clip(by_doing['rest'])}?"
    elif copula:
        cop, pred = copula["cop"], _clip(copula["pred"])
        subj = ctx.resolve(copula["subj"])
        key = re.match(r"^(?:the|a|an)\s+(?:key|secret|path|way|route|gateway)\s+to\s+\S+", pred)
        part = re.match(
            r"^(?:also\s+)?(?P<np>(?:a|an|the)\s+(?:\w+\s+)?(?:part|component|element|factor|driver|pillar"
            r"|piece|cornerstone|source))\s+(?P<prep>of|in|for)\b",
            pred,
        )
        need = re.match(r"^(?:also\s+)?(?P<adj>crucial|essential|important|vital|necessary)\s+(?P<rest>.+)", pred)
        need = need if need and re.match(r"(?:for|to)\s", need["rest"]) else None
        passive = re.match(rf"^(?:\w+ly\s+|often\s+|also\s+)?(?P<ved>{_PARTICIPLE})\s+(?P<tail>.+)$", pred)
        adj_prep = re.match(r"^(?:\w+ly\s+)?(?P<adj>[a-z]+)\s+(?P<prep>for|to|in|on|with|from|at|by)\b", pred)
        if key:
            primary = f"What {cop} {ctx.noun_phrase(pred)}?"
        elif need:
            primary = f"What {cop} {need['adj']} {need['rest']}?"
        elif part and subj:
            primary = f"What {cop} {subj} {part['np']} {part['prep']}?"
        elif passive and subj:
            primary = _passive_question(cop, subj, passive["ved"], passive["tail"])
        elif adj_prep and subj and adj_prep["adj"] not in STOPWORDS:
            primary = f"What {cop} {subj} {adj_prep['adj']} {adj_prep['prep']}?"
        elif subj and len(pred.split()) >= 2 and not re.match(r"^(?:not|very|often|usually|also|now|still)\b", pred):
            primary = f"What {cop} {subj}?"
        if subj:
            ctx.subject = subj
    elif makes and ctx.resolve("it"):
        rest = re.sub(r"\s+for\s+(?:many|most|some|all|everyone)$", "", _clip(makes["rest"]))
        primary = f"What makes {ctx.resolve('it')} {rest}?"
    elif modal:
        subj = ctx.resolve(modal["subj"])
        rest = modal["rest"]
        passive = re.match(rf"^be\s+(?P<ved>{_PARTICIPLE})\b\s*(?P<tail>.*)", rest)
        if subj and passive:
            primary = _passive_question(modal["modal"], subj, passive["ved"], passive["tail"], modal=True)
        elif subj and not rest.startswith("be "):
            primary = f"What {modal['modal']} {subj} do?"
        if subj:
            ctx.subject = subj
    elif svo := _SVO.match(clause):
        subj = ctx.resolve(svo["subj"])
        verb = _base_verb(svo["verb"])
        if subj and _TIME_SPAN.match(svo["obj"]) and verb in ("take", "last"):
            primary = f"How long does {subj} {verb}?"
        elif subj and not _plural(subj) and svo["verb"] not in ("is", "has", "was", "does"):
            primary = f"What does {subj} {verb}?"
    purpose = _PURPOSE.search(clause)
    secondary = None
    if purpose:
        obj = " ".join(_clip(purpose["obj"]).split()[:8])
        secondary = f"What is needed to {purpose['verb'].lower()} {obj}?"
    return primary, secondary


_DETERMINERS = frozenset("the a an its their our your this these his her".split())


def _fallback(sentence: str, idf: dict[str, float]) -> str | None:
    """Ask what is said about the rarest noun phrase of the sentence: "What is said about the X Y?".

    Only a phrase that follows a determiner is used, so the question's object is a noun phrase
    ("the grid", "their monthly electricity bills") and never a verb phrase, which made the old
    template ("What does the source say about achieving ...?") ungrammatical.
    """
    toks = tokens(_clip(sentence))
    usable = [is_content(t) and not t.endswith(("ly", "ing", "ed")) for t in toks]
    candidates: list[str] = []
    for i, tok in enumerate(toks[:-1]):
        if tok not in _DETERMINERS or not usable[i + 1]:
            continue
        end = i + 1
        while end + 1 < len(toks) and usable[end + 1] and end - i < 3:
            end += 1
        candidates.append(" ".join(toks[i : end + 1]))
    if not candidates:
        return None
    phrase = max(candidates, key=lambda c: sum(idf.get(stem(w), 0.0) for w in c.split()[1:]))
    return f"What is said about {phrase}?"


def _tidy(question: str) -> str:
    question = " ".join(question.split()).replace(" ?", "?")
    return question[:1].upper() + question[1:]


def generate_questions(sources: list[tuple[str, str]], n: int) -> list[str]:
    """Generate up to n distinct questions, round-robin across sources, each answerable from one sentence."""
    if n <= 0:
        return []
    all_text = " ".join(content for _, content in sources)
    proper = {m.group() for m in re.finditer(r"(?<=[a-z,;] )[A-Z][\w-]*", all_text)}
    index = _Index.build(sources)
    idf = {t: math.log(1 + len(index.passages) / c) for t, c in index.df.items()}
    queues: list[list[tuple[str, str]]] = []
    for title, content in sources:
        ctx = _Context(title, proper)
        primaries: list[tuple[str, str]] = []
        secondaries: list[tuple[str, str]] = []
        fallbacks: list[tuple[str, str]] = []
        for sentence in sentences(content):
            primary, secondary = _question_for(sentence, ctx)
            for question, bucket in ((primary, primaries), (secondary, secondaries)):
                if question:
                    bucket.append((_tidy(question), sentence))
            fallback = _fallback(sentence, idf)
            if fallback:
                fallbacks.append((_tidy(fallback), sentence))
        queues.append(primaries + secondaries + fallbacks)
    out: list[str] = []
    seen: set[str] = set()
    cursors = [0] * len(sources)
    while len(out) < n and any(cursors[i] < len(q) for i, q in enumerate(queues)):
        for i, queue in enumerate(queues):
            while cursors[i] < len(queue) and len(out) < n:
                question, sentence = queue[cursors[i]]
                cursors[i] += 1
                key = " ".join(tokens(question))
                if key in seen:
                    continue
                answer, titles = _answer(question, index)
                if answer and sentence in answer and sources[i][0] in titles:
                    seen.add(key)
                    out.append(question)
                    break
    return out
