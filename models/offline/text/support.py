"""Customer-support helpers: intent routing, injection stripping, task decomposition and concerns."""

from __future__ import annotations

import math
import re

from models.offline.text.basics import is_content, sentences, tokens

_INJECTIONS = [
    re.compile(p, re.IGNORECASE | re.MULTILINE)
    for p in (
        r"^\s*(?:system|assistant|developer)\s*:.*$",
        r"\b(?:please\s+)?(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?"
        r"(?:previous|prior|above|earlier|preceding|original|system)?\s*(?:instructions?|prompts?|rules?|messages?"
        r"|directions?|guidelines?)",
        r"(?:\band\s+|\bthen\s+)?\b(?:please\s+)?(?:classify|label|categori[sz]e|tag|mark|route|treat|flag)\s+"
        r"(?:(?:this|it|that|me|the)\s+)?(?:(?:query|message|ticket|request|email|one)\s+)?(?:as|to|under|into)\s+"
        r"[^.!?\n]*",
        r"\byou\s+are\s+now\b[^.!?\n]*",
        r"\b(?:act|behave)\s+as\b[^.!?\n]*|\bpretend\s+(?:to\s+be|you\s+are)\b[^.!?\n]*",
        r"\b(?:new|updated)\s+instructions?\s*:[^\n]*",
        r"\b(?:respond|reply|answer|output)\s+(?:only\s+)?with\b[^.!?\n]*",
    )
]

_INTENT_CUES: dict[str, list[tuple[str, float]]] = {
    "Technical Support": [
        (r"not working|doesn'?t work|does not work|stopped working|won'?t (?:start|load|connect|turn on)", 2.0),
        (r"error|crash\w*|broken|bug\w*|outage|disconnect\w*|dropp\w*|freez\w*|glitch\w*|offline|timeout", 2.0),
        (r"connection|connect|internet|wi-?fi|router|modem|network|bluetooth|firmware|server", 2.0),
        (r"log ?in|sign ?in|password|reset|install\w*|setup|set up|configur\w*|reboot|restart|update fail\w*", 1.5),
        (r"slow|lag\w*|device|app|software|hardware|screen|website|browser|technical|laptop|phone|printer", 1.0),
    ],
    "Billing Inquiry": [
        (r"invoice\w*|billing|bill(?:ed|s)?|overcharg\w*|refund\w*|double[- ]charged|charged twice", 2.0),
        (r"charge[sd]?|payment\w*|paid|pay|receipt\w*|subscription\w*|account balance|balance|fee\w*", 1.5),
        (r"price\w*|pricing|cost\w*|credit card|transaction\w*|discount\w*|money|plan|renewal|vat|tax", 1.0),
    ],
}
_GENERAL_CUES = re.compile(
    r"\b(?:opening hours|business hours|hours|open|located|location|address|contact|phone number|email address"
    r"|policy|policies|shipping|delivery times?|careers?|jobs?|where are you|who are you|how does|what is|do you)\b",
    re.IGNORECASE,
)
_COMPILED = {
    label: [(re.compile(rf"\b(?:{p})\b", re.IGNORECASE), w) for p, w in cues] for label, cues in _INTENT_CUES.items()
}


def strip_injections(text: str) -> str:
    """Remove meta-instructions aimed at the model (e.g. 'ignore previous instructions', 'classify this as X')."""
    for pattern in _INJECTIONS:
        text = pattern.sub(" ", text)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\s+([.,!?;:])", r"\1", text)
    text = re.sub(r"([.!?])[.,;:!?]+", r"\1", text)
    text = re.sub(r"(^|[.!?]\s|\n)\s*[,;:]\s*", r"\1", text)
    text = re.sub(r",\s*(?=[.!?]|$)", "", text)
    text = "\n".join(line.strip() for line in text.splitlines())
    return text.lstrip(" \n,;:.!?").rstrip(" \n,;:")


def classify_intent(query: str) -> tuple[str, float]:
    """Route a support query to Technical Support, Billing Inquiry or General Question, with a confidence."""
    cleaned = strip_injections(query)
    scores = {label: sum(w * len(p.findall(cleaned)) for p, w in cues) for label, cues in _COMPILED.items()}
    general = 2.0 * len(_GENERAL_CUES.findall(cleaned)) + (0.5 if "?" in cleaned else 0.0)
    tech, billing = scores["Technical Support"], scores["Billing Inquiry"]
    if tech == billing == 0:
        return "General Question", (round(min(0.9, 0.55 + 0.1 * general), 2) if general else 0.35)
    label = "Technical Support" if tech >= billing else "Billing Inquiry"
    top, other = max(tech, billing), min(tech, billing)
    margin = (top - other) / (top + other + 0.25 * general)
    confidence = 0.4 + 0.55 * margin * (1 - math.exp(-top / 1.5))
    return label, round(min(confidence, 0.95), 2)


_INVOICE = re.compile(
    r"(?:#\s*)?\bINV[-\s]?#?(?P<a>\d+(?:-\d+)*)\b|\binvoices?\s+(?:(?:number|no\.?|num|id|#)\s*)*#?\s*(?P<b>\d{3,})\b",
    re.IGNORECASE,
)
_ORDER_ID = r"#?\s*(?:[A-Za-z]{1,4}-\d+|[A-Za-z]{1,4}\d{3,}|\d{3,})\b"
_ORDER = re.compile(
    rf"\borders?\s+(?:(?:number|no\.?|num|id|#)\s*)*(?P<ids>{_ORDER_ID}(?:\s*(?:,|and|&)\s*{_ORDER_ID})*)",
    re.IGNORECASE,
)
_STATUS_CUES = re.compile(
    r"\b(?:update on|status|where is|where are|track\w*|arriv\w*|shipped|shipping status|delivered|dispatch\w*"
    r"|when will|eta|progress)\b",
    re.IGNORECASE,
)
_ORDER_CHANGE = re.compile(r"\b(?:cancel\w*|chang\w*|modif\w*|amend\w*|edit|update (?:my|the|this))\b", re.IGNORECASE)
_RETURN = re.compile(r"\b(?:return|send\s+(?:\w+\s+)?back|refund(?:\s+for)?)\b", re.IGNORECASE)
_QUOTED = re.compile(r"(?<!\w)['\"“‘](?P<name>[^'\"“”‘’\n]{2,60}?)['\"”’](?!\w)")
_PRODUCT_WORD = r"(?:[A-Z][\w-]*|\d[\w.-]*|[a-z]+[A-Z][\w-]*)"
_DETERMINER = r"(?:the|my|this|these|a|an|our)"
_CAPITALISED_PRODUCT = re.compile(rf"^\s*{_DETERMINER}?\s*(?P<name>{_PRODUCT_WORD}(?:\s+{_PRODUCT_WORD})*)")
_PLAIN_PRODUCT = re.compile(
    rf"^\s*{_DETERMINER}\s+(?P<name>[a-z][\w-]*(?:\s+[a-z][\w-]*){{0,2}}?)"
    r"(?=\s+(?:i|that|which|because|since|as|due|for|from|to|and|bought|purchased|ordered)\b|[.,!?]|$)"
)
_REASON = re.compile(r"\b(?:because|since|as(?=\s+(?:it|they|the|my))|due\s+to)\s+(?P<reason>[^.!?]+)", re.IGNORECASE)
_ACTION = re.compile(
    r"\b(?:i\s+want|i'd\s+like|i\s+would\s+like|please|can\s+you|could\s+you|would\s+you|i\s+need|need\s+to"
    r"|help\s+me|i\s+wish\s+to|i'm\s+looking\s+to)\b",
    re.IGNORECASE,
)
_PLEASANTRY = re.compile(
    r"^(?:hi|hello|hey|dear|thanks?|thank you|many thanks|best|regards|kind regards|cheers|please let me know"
    r"|let me know|looking forward|have a (?:nice|great|good) day)\b",
    re.IGNORECASE,
)
_FILLER = frozenset("want like would need help please know question thing something let thanks thank".split())


def _reason(sentence: str, start: int) -> str:
    m = _REASON.search(sentence, start)
    if not m:
        return "not specified"
    reason = re.split(r"[,;]\s*(?:and|but|so|also|please)\b|\s+and\s+(?:i|can|could|please)\b", m["reason"])[0]
    reason = re.sub(r"^(?:it's|it\s+is|it\s+was|they're|they\s+are)\s+", "", reason.strip(), flags=re.IGNORECASE)
    return reason.strip(" .,;:!?'\"") or "not specified"


def _returns(sentence: str) -> list[tuple[int, dict[str, str]]]:
    trigger = _RETURN.search(sentence)
    if not trigger:
        return []
    after = sentence[trigger.end() :]
    reason_at = _REASON.search(sentence, trigger.end())
    limit = reason_at.start() - trigger.end() if reason_at else len(after)
    names = [m["name"].strip() for m in _QUOTED.finditer(after[:limit])]
    if not names:
        m = _CAPITALISED_PRODUCT.match(after)
        if m and (len(m["name"].split()) > 1 or re.search(r"\d|[a-z][A-Z]", m["name"])):
            names = [m["name"]]
        else:
            plain = _PLAIN_PRODUCT.match(after)
            names = [plain["name"]] if plain else []
    reason = _reason(sentence, trigger.end())
    return [
        (trigger.start(), {"query_type": "ProductReturn", "product_name": name, "reason_for_return": reason})
        for name in names
    ]


def extract_support_tasks(query: str) -> list[dict[str, str]]:
    """Decompose a support message into typed tasks (BillingInquiry, ProductReturn, StatusUpdate, Unknown)."""
    tasks: list[dict[str, str]] = []
    for sentence in sentences(strip_injections(query)):
        found: list[tuple[int, dict[str, str]]] = []
        for m in _INVOICE.finditer(sentence):
            found.append((m.start(), {"query_type": "BillingInquiry", "invoice_number": f"INV-{m['a'] or m['b']}"}))
        returns = _returns(sentence)
        found.extend(returns)
        for m in _ORDER.finditer(sentence):
            if not _STATUS_CUES.search(sentence) and (returns or _ORDER_CHANGE.search(sentence)):
                continue  # the order is context for another request, not a status question
            for order_id in re.findall(_ORDER_ID, m["ids"]):
                order_id = order_id.lstrip("#").strip().upper()
                found.append((m.start(), {"query_type": "StatusUpdate", "order_id": order_id}))
        if not found and _ACTION.search(sentence) and not _PLEASANTRY.match(sentence):
            content = [t for t in tokens(sentence) if is_content(t) and t not in _FILLER]
            if content:
                found.append((0, {"query_type": "Unknown", "request": sentence}))
        for _, task in sorted(found, key=lambda f: f[0]):
            if task not in tasks:
                tasks.append(task)
    return tasks


_TOPIC_CHANGE = re.compile(
    r"^(?:also|finally|additionally|moreover|besides|another|secondly|second|p\.?s\.?|on another note|separately"
    r"|thanks|thank you|regards|best)\b",
    re.IGNORECASE,
)
_CONCERN_CUES = re.compile(
    r"\b(?:higher|lower|wrong|incorrect|mistake|error|twice|double|overcharg\w*|missing|duplicate|discrepanc\w*"
    r"|dispute|unexpected|expected|more than|less than|too (?:high|much)|never|not|why|charged)\b",
    re.IGNORECASE,
)


def _restate(sentence: str) -> str:
    sentence = re.sub(r"^(?:but|and|however|so)\b,?\s*", "", sentence.strip(), flags=re.IGNORECASE)
    sentence = re.sub(r"^it's\b|^it\s+is\b", "The invoice is", sentence, flags=re.IGNORECASE)
    sentence = re.sub(r"^it\b", "The invoice", sentence, flags=re.IGNORECASE)
    sentence = sentence[:1].upper() + sentence[1:]
    return sentence if sentence.endswith((".", "!", "?")) else sentence + "."


def extract_concern(query: str, invoice_number: str) -> str:
    """State the customer's concern about the given invoice as a clean sentence."""
    sents = sentences(strip_injections(query))
    digits = re.sub(r"^\D+", "", invoice_number.strip())
    number = re.compile(rf"(?<!\d){re.escape(digits)}(?!\d)") if digits else None
    mention = next((i for i, s in enumerate(sents) if number and number.search(s)), None)
    if mention is None:
        mention = next((i for i, s in enumerate(sents) if re.search(r"\b(?:invoice|bill)\b", s, re.IGNORECASE)), None)
    if mention is None:
        return "General inquiry regarding the invoice"
    parts: list[str] = []
    first = sents[mention]
    tail = re.split(rf"{re.escape(digits)}\b" if digits else r"\binvoice\b", first, maxsplit=1, flags=re.IGNORECASE)[-1]
    tail = tail.strip(" .,;:-!?")
    if re.match(r"(?:looks?|seems?|is|was|has|had|shows?|includes?|contains?|appears?|lists?)\b", tail) and " " in tail:
        parts.append(_restate("It " + tail))
    elif len(tail.split()) >= 3 and _CONCERN_CUES.search(tail):
        parts.append(_restate(re.sub(r"^(?:which|that|because|as|since|where)\s+", "It ", tail, flags=re.IGNORECASE)))
    elif _CONCERN_CUES.search(first) and not _ACTION.search(first):
        parts.append(_restate(first))
    for sentence in sents[mention + 1 :]:
        if _TOPIC_CHANGE.match(sentence) or any(p.search(sentence) for p in (_INVOICE, _ORDER, _RETURN)):
            break
        parts.append(_restate(sentence))
    return " ".join(parts) if parts else "General inquiry regarding the invoice"
