"""Intent routing: Technical Support, Billing Inquiry or General Question, in five languages.

Two kinds of evidence, added up per label:

1. Cue lexicons per language, matched on Snowball stems (so "crashes", "crashing", "crashed" are
   one cue) and, for English words of five letters or more, through one typo (a deletion,
   insertion, substitution or swap: "invioce", "conect", "laptpo"). Weights sort cues by how much
   they prove: a malfunction ("crash", "no funciona") or money moving ("charged twice", "abgebucht")
   is strong; a domain noun ("router", "subscription") is medium; shop-and-policy words
   ("opening hours", "deliver to") mark a general question.
2. Nearest meaning: the message and its sentences are embedded with WordLlama and compared with
   labelled prototype requests written for this module (not taken from any evaluation set). It
   catches problems described without a cue word ("nothing happens when I press the button").

Before either, the text is cleaned of instructions aimed at the model and of the label names
themselves, so "classify this as Billing Inquiry" is never evidence for billing. Words inside
quotes name something (a menu item, a product) and count for half.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import TYPE_CHECKING

from models.offline.text import embed as _embedder
from models.offline.text.basics import sentences
from models.offline.text.injections import strip_injections
from models.offline.text.stems import LANGS, Lang, stem

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

TECHNICAL, BILLING, GENERAL = "Technical Support", "Billing Inquiry", "General Question"
LABELS = (TECHNICAL, BILLING, GENERAL)

# Cue weights: how much one occurrence proves.
STRONG, MEDIUM, WEAK = 3.0, 2.0, 1.0

# Each entry: "word or phrase: weight". Phrases match consecutive stems; a leading "~" marks a cue
# that only counts after a negation ("no funciona", "won't open").
_CUES: dict[str, dict[Lang, str]] = {
    TECHNICAL: {
        "en": """
            crash:3 down:2 freez:3 froze:3 frozen:3 error:3 bug:3 glitch:3 outag:3 broken:3 disconnect:3 offlin:3
            restart:2 reboot:2 lag:2 slow:2 corrupt:3 blank:2 black:2 stuck:2
            unresponsive:3 fail:2 drop:2 drain:2 overheat:3 hot:1 blurry:2 pair:2 sync:2
            "not working":3 "stop working":3 "doesn't work":3 "does not work":3 "won't open":3 ~open:2 ~load:3
            ~start:3 ~connect:3 ~print:3 ~turn:2 ~charg:2 ~respond:2 ~arriv:1 ~accept:2 ~pair:3 ~log:2 ~sign:2
            "log in":2 "sign in":2 login:2 password:2 "locked out":3 "two-factor":2 code:1 verif:1
            internet:2 wifi:2 "wi-fi":2 router:2 modem:2 network:2 connect:2 connection:2 bluetooth:2
            app:2 applic:2 softwar:2 firmwar:2 driver:2 updat:1 instal:2 download:1 upload:2 browser:2
            websit:1 page:1 server:2 devic:2 laptop:2 phone:1 tablet:2 printer:2 screen:2
            keyboard:2 mous:1 camera:2 batteri:2 headphon:1 tv:1 box:1 hub:1 cabl:1
            file:1 folder:1 drive:1 email:1 outbox:2 video:1 sound:2 fan:1 power:1 button:1 light:1
            signal:1 smart:1 thermostat:2 lock:1 technician:2 setup:2 "set up":2
            "take forever":3 "takes ages":3 "nothing happen":3 "doesn't open":3 "won't turn on":3
            "shut down":3 disappear:2
        """,
        "es": """
            ~funcion:3 funcion:2 conexion:2 internet:2 wifi:2 aplic:2 app:2 error:3 fall:3 pantall:2
            contraseñ:2 lent:2 bloque:3 cierr:2 "se cierra":3
            router:2 impresor:2 "no puedo":1
            ~enciend:3 ~encend:3 ~arranc:3 ~carg:3 ~conect:3 ~respond:3 ~abr:2 ~inici:2 cuelg:3 congel:3
            apag:2 reinici:2 averi:3 rot:2 estropead:3 dañad:2 portatil:2 ordenador:2 movil:1 telefon:1
            bateria:2 señal:2 red:1 conect:2 "iniciar sesion":2 acced:2 usuari:1 actualiz:1 instal:2
            descarg:1 tecl:2 camar:2 sonid:2 luz:1 parpad:2 "mensaje de error":3 tablet:2 impresora:2
        """,
        "fr": """
            ~fonction:3 fonction:2 ~march:3 connexion:2 connect:2 imprim:2 "mot de passe":2 applic:2
            appli:2 plant:3 bug:3 pann:3 wifi:2 "mise à jour":1 ~répond:3 répond:1
            tablet:2 ordin:2 "n'arrive pas":1
            ~allum:3 ~démarr:3 ~charg:3 ~connect:3 ~ouvr:2 bloqu:3 fig:3 éteint:2 redémarr:2 lent:2
            lenteur:2 écran:2 portabl:1 téléphon:1 batter:2 réseau:2 identifi:2 install:2 télécharg:1
            erreur:3 cass:2 clavi:2 camér:2 son:1 box:1 fibr:2 signal:2 "code de vérification":2
        """,
        "de": """
            verbind:2 router:2 app:2 sturzt:3 absturz:3 abstürz:3 "sturzt ab":3 fehl:3 ~funktioniert:3
            funktioniert:2 anmeld:2 bildschirm:2 langsam:2 updat:1 start:1 wlan:2
            verlier:2
            ~geht:3 ~start:3 ~lad:3 ~reagiert:3 ~verbind:3 funktion:2 stürzt:3 hängt:3 friert:3
            fehlermeld:3 störung:3 defekt:3 kaputt:3 passwort:2 kennwort:2 einlogg:2 login:2 akku:2
            gerät:2 laptop:2 computer:2 handy:1 drucker:2 netzwerk:2 internet:2 installier:2
            herunterlad:1 tastatur:2 kamera:2 ton:1 neustart:2 "neu starten":2 verbindungsabbruch:3
            fernseh:1 signal:2 empfang:1
        """,
        "it": """
            ~funzion:3 funzion:2 internet:2 app:2 applic:2 ~accend:3
            accend:2 acced:2 password:2 scherm:2 lent:2 error:3 stampant:2 wifi:2 telefon:1
            ~part:3 ~caric:3 ~colleg:3 ~rispond:3 ~apr:2 blocc:3 spegn:2 riavvi:2 guast:3 rott:2
            connession:2 colleg:2 rete:2 login:2 batter:2 aggiorn:1 install:2 scaric:1 computer:2
            portatil:2 cellular:1 smartphon:1 segnal:2 tastier:2 fotocamer:2 audi:1 schermat:1
        """,
    },
    BILLING: {
        "en": """
            charg:3 overcharg:3 "charged twice":3 "double-bil":3 "doubl bill":3 refund:3 invoic:3 bill:3
            billing:3 fee:3 debit:3 "took money":3 "taken from":2 "money back":3 reimburs:3
            payment:2 pay:2 paid:2 price:2 cost:1 subscript:2 renew:2 receipt:2 statement:2 balanc:2
            discount:1 vat:2 instalment:2 credit:2 "credit card":2 card:1 plan:1 licenc:1
            licens:1 contract:1 tariff:2 amount:2 euro:2 dollar:2 pound:2 money:2 dispute:3 "surprise fee":3
            cancel:1 account:1 bank:1 expens:1 rental:2 loyalti:1
        """,
        "es": """
            cobr:3 factur:3 "dos veces":2 reembols:3 diner:2 pag:2 preci:2 suscripcion:2
            cuot:2 carg:2 recib:2 tarif:2 import:1 cuent:1
            domicili:3 "de más":2 "dos cargos":3 saldo:2 descuent:1 iva:2 tarjet:1 banc:1 impag:2
            devolu:1 abon:1 mensualidad:2 plaz:1 "cuenta bancaria":2
        """,
        "fr": """
            factur:3 rembours:3 paiement:2 pai:1 abonn:2 prix:2 tarif:2 frais:3 debit:3 mont:1
            "deux fois":2 compt:1
            prélev:3 "trop perçu":3 bancair:2 "carte bancaire":2 relev:2 reçu:2 tva:2 remis:1
            échéanc:2 impai:2 argent:2 mensualit:2 factu:3 pay:2 "compte bancaire":2
        """,
        "de": """
            rechnung:3 belast:3 abbuch:3 zahlung:2 bezahlt:2 ruckerstatt:3
            abo:2 abonnement:2 preis:2 kost:1 lastschrift:3 doppelt:2 monat:1
            abgebucht:3 abgezog:3 berechn:3 erstatt:3 gutschrift:2 gebühr:3 betrag:2 geld:2
            kreditkart:2 bankkonto:2 mahnung:3 tarif:2 beitrag:2 euro:2 "zu viel":2 bezahl:2 zahl:2
            kündig:1 vertrag:1
        """,
        "it": """
            addebit:3 fattur:3 rimbors:3 pagament:2 abbon:2 prezz:2 cost:1
            import:1 "due volte":2
            bollett:3 pag:2 addebitat:3 conto:1 banc:1 sold:2 euro:2 tariff:2 canon:2 rat:1 scont:1
            ricevut:2 iva:2 "carta di credito":2 "non pagat":2 rinnov:2 disdett:1
        """,
    },
    GENERAL: {
        "en": """
            "opening hours":3 "open on":2 open:1 hour:1 close:1 shop:2 store:2 branch:2 locat:2 address:2
            "near":1 park:2 deliv:1 "do you":2 "are you":2 "is there":1 hire:2 hiring:2 job:2 career:2
            polici:2 warranti:1 avail:2 sell:2 offer:1 recommend:2 student:1
            ceo:2 press:2 contact:1 speak:1 programm:2 staff:1 lovely:1
            recycl:2 "gift card":1
        """,
        "es": """
            horario:3 tiend:2 tien:1 envi:2 abiert:2 abr:1 direccion:2 dond:1 atencion:1 sucursal:3
            emple:2 "trabajar con":2 polit:2 garantí:1 disponibl:2 vend:2 catalog:2 aparcamient:2
            contact:1 domicilio:1 festiv:2 "fin de semana":1
        """,
        "fr": """
            horair:3 ouvertur:3 magasin:2 boutiqu:2 livr:2 adress:2 ouvert:2 emploi:2 recrut:2
            politiqu:2 garant:1 disponibl:2 vend:2 catalogu:2 parking:2 contact:1 agenc:2 dimanch:1
        """,
        "de": """
            geoffnet:3 offnungszeit:3 filial:3 geschaft:2 lad:1 adress:2 sonntag:1 liefer:2 versand:2
            versend:2 stell:1 job:2 garanti:1 verfügbar:2 verkauf:2 parkplatz:2 kontakt:1 wochenend:1
        """,
        "it": """
            orari:3 apertur:3 negozi:3 sped:2 indirizz:2 consegn:2 lavor:1 assunzion:2 garanzi:1
            disponibil:2 vend:2 catalog:2 parchegg:2 contatt:1 filial:2 domenic:1
        """,
    },
}
_NEGATIONS = frozenset(
    "not no never cannot can't won't don't doesn't didn't isn't wasn't refuses refuse nothing nada ne pas plus "
    "nicht kein keine non".split()
)
_LABEL_NAMES = re.compile(r"\b(?:technical\s+support|billing\s+inquir(?:y|ies)|general\s+questions?)\b", re.IGNORECASE)
_QUOTED = re.compile(r"(?<!\w)['\"“‘]([^'\"“”‘’\n]{1,40})['\"”’](?!\w)")
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", re.UNICODE)
_ACCENTS = str.maketrans("áàâäéèêëíìîïóòôöúùûüñç", "aaaaeeeeiiiioooouuuunc")

# Language identification: a language counts as present when two of its commonest function words
# occur (one for very short messages). English is always looked up.
_FUNCTION_WORDS_AS_WRITTEN: dict[Lang, str] = {
    "es": "el la los las de que y en un una por con para mi me se no es del al su lo cuál qué tienen "
    "han mis pero muy ya esta este estoy hay sus como cuando desde sin nos yo",
    "fr": "le la les de des du et en un une pour avec mon ma mes je est ne pas vous que qui sur au "
    "il elle nous ce cette mais dans par sont suis été ont toujours aux",
    "de": "der die das und ist nicht mein meine ich mit für den dem ein eine sie wir zu auf es "
    "bei von im sind habe haben kann noch schon aber mir mich wurde wird seit",
    "it": "il lo la gli le di che e un una per con mio mia non è si mi del della ho avete "
    "hanno questo questa sono ma ancora nel nella al alla da io anche sul suo perché",
}


# French and Italian elide an article or pronoun into the next word ("l'abbonamento",
# "d'erreur", "n'arrive"): the word after the apostrophe is the one a cue names.
_ELIDED = re.compile(r"^(?:l|d|j|n|s|c|m|t|qu|dell|all|dall|nell|sull|un|quell)'(?=[^\W\d_]{3})")


def _fold(token: str) -> str:
    return token.lower().replace("’", "'").translate(_ACCENTS)


_FUNCTION_WORDS = {
    lang: frozenset(_fold(w) for w in words.split()) for lang, words in _FUNCTION_WORDS_AS_WRITTEN.items()
}


def _cue_stem(word: str, lang: Lang) -> str:
    # Cue words are written as stems or whole words; both are folded the same way as the text.
    return _fold(stem(word, lang)) if " " not in word else word


@cache
def _lexicon() -> dict[Lang, list[tuple[str, tuple[frozenset[str], ...], float, bool]]]:
    """Return per language: (label, accepted stems per word, weight, needs a negation) for every cue."""
    out: dict[Lang, list[tuple[str, tuple[frozenset[str], ...], float, bool]]] = {lang: [] for lang in LANGS}
    for label, by_lang in _CUES.items():
        for lang, spec in by_lang.items():
            for entry in re.findall(r'"[^"]+":[\d.]+|\S+:[\d.]+', spec):
                word, _, weight = entry.rpartition(":")
                negated = word.startswith("~")
                words = word.strip('"~').split()
                # A cue matches a text word whose stem is the cue's stem or the cue as written
                # (cues are often written as stems, which the stemmer may cut once more).
                forms = tuple(frozenset({_fold(stem(w, lang)), _fold(w)}) for w in words)
                out[lang].append((label, forms, float(weight), negated))
    return out


@cache
def _first_word_index(lang: Lang) -> dict[str, list[tuple[str, tuple[frozenset[str], ...], float, bool]]]:
    """Map each accepted form of a cue's first word to the cues, so a text is scanned once."""
    index: dict[str, list[tuple[str, tuple[frozenset[str], ...], float, bool]]] = {}
    for cue in _lexicon()[lang]:
        for form in sorted(cue[1][0]):
            index.setdefault(form, []).append(cue)
    return index


@cache
def _typo_index() -> dict[str, set[str]]:
    """Map each one-deletion variant of every English single-word cue (5+ letters) to the cue's stem.

    Two words are one typo apart when they share a one-deletion variant. English stems drop a
    final "e" ("charge" -> "charg"), so each cue is also indexed with it: "chrage" meets "charge".
    """
    index: dict[str, set[str]] = {}
    for _, forms, _, _ in _lexicon()["en"]:
        if len(forms) == 1:
            for form in forms[0]:
                if len(form) >= 5:
                    for variant in _deletions(form) | _deletions(form + "e"):
                        index.setdefault(variant, set()).add(form)
    return index


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _languages(tokens: list[str]) -> list[Lang]:
    found: list[Lang] = ["en"]
    need = 1 if len(tokens) < 6 else 2
    elided = sum(bool(_ELIDED.match(t)) for t in tokens)  # "l'", "d'", "dell'": French or Italian
    for lang, words in _FUNCTION_WORDS.items():
        # Tokens and function words are both folded; none of the words is common in English.
        if sum(t in words for t in tokens) + (elided if lang in ("fr", "it") else 0) >= need:
            found.append(lang)
    return found


def cue_scores(text: str) -> dict[str, float]:
    """Add up the cue weights of every label over the text's stems, in each language present."""
    scores = dict.fromkeys(LABELS, 0.0)
    quoted = [m.span(1) for m in _QUOTED.finditer(text)]
    spans = [(m.start(), m.group()) for m in _WORD.finditer(text)]
    raw = [_fold(w) for _, w in spans]
    half = [False] * len(spans)
    j = 0
    for i, (start, _) in enumerate(spans):  # both lists are in text order: one merge pass
        while j < len(quoted) and quoted[j][1] <= start:
            j += 1
        half[i] = j < len(quoted) and quoted[j][0] <= start
    bare = [_ELIDED.sub("", w) for w in raw]
    for lang in _languages(raw):
        stems = [_fold(stem(w, lang)) for w in bare]
        if lang == "en":
            # A word that matches no cue but is one typo from one counts as that cue.
            known = {form for _, seq, _, _ in _lexicon()["en"] for forms in seq for form in forms}
            typos = _typo_index()
            for i, s in enumerate(stems):
                if s not in known and len(s) >= 4:
                    near = sorted({c for v in _deletions(s) for c in typos.get(v, ())})
                    if len(near) == 1:
                        stems[i] = near[0]
        index = _first_word_index(lang)
        for i in range(len(stems)):
            keys = {stems[i], raw[i]}
            cues = [cue for key in sorted(keys) for cue in index.get(key, [])]
            for label, seq, weight, needs_negation in dict.fromkeys(cues):
                n = len(seq)
                if i + n > len(stems) or not all(stems[i + k] in seq[k] or raw[i + k] in seq[k] for k in range(n)):
                    continue
                if needs_negation and not any(t in _NEGATIONS or t.endswith("n't") for t in raw[max(0, i - 3) : i]):
                    continue
                scores[label] += weight * (0.5 if half[i] else 1.0)
    return scores


# Prototype requests per label, written for this module to span each label's meanings. The
# nearest prototypes of a message vote for their label; a few per label cover other languages.
_PROTOTYPES: dict[str, tuple[str, ...]] = {
    TECHNICAL: (
        "My device will not turn on.",
        "The application closes as soon as I start it.",
        "I cannot connect to the wireless network.",
        "The internet is very slow in the evenings.",
        "I am unable to log in to my account, my password is rejected.",
        "The program shows an error message when I save.",
        "The printer does not print anything.",
        "The update failed to install.",
        "Nothing happens when I press the button.",
        "The sound stops working on my speaker.",
        "The website will not load in my browser.",
        "My messages are not being sent.",
        "The battery runs out very quickly.",
        "Every download stops halfway.",
        "The camera image is distorted.",
        "My files are gone after syncing.",
        "The machine gets very hot and noisy.",
        "The touchscreen does not respond to my fingers.",
        "The television box keeps rebooting during films.",
        "I never receive the verification code.",
        "Mi ordenador no arranca.",
        "Mon téléphone ne se connecte pas.",
        "Mein Laptop startet nicht mehr.",
        "Il computer non si avvia.",
    ),
    BILLING: (
        "I was charged twice this month.",
        "There is a mistake on my invoice.",
        "I would like a refund for my last payment.",
        "Why is my bill higher than usual?",
        "Please cancel my subscription and stop the payments.",
        "I need a copy of my receipt.",
        "How do I change the card I pay with?",
        "There is a fee on my statement I do not recognise.",
        "You took money from my bank account without permission.",
        "The price I pay is not the price I was promised.",
        "I am still paying for a service I cancelled.",
        "Can I pay my invoice in instalments?",
        "My discount was not applied to the bill.",
        "I want to dispute a charge on my card.",
        "Please send an invoice with my company details.",
        "Me han cobrado de más.",
        "On m'a facturé deux fois.",
        "Meine Rechnung ist falsch.",
        "La fattura è sbagliata.",
    ),
    GENERAL: (
        "What time do you open?",
        "Where is your nearest shop?",
        "Do you deliver abroad?",
        "Are you looking for new employees?",
        "What is your returns policy?",
        "Do you sell accessories for cameras?",
        "Is this model available in other colours?",
        "How can I contact your head office?",
        "Do you have a branch in the city centre?",
        "I would like to thank your team for their kindness.",
        "Can I speak to a person in French?",
        "Is there a car park near the store?",
        "Do you offer a discount for seniors?",
        "Who runs your company?",
        "What payment options does your shop take?",
        "¿A qué hora abren?",
        "Quels sont vos horaires ?",
        "Wann haben Sie geöffnet?",
        "Dove si trova il vostro negozio?",
    ),
}
# How many nearest prototypes of a label are averaged into its similarity.
NEAREST = 3
# Weight of the nearest-meaning evidence relative to one STRONG cue (3.0): similarities sit in
# about [0, 0.6], and a 0.1 lead over the other labels is worth about one medium cue.
EMBED_WEIGHT = 20.0
# Caps on what is embedded: a message longer than this adds nothing a router needs.
MAX_EMBED_CHARS = 2000
MAX_SENTENCES = 12
# With no cue word at all, the nearest meaning alone must lead the runner-up by this much.
MEANING_ALONE = 0.05


@cache
def _prototype_vectors() -> dict[str, npt.NDArray[np.float32]]:
    return {label: _embedder.embed(list(examples)) for label, examples in _PROTOTYPES.items()}


def _meaning_scores(text: str) -> dict[str, float]:
    """Score each label by how close the message, or its closest sentence, is to that label's prototypes."""
    embed, similarity = _embedder.embed, _embedder.similarity
    if not text.strip():
        return dict.fromkeys(LABELS, 0.0)
    # Embedding pads a batch to its longest text: the whole message goes alone, and only its
    # first sentences (a request rarely hides past them) go in a second batch.
    parts = [embed([text[:MAX_EMBED_CHARS]]), embed([s[:MAX_EMBED_CHARS] for s in sentences(text)[:MAX_SENTENCES]])]
    out: dict[str, float] = {}
    for label, prototypes in _prototype_vectors().items():
        best = 0.0
        for vectors in parts:
            if len(vectors):
                sims = similarity(vectors, prototypes)
                sims.sort(axis=1)
                best = max(best, float(sims[:, -NEAREST:].mean(axis=1).max()))
        out[label] = best
    return out


def classify_intent(query: str) -> tuple[str, float]:
    """Route a support query to Technical Support, Billing Inquiry or General Question, with a confidence."""
    text = _LABEL_NAMES.sub(" ", strip_injections(query))
    if not _WORD.search(text):
        return GENERAL, 0.35
    cues = cue_scores(text)
    meaning = _meaning_scores(text)
    floor = min(meaning.values())
    total = {label: cues[label] + EMBED_WEIGHT * (meaning[label] - floor) for label in LABELS}
    ranked = sorted(LABELS, key=lambda label: (-total[label], LABELS.index(label)))
    best, second = ranked[0], ranked[1]
    if not any(cues.values()) and meaning[best] - meaning[second] < MEANING_ALONE:
        return GENERAL, 0.35  # no cue and no clear nearest meaning: ask the customer to say more
    margin = (total[best] - total[second]) / (total[best] + 1.0)
    # Confidence grows with the lead and with the amount of evidence; a thin lead stays under the
    # router's 0.5 threshold and goes to the general handler.
    confidence = 0.35 + 0.6 * margin + 0.2 * (1 - math.exp(-total[best] / 6))
    return best, round(min(max(confidence, 0.05), 0.95), 2)


__all__ = ["BILLING", "GENERAL", "LABELS", "TECHNICAL", "classify_intent"]
