"""The offline engine's skills: one per stage, each reading its prompt's delimited inputs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from models.offline import text as T


@dataclass(frozen=True)
class SkillRequest:
    """The parts of a prompt a skill reads."""

    stage: str
    system: str
    user: str
    schema: dict[str, Any] | None


Skill = Callable[[SkillRequest], "str | dict[str, Any]"]


class SkillInputError(ValueError):
    """The prompt lacks an input the skill needs."""


def tag(request: SkillRequest, name: str) -> str:
    """Return the text inside <name>...</name> of the user message, un-escaped."""
    match = re.search(rf"<{name}>(.*?)</{name}>", request.user, flags=re.DOTALL)
    if match is None:
        raise SkillInputError(f"stage {request.stage!r}: the prompt has no <{name}> block")
    return re.sub(rf"&lt;(/?){name}", rf"<\1{name}", match.group(1)).strip()


def json_tag(request: SkillRequest, name: str) -> Any:
    """Return the JSON inside <name>...</name>."""
    try:
        return json.loads(tag(request, name))
    except json.JSONDecodeError as exc:
        raise SkillInputError(f"stage {request.stage!r}: <{name}> is not valid JSON: {exc}") from None


def _sources(request: SkillRequest) -> list[tuple[str, str]]:
    return [(str(s["title"]), str(s["content"])) for s in json_tag(request, "sources")]


def _second_person(text: str) -> str:
    swaps = {"i": "you", "i'm": "you're", "my": "your", "me": "you", "mine": "yours", "am": "are", "we": "you", "our": "your", "us": "you"}
    words = text.strip().rstrip(".!?").split()
    out = [swaps.get(w.lower(), w) for w in words]
    if out:
        out[0] = out[0][0].lower() + out[0][1:] if not out[0].isupper() or len(out[0]) == 1 else out[0]
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
    return T.translate(tag(request, "text"), tag(request, "language"))


def generate_questions(request: SkillRequest) -> dict[str, Any]:
    """Write questions that one sentence of the sources answers."""
    return {"questions": T.generate_questions(_sources(request), int(tag(request, "count")))}


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
}
