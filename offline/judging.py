"""The offline engine's skills for the document pipeline and the refine loop.

Document: assess, brief, find risks and opportunities, synthesise, verify. Refine: draft, critique,
revise.
"""

from __future__ import annotations

import json
from typing import Any

from offline import text as T
from offline.skills import Skill, SkillRequest, json_tag, tag
from offline.text import assess as A

# Below this share of a statement's content words found in the document, the statement is
# reported as unsupported; extractive briefings quote the document, so they sit near 1.0.
SUPPORTED = 0.6


def assess(request: SkillRequest) -> dict[str, Any]:
    """Assess complexity and length from countable signals."""
    complexity, length, confidence = A.assess(tag(request, "document"))
    return {"complexity": complexity, "length": length, "confidence": confidence}


def brief(request: SkillRequest) -> dict[str, Any]:
    """Summarise in at most two sentences."""
    return {"brief": T.summarize(tag(request, "document"), max_sentences=2)}


def doc_risks(request: SkillRequest) -> dict[str, Any]:
    """Find the sentences that state risks."""
    return {"items": T.cue_sentences(tag(request, "document"), "risk")}


def doc_opportunities(request: SkillRequest) -> dict[str, Any]:
    """Find the sentences that state opportunities."""
    return {"items": T.cue_sentences(tag(request, "document"), "opportunity")}


def doc_synthesis(request: SkillRequest) -> dict[str, Any]:
    """Join the analyses into a briefing; confidence falls with every analysis that is missing."""
    found: dict[str, Any] = json_tag(request, "findings")
    missing = tag(request, "missing")
    lines: list[str] = []
    if found.get("summary"):
        lines.append(f"Overview: {found['summary']}")
    if found.get("sentiment"):
        lines.append(f"Tone: {found['sentiment']['label']}.")
    if found.get("entities"):
        lines.append("Involves: " + ", ".join(e["name"] for e in found["entities"][:8]) + ".")
    if found.get("topics"):
        lines.append("Topics: " + ", ".join(t["name"] for t in found["topics"][:5]) + ".")
    for key, title in (("risks", "Risks"), ("opportunities", "Opportunities")):
        if found.get(key):
            lines.append(f"{title}: " + " ".join(found[key]))
    if missing != "none":
        lines.append(f"Missing: the {missing} analysis failed, so this briefing does not cover it.")
    expected = ("summary", "key_points", "sentiment", "entities", "topics", "risks")
    share = sum(1 for key in expected if found.get(key) is not None) / len(expected)
    return {
        "synthesis": "\n".join(lines) or "No analysis produced anything.",
        "confidence": round(0.55 + 0.4 * share, 2),
    }


def verify(request: SkillRequest) -> dict[str, Any]:
    """Name the briefing's statements that the document does not support."""
    document = tag(request, "document")
    statements = [s for line in tag(request, "briefing").splitlines() for s in T.sentences(line.split(": ", 1)[-1])]
    unsupported = [s for s in statements if A.supported(s, document) < SUPPORTED]
    return {"supported": not unsupported, "unsupported": unsupported}


def draft(request: SkillRequest) -> dict[str, Any]:
    """Open with the source's lead sentence: a first draft the critique can improve on."""
    found = T.sentences(tag(request, "text"))
    return {"draft": found[0] if found else tag(request, "text")}


def critique(request: SkillRequest) -> dict[str, Any]:
    """Score a draft's coverage of the source's key facts and its length against the task."""
    score, feedback = A.evaluate(tag(request, "draft"), tag(request, "text"), tag(request, "task"))
    return {"score": score, "feedback": feedback}


def revise(request: SkillRequest) -> dict[str, Any]:
    """Add the source sentences that carry the facts the feedback asks for, within the word limit."""
    feedback = json.loads(tag(request, "feedback"))
    revised = A.revise(tag(request, "draft"), tag(request, "text"), tag(request, "task"), feedback)
    return {"draft": revised}


JUDGING_SKILLS: dict[str, Skill] = {
    "assess": assess,
    "brief": brief,
    "doc_risks": doc_risks,
    "doc_opportunities": doc_opportunities,
    "doc_synthesis": doc_synthesis,
    "verify": verify,
    "draft": draft,
    "critique": critique,
    "revise": revise,
}
