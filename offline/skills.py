"""The offline engine's skills: one per stage, each reading its prompt's delimited inputs."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from offline import OfflineEngineError
from offline import text as T


@dataclass(frozen=True)
class SkillRequest:
    """What a skill reads: the stage's prompt variables, parsed by the stage's declared prompt."""

    stage: str
    system: str
    values: dict[str, str]
    schema: dict[str, Any] | None


Skill = Callable[[SkillRequest], "str | dict[str, Any]"]


class SkillInputError(ValueError):
    """The prompt lacks an input the skill needs."""


def tag(request: SkillRequest, name: str) -> str:
    """Return the value of the prompt variable `name`, as the node rendered it."""
    try:
        return request.values[name].strip()
    except KeyError:
        raise SkillInputError(f"stage {request.stage!r}: its prompt has no variable {name!r}") from None


def json_tag(request: SkillRequest, name: str) -> Any:
    """Return the JSON inside <name>...</name>."""
    try:
        return json.loads(tag(request, name))
    except json.JSONDecodeError as exc:
        raise SkillInputError(f"stage {request.stage!r}: <{name}> is not valid JSON: {exc}") from None


def _sources(request: SkillRequest) -> list[tuple[str, str]]:
    return [(str(s["title"]), str(s["content"])) for s in json_tag(request, "sources")]


def _second_person(text: str) -> str:
    swaps = {
        "i": "you",
        "i'm": "you're",
        "my": "your",
        "me": "you",
        "mine": "yours",
        "am": "are",
        "we": "you",
        "our": "your",
        "us": "you",
    }
    words = text.strip().rstrip(".!?").split()
    out = [swaps.get(w.lower(), w) for w in words]
    # Lower-case the first word so it reads mid-sentence, but keep acronyms such as "VPN".
    if out and not (len(out[0]) > 1 and out[0].isupper()):
        out[0] = out[0][0].lower() + out[0][1:]
    return " ".join(out)


def _first_sentence(text: str) -> str:
    found = T.sentences(text)
    return found[0] if found else text.strip()


# Chain skills


def summarize(request: SkillRequest) -> str:
    """Summarise extractively."""
    return T.summarize(tag(request, "text"), max_sentences=3)


def translate(request: SkillRequest) -> str:
    """Translate with the offline lexicon."""
    try:
        return T.translate(tag(request, "text"), tag(request, "language"))
    except T.UnsupportedLanguage as exc:
        # Asking again cannot help: the input names a language the engine does not have.
        raise OfflineEngineError(f"the offline engine cannot translate into it: {exc}") from None


def generate_questions(request: SkillRequest) -> dict[str, Any]:
    """Write questions that one sentence of the sources answers."""
    wanted = int(tag(request, "count"))
    # The engine only asks what a sentence of the sources answers: short sources hold fewer
    # questions than asked, and the prompt says to write only those.
    questions = T.generate_questions(_sources(request), wanted)
    if not questions:
        raise OfflineEngineError("the offline engine found no question the sources answer; give longer sources")
    return {"questions": questions}


def answer(request: SkillRequest) -> dict[str, Any]:
    """Answer from the best-matching source sentences, or say the sources do not."""
    found, _titles = T.answer_question(tag(request, "question"), _sources(request))
    if found is None:
        return {"answerable": False, "answer": "The sources do not answer this question."}
    return {"answerable": True, "answer": found}


def attribute(request: SkillRequest) -> dict[str, Any]:
    """Name the sources whose content supports the answer."""
    return {"sources": T.attribute(tag(request, "answer"), _sources(request))}


# Router skills


def classify(request: SkillRequest) -> dict[str, Any]:
    """Classify the intent from the query's own words."""
    label, confidence = T.classify_intent(tag(request, "query"))
    return {"intent": label, "confidence": round(confidence, 2)}


def technical(request: SkillRequest) -> str:
    """Write a first technical-support reply about the customer's problem."""
    problem = _second_person(_first_sentence(T.strip_injections(tag(request, "query"))))
    return (
        f"I'm sorry to hear that {problem}. To help you further, could you tell me a bit more? "
        "For example, which device and connection you are using, when the problem started, and "
        "which troubleshooting steps you have already tried, such as restarting the device or "
        "your router. With that information I can point you to the right fix."
    )


def billing(request: SkillRequest) -> str:
    """Write a first billing reply that asks for the account number."""
    concern = _second_person(_first_sentence(T.strip_injections(tag(request, "query"))))
    return (
        f"Thank you for reaching out, and I'm sorry for the trouble: I understand that {concern}. "
        "I will need to look up your account to review the details. Could you please provide "
        "your account number?"
    )


def general(request: SkillRequest) -> str:
    """Apologise and ask the customer to rephrase."""
    return (
        "I'm sorry, I'm not sure how to help with that. Could you please rephrase your "
        "question or provide more details?"
    )


# Orchestrator skills


def decompose(request: SkillRequest) -> dict[str, Any]:
    """Split a customer message into typed tasks."""
    return {"tasks": T.extract_support_tasks(tag(request, "message"))}


def billing_concern(request: SkillRequest) -> dict[str, Any]:
    """State the customer's concern about one invoice."""
    return {"concern": T.extract_concern(tag(request, "message"), tag(request, "invoice_number"))}


def _lower_first(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _paragraph(result: dict[str, Any]) -> str:
    facts: dict[str, str] = result.get("facts", {})
    kind, status = result.get("query_type"), result.get("status")
    if status == "handed_off" and "request" in facts:
        return (
            f'Regarding your request "{facts["request"]}": I have passed it to a colleague, who will get back to you.'
        )
    if status == "declined":  # the summary says what was declined and why
        return str(result.get("summary", ""))
    if status != "done":
        return f"{result.get('summary', '')} Could you double-check the details and send them again?"
    if kind == "BillingInquiry":
        return (
            f"Regarding invoice {facts['invoice_number']}: "
            f"I understand your concern ({_second_person(facts['concern'])}). "
            f"We have opened an investigation, case {facts['case_id']}, and will get back to you "
            f"within {facts['resolution_eta']}."
        )
    if kind == "ProductReturn":
        return (
            f"Regarding your return of the {facts['product_name']} ({_lower_first(facts['reason_for_return'])}): "
            f"we have issued return authorisation {facts['rma_number']}. {facts['shipping_instructions']}"
        )
    if kind == "StatusUpdate":
        shipped = ""
        if "carrier" in facts:
            shipped = f", with {facts['carrier']}"
            if "tracking_number" in facts:
                shipped += f" (tracking number {facts['tracking_number']})"
        return (
            f"Regarding order {facts['order_id']}: its current status is {facts['status']}{shipped}. "
            f"Expected delivery: {facts['expected_delivery']}."
        )
    details = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in facts.items())
    return f"{result.get('summary', '')} ({details})" if details else str(result.get("summary", ""))


def synthesize_reply(request: SkillRequest) -> str:
    """Write one email that covers every worker result."""
    results = json_tag(request, "results")
    body = "\n\n".join(_paragraph(r) for r in results)
    return (
        "Hi there,\n\nThank you for reaching out. Here is where each of your requests stands.\n\n"
        f"{body}\n\nIf you have any further questions, just reply to this email.\n\n"
        "Best regards,\nCustomer Support Team"
    )


# Analysis skills


def sentiment(request: SkillRequest) -> dict[str, Any]:
    """Score sentiment with the lexicon."""
    label, confidence, phrases = T.sentiment(tag(request, "document"))
    return {"label": label, "confidence": round(confidence, 2), "key_phrases": phrases}


def entities(request: SkillRequest) -> dict[str, Any]:
    """Name entities from capitalisation, patterns and gazetteers."""
    return {"entities": [{"name": n, "type": t} for n, t in T.entities(tag(request, "document"))]}


def doc_summary(request: SkillRequest) -> dict[str, Any]:
    """Summarise extractively in three sentences."""
    return {"summary": T.summarize(tag(request, "document"), max_sentences=3)}


def topics(request: SkillRequest) -> dict[str, Any]:
    """Rank topics by keyword weight."""
    return {"topics": [{"name": n, "relevance": round(r, 2)} for n, r in T.topics(tag(request, "document"))]}


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def analysis_synthesis(request: SkillRequest) -> str:
    """Write a briefing from the four analyses, naming any that are missing."""
    findings: dict[str, Any] = json_tag(request, "findings")
    lines: list[str] = []
    if "summary" in findings:
        lines.append(f"Overview: {findings['summary']}")
    if "sentiment" in findings:
        s = findings["sentiment"]
        carried = f", carried by {_join([repr(p) for p in s['key_phrases'][:3]])}" if s["key_phrases"] else ""
        lines.append(f"Tone: {s['label']} (confidence {s['confidence']:.0%}){carried}.")
    if findings.get("entities"):
        named = [f"{e['name']} ({e['type'].lower()})" for e in findings["entities"][:8]]
        lines.append(f"Involves: {_join(named)}.")
    if findings.get("topics"):
        lines.append(f"Main topics: {_join([t['name'] for t in findings['topics'][:5]])}.")
    missing = tag(request, "missing")
    if missing != "none":
        lines.append(f"Missing: the {missing} analysis failed, so this briefing does not cover it.")
    return "\n".join(lines)


# Report skills


def extract(request: SkillRequest) -> dict[str, Any]:
    """Keep the document's most informative sentences as key points."""
    document = tag(request, "document")
    return {"key_points": T.sentences(T.summarize(document, max_sentences=12))}


def _cues(kind: str) -> Skill:
    def find(request: SkillRequest) -> dict[str, Any]:
        return {"items": T.cue_sentences(tag(request, "key_points").replace("\n- ", "\n"), kind)}

    return find


def report_synthesis(request: SkillRequest) -> str:
    """Write a Markdown report from the findings, naming any missing section."""
    findings: dict[str, Any] = json_tag(request, "findings")
    missing = tag(request, "missing")
    sections = ["# Report", "## Overview", " ".join(findings.get("key_points", [])[:3]) or "No key points."]
    for key, title in (
        ("risks", "Risks"),
        ("opportunities", "Opportunities"),
        ("requirements", "Requirements"),
    ):
        sections.append(f"## {title}")
        if key not in findings:
            sections.append("_Missing: this analysis failed._")
        else:
            sections.append("\n".join(f"- {item}" for item in findings[key]) or "None found.")
    risks, chances = len(findings.get("risks", [])), len(findings.get("opportunities", []))
    verdict = "proceed, managing the risks above" if chances >= risks else "address the risks before expanding"
    sections += ["## Recommendation", f"{risks} risk(s) against {chances} opportunity(ies): {verdict}."]
    if missing != "none":
        sections.append(f"_Incomplete: the {missing} analysis is missing._")
    return "\n\n".join(sections)


SKILLS: dict[str, Skill] = {
    "summarize": summarize,
    "translate": translate,
    "generate_questions": generate_questions,
    "answer": answer,
    "attribute": attribute,
    "classify": classify,
    "technical": technical,
    "billing": billing,
    "general": general,
    "decompose": decompose,
    "billing_concern": billing_concern,
    "synthesize_reply": synthesize_reply,
    "sentiment": sentiment,
    "entities": entities,
    "doc_summary": doc_summary,
    "topics": topics,
    "analysis_synthesis": analysis_synthesis,
    "extract": extract,
    "risk": _cues("risk"),
    "opportunity": _cues("opportunity"),
    "requirements": _cues("requirement"),
    "report_synthesis": report_synthesis,
}
