"""Customer-support helpers: task decomposition and the concern voiced about an invoice."""

from __future__ import annotations

import re

from offline.text.basics import is_content, sentences, tokens
from offline.text.injections import strip_injections

# ---------------------------------------------------------------- ids
#
# An id is a run that starts with a digit, or a short letter prefix and a digit, with optional
# "-" or "/" parts and letter suffixes:  48213   2024/118   6618-A   77812B   A-55120   ZX-88
# A prefix is glued or hyphenated to the digits (A-55120, DE-4471, 77812B), or set apart by a space
# when it is capitals (INV 3390, KLM 5512) or one letter that is not a word ("order b 20931"), so
# "Bestellung war 88213" or "invoice for 300" name no prefix.
_ID = (
    r"(?:[A-Za-z]{1,4}[-/]?(?=\d)|(?-i:[A-Z]{2,4})\s(?=\d)|(?![aeiouy]\s)[A-Za-z]\s(?=\d))?"
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
    rf"\b{_INVOICE_WORD}{_ID_LEAD}(?P<a>{_ID})\b|(?:#\s*)?\b(?P<b>INV[-\s]?#?\d[0-9A-Za-z]*(?:[-/][0-9A-Za-z]+)*)\b",
    re.IGNORECASE,
)
#   order 90341 | order a-55120 | order b 20931 | Order ID: K-5512 | orders 33120 and 33121
_ORDER = re.compile(
    rf"\b{_ORDER_WORD}{_ID_LEAD}(?P<ids>{_ID}(?:(?:\s*[,&]|\s+(?:and|y|et|und|e))\s*#?\s*{_ID})*)", re.IGNORECASE
)
_ORDER_OR_INVOICE = re.compile(rf"{_ORDER_WORD}|{_INVOICE_WORD}|ordine|ordre|auftrags?", re.IGNORECASE)
# Between the ids of one mention: "33120, 33121 and 33122".
_ID_LIST_SPLIT = re.compile(r"\s*[,&]\s*|\s+(?:and|y|et|und|e)\s+")
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


def _id(raw: str) -> str:
    """Write an id as the customer wrote it, in one spelling: no "#", upper case, "B 20931" as "B-20931".

    Nothing is added: "48213" stays "48213" and "FAC-10293" stays "FAC-10293" (the desk, not the
    reader of the message, knows how its own numbers are written).
    """
    return re.sub(r"^([A-Za-z]{1,4})(?:\s*#\s*|\s+)(?=\d)", r"\1-", raw.strip().lstrip("#").strip()).upper()


def _invoices(sentence: str) -> list[tuple[int, dict[str, str]]]:
    found = []
    for m in _INVOICE.finditer(sentence):
        number = m["a"] or m["b"]
        if re.search(r"\d", number):
            found.append((m.start(), {"query_type": "BillingInquiry", "invoice_number": _id(number)}))
    return found


# ---------------------------------------------------------------- returns
#
# A return is an item the customer wants to give back or get their money back for:
#   return the X | send (back) the X (back) | bring/give/hand/take the X back | a refund for the X
#   the X broke ..., I want my money back | ... a refund for it (it = the X named before)
# A refund of a charge, payment or invoice is a billing matter, never a return.
_TRIGGER = re.compile(
    r"\b(?:return(?:s|ed|ing)?\b(?!\s+(?:to|from|home|here|there|next|later|on|in|at)\b)"
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
    r"|mot\s+de\s+passe|datos|donn[ée]es|dati|daten|cuenta|compte|account|konto"
    r"|n[úu]mero|num[ée]ro|nummer|number|telefonnummer|handynummer)\b",
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
    r"|(?:,|\s[-–—]+(?=\s)|[–—])\s*(?!(?:and|but|so|also|please|thanks|i'd|i\s+would|i\s+want|can|could)\b)"
    r"(?P<clause>[^,.!?]+)",
    re.IGNORECASE,
)
_SUBJECT = re.compile(rf"\b{_DET}\s+(?P<rest>[^,.!?]+)", re.IGNORECASE)
_PREDICATE_VERB = re.compile(
    r"\b(?:i\s+(?:bought|got|ordered|received)[^,]*?\s+)?(?P<pred>(?:was|is|are|were|has|have|had|keeps?|stopped"
    r"|broke|cracked|leaks?|arrived|came|doesn't|does\s+not|won't|isn't|never|\w+ed|\w+s)\b[^,.!?]*)",
    re.IGNORECASE,
)


# A dash set apart, or a long dash anywhere, ends a name: "the dock - both ports", "the dock—both".
_DASH = re.compile(r"\s[-–—]+(?=\s|$)|[–—]")


def _name(
    words: str,
    stop: frozenset[str] = _NAME_STOP,
    longest: int = 5,
    ids: bool = False,
    tail: frozenset[str] = frozenset(),
) -> str:
    """Cut a noun phrase at the first word that cannot belong to a product's name.

    With `ids`, a bracket or an id ends the name too ("casque Bluetooth (commande 66721)"), and so
    does the word for an order or an invoice ("cuffie del mio ordine"). Words of `tail` (a
    preposition, a determiner) never end a name: "bouilloire de [ma commande]" is "bouilloire".
    """
    kept: list[str] = []
    for word in _DASH.split(words, maxsplit=1)[0].split():
        core = word.strip(".,;:!?()").lower()
        if not core or core in stop or (ids and (word.startswith("(") or re.fullmatch(r"#?\d[\w-]*", core))):
            break
        if ids and _ORDER_OR_INVOICE.fullmatch(re.sub(r"^\w+['’]", "", core)):
            break
        kept.append(word.strip(".,;:!?()"))
        if word[-1:] in ",;:.!?" or len(kept) == longest:
            break
    while kept and _fold_apostrophe(kept[-1]).lower() in tail:
        kept.pop()
    return " ".join(kept)


def _fold_apostrophe(word: str) -> str:
    return word.replace("’", "'")


def _products(text: str) -> list[str]:
    """Return the product names at the start of text: a quoted name, or a list of noun phrases."""
    quoted = [m["name"].strip() for m in _QUOTED.finditer(text[:80]) if text[: m.start()].strip(" ,") in ("", *_DETS)]
    if quoted:
        return quoted[:1]
    listing = _ITEMS_LISTED.match(text)  # "these items: the lamp, the rug and the mirror"
    text = text[listing.end() :] if listing else text
    bare = _bare_list(text)
    if bare:
        return bare
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


# "my phone case, screen protector and charger from order 1123": items listed without their articles.
_BARE_LIST = re.compile(
    r"^\s*(?P<items>[^,.!?;]{1,60}(?:,\s*[^,.!?;]{1,60}){1,6}?,?\s+(?:and|&)\s+[^,.!?;]{1,80})", re.IGNORECASE
)


def _bare_list(text: str) -> list[str]:
    """Read "X, Y and Z" after a return verb: every item but the last must be a whole name of its own."""
    m = _BARE_LIST.match(text)
    if not m:
        return []
    split = re.split(r",\s*(?:and\s+)?|\s+(?:and|&)\s+", m["items"])
    parts = [re.sub(rf"^\s*{_DET}\s+", "", p.strip(), flags=re.IGNORECASE) for p in split]
    names = [_name(p) for p in parts]
    whole = zip(names[:-1], parts[:-1], strict=True)
    if any(not n or n != p or len(p.split()) > 3 or _NOT_A_PRODUCT.match(n) for n, p in whole):
        return []
    return names if names[-1] and not _NOT_A_PRODUCT.match(names[-1]) else []


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
    # A verb may carry its object ("devolverla", "restituirlo", "rimandarli"): the item was named before.
    r"\b(?:devolver(?:l[oa]s?)?|devuelvo|devolverles|devoluci[óo]n\s+(?:de|del)|reembolso\s+(?:de|del|por)"
    r"|(?:devuelvan|devolver|devuelven)\s+(?:el|mi)\s+dinero\s+(?:de|del|por)|cambiar(?=\s+(?:el|la|los|las|mi|mis)\b)"
    r"|rembours[ée]e?s?\s+(?:pour|de)|geld\s+zur[üu]ck\s+(?:f[üu]r|vom)|(?:mein|das)\s+geld\s+(?:f[üu]r|vom|von)"
    r"|(?:schick|send|geb)\w*\s+(?:\w+\s+){0,4}?zur[üu]ck|retournier\w*"
    r"|rimborsat[oai]\s+per|cambiare(?=\s+(?:il|lo|la|i|gli|le|l['’]))"
    r"|retourner|renvoyer|retour\s+(?:de|du|des|pour)|rembourser|remboursement\s+(?:de|du|des|pour)|[ée]changer"
    r"|rendre(?=\s+(?:le|la|les|l['’]|mon|ma|mes|ce|cet|cette|ces)\b)"
    # said in the first person, with the item after it: "je vous retourne l'aspirateur", "vi rimando la sedia"
    r"|(?:retourne|renvoie|rends)(?=\s+(?:le|la|les|l['’]|mon|ma|mes|ce|cet|cette|ces)(?:\s|(?<=['’])))"
    r"|(?:rimando|rendo)(?=\s+(?:il|lo|la|i|gli|le|l['’]|questo|questa)(?:\s|(?<=['’])))"
    r"|zur[üu]ck(?:schicken|senden|geben|gesendet|geschickt|zugeben|zuschicken)|r[üu]cksendung|umtauschen|umzutauschen"
    r"|restituir(?:e|l[oaie])|restituisco|render(?:e|l[oaie])|reso\s+(?:di|del|della|dei|delle)"
    r"|(?:rimandar|rispedir)(?:e|l[oaie])|rispedisco|(?:mandare|rimandare)\s+indietro"
    r"|rimborso\s+(?:per|del|della|dello|dei|delle|degli|di|dell['’])"
    r"|restituzione\s+(?:del|della|dello|dei|delle|degli|di|dell['’])|reklamier\w*"
    r"|(?:r[üu]ck)?erstattung\s+(?:f[üu]r|des|der|vom)|r[üu]ckgabe\s+(?:des|der|von|vom|f[üu]r)"
    r"|reembols(?:en|aran|asen|ar)(?=\s+(?:el|la|los|las|lo)\b))\b",
    re.IGNORECASE,
)
_DET_OTHER = (
    r"(?:el|la|los|las|mi|mis|este|esta|estos|estas|un|una|unos|unas|le|les|l['’]|mon|ma|mes|ce|cet|cette|ces|une"
    r"|des|der|die|das|den|dem|des|mein|meine|meinen|meinem|meiner|diese|diesen|dieses|ein|eine|einen|il|lo|i|gli"
    r"|mio|mia|miei|mie|questo|questa|questi|queste|uno"
    # a number counts items as an article does: "dos camisetas", "2 t-shirts", "zwei Hemden"
    r"|\d{1,2}|dos|tres|cuatro|deux|trois|quatre|zwei|drei|vier|due|tre|quattro)"
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
    ricevuta kam kamen ging geht leider schon bereits gestern heute kaputt defekt rotto rotta rotti rotte roto rota
    rotos rotas cassé cassée cassés arrivé arrivée arrivés arrivato arrivata arrivati angekommen llegaron vinieron
    que qu' dass contre gegen
    """.split()
)
_REASON_OTHER = re.compile(
    r"\b(?:porque|ya\s+que|pues|debido\s+a|parce\s+qu['’]?e?|car|puisqu['’]?e?|weil|denn|(?<=,\s)da|perch[ée]|poich[ée]"
    r"|dato\s+che|siccome)\s+(?P<reason>[^.!?]+)|(?:,|\s[-–—]+(?=\s)|[–—])\s*(?P<clause>[^,.!?]+)",
    re.IGNORECASE,
)


# Words that link a name to what follows and never end one: prepositions, articles, possessives
# ("ferro da stiro a [collo alto]" is cut by length; "bouilloire de [ma commande]" by the order word).
_TAIL_OTHER = frozenset(
    """
    de del dela della dello dell' dei degli delle di da dal dalla du des d' à a au aux en al a la
    aus von vom mit im in zum zur der dem den el la los las le les l' il lo i gli un una une ein eine einen mi mis
    mon ma mes mein meine meinem meiner meinen mio mia miei mie su sus
    """.split()
)
# A preposition fused with an article, which carries on a list of items after "of":
# "il reso della lampada e del tappeto", "le retour de la lampe et du tapis".
_FUSED = r"(?:del|dello|della|dei|degli|delle|dell['’]|du|vom|al|au|aux)"
_FUSED_ITEM = re.compile(rf"{_FUSED}(?:(?<=['’])|\s+)(?=\w)", re.IGNORECASE)
# A further item of a list: ", the Y", " and the Y", ", and the Y" (y, e, et, und, sowie, ed).
_AND_ITEM = re.compile(
    rf"^[^\S\n]*(?:,[^\S\n]*(?:(?:y|e|ed|et|und|sowie)\s+)?|(?:y|e|ed|et|und|sowie)\s+)"
    rf"(?=(?:{_DET_OTHER}|{_FUSED})(?:(?<=['’])|\s))",
    re.IGNORECASE,
)


# Words that qualify an item without naming it: a possessive after an article ("il mio telefono")
# and "new" ("mi portátil nuevo", "meinen neuen Toaster").
_QUALIFIERS = frozenset(
    """
    mio mia miei mie tuo tua suo sua nostro nostra nuevo nueva nuevos nuevas nuovo nuova nuovi nuove neu neue neuen
    neuer neues neuem nouveau nouvel nouvelle nouveaux nouvelles neuf neuve
    """.split()
)


def _name_other(words: str) -> str:
    kept = [w for w in words.split() if w not in _QUALIFIERS]  # lower case only: "Nuova Linea" is a name
    # German capitalises its nouns: after one, a lower-case infinitive is the verb ("die Jacke beantragen").
    for n, word in enumerate(kept[1:], start=1):
        if kept[0][:1].isupper() and re.fullmatch(r"[a-zäöüß]{3,}e?n", word):
            kept = kept[:n]
            break
    return _name(" ".join(kept), _STOP_OTHER, longest=6, ids=True, tail=_TAIL_OTHER)


def _items_after(text: str, bare: bool = False) -> list[str]:
    """Read a list of items that starts at a determiner: "las zapatillas y la chaqueta del pedido 7".

    With `bare`, the first item may start without one (it follows "reso della", "retour de").
    """
    names: list[str] = []
    while len(names) < 8:
        after_first = _FUSED_ITEM.match(text) if names else _BARE_START.match(text) if bare else None
        m = _PHRASE_OTHER.match(text) or after_first
        if not m:
            break
        chunk = re.split(r"[,.!?;]", text[m.end() : m.end() + 120])[0]
        name = _name_other(chunk)
        if not name or _NOT_A_PRODUCT.match(name):
            break
        names.append(name)
        rest = text[m.end() + text[m.end() :].find(name) + len(name) :]
        # The name's own words are read; what follows it to the next list mark is not a name.
        nxt = re.search(r",|\b(?:y|e|ed|et|und|sowie)\b(?=\s)", rest)
        if not nxt or re.search(r"[.!?;]", rest[: nxt.start()]):
            break
        joined = _AND_ITEM.match(rest[nxt.start() :])
        if not joined or (rest[: nxt.start()].strip() and not _TAIL_ONLY.fullmatch(rest[: nxt.start()])):
            break
        # "la lámpara, la alfombra y el espejo" is a list; "la lámpara, la pantalla está rota" a clause.
        if rest[nxt.start()] == "," and not _LIST_END.search(rest, nxt.start(), nxt.start() + 200):
            break
        text = rest[nxt.start() + joined.end() :]
    return names


_BARE_START = re.compile(r"(?=\w)")
_LIST_END = re.compile(rf"\b(?:y|e|ed|et|und|sowie)\s+(?:{_DET_OTHER}|{_FUSED})(?:(?<=['’])|\s)", re.IGNORECASE)
# Between an item and the next one only a trailing linking phrase may stand ("de ma commande 7").
_TAIL_ONLY = re.compile(r"\s*(?:[^\W\d_]+['’]?\s*){0,3}(?:#?\d[\w/-]*)?\s*", re.UNICODE)


def _item_other(text: str, within: int | None = None) -> list[str]:
    """Read the items of the first noun phrase of text that starts before `within` (a list may run past it)."""
    for n, m in enumerate(_PHRASE_OTHER.finditer(text)):
        if n == 12 or (within is not None and m.start() >= within):  # an item is named near its verb
            break
        names = _items_after(text[m.start() :])
        if names:
            return names
    return []


# "the following items:", "los siguientes artículos:", "folgende Artikel:": a list follows the colon.
_ITEMS_LISTED = re.compile(
    rf"\s*(?:{_DET_OTHER}\s+|{_DET}\s+)?(?:[\w-]+\s+){{0,2}}?(?:art[íi]culos|productos|cosas|items|things|products"
    r"|articles|produits|artikel|sachen|produkte|articoli|prodotti|cose)(?:\s+[\w-]+){0,2}?\s*:\s*",
    re.IGNORECASE,
)


# A verb or noun that ends in "of" ("devolución de", "rimborso degli", "Rückgabe der"): the item follows.
_ENDS_IN_OF = re.compile(
    r"\b(?:de|del|della|dello|dei|delle|degli|di|du|des|vom|von|der|f[üu]r)$|\bdell['’]$", re.IGNORECASE
)


# An object pronoun at the verb ("ich möchte ihn zurückschicken", "vorrei restituirlo"): the item was named before.
_OBJECT_PRONOUN = re.compile(r"\b(?:ihn|sie|es|lo|la|los|las|le|les|li|l['’])\b|(?<=[a-z])l[oaie]s?\b", re.IGNORECASE)


def _named_before(previous: str) -> tuple[list[str], str]:
    """Return the item the sentence before named ("aber der Toaster ist kaputt") and what it said of it."""
    names = _item_other(previous)
    if not names:
        return [], "not specified"
    at = previous.find(names[-1])
    said = re.split(r"[,;:.!?]|\s(?:y|e|et|und|and|aber|pero|mais|ma)\s", previous[at + len(names[-1]) :])[0]
    return names, (_why(said) if said.strip() and len(said.split()) <= 8 else "not specified")


def _returns_other(sentence: str, following: str, previous: str = "") -> list[tuple[int, dict[str, str]]]:
    trigger = _TRIGGER_OTHER.search(sentence)
    if not trigger or (_INVOICE.search(sentence) and re.search(r"reembols|rembours|rimbors", trigger.group(), re.I)):
        return []
    # The item is named right after the verb ("del tablet") or in a noun phrase of its clause,
    # else before the verb ("ich möchte den Mantel zurückschicken"), else it opened the sentence
    # ("la souris ... je voudrais l'échanger").
    # A dash set apart ends the clause too: "den Wasserkocher zurückgeben - der Deckel schließt nicht".
    clause = _DASH.split(re.split(r"[.?!;:]", sentence[trigger.end() :])[0], maxsplit=1)[0]
    # "devolver los siguientes artículos: la lámpara, ...": the items are listed after the colon.
    listing = _ITEMS_LISTED.match(sentence[trigger.end() :])
    if listing:
        clause = re.split(r"[.?!;]", sentence[trigger.end() + listing.end() :])[0]
    after = re.split(r",", clause)[0]
    before = sentence[: trigger.start()]
    # A clause ends at a comma or a "but", and at an "and" that does not join two items
    # ("den Mantel und die Mütze zurückschicken" is one clause).
    clause_before = re.split(
        rf"[;:]|,(?!\s*{_DET_OTHER}\b)|\b(?:aber|pero|mais|ma)\b|\b(?:und|y|et|e)\b(?!\s+{_DET_OTHER}\b)", before
    )[-1]
    # "cambiare l'indirizzo", "changer mon mot de passe": the thing changed right after the verb is no item.
    first = _PHRASE_OTHER.match(after.lstrip())
    if first:
        named = _name_other(re.split(r"[,.!?;]", after.lstrip()[first.end() :])[0])
        if named and _NOT_A_PRODUCT.match(named) and not _ORDER_OR_INVOICE.match(named):
            return []
    bare: list[str] = []
    if _ENDS_IN_OF.search(trigger.group()):
        listed = _items_after(clause.lstrip(), bare=True)
        bare = listed or [n for n in [_name_other(after)] if n and not _NOT_A_PRODUCT.match(n)]
    # Last, a returned order names its item in the next clause ("die Bestellung 31877
    # zurückschicken, der Mantel passt nicht").
    names = (
        bare
        or _item_other(clause, within=len(after))
        or _item_other(trigger.group())  # "schicke den Toaster zurück"
        or _item_other(clause_before)
        or _item_other(before)
        or _item_other(re.split(r"[.?!;]", sentence[trigger.end() :])[0])
    )
    said_before = "not specified"
    if not names and previous and _OBJECT_PRONOUN.search(sentence, max(0, trigger.start() - 12), trigger.end()):
        names, said_before = _named_before(previous)
    if not names:
        return []
    reason = "not specified"
    # The reason follows the last item when the items follow the verb ("le casque, la souris et le
    # clavier de ma commande 991 car ...").
    last = sentence.find(names[-1], trigger.end()) if len(names) > 1 else -1
    for m in _REASON_OTHER.finditer(sentence, last + len(names[-1]) if last >= 0 else trigger.end()):
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
    if reason == "not specified":
        # "La aspiradora llegó rota, quiero devolverla": what the item did, said before the verb.
        at = before.find(names[-1])
        chunks = re.split(r"[,;:]|\s(?:y|e|et|und|and)\s", before[at + len(names[-1]) :]) if at >= 0 else []
        for said in (c.strip() for c in chunks[:2]):
            if not said:
                break
            if _ITEM_VERB_ONLY.fullmatch(said):
                continue  # "ich habe einen Wasserkocher bestellt, der undicht ist"
            lead = said.split()[0].lower()
            if len(said.split()) <= 8 and lead not in _TAIL_OTHER:
                reason = _why(said)
            break
    if reason == "not specified":
        reason = said_before
    return [
        (trigger.start(), {"query_type": "ProductReturn", "product_name": name, "reason_for_return": reason})
        for name in names
    ]


# "1) ... 2) ... 3) ...": a numbered point ends the one before it.
_ENUMERATOR = re.compile(r"\s(?=\d{1,2}[)]\s)")
# What may follow an item's name and say nothing about it: a verb of having or getting it.
_ITEM_VERB_ONLY = re.compile(
    r"(?:que\s+)?(?:compr[ée]|ped[íi]|recib[íi]|j['’]ai\s+\w+|ich\s+\w+|che\s+ho\s+\w+|ho\s+\w+|habe\s+ich\s+\w+"
    r"|bestellt|gekauft|erhalten|bekommen|geliefert|achet[ée]e?s?|command[ée]e?s?|re[çc]ue?s?|comprad[oa]s?|pedid[oa]s?"
    r"|recibid[oa]s?|comprat[oaie]|ordinat[oaie]|ricevut[oaie])?\s*",
    re.IGNORECASE,
)
_PRONOUN_OTHER = (
    r"me|mi|mir|ça|c['’]est|es|son|est[áa]n?|er|sie|die|der|das|il|elle|ils|elles|è|sono|lo|la|le|gli|ella|él"
)


def _why(text: str) -> str:
    text = _ENUMERATOR.split(text, maxsplit=1)[0]
    text = re.sub(r"^(?:porque|parce\s+que|car|weil|denn|da|perch[ée]|poich[ée])\s+", "", text.strip(), flags=re.I)
    text = re.sub(
        r"^(?:(?:que|qui|der|die|das|che)\s+)?(?:(?:es|son|est[áa]n?|estaba|il|elle|ils|elles|er|sie|es|è|sono|era)\s+)?"
        r"(?:est\s+|sont\s+|ist\s+|sind\s+)?",
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
# A continuation of a return in a sentence of its own: "And also the charger, it is broken.",
# "E anche della cover, non mi serve più.", "Y también las botas."
_MORE_ITEMS = re.compile(
    rf"^\s*(?:and|y|e|ed|et|und)\s+(?:also|too|también|tambien|anche|aussi|auch|ebenso)?\s*"
    rf"(?:(?:de|del|della|dello|dei|delle|du|des|vom|von)\s+)?(?=(?:{_DET_OTHER}|{_DET})(?:(?<=['’])|\s)|\w)",
    re.IGNORECASE,
)


def _more_returns(sentence: str) -> list[tuple[int, dict[str, str]]]:
    m = _MORE_ITEMS.match(sentence)
    if not m or _ORDER.search(sentence) or _INVOICE.search(sentence):
        return []
    rest = sentence[m.end() :]
    rest = rest if _PHRASE_OTHER.match(rest) or re.match(rf"{_DET}\s", rest, re.I) else "the " + rest
    rest = re.sub(rf"^{_DET}\s+", "", rest, flags=re.IGNORECASE)
    name = _name_other(re.split(r"[,.!?;]", rest)[0]) if not _PHRASE_OTHER.match(rest) else ""
    names = [name] if name and not _NOT_A_PRODUCT.match(name) else _items_after(rest)
    if not names or len(names[0].split()) > 4:
        return []
    why = next((w for w in _REASON_OTHER.finditer(rest) if w["reason"] or w["clause"]), None)
    reason = _why(why["reason"] or why["clause"]) if why else "not specified"
    reason = re.sub(r"^(?:because|since)\s+", "", reason, flags=re.IGNORECASE)
    return [(0, {"query_type": "ProductReturn", "product_name": n, "reason_for_return": reason}) for n in names]


# A notice that something is settled: paid, arrived, received, sorted ("Thanks, invoice 4471 is
# paid now", "La commande 88 est bien arrivée"), unless it also voices a problem.
_SETTLED = re.compile(
    r"\b(?:thanks?|thank\s+you|already\s+paid|(?:is|was|has\s+been|have)\s+(?:now\s+)?(?:paid|settled)|paid\s+(?:it|now|today|yesterday)"
    r"|(?:has|have)\s+(?:now\s+)?(?:arrived|come)|arrived\s+(?:today|yesterday|safely|fine|this)|(?:got|received)\s+(?:it|them)"
    r"|gracias|ya\s+(?:est[áa]\s+)?pagad[ao]|ya\s+(?:la\s+|lo\s+)?pagu[ée]|lleg[óo]|ha\s+llegado|merci|d[ée]j[àa]\s+pay[ée]e?"
    r"|bien\s+(?:re[çc]u|arriv[ée]e?)|est\s+arriv[ée]e?|danke|bereits\s+bezahlt|schon\s+bezahlt|ist\s+angekommen|angekommen"
    r"|grazie|gi[àa]\s+pagat[ao]|[èe]\s+arrivat[ao]|ho\s+ricevuto"
    # paid, transferred or settled already: "ya he pagado", "déjà réglé", "schon überwiesen", "già saldata"
    r"|already\s+(?:paid|settled|transferred)|ya\s+(?:he\s+|la\s+he\s+|lo\s+he\s+)?(?:pagad[oa]|abonad[oa]|transferid[oa])"
    r"|d[ée]j[àa]\s+(?:r[ée]gl[ée]e?|pay[ée]e?|vers[ée]e?|vir[ée]e?)|(?:schon|bereits)\s+(?:[üu]berwiesen|beglichen|bezahlt)"
    r"|gi[àa]\s+(?:saldat[ao]|versat[ao]|bonificat[ao]|stat[ao]\s+pagat[ao]))\b",
    re.IGNORECASE,
)
_PROBLEM = re.compile(
    r"\b(?:not|no|never|n't|yet|still|wrong|twice|double|again|missing|broken|damaged|late|but|however|why"
    r"|pas|jamais|toujours|encore|mais|nicht|kein\w*|noch|aber|falsch|non|ancora|ma|però|sbagliat\w|todav[íi]a|a[úu]n"
    r"|pero|sin|nada|incorrect\w*|error\w*|erreur|fehler|errore|dos\s+veces|deux\s+fois|doppelt|due\s+volte)\b|n't",
    re.IGNORECASE,
)


_ARRIVED = re.compile(
    r"\b(?:arrived|came|received|delivered|lleg[óo]|ha\s+llegado|recib[íi]|he\s+recibido|recibido|arriv[ée]e?s?|re[çc]ue?s?"
    r"|livr[ée]e?s?|angekommen|gekommen|eingetroffen|erhalten|bekommen|geliefert|arrivat[oaie]|ricevut[oaie]"
    r"|consegnat[oaie]|llegaron|vino)\b",
    re.IGNORECASE,
)


def _settled(sentence: str) -> bool:
    """Tell whether a sentence only reports that something is settled, asking and objecting to nothing."""
    return bool(_SETTLED.search(sentence)) and not _PROBLEM.search(sentence)


# The words that say an item came from an order, just before the order's word.
_ITEM_FROM = re.compile(
    r"\b(?:from|of|in|de|del|du|des|dell['’]|della|dal|dalla|nel|nella|aus|von|vom|der|en)"
    r"(?:\s+(?:my|the|mi|ma|mon|la|mio|mia|meiner|meinem|der|dem|il))?\s*$",
    re.IGNORECASE,
)
# How to go about a return already asked for: the steps, the label, where to send it.
_HOW_TO_RETURN = re.compile(
    r"\b(?:how\s+do\s+i\s+(?:send|ship|post|proceed|do\s+that|go\s+about)|what\s+(?:should|do)\s+i\s+do"
    r"|(?:return|shipping|prepaid)\s+label|where\s+(?:do|should)\s+i\s+(?:send|ship)"
    r"|c[óo]mo\s+(?:l[oa]s?\s+)?(?:env[íi]o|mando|devuelvo|hago|procedo|debo\s+proceder)|qu[ée]\s+(?:tengo|debo)\s+que\s+hacer"
    r"|etiqueta\s+de\s+(?:devoluci[óo]n|env[íi]o)|d[óo]nde\s+(?:l[oa]s?\s+)?(?:env[íi]o|mando)"
    r"|comment\s+(?:dois-je\s+|je\s+dois\s+)?(?:proc[ée]der|faire|l['’]envoyer|le\s+renvoyer|la\s+renvoyer)"
    r"|que\s+dois-je\s+faire|[ée]tiquette\s+(?:de\s+retour|retour|d['’]envoi)|o[ùu]\s+(?:dois-je\s+)?(?:l['’]envoyer|le\s+renvoyer)"
    r"|wie\s+gehe\s+ich\s+vor|was\s+muss\s+ich\s+(?:tun|machen)|wie\s+(?:schicke|sende)\s+ich|r[üu]cksendeetikett\w*"
    r"|retourenschein|wohin\s+(?:schicke|sende)\s+ich"
    r"|come\s+(?:devo\s+)?(?:fare|procedere)|cosa\s+devo\s+fare|come\s+(?:l[oaie]\s+)?(?:spedisco|rimando|restituisco)"
    r"|etichetta\s+(?:di\s+reso|per\s+il\s+reso|di\s+spedizione)|dove\s+(?:l[oaie]\s+)?(?:spedisco|mando))",
    re.IGNORECASE,
)
_FILLER = frozenset("want like would need help please know question thing something let thanks thank".split())


def extract_support_tasks(query: str) -> list[dict[str, str]]:
    """Decompose a support message into typed tasks (BillingInquiry, ProductReturn, StatusUpdate, Unknown)."""
    tasks: list[dict[str, str]] = []
    seen: set[tuple[tuple[str, str], ...]] = set()  # the tasks' items: a long message has thousands
    kinds: set[str] = set()  # the types of the tasks so far
    sents = [part for s in sentences(strip_injections(query)) for part in _ENUMERATOR.split(s) if part.strip()]
    for n, sentence in enumerate(sents):
        found: list[tuple[int, dict[str, str]]] = _invoices(sentence)
        following = sents[n + 1] if n + 1 < len(sents) else ""
        previous = sents[n - 1] if n else ""
        returns = _returns(sentence, following) or _returns_other(sentence, following, previous)
        if not returns and tasks and tasks[-1]["query_type"] == "ProductReturn":
            returns = _more_returns(sentence)
        found.extend(returns)
        orders = list(_ORDER.finditer(sentence))
        # An order is context for another request, not a status question, when the sentence
        # changes it or returns something and asks nothing about where it is.
        status = _STATUS_CUES.search(sentence)
        context = bool(orders) and not status and bool(returns or _ORDER_CHANGE.search(sentence))
        # An order named only to say where a returned item came from ("el abrigo del pedido 7712",
        # or "Ordine n° 12045." after the return) asks nothing about the order.
        asks = _ACTION.search(sentence) or "?" in sentence
        context = context or ("ProductReturn" in kinds and not status and not asks)
        # "Bestellung 4410 ist angekommen, aber der Toaster ist kaputt. Ich möchte ihn zurückschicken.": an
        # order said to have arrived, before the return of its item, asks nothing about where it is.
        returned_next = bool(_TRIGGER.search(following) or _TRIGGER_OTHER.search(following))
        arrived = bool(orders) and returned_next and bool(_ARRIVED.search(sentence))
        context = context or (arrived and not status and not asks)
        for m in orders if not context else ():
            if returns and _ITEM_FROM.search(sentence, max(0, m.start() - 24), m.start()):
                continue
            for order_id in _ID_LIST_SPLIT.split(m["ids"]):
                if order_id.strip(" #"):
                    found.append((m.start(), {"query_type": "StatusUpdate", "order_id": _id(order_id)}))
        body = _GREETING_LEAD.sub("", sentence)
        if not asks and not returns and _settled(body):
            found = []  # "Thanks, invoice 4471 is paid now", "Order 5512 arrived today": nothing asked
        follow_up = bool(tasks) and not found and len(tokens(body)) <= 8 and bool(_FOLLOW_UP.search(body))
        # "Could you send me a corrected invoice?" after the invoice was named is the same request.
        invoice_named = bool(re.search(rf"\b{_INVOICE_WORD}\b", body, re.IGNORECASE))
        follow_up = follow_up or ("BillingInquiry" in kinds and not found and invoice_named)
        # "How do I send it?", "¿Me mandan la etiqueta?" after a return: how to make that return.
        follow_up = follow_up or ("ProductReturn" in kinds and not found and bool(_HOW_TO_RETURN.search(body)))
        if not found and asks and body and not _PLEASANTRY.match(body) and not follow_up:
            content = [t for t in tokens(sentence) if is_content(t) and t not in _FILLER]
            if content:
                found.append((0, {"query_type": "Unknown", "request": sentence}))
        for _, task in sorted(found, key=lambda f: f[0]):
            key = tuple(sorted(task.items()))
            if key not in seen:
                seen.add(key)
                kinds.add(task["query_type"])
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
