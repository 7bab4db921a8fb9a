"""Skills for stages the engine has never seen: a user's pipeline, played by what each stage asks for.

A pipeline's stage gives the engine its instruction, its inputs and, when it wants a structured
answer, its output schema. The engine fills the schema field by field from the inputs:

    a label (an enum)        sentiment, urgency and spam labels by the engine's own cues, labels
                             that name support teams (billing, technical, general) by its intent
                             classifier, a label the input names, else the label whose meaning is
                             closest to the input (WordLlama)
    a list of text           the sentences the field's name asks for: risks, opportunities,
                             requirements and obligations by the report's cues, decisions,
                             actions, dates and money by cue words, names by named entities,
                             else the input's key sentences
    a list of objects        one object per such sentence, its fields filled from it
    text                     a summary, a name (the first named entity), a title (key words)
    numbers, true/false      a confidence, a count, whether the field's words occur

and free text is a summary of the inputs. It is an approximation, for a first look and for tests:
the CLI says so under the output. A field it cannot fill (a date format, a pattern) is refused
with OfflineEngineError naming the stage.
"""

from __future__ import annotations

import json
import re
from typing import Any

from offline import OfflineEngineError
from offline import text as T
from offline.skills import SkillRequest

MAX_ITEMS = 8

# Cue words for list fields, by a word of the field's name.
_CUES: dict[str, re.Pattern[str]] = {
    "decision": re.compile(r"\b(decid|agreed|approv|resolv|chose|chosen|will go with|signed off)", re.I),
    "action": re.compile(
        r"\b(will|to do|action|follow[- ]up|needs? to|must|should|owner|assign"
        r"|by (?:mon|tue|wed|thu|fri|sat|sun|next|end))",
        re.I,
    ),
    "date": re.compile(
        r"\b(\d{1,2}[/.-]\d{1,2}([/.-]\d{2,4})?|\d{4}-\d{2}-\d{2}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
        r"|monday|tuesday|wednesday|thursday|friday|days?|weeks?|months?)\b",
        re.I,
    ),
    "money": re.compile(r"([$€£]\s?\d|\d\s?(usd|eur|gbp|dollars|euros)\b|\bfee|\bpay|\bprice|\bcost)", re.I),
    "termination": re.compile(r"\b(terminat|cancel|notice period|end (?:this|the) agreement|expire)", re.I),
    "penalt": re.compile(r"\b(penalt|liquidated damages|late fee|interest on|breach)", re.I),
    "question": re.compile(r"\?\s*$"),
}
_FIELD_CUES = {
    "decision": "decision",
    "action": "action",
    "todo": "action",
    "task": "action",
    "next_step": "action",
    "deadline": "date",
    "date": "date",
    "payment": "money",
    "price": "money",
    "fee": "money",
    "cost": "money",
    "termination": "termination",
    "penalt": "penalt",
    "question": "question",
}
_FINDINGS = {"risk": "risk", "opportunit": "opportunity", "requirement": "requirement", "obligation": "requirement"}
_NAMES = ("name", "part", "people", "person", "entit", "compan", "organi", "attendee", "owner", "who")
_LISTED = re.compile(r"^[ \t]*(?:\d{1,2}[.)]|[-*\u2022])[ \t]+(\S[^\n]{0,160})$", re.M)
"""A line of a numbered or bulleted list."""
_PROMOTION = re.compile(r"\b(win|winner|free|click|prize|offer|unsubscribe|limited time|act now)\b|!!|https?://", re.I)
_FAMILIES = {
    "Billing Inquiry": re.compile(r"bill|pay|invoice|refund|charg|financ|account", re.I),
    "Technical Support": re.compile(r"tech|support|bug|engineer|\bit\b|device|network|software", re.I),
    "General Question": re.compile(r"general|other|info|sales|question|misc", re.I),
}
"""Labels that name the support desk's teams, by the intent each stands for."""
_SENTIMENT = {"positive", "negative", "neutral", "mixed"}
_URGENT = re.compile(
    r"\b(urgent|asap|immediately|right now|emergency|critical|outage|down|cannot|can't|blocked)\b", re.I
)


def generic_skill(request: SkillRequest) -> str | dict[str, Any]:
    """Answer a pipeline stage from its inputs: its schema filled, or a summary as free text."""
    text = _plain(request.values)
    if "item" in request.values:  # one item of a map: what the other inputs say about it
        text = _about(request.values["item"], _plain({k: v for k, v in request.values.items() if k != "item"}))
    if request.schema is None:
        return _summary(text)
    parameters = request.schema.get("parameters") or {}
    value = _fill(parameters, "", text, request)
    if not isinstance(value, dict):
        raise OfflineEngineError(f"stage {request.stage!r}: the offline engine fills object schemas only")
    return value


def _plain(values: dict[str, str]) -> str:
    """The inputs as prose: earlier stages' JSON answers become their text values, one per line."""
    parts: list[str] = []
    for value in values.values():
        try:
            data = json.loads(value)
        except ValueError:
            parts.append(value)
            continue
        parts.extend(_strings(data))
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _about(item: str, text: str) -> str:
    """The sentences of `text` that share a content word with `item` (all of them if none does)."""
    words = {w for w in T.tokens(item.lower()) if len(w) > 3}
    found = [line for line in text.splitlines() if words & {w for w in T.tokens(line.lower())}]
    return "\n".join(found) if found else text


def _strings(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return [str(data)] if data is not None else []


def _summary(text: str) -> str:
    return T.summarize(text, 3) if text.strip() else ""


def _fill(schema: dict[str, Any], key: str, text: str, request: SkillRequest) -> Any:
    kind = schema.get("type")
    if "enum" in schema:
        return _label([str(v) for v in schema["enum"]], text)
    if "anyOf" in schema:  # optional fields: fill the non-null choice
        choices = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return _fill(choices[0], key, text, request) if choices else None
    if "format" in schema or "pattern" in schema:
        raise OfflineEngineError(
            f"stage {request.stage!r}: the offline engine cannot fill {key or 'the answer'!r} "
            f"(a {schema.get('format') or 'pattern'}); run it with a model provider"
        )
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        return {name: _fill(prop, name, text, request) for name, prop in props.items()}
    if kind == "array":
        items = schema.get("items") or {"type": "string"}
        found = _sentences_for(key, text)
        if items.get("type") == "object" or "properties" in items:
            return [_fill(items, key, sentence, request) for sentence in found]
        if "enum" in items:
            return [_label([str(v) for v in items["enum"]], text)]
        if items.get("type") in ("integer", "number"):
            return []
        return found
    if kind == "boolean":
        words = [w for w in re.split(r"[_\W]+", key.lower()) if len(w) > 3 and w not in ("has", "is")]
        return any(w[:5] in text.lower() for w in words)
    if kind == "integer":
        return len(T.sentences(text)) if "count" in key or "number" in key else 1
    if kind == "number":
        return 0.7
    return _string(key, text)


def _label(labels: list[str], text: str) -> str:
    """The label closest in meaning to the text."""
    lowered = {label.lower(): label for label in labels}
    if set(lowered) <= _SENTIMENT | {"very positive", "very negative"}:
        found, _, _ = T.sentiment(text)
        return lowered.get(found, labels[0])
    if "spam" in lowered and len(_PROMOTION.findall(text)) >= 2:
        return lowered["spam"]
    if set(lowered) >= {"low", "high"}:
        urgent = len(_URGENT.findall(text))
        want = "high" if urgent >= 2 else "medium" if urgent == 1 and "medium" in lowered else "low"
        return lowered.get(want, labels[0])
    by_family = {family: label for label in labels for family, cue in _FAMILIES.items() if cue.search(label)}
    if len(set(by_family)) >= 2:  # support teams: the engine's own intent classifier picks the family
        family, _ = T.classify_intent(text)
        fallback = by_family.get("General Question") or next(
            (label for label in labels if label.lower() not in ("spam", *by_family.values())), labels[0]
        )
        return by_family.get(family, fallback)
    words = {w for w in T.tokens(text.lower())}
    for label in labels:  # a label the text names outright
        if label.lower() in words or re.search(rf"\b{re.escape(label.lower())}\b", text.lower()):
            return label
    from offline.text import embed

    chunks = T.sentences(text)[:40] or [text]
    vectors = embed.embed([label.replace("_", " ") for label in labels] + chunks)
    scores = embed.similarity(vectors[: len(labels)], vectors[len(labels) :])
    best = scores.max(axis=1)
    return labels[int(best.argmax())]


def _sentences_for(key: str, text: str) -> list[str]:
    name = key.lower()
    for word, kind in _FINDINGS.items():
        if word in name:
            return T.cue_sentences(text, kind)[:MAX_ITEMS]
    if any(word in name for word in _NAMES):
        return [n for n, _ in T.entities(text)][:MAX_ITEMS]
    sentences = [s for s in T.sentences(text) if len(s.split()) > 3]  # not headings ("Payment.")
    for word, cue in _FIELD_CUES.items():
        if word in name:
            return [s for s in sentences if _CUES[cue].search(s)][:MAX_ITEMS]
    if "topic" in name or "keyword" in name or "tag" in name:
        return T.keywords(text, 5)
    if "item" in name or "agenda" in name or "section" in name or "clause" in name or "point" in name:
        listed = [m.group(1).strip() for m in _LISTED.finditer(text)]
        return (listed if len(listed) > 1 else sentences)[:MAX_ITEMS]
    return sentences[:MAX_ITEMS]


def _string(key: str, text: str) -> str:
    name = key.lower()
    if any(word in name for word in ("name", "who", "owner", "party", "person", "company")):
        found = [n for n, _ in T.entities(text)]
        return found[0] if found else ""
    if "title" in name or "subject" in name or "topic" in name:
        return " ".join(T.keywords(text, 4))
    if "reason" in name or "rationale" in name or "why" in name or "explanation" in name:
        sentences = T.sentences(text)
        return sentences[0] if sentences else ""
    first = T.sentences(text)
    if any(word in name for word in ("sentence", "quote", "text", "owner")):
        return first[0] if first else ""
    return _summary(text) if len(text) > 200 else text.strip()
