"""Customer-support helpers: task decomposition and the concern voiced about an invoice."""

from __future__ import annotations

import re

from models.offline.text.basics import is_content, sentences, tokens
from models.offline.text.injections import strip_injections

# ---------------------------------------------------------------- ids
#
# An id is a run that starts with a digit, or a short letter prefix and a digit, with optional
# "-" or "/" parts and letter suffixes:  48213   2024/118   6618-A   77812B   A-55120   ZX-88
# A prefix is glued or hyphenated to the digits (A-55120, DE-4471, 77812B), or set apart by a space
# when it is capitals (INV 3390, KLM 5512) or one letter that is not a word ("order b 20931"), so
# "Bestellung war 88213" or "invoice for 300" name no prefix.
_ID = (
    r"(?:[A-Za-z]{1,4}-?(?=\d)|(?-i:[A-Z]{2,4})\s(?=\d)|(?![aeiouy]\s)[A-Za-z]\s(?=\d))?"
    r"\d[0-9A-Za-z]*(?:[-/][0-9A-Za-z]+)*"
)
# Number words of five languages: number, no., nr., número, numéro, Nummer, n°, nº.
# Atomic, and each space matched by one place only: a run of "no no no ..." or "# # # ..." that
# ends in no id fails in linear time (nested spaces made it exponential: 78 s for 65 characters).
_ID_LEAD = (
    r"(?>(?:\s*(?:number|no\.?|num|nr\.?|id|ref(?:erence)?|#|n[°º]\.?|n\.|n[úu]m(?:ero|\.)?|num[ée]ro|nummer)"
    r"(?![-\w])(?:\s*:)?)*\s*#?\s*)"
)
# The words for an invoice and an order in English, Spanish, French, German and Italian.
_INVOICE_WORD = r"(?:invoices?|facturas?|factures?|rechnung(?:en|snummer)?|fattur[ae])"
_ORDER_WORD = r"(?:orders?|pedidos?|commandes?|bestellung(?:en)?|bestellnummer|auftrag|ordin[ei])"
#   invoice 48213 | invoice no. 8812 | invoice #INV-7890 | inv-7781 | INV 3390 | inv 4402
_INVOICE = re.compile(
    rf"\b{_INVOICE_WORD}{_ID_LEAD}(?P<a>{_ID})\b|(?:#\s*)?\bINV[-\s]?#?(?P<b>\d[0-9A-Za-z]*(?:[-/][0-9A-Za-z]+)*)\b",
    re.IGNORECASE,
)
#   order 90341 | order a-55120 | order b 20931 | Order ID: K-5512 | orders 33120 and 33121
_ORDER = re.compile(
    rf"\b{_ORDER_WORD}{_ID_LEAD}(?P<ids>{_ID}(?:(?:\s*[,&]|\s+(?:and|y|et|und|e))\s*#?\s*{_ID})*)", re.IGNORECASE
)
# A status question about an order, as opposed to an order mentioned as context.
_STATUS_CUES = re.compile(
    r"\b(?:update on|status|where(?:'s| is| are)|track\w*|when will|news|eta|progress|shipped|dispatch\w*"
    r"|left the|(?:hasn't|has not|haven't|have not|never|not yet|still not)\s+(?:\w+\s+)?(?:arrived|come|updated)"
    r"|still waiting|get here|arrive[ds]?\s+yet"
    # Spanish, French, German, Italian: where is it, its status or tracking, when, not arrived yet.
    r"|d[óo]nde|estado|seguimiento|cu[áa]ndo|llegar[áa]|(?:no|todav[íi]a\s+no|a[úu]n\s+no)\s+(?:me\s+)?ha\s+llegado"
    r"|sigue\s+sin|o[ùu]\s+en\s+est|o[ùu]\s+est|suivi|statut|quand|pas\s+encore|toujours\s+pas|arrivera"
    r"|wo\s+(?:ist|bleibt)|sendungsverfolgung|wann|noch\s+nicht|nicht\s+angekommen|noch\s+immer\s+nicht"
    r"|dov['’]?[èe]|dove|tracking|quando|non\s+(?:è\s+)?ancora|ancora\s+non|arriver[àa]|a\s+che\s+punto"
    r"|o[ùu]\s+(?:elle|il)\s+en\s+est|pas\s+re[çc]u|nicht\s+(?:erhalten|bekommen)|no\s+(?:lo\s+|la\s+)?he\s+recibido"
    r"|non\s+l['’]ho\s+ricevut\w)\b",
    re.IGNORECASE,
)
_ORDER_CHANGE = re.compile(
    r"\b(?:cancel\w*|chang\w*|modif\w*|amend\w*|edit|update (?:my|the|this)"
    r"|cambi\w*|annul\w*|stornier\w*|ändern|änderung)\b",
    re.IGNORECASE,
)


def _id(raw: str, prefix: str = "") -> str:
    """Write an id the way the support desk stores it: upper case, "B 20931" as "B-20931"."""
    text = re.sub(r"^([A-Za-z]{1,4})\s+(?=\d)", r"\1-", raw.strip().lstrip("#").strip()).upper()
    return f"{prefix}{text}" if prefix and not text.startswith(prefix.rstrip("-")) else text


def _invoices(sentence: str) -> list[tuple[int, dict[str, str]]]:
    found = []
    for m in _INVOICE.finditer(sentence):
        number = m["a"] or m["b"]
        if not re.search(r"\d", number):
            continue
        number = re.sub(r"^INV[-\s]?", "", _id(number))
        found.append((m.start(), {"query_type": "BillingInquiry", "invoice_number": f"INV-{number}"}))
    return found


# ---------------------------------------------------------------- returns
#
# A return is an item the customer wants to give back or get their money back for:
#   return the X | send (back) the X (back) | bring/give/hand/take the X back | a refund for the X
#   the X broke ..., I want my money back | ... a refund for it (it = the X named before)
# A refund of a charge, payment or invoice is a billing matter, never a return.
_TRIGGER = re.compile(
    r"\b(?:return(?!\s+(?:to|from|home|here|there|next|later|on|in|at)\b)"
    r"|(?:send|bring|give|hand|take|ship|post|mail)(?:ing|s)?\s+back"
    r"|(?:send|sending|sent|bring|give|hand|take|ship|post|mail)(?:ing|s)?\s+(?=(?:the|my|this|these|those|both|a|an|our|['\"‘“])\b.{0,60}?\bback\b)"
    r"|refund\s+(?:for|on)|money\s+back|refund(?=\s+(?:please|for\s+it|$)|[.,!?])|reimburse\w*)",
    re.IGNORECASE,
)
_NOT_A_PRODUCT = re.compile(
    r"^(?:charge|payment|fee|difference|amount|subscription|invoice|bill|duplicate|second|extra|overcharge|money"
    r"|deposit|shipping|delivery|order|it|them|that|this|one"
    rf"|{_ORDER_WORD}|{_INVOICE_WORD}|dinero|argent|geld|soldi|importe|montant|betrag|importo"
    r"|direcci[óo]n|adresse|indirizzo|anschrift|lieferadresse|e-?mail|correo|contrase[ñn]a|password|passwort"
    r"|mot\s+de\s+passe|datos|donn[ée]es|dati|daten|cuenta|compte|account|konto)\b",
    re.IGNORECASE,
)
_DET = r"(?:the|my|this|these|those|a|an|our|both|his|her|their|your)"
# Words that end a product's name: pronouns, conjunctions, prepositions and common verbs.
_NAME_STOP = frozenset(
    """
    i i'm i've i'd it it's its they they're which that who because since as due so but to from for at in on
    with back please if when after before was is are were has have had got get bought purchased ordered
    received arrived inside neither either also too already just still broke broken stopped leaks leak keeps
    cracked doesn't does won't can't isn't came come
    """.split()
)
_QUOTED = re.compile(r"(?<!\w)['\"“‘](?P<name>[^'\"“”‘’\n]{2,60}?)['\"”’](?!\w)")
_LIST_SPLIT = re.compile(rf",\s*(?:and\s+)?(?={_DET}\b)|\s+(?:and|&)\s+(?={_DET}\b)", re.IGNORECASE)
_REASON = re.compile(
    r"\b(?:because|since|as(?=\s+(?:it|they|the|my|i))|due\s+to)\s+(?P<reason>[^.!?]+)"
    r"|,\s*(?!(?:and|but|so|also|please|thanks|i'd|i\s+would|i\s+want|can|could)\b)(?P<clause>[^,.!?]+)",
    re.IGNORECASE,
)
_SUBJECT = re.compile(rf"\b{_DET}\s+(?P<rest>[^,.!?]+)", re.IGNORECASE)
_PREDICATE_VERB = re.compile(
    r"\b(?:i\s+(?:bought|got|ordered|received)[^,]*?\s+)?(?P<pred>(?:was|is|are|were|has|have|had|keeps?|stopped"
    r"|broke|cracked|leaks?|arrived|came|doesn't|does\s+not|won't|isn't|never|\w+ed|\w+s)\b[^,.!?]*)",
    re.IGNORECASE,
)


def _name(words: str, stop: frozenset[str] = _NAME_STOP, longest: int = 5, ids: bool = False) -> str:
    """Cut a noun phrase at the first word that cannot belong to a product's name.

    With `ids`, a bracket or an id ends the name too ("casque Bluetooth (commande 66721)").
    """
    kept: list[str] = []
    for word in words.split():
        core = word.strip(".,;:!?()").lower()
        if not core or core in stop or (ids and (word.startswith("(") or re.fullmatch(r"#?\d[\w-]*", core))):
            break
        kept.append(word.strip(".,;:!?()"))
        if word[-1:] in ",;:.!?" or len(kept) == longest:
            break
    return " ".join(kept)


def _products(text: str) -> list[str]:
    """Return the product names at the start of text: a quoted name, or a list of noun phrases."""
    quoted = [m["name"].strip() for m in _QUOTED.finditer(text[:80]) if text[: m.start()].strip(" ,") in ("", *_DETS)]
    if quoted:
        return quoted[:1]
    head = re.split(r"[.!?;]|,(?!\s*(?:and\s+)?" + _DET + r"\b)", text, maxsplit=1)[0]
    names = []
    # "the X, the Y and the Z" is a list; "the X, my sister gave us hers" is a name and a clause.
    listed = re.search(rf"\s(?:and|&)\s+{_DET}\b", head, re.IGNORECASE)
    for part in _LIST_SPLIT.split(head) if listed else [head]:
        part = re.sub(rf"^\s*{_DET}\s+", "", part.strip(), flags=re.IGNORECASE)
        name = _name(part)
        if name and not _NOT_A_PRODUCT.match(name):
            names.append(name)
        if not names:
            break  # a list continues only after a first product
    return names


_DETS = ("the", "my", "this", "these", "those", "a", "an", "our", "both", "his", "her", "their", "your")


def _clean_reason(text: str) -> str:
    text = re.split(
        r"\s+and\s+(?:i|i'd|can|could|please|want)\b|\s+so\s+i\b|,\s*(?:so|and)\s+i", text, flags=re.IGNORECASE
    )[0]
    text = re.sub(
        r"^(?:it's|it\s+is|it\s+was|they're|they\s+are|they\s+were|it|they)\s+", "", text.strip(), flags=re.IGNORECASE
    )
    return text.strip(" .,;:!?'\"") or "not specified"


def _reason_after(sentence: str, start: int) -> str:
    m = _REASON.search(sentence, start)
    if not m:
        return "not specified"
    return _clean_reason(m["reason"] or m["clause"])


def _subject_product(clause: str) -> tuple[str, str] | None:
    """Return (product, what happened to it) when a clause opens on an item: "the kettle leaks ..."."""
    m = _SUBJECT.search(clause)
    if not m:
        return None
    name = _name(m["rest"])
    if not name or _NOT_A_PRODUCT.match(name):
        return None
    after = m["rest"][len(name) :]
    pred = _PREDICATE_VERB.search(after)
    return name, (_clean_reason(pred["pred"]) if pred else "not specified")


def _returns(sentence: str, following: str) -> list[tuple[int, dict[str, str]]]:
    trigger = _TRIGGER.search(sentence)
    if not trigger or (_INVOICE.search(sentence) and re.search(r"refund|money", trigger.group(), re.IGNORECASE)):
        return []
    after = sentence[trigger.end() :]
    names = _products(re.sub(r"^\s*(?:for|on)\s+", "", after, flags=re.IGNORECASE))
    reason = "not specified"
    if names:
        tail = after.lower().find(names[-1].lower())
        reason = _reason_after(sentence, trigger.end() + max(tail, 0) + len(names[-1]))
    else:
        # "The kettle leaks, I'd like my money back" / "... a refund for it": the item is the subject.
        subject = _subject_product(sentence[: trigger.start()]) or _subject_product(sentence)
        if subject is None:
            return []
        names, reason = [subject[0]], subject[1]
    if reason == "not specified":
        # "... the frying pan inside was dented, so I'd like a refund for the frying pan."
        subject = _subject_product(sentence[: trigger.start()])
        if subject and subject[0].lower() in {n.lower() for n in names}:
            reason = subject[1]
    if reason == "not specified":
        # "Can I bring the lamp back? It flickers." The next sentence says why, about "it".
        nxt = re.match(r"^(?:it|they|the\s+\w+)\s+(?P<why>[^.!?]+)", following.strip(), re.IGNORECASE)
        if nxt and not _TRIGGER.search(following) and not _INVOICE.search(following) and not _ORDER.search(following):
            pronoun = re.match(r"^(?:it|they)\b", following.strip(), re.IGNORECASE)
            reason = _clean_reason(following.strip() if pronoun else nxt["why"])
    return [
        (trigger.start(), {"query_type": "ProductReturn", "product_name": name, "reason_for_return": reason})
        for name in names
    ]


# Spanish, French, German and Italian: the same requests, said their way. The item is the noun
# phrase after the verb ("devolver las zapatillas"), or before it where the verb comes last
# ("ich möchte den Mantel zurückschicken"); the reason follows a "because" or a comma.
_TRIGGER_OTHER = re.compile(
    r"\b(?:devolver|devuelvo|devolverles|devoluci[óo]n\s+(?:de|del)|reembolso\s+(?:de|del|por)"
    r"|(?:devuelvan|devolver|devuelven)\s+(?:el|mi)\s+dinero\s+(?:de|del|por)|cambiar(?=\s+(?:el|la|los|las|mi|mis)\b)"
    r"|rembours[ée]e?s?\s+(?:pour|de)|geld\s+zur[üu]ck\s+(?:f[üu]r|vom)|(?:schick|send|geb)\w*\s+(?:\w+\s+){0,4}?zur[üu]ck"
    r"|rimborsat[oai]\s+per|cambiare(?=\s+(?:il|lo|la|i|gli|le|l['’]))"
    r"|retourner|renvoyer|retour\s+(?:de|du|des)|rembourser|remboursement\s+(?:de|du|des|pour)|[ée]changer"
    r"|zur[üu]ck(?:schicken|senden|geben|gesendet|geschickt|zugeben|zuschicken)|r[üu]cksendung|umtauschen|umzutauschen"
    r"|restituire|restituisco|rendere|reso\s+(?:di|del|della|dei|delle)|rimandare|rimborso\s+(?:per|del|della|di))\b",
    re.IGNORECASE,
)
_DET_OTHER = (
    r"(?:el|la|los|las|mi|mis|este|esta|estos|estas|un|una|unos|unas|le|les|l['’]|mon|ma|mes|ce|cet|cette|ces|une"
    r"|des|der|die|das|den|dem|des|mein|meine|meinen|meinem|meiner|diese|diesen|dieses|ein|eine|einen|il|lo|i|gli"
    r"|mio|mia|miei|mie|questo|questa|questi|queste|uno)"
)
# Where a noun phrase starts: a determiner, then the word after it (its rest is read up to a stop).
_PHRASE_OTHER = re.compile(rf"(?<![\w'’]){_DET_OTHER}(?:(?<=['’])|\s+)(?=\w)", re.IGNORECASE)
_STOP_OTHER = frozenset(
    """
    porque que y pero ya como pues es son está están estaba estaban llegó llegaron vino no me se lo le ha han
    tiene tienen para por con sin parce car qui et mais est sont était étaient ont ne n' il elle ils elles
    pour avec weil denn und aber ist sind war waren hat haben passt passen nicht er sie es für zurück
    zurückschicken zurückgeben umtauschen perché poiché che e ma è sono era erano ha hanno non per devolver
    retourner renvoyer restituire rendere comprado comprada recibido recibida commandé commandée commandés
    acheté achetée reçu reçue bestellt gekauft erhalten geliefert ordinato ordinata comprato comprata ricevuto
    ricevuta
    """.split()
)
_REASON_OTHER = re.compile(
    r"\b(?:porque|ya\s+que|pues|debido\s+a|parce\s+qu['’]?e?|car|puisqu['’]?e?|weil|denn|(?<=,\s)da|perch[ée]|poich[ée]"
    r"|dato\s+che|siccome)\s+(?P<reason>[^.!?]+)|,\s*(?P<clause>[^,.!?]+)",
    re.IGNORECASE,
)


def _name_other(words: str) -> str:
    return _name(words, _STOP_OTHER, longest=4, ids=True)


def _item_other(text: str) -> str | None:
    for n, m in enumerate(_PHRASE_OTHER.finditer(text)):
        if n == 12:  # an item is named near its verb; a long text is not searched to its end
            break
        name = _name_other(re.split(r"[,.!?;]", text[m.end() : m.end() + 120])[0])
        if name and not _NOT_A_PRODUCT.match(name):
            return name
    return None


def _returns_other(sentence: str, following: str) -> list[tuple[int, dict[str, str]]]:
    trigger = _TRIGGER_OTHER.search(sentence)
    if not trigger or (_INVOICE.search(sentence) and re.search(r"reembols|rembours|rimbors", trigger.group(), re.I)):
        return []
    # The item is named right after the verb ("del tablet") or in a noun phrase of its clause,
    # else before the verb ("ich möchte den Mantel zurückschicken"), else it opened the sentence
    # ("la souris ... je voudrais l'échanger").
    after = re.split(r"[,.?!;:]", sentence[trigger.end() :])[0]
    before = sentence[: trigger.start()]
    clause_before = re.split(r"[,;:]|\b(?:und|y|et|e|aber|pero|mais|ma)\b", before)[-1]
    bare = (
        _name_other(after) if re.search(r"\b(?:de|del|della|dei|delle|di|du|des|vom)$", trigger.group(), re.I) else ""
    )
    # Last, a returned order names its item in the next clause ("die Bestellung 31877
    # zurückschicken, der Mantel passt nicht").
    name = (
        (bare if bare and not _NOT_A_PRODUCT.match(bare) else None)
        or (
            _item_other(after)
            or _item_other(trigger.group())  # "schicke den Toaster zurück"
            or _item_other(clause_before)
            or _item_other(before)
            or _item_other(re.split(r"[.?!;]", sentence[trigger.end() :])[0])
        )
    )
    if name is None:
        return []
    reason = "not specified"
    for m in _REASON_OTHER.finditer(sentence, trigger.end()):
        why = m["reason"] or m["clause"]
        if not (_ORDER.search(why) or _INVOICE.search(why) or _PLEASANTRY.match(why.strip())):
            reason = _why(why)
            break
    if reason == "not specified":
        # "¿Puedo cambiar los vaqueros? Son demasiado cortos." The next clause says why, about them.
        rest = re.split(r"(?<=[?!.])\s+", sentence[trigger.end() :], maxsplit=1)[1:] or [following]
        nxt = re.match(rf"^\s*(?:{_PRONOUN_OTHER})\s+(?P<why>[^.!?]+)", rest[0], re.IGNORECASE)
        if nxt and not (_TRIGGER_OTHER.search(rest[0]) or _ORDER.search(rest[0]) or _INVOICE.search(rest[0])):
            reason = _why(nxt["why"])
    return [(trigger.start(), {"query_type": "ProductReturn", "product_name": name, "reason_for_return": reason})]


_PRONOUN_OTHER = r"es|son|est[áa]n?|er|sie|die|der|das|il|elle|ils|elles|è|sono|lo|la|le|gli|ella|él"


def _why(text: str) -> str:
    text = re.sub(r"^(?:porque|parce\s+que|car|weil|denn|da|perch[ée]|poich[ée])\s+", "", text.strip(), flags=re.I)
    text = re.sub(
        r"^(?:es|son|est[áa]n?|estaba|il|elle|ils|elles|er|sie|es|è|sono|era)\s+(?:est\s+|sont\s+|ist\s+|sind\s+)?",
        "",
        text.strip(),
        flags=re.IGNORECASE,
    )
    return text.strip(" .,;:!?'\"") or "not specified"


# ---------------------------------------------------------------- other requests

_ACTION = re.compile(
    r"\b(?:i\s+want|i'd\s+like|i\s+would\s+like|please|can\s+you|could\s+you|would\s+you|can\s+i|could\s+i|may\s+i"
    r"|i\s+need|need\s+to|help\s+me|i\s+wish\s+to|i'm\s+looking\s+to"
    r"|quiero|quisiera|me\s+gustar[íi]a|por\s+favor|pueden|podr[íi]an|puedo|necesito"
    r"|je\s+voudrais|je\s+veux|pourriez|pouvez|merci\s+de|s['’]il\s+vous\s+pla[îi]t|est-ce\s+que"
    r"|ich\s+m[öo]chte|ich\s+will|bitte|k[öo]nnen\s+sie|k[öo]nnten\s+sie|kann\s+ich|ich\s+brauche"
    r"|vorrei|voglio|per\s+favore|potete|potreste|posso|ho\s+bisogno"
    r"|volevo\s+sapere|quer[íi]a\s+saber|je\s+voulais\s+savoir|ich\s+wollte\s+wissen)\b",
    re.IGNORECASE,
)
_PLEASANTRY = re.compile(
    r"^(?:hi|hello|hey|dear|thanks?|thank you|many thanks|best|regards|kind regards|cheers|please let me know"
    r"|let me know|looking forward|have a (?:nice|great|good) day|hope you"
    r"|hola|buen[oa]s\s+(?:d[íi]as|tardes|noches)|gracias|saludos|un\s+saludo|bonjour|bonsoir|salut|merci|cordialement|hallo|guten\s+tag"
    r"|danke|vielen\s+dank|gr[üu][ßs]e|mit\s+freundlichen|ciao|buongiorno|salve|grazie|cordiali\s+saluti)\b",
    re.IGNORECASE,
)
# A greeting that opens a sentence ("Bonjour, est-ce que ...", "Hallo zusammen, habt ihr ..."):
# what follows may still be a request.
_GREETING_LEAD = re.compile(
    r"^(?:hi|hello|hey|dear|hola|buen[oa]s(?:\s+d[íi]as|\s+tardes)?|bonjour|bonsoir|salut|hallo|guten\s+tag|moin"
    r"|servus|ciao|buongiorno|salve)(?:\s+[^\W\d_]+){0,2}\s*[,!]\s*",
    re.IGNORECASE,
)
# A short sentence that only asks to check "it", or where "it" is, about a request already made:
# "Can you check it?", "¿Podrían revisarlo?", "Potreste verificare?", "Wo ist sie?".
_FOLLOW_UP = re.compile(
    r"(?:\b(?:check(?:\s+(?:it|this|that|them|on\s+it))?|look\s+into\s+it|revis(?:ar|en|e|ad)(?:l[oa]s?)?"
    r"|comprob(?:ar|en|ad)(?:l[oa]s?)?|verific(?:ar|are|ate|en|ad)(?:l[oa]s?|lo)?|v[ée]rifi(?:er|ez)"
    r"|(?:über)?pr[üu]f(?:en|t)|controll(?:are|ate)(?:lo|la)?)(?:\s+(?:please|por\s+favor|s['’]il\s+vous\s+pla[îi]t"
    r"|bitte|per\s+favore))?\s*[?.!]*\s*$)"
    r"|\b(?:where\s+is\s+it|d[óo]nde\s+est[áa]\s*\??\s*$|o[ùu]\s+(?:elle|il)\s+en\s+est|wo\s+ist\s+(?:sie|es|er)\b"
    r"|dov['’]?[èe]\s*\??\s*$)",
    re.IGNORECASE,
)
_FILLER = frozenset("want like would need help please know question thing something let thanks thank".split())


def extract_support_tasks(query: str) -> list[dict[str, str]]:
    """Decompose a support message into typed tasks (BillingInquiry, ProductReturn, StatusUpdate, Unknown)."""
    tasks: list[dict[str, str]] = []
    sents = sentences(strip_injections(query))
    for n, sentence in enumerate(sents):
        found: list[tuple[int, dict[str, str]]] = _invoices(sentence)
        following = sents[n + 1] if n + 1 < len(sents) else ""
        returns = _returns(sentence, following) or _returns_other(sentence, following)
        found.extend(returns)
        for m in _ORDER.finditer(sentence):
            if not _STATUS_CUES.search(sentence) and (returns or _ORDER_CHANGE.search(sentence)):
                continue  # the order is context for another request, not a status question
            for order_id in re.split(r"\s*[,&]\s*|\s+(?:and|y|et|und|e)\s+", m["ids"]):
                if order_id.strip(" #"):
                    found.append((m.start(), {"query_type": "StatusUpdate", "order_id": _id(order_id)}))
        asks = _ACTION.search(sentence) or sentence.rstrip().endswith("?")
        body = _GREETING_LEAD.sub("", sentence)
        follow_up = bool(tasks) and not found and len(tokens(body)) <= 8 and bool(_FOLLOW_UP.search(body))
        if not found and asks and body and not _PLEASANTRY.match(body) and not follow_up:
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
        if _TOPIC_CHANGE.match(sentence) or any(p.search(sentence) for p in (_INVOICE, _ORDER, _TRIGGER)):
            break
        parts.append(_restate(sentence))
    return " ".join(parts) if parts else "General inquiry regarding the invoice"
