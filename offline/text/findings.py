"""Risks, opportunities and requirements in a report's key points, clause by clause.

A sentence is cut into clauses where English joins two claims ("; ", ", but", ", while",
", and the ..."), and each clause is scored three ways on Snowball stems:

    requirement   deontic wording, not hedged: must, shall, should, has to, is required to, requires,
                  "need(s) to" unless after may/might/could, "is needed/necessary/essential",
                  "the regulator expects X to ...".
    risk          problem words (delay, outage, exposed, shortage, bypassed, duplicate, missing),
                  a bad quantity going up ("borrowing costs have risen", "repair times have
                  doubled") or a good one going down ("operating margin fell"), and hedged harm
                  ("could cause a major outage").
    opportunity   prospect words (opportunity, potential, grant, partnership, expand, attract,
                  free up, recover), a good quantity growing now ("demand is growing"), and a
                  hedged clause ("could", "would") that names no harm.

Risk and opportunity exclude each other: a clause goes to the side with more evidence, so a root
cause ("a missing validation step") is a risk and never an opportunity, and a past result
("revenue up 9%") is neither. A sentence whose clauses all go one way is returned whole; one
mixing kinds is returned as its clauses, each in its own list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from offline.text.basics import sentences, tokens
from offline.text.stems import stem

KINDS = ("risk", "opportunity", "requirement")


def _stems(words: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words.split())


# Words that name a problem or an exposure, whatever the verb around them.
_PROBLEM = _stems(
    """
    risk risks risky threat threaten danger hazard exposed exposure vulnerable vulnerability uncertain uncertainty
    volatile volatility delay delayed delays late stuck shortage shortfall scarce scarcity tight bottleneck outage
    offline failure fail failing fails breach fraud duplicate bypassed bypass loss losses lose lost decline
    declining downturn penalty penalties lawsuit complaint complained complain competition competitor competitors
    undercut overrun overspend missing unpredictable concern concerns worried warned warn problem problems error
    errors defect defects damage damaged obsolete slips slip strain pressure disruption disrupt cause challenge
    challenges intermittent intermittency reliance dependent dependence
    """
)
# Words that name a prospect or a gain.
_PROSPECT = _stems(
    """
    opportunity opportunities potential untapped expand expansion attract win gain gains save savings saving
    grant grants subsidy subsidies incentive incentives funding partnership partner freeing free recover
    recovering upside benefit benefits improve improvement boost ease enable unlock affordable cheaper
    """
)
_UP = _stems(
    "rise rises rose risen rising increase increased increasing grow grew grown growing double doubled "
    "triple tripled climb climbed jump jumped surge surged soar soared spike spiked raise raised high higher up"
)
_DOWN = _stems(
    "fall falls fell fallen falling drop dropped decline declined decrease decreased shrink shrank "
    "slip slipped slow slowed halve halved lower lowered down cut reduce reduced"
)
# Quantities whose rise is bad news, and those whose fall is.
_BAD_QUANTITY = _stems(
    "cost costs price prices rate rates borrowing expense expenses debt time times leakage churn "
    "inflation turnover absence estimate budget bill bills"
)
_GOOD_QUANTITY = _stems(
    "revenue revenues sales margin margins profit profits income demand share customers users "
    "bookings orders productivity output satisfaction numbers visitors members subscribers clients patients"
    " students enrolments"
)
# Verbs that take a problem away: "cut picking errors", "recovering the duplicate payments".
_RELIEF = _stems(
    "cut cuts reduce reduced reducing remove removed removing eliminate eliminated prevent prevents "
    "avoid avoids fix fixed fixes resolve resolved recover recovering recovered fewer less lower lowered"
)
_PRESENT = re.compile(r"\b(?:is|are)\s+(?:\w+ly\s+)?\w+ing\b|\bnow\b|\bincreasingly\b", re.IGNORECASE)
# "could", "might", "would" hedge a prospect; "I would recommend" is politeness, not a prospect.
_HEDGE = re.compile(r"\b(?:could|might)\b|(?<!\bi\s)(?<!\bwe\s)\bwould\b(?!\s+like)", re.IGNORECASE)
_DEONTIC = re.compile(
    r"\b(?:must|shall|mandatory|obligatory|obliged|compulsory|required|requires?|requirements?"
    r"|ha(?:s|ve)\s+to|(?<!may\s)(?<!might\s)(?<!could\s)(?<!would\s)needs?\s+(?:to|an?)\b"
    r"|(?:is|are)\s+responsible\s+for|comply|compliance|should"
    r"|(?:is|are|was|were|remains?|will\s+be)\s+(?:\w+ly\s+)?(?:needed|necessary|essential|crucial|vital))\b"
    r"|\b(?:regulator|regulators|law|laws|rules?|policy|contract|standard|authority|authorities|government"
    r"|ministry|council|board|management|customer|client)s?\s+(?:expects?|requires?|asks?|asked|obliges?)\s+\w+"
    r"(?:\s+\w+)?\s+to\b",
    re.IGNORECASE,
)
# How much evidence a clause needs: one problem or prospect word (2) or a hedge on its own (1.5).
PROBLEM_WEIGHT = 2.0
PROSPECT_WEIGHT = 2.0
TREND_WEIGHT = 2.0  # a bad quantity rising, or a good one falling: as strong as a problem word
GROWTH_NOW_WEIGHT = 2.0  # a good quantity growing counts only with a sign it is still going ("now", "is growing")
# A subject may carry a long modifier ("demand for refurbished laptops in Southern Europe grew"),
# an object a short one ("raise prices by 12%").
TREND_BEFORE, TREND_AFTER = 7, 4
HEDGE_WEIGHT = 1.5  # "could", "would" name a prospect; harm words then turn it into a risk
MIN_EVIDENCE = 1.5

_CLAUSE_BREAK = re.compile(
    r";\s+|,\s+(?:but|while|whereas|although|though|yet)\s+|\s+but\s+|^however,\s+"
    r"|,\s+and\s+(?=(?:the|a|an|our|their|its|his|her|this|these|those|we|they|it|he|she|every|each|all)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Scored:
    text: str
    risk: float
    opportunity: float
    requirement: bool

    def kinds(self) -> set[str]:
        out = {"requirement"} if self.requirement else set()
        if max(self.risk, self.opportunity) >= MIN_EVIDENCE:
            out.add("risk" if self.risk >= self.opportunity else "opportunity")
        return out


def _trend(words: list[str]) -> tuple[float, float]:
    """Return (bad-news trend, good-news trend) evidence: a quantity near a verb of direction."""
    bad = good = 0.0
    for i, w in enumerate(words):
        window = words[max(0, i - TREND_BEFORE) : i + TREND_AFTER + 1]
        if w in _UP:
            bad += TREND_WEIGHT * any(x in _BAD_QUANTITY for x in window)
            good += any(x in _GOOD_QUANTITY for x in window)
        elif w in _DOWN:
            bad += TREND_WEIGHT * any(x in _GOOD_QUANTITY for x in window)
            good += any(x in _BAD_QUANTITY for x in window)
    return bad, good


def _score(clause: str) -> _Scored:
    words = [stem(t) for t in tokens(clause)]
    # A problem word next to a verb that removes it is good news: "has cut picking errors".
    problems = sum(
        w in _PROBLEM and not any(x in _RELIEF for x in words[max(0, i - 4) : i]) for i, w in enumerate(words)
    )
    prospects = sum(w in _PROSPECT for w in words)
    bad, good = _trend(words)
    risk = PROBLEM_WEIGHT * problems + bad
    opportunity = PROSPECT_WEIGHT * prospects + (GROWTH_NOW_WEIGHT * good if _PRESENT.search(clause) else 0.0)
    if _HEDGE.search(clause):
        # A hedged clause is a prospect unless it names more harm than gain, then it is a risk.
        if risk > opportunity:
            risk += HEDGE_WEIGHT
        else:
            opportunity += HEDGE_WEIGHT
    return _Scored(clause, risk, opportunity, bool(_DEONTIC.search(clause)))


# "While the initial cost can be high, incentives make it viable": a concession, then the claim.
_CONCESSION = re.compile(r"^(?:while|although|though|whereas|even though)\s+(?P<first>[^,]+),\s+(?P<rest>.+)$", re.I)


def _clauses(sentence: str) -> list[str]:
    conceded = _CONCESSION.match(sentence)
    heads = [conceded["first"], conceded["rest"]] if conceded else [sentence]
    parts = [p.strip() for head in heads for p in _CLAUSE_BREAK.split(head) if p and p.strip()]
    return parts or [sentence]


def findings(text: str) -> dict[str, list[str]]:
    """Return the risks, opportunities and requirements of a text, each a list of sentences or clauses."""
    return {kind: list(found) for kind, found in zip(KINDS, _findings(text), strict=True)}


# The risk and opportunity stages read the same document at once: score its clauses once.
@lru_cache(maxsize=16)
def _findings(text: str) -> tuple[tuple[str, ...], ...]:
    out: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for sentence in sentences(text):
        scored = [_score(c) for c in _clauses(sentence)]
        kinds = [s.kinds() for s in scored]
        if all(k == kinds[0] for k in kinds) or len(scored) == 1:
            for kind in set().union(*kinds):
                out[kind].append(sentence)
            continue
        for clause, found in zip(scored, kinds, strict=True):
            for kind in found:
                out[kind].append(clause.text)
    return tuple(tuple(out[kind]) for kind in KINDS)


def cue_sentences(text: str, kind: str) -> list[str]:
    """Return the sentences (or clauses) of a text that state a risk, an opportunity or a requirement."""
    key = kind.lower()
    if key not in KINDS:
        raise ValueError(f"unknown cue kind {kind!r}; expected one of {', '.join(sorted(KINDS))}")
    return list(_findings(text)[KINDS.index(key)])
