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

import bisect
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from offline.text import embed as _embedder
from offline.text import lexemes
from offline.text.basics import STOPWORDS, sentences
from offline.text.injections import strip_injections
from offline.text.stems import LANGS, Lang, stem

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

TECHNICAL, BILLING, GENERAL = "Technical Support", "Billing Inquiry", "General Question"
LABELS = (TECHNICAL, BILLING, GENERAL)

# Each entry: "word or phrase: weight". Phrases match consecutive stems; a leading "~" marks a cue
# that only counts after a negation ("no funciona", "won't open"); a leading "=" one that matches
# the word as written, never its stem.
_CUES: dict[str, dict[Lang, str]] = {
    TECHNICAL: {
        "en": """
            crash:3 down:2 freez:3 froze:3 frozen:3 error:3 bug:3 glitch:3 outag:3 broken:3 disconnect:3 offlin:3
            restart:2 reboot:2 lag:2 slow:2 corrupt:3 blank:3 black:2 stuck:2
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
            "shut down":3 disappear:2 "cuts out":3 "cut out":3 "keeps cutting":3 "no service":3 whatsapp:2 remote:1
            configur:2 session:1 expir:2 "two-step":2 "2fa":2 authent:2 "call forwarding":3 forward:1 "dial tone":3
            voicemail:2 sim:1 "no signal":3 channel:1 reset:2 tune:1 spin:3 "blank page":3 "white page":3
            decoder:2 "set-top":2 receiver:1 "session expired":3
            weak:2 reinstal:2 backup:2 "back up":2
            blink:2 ~join:2 dead:3 ~internet:3 ~wifi:3 ~signal:3 ~coverag:3 puk:3 mesh:1 landline:1 "forward call":3
        """,
        "es": """
            ~funcion:3 funcion:2 conexion:2 internet:2 wifi:2 app:2 error:3 fall:3 pantall:2
            =aplicación:2 =aplicaciones:2
            contraseñ:2 lent:2 bloque:3 cierr:2 "se cierra":3
            router:2 impresor:2 "no puedo":1
            ~enciend:3 ~encend:3 ~arranc:3 ~carg:3 ~conect:3 ~respond:3 ~abr:2 ~inici:2 cuelg:3 congel:3
            apag:2 reinici:2 averi:3 rot:2 estropead:3 dañad:2 portatil:2 ordenador:2 movil:1 telefon:1
            bateria:2 señal:2 red:1 conect:2 "iniciar sesion":2 acced:2 usuari:1 actualiz:1 instal:2
            descarg:1 tecl:2 camar:2 sonid:2 luz:1 parpad:2 "mensaje de error":3 tablet:2 impresora:2
            configur:2 correo:1 "dos pasos":2 "doble factor":2 autentic:2 verific:1 sesion:1 caduc:2 expir:2
            desvi:2 llamad:1 tono:2 "buzón de voz":2 contestador:2 sim:1 canal:1 restablec:2 "en blanco":3
            decodificador:2 "sesión caducada":3 "sesión expirada":3 "se apaga":3
            "se corta":3 "se cortan":3 cort:1 códig:1 sms:1 "no hace nada":3 "sin servicio":3 "sin cobertura":3
            whatsapp:2 mensaj:1 botón:1 mando:1 débil:2 "no pasa nada":2 "da vueltas":3 "dando vueltas":3 reinstal:2
            "copia de seguridad":2 backup:2
            ~internet:3 ~conexion:3 ~señal:3 ~cobertur:3 ~red:2 ~lleg:1 puk:3 fijo:1
            dañado:2 dañada:2 dañados:2 cámara:2 cámaras:2 sonido:2 sonidos:2
        """,
        "fr": """
            ~fonction:3 fonction:2 ~march:3 connexion:2 connect:2 imprim:2 "mot de passe":2
            =application:2 =applications:2
            appli:2 plant:3 bug:3 pann:3 wifi:2 "mise à jour":1 ~répond:3 répond:1
            tablet:2 ordin:2 "n'arrive pas":1
            ~allum:3 ~démarr:3 ~charg:3 ~connect:3 ~ouvr:2 bloqu:3 fig:3 éteint:2 redémarr:2 lent:2
            lenteur:2 écran:2 portabl:1 téléphon:1 batter:2 réseau:2 identifi:2 install:2 télécharg:1
            erreur:3 cass:2 clavi:2 camér:2 son:1 box:1 fibr:2 signal:2 "code de vérification":2
            configur:2 paramétr:2 messageri:2 "deux facteurs":2 "double authentification":2 authentif:2 session:1
            expir:2 "renvoi d'appel":3 renvoi:1 transfert:1 appel:1 tonalit:2 "messagerie vocale":2 répondeur:2
            chaîn:1 sim:1 réinitialis:2 "page blanche":3 "écran blanc":3
            décodeur:2 "session expirée":3 "s'éteint":3
            coupur:3 "se coupe":3 coup:1 mail:1 courriel:1 ~envoi:2 ~envoy:2 sms:1 "ne fait rien":3
            "pas de service":3 "aucun service":3 "pas de réseau":3 ~recev:2 ~entend:2 télécommand:2 whatsapp:2
            faibl:2 "se ferme":3 "ne se passe rien":3 "rien ne se passe":3 "tourne en rond":3
            réinstall:2 sauvegard:2 backup:2
            ~internet:3 ~connexion:3 ~réseau:3 ~signal:3 ~télé:2 ~tél:2 puk:3 fixe:1
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
            einricht:2 konfigur:2 "zwei-faktor":2 zweifaktor:2 authentifizier:2 sitzung:1 abgelauf:2
            rufumleitung:3 weiterleit:2 freizeich:3 wählton:3 mailbox:2 anrufbeantwort:2 sender:1 sim:1
            zurücksetz:2 "weiße seite":3 "leere seite":3
            receiver:2 "sitzung abgelaufen":3 richt:1 "schaltet sich":2 bricht:2 abbrech:3 "bricht ab":3
            "passiert nichts":3 "tut sich nichts":3 "kein netz":3 "kein empfang":3 sms:1 fernbedienung:2 ~=hört:2
            whatsapp:2 schwach:2 "schließt sich":3 "dreht sich im kreis":3 backup:2 datensicher:2
            ~internet:3 ~wlan:3 ~empfang:3 ~=lädt:3 glasfaser:2 puk:3 umleit:2 anruf:1 festnetz:1 leucht:1 ruckel:3
        """,
        "it": """
            ~funzion:3 funzion:2 internet:2 app:2 =applicazione:2 =applicazioni:2 ~accend:3
            accend:2 acced:2 password:2 scherm:2 lent:2 error:3 stampant:2 wifi:2 telefon:1
            ~part:3 ~caric:3 ~colleg:3 ~rispond:3 ~apr:2 blocc:3 spegn:2 riavvi:2 guast:3 rott:2
            connession:2 colleg:2 rete:2 login:2 batter:2 aggiorn:1 install:2 scaric:1 computer:2
            portatil:2 cellular:1 smartphon:1 segnal:2 tastier:2 fotocamer:2 audi:1 audio:1 schermat:1
            configur:2 impost:1 posta:1 "due fattori":2 autenticazion:2 session:1 scadut:2 inoltr:2 deviazion:2
            chiamat:1 linea:1 tono:2 "segreteria telefonica":2 canal:1 sintonizz:2 sim:1 ripristin:2 "pagina bianca":3
            decoder:2 "sessione scaduta":3 "si spegne":3
            "linea cade":3 cade:2 =scaduta:2 =scaduto:2 =chiamate:1 fiss:1 mail:1 codic:1 sms:1 ~invi:2 ~mand:2
            "non fa niente":3 "non succede niente":3 "non succede nulla":3 "nessun servizio":3 "nessuna rete":3
            ~sent:2 telecomand:2 whatsapp:2
            debol:2 "si chiude":3 "gira a vuoto":3 reinstall:2 backup:2
            ~internet:3 ~linea:3 ~segnal:3 ~copertur:3 ~rete:2 puk:3 deviare:2 devia:2 deviate:2
        """,
    },
    BILLING: {
        "en": """
            charg:3 overcharg:3 "charged twice":3 "double-bil":3 "doubl bill":3 refund:3 invoic:3 bill:3
            billing:3 fee:3 debit:3 "took money":3 "taken from":2 "money back":3 reimburs:3
            payment:2 pay:2 paid:2 price:2 cost:1 subscript:2 renew:2 receipt:2 statement:2 balanc:2
            discount:1 vat:2 instalment:2 credit:2 "credit card":2 card:1 plan:1 licenc:1
            licens:1 contract:1 tariff:2 amount:2 euro:2 dollar:2 pound:2 money:2 dispute:3 "surprise fee":3
            cancel:1 account:1 bank:1 expens:1 rental:2 loyalti:1 owe:2 "bank transfer":2 overdu:2
        """,
        "es": """
            cobr:3 factur:3 "dos veces":2 reembols:3 diner:2 pag:2 preci:2 suscripcion:2
            cuot:2 carg:2 =recibo:2 =recibos:2 tarif:2 import:1 cuent:1
            domicili:3 "de más":2 "dos cargos":3 saldo:2 descuent:1 iva:2 tarjet:1 banc:1 impag:2
            devolu:1 abon:1 mensualidad:2 plaz:1 "cuenta bancaria":2 =debo:2 =adeudo:2 alquiler:2
            "transferencia bancaria":2
            "devolv el diner":3 "devuelv el diner":3 "devolv mi diner":3 "devuelv mi diner":3
        """,
        "fr": """
            factur:3 rembours:3 paiement:2 pai:1 abonn:2 prix:2 tarif:2 frais:3 debit:3 mont:1
            "deux fois":2 compt:1
            prélev:3 "trop perçu":3 bancair:2 "carte bancaire":2 relev:2 reçu:2 tva:2 remis:1
            échéanc:2 impai:2 argent:2 mensualit:2 factu:3 pay:2 "compte bancaire":2
            =réclame:2 =réclamé:2 résili:1 virement:2
        """,
        "de": """
            rechnung:3 belast:3 abbuch:3 zahlung:2 bezahlt:2 ruckerstatt:3
            abo:2 abonnement:2 preis:2 kost:1 lastschrift:3 doppelt:2 monat:1
            abgebucht:3 abgezog:3 berechn:3 erstatt:3 gutschrift:2 gebühr:3 betrag:2 geld:2
            kreditkart:2 bankkonto:2 mahnung:3 tarif:2 beitrag:2 euro:2 "zu viel":2 bezahl:2 zahl:2
            kündig:1 vertrag:1 schuld:2 miete:2 "geld zurück":3 überweis:2
        """,
        "it": """
            addebit:3 fattur:3 rimbors:3 pagament:2 abbon:2 prezz:2 cost:1
            import:1 "due volte":2
            bollett:3 pag:2 addebitat:3 conto:1 banc:1 sold:2 euro:2 tariff:2 canon:2 rat:1 scont:1
            =ricevuta:2 =ricevute:2 iva:2 "carta di credito":2 "non pagat":2 rinnov:2 disdett:1
            noleggi:2 bonifico:2 sollecito:2
        """,
    },
    GENERAL: {
        "en": """
            "opening hours":3 "open on":2 open:1 hour:1 close:1 shop:2 store:2 branch:2 locat:2 address:2
            "near":1 park:2 deliv:1 "do you":2 "are you":2 "is there":1 hire:2 hiring:2 job:2 career:2
            polici:2 warranti:1 avail:2 sell:2 offer:1 recommend:2 student:1
            ceo:2 press:2 contact:1 speak:1 programm:2 staff:1 lovely:1
            recycl:2 "gift card":1 "in stock":3 "come with":2 "back in stock":2 "trade in":3 "trade-in":3
        """,
        "es": """
            horario:3 tiend:2 tien:1 envi:2 abiert:2 abr:1 direccion:2 dond:1 atencion:1 sucursal:3
            emple:2 "trabajar con":2 polit:2 garantí:1 disponibl:2 vend:2 catalog:2 aparcamient:2
            contact:1 domicilio:1 festiv:2 "fin de semana":1 "en stock":3 "hay stock":3 recicl:2
            "parte de pago":3
        """,
        "fr": """
            horair:3 ouvertur:3 magasin:2 boutiqu:2 livr:2 adress:2 ouvert:2 emploi:2 recrut:2
            politiqu:2 garant:1 disponibl:2 vend:2 catalogu:2 parking:2 contact:1 agenc:2 dimanch:1 "en stock":3
            recycl:2 "reprise de":2
        """,
        "de": """
            geoffnet:3 offnungszeit:3 filial:3 geschaft:2 lad:1 adress:2 sonntag:1 liefer:2 versand:2
            versend:2 stell:1 job:2 garanti:1 verfügbar:2 verkauf:2 parkplatz:2 kontakt:1 wochenend:1 "auf lager":3
            recycl:2 entsorg:2 "in zahlung":3 inzahlungnahm:3
        """,
        "it": """
            orari:3 apertur:3 negozi:3 sped:2 indirizz:2 consegn:2 lavor:1 assunzion:2 garanzi:1
            disponibil:2 vend:2 catalog:2 parchegg:2 contatt:1 filial:2 domenic:1 "in magazzino":2 ricicl:2
            =permuta:3 =permutare:3 "ritiro dell'usato":3 "valutazione dell'usato":3
        """,
    },
}
# The billing cues that name a document rather than money moving.
_DOCUMENTS = frozenset(
    "invoic invoice bill billing factur factura facture fattur fattura rechnung bollett bolletta receipt statement "
    "recib recibo reçu ricevut ricevuta".split()
)
_NEGATIONS = frozenset(
    "not no never cannot can't won't don't doesn't didn't isn't wasn't refuses refuse nothing nada ne pas plus "
    "nicht kein keine non impossible imposible impossibile unmöglich sin sans ohne senza".split()
)
# "no longer" in each language, around the verb where the language puts it there.
_NO_LONGER = re.compile(
    r"\b(?:no\s+longer|(?:not|n't)\s+\w+\s+any\s?more|ya\s+no|ne\s+(?:[\w'’]+\s+){1,2}plus|n['’]\w+\s+plus"
    r"|nicht\s+mehr|kein\w*\s+(?:\w+\s+)?mehr|non\s+(?:[\w'’]+\s+){1,2}pi[uù]|non\s+pi[uù])\b",
    re.IGNORECASE,
)
NO_LONGER_WEIGHT = 1.0
# A clause that sets the scene: "since I upgraded", "after renewing", "desde que", "depuis que", "seit",
# "nachdem", "da quando", "dopo aver". It runs to the next comma or full stop.
_BACKGROUND = re.compile(
    r"\b(?:ever\s+since|since|after|desde\s+que|despu[ée]s\s+de|depuis\s+que|depuis|apr[èe]s\s+avoir"
    r"|seit(?:dem)?|nachdem|da\s+quando|dopo\s+(?:aver|che)"
    # and a concession: "although I pay for 250 Mbit", "obwohl ich bezahle", "anche se pago"
    r"|although|even\s+though|aunque|bien\s+que|alors\s+que|obwohl|anche\s+se|sebbene|nonostante)\b[^,.;:!?]{0,120}",
    re.IGNORECASE,
)
# A concession told first: "I pay for the top plan and yet ...", "pago la tarifa más cara y aun así ...", "je paie
# ... et pourtant", "ich zahle ... und trotzdem", "pago ... eppure". The clause before the turn sets the scene.
_CONCEDED = re.compile(
    r"\b(?:and\s+(?:yet|still)|but\s+still|y\s+(?:aun\s+as[íi]|sin\s+embargo|todav[íi]a)"
    r"|(?:et|mais)\s+pourtant|et\s+malgr[ée]\s+(?:ça|cela|tout)|(?:und|aber)\s+(?:trotzdem|dennoch)|eppure"
    r"|e\s+(?:comunque|ciononostante|nonostante\s+questo)|ma\s+comunque)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[,.;:!?]")


def _conceded(text: str) -> list[tuple[int, int]]:
    """Return the spans of the clauses told before a turn ("..., and yet"), each at most 120 characters."""
    spans = []
    for m in _CONCEDED.finditer(text):
        start = max(0, m.start() - 120)
        ends = [e.end() for e in _CLAUSE_END.finditer(text, start, m.start())]
        spans.append((ends[-1] if ends else start, m.start()))
    return spans


_LABEL_NAMES = re.compile(r"\b(?:technical\s+support|billing\s+inquir(?:y|ies)|general\s+questions?)\b", re.IGNORECASE)
_QUOTED = re.compile(r"(?<!\w)['\"“‘«„]([^'\"“”‘’«»„\n]{1,40})['\"”’»“](?!\w)")
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


@cache
def _lexicon() -> dict[Lang, list[tuple[str, tuple[frozenset[str], ...], float, bool]]]:
    """Return per language: (label, accepted stems per word, weight, needs a negation) for every cue."""
    out: dict[Lang, list[tuple[str, tuple[frozenset[str], ...], float, bool]]] = {lang: [] for lang in LANGS}
    for label, by_lang in _CUES.items():
        for lang, spec in by_lang.items():
            for entry in re.findall(r'"[^"]+":[\d.]+|\S+:[\d.]+', spec):
                word, _, weight = entry.rpartition(":")
                negated = "~" in word[:2]
                exact = "=" in word[:2]
                words = word.strip('"~=').split()
                # A cue matches a text word whose stem is the cue's stem or the cue as written
                # (cues are often written as stems, which the stemmer may cut once more). A cue
                # written "=word" matches that word only: "ricevuta" (a receipt) shares its stem
                # with "ricevo" (I receive).
                # A stem cut once more to three letters or fewer is dropped: Spanish "sonid" (sonido) is
                # cut to "son", which is also "they are".
                forms = tuple(
                    frozenset(
                        {_fold(w)} if exact or len(_fold(stem(w, lang))) < 4 else {_fold(stem(w, lang)), _fold(w)}
                    )
                    for w in words
                )
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
def _typo_index(lang: Lang = "en") -> dict[str, set[str]]:
    """Map each one-deletion variant of a language's single-word cues (5+ letters) to the cue's stem.

    Two words are one typo apart when they share a one-deletion variant. English stems drop a
    final "e" ("charge" -> "charg"), so each cue is also indexed with it: "chrage" meets "charge".
    The other languages have no word list to tell a word from a typo, so only their strong cues of
    six letters or more are looked up, and no verb that needs a negation ("lecteur" is no "lenteur",
    "entiendo" no "enciendo"): "fatura" meets "fattura", "facure" "facture".
    """
    index: dict[str, set[str]] = {}
    for _, forms, weight, negated in _lexicon()[lang]:
        if len(forms) == 1 and (lang == "en" or (weight >= 3 and not negated)):
            for form in forms[0]:
                if len(form) >= (5 if lang == "en" else 6):
                    for variant in _deletions(form) | _deletions(form + "e"):
                        index.setdefault(variant, set()).add(form)
    return index


@cache
def _compound_index() -> tuple[tuple[dict[str, list[str]], frozenset[str]], dict[str, list[str]]]:
    """Index the German single-word cues of 5+ letters by their first and by their last five letters."""
    heads: dict[str, list[str]] = {}
    tails: dict[str, list[str]] = {}
    forms = {form for _, seq, _, _ in _lexicon()["de"] if len(seq) == 1 for form in seq[0]}
    for form in sorted(forms):
        if len(form) >= 5:
            heads.setdefault(form[:5], []).append(form)
            tails.setdefault(form[-5:], []).append(form)
    return (heads, frozenset(forms)), tails


@lru_cache(maxsize=65536)
def _is_english_word(word: str) -> bool:
    """Tell whether LemmInflect's English tables know the word (or it is a function word)."""
    if word in STOPWORDS:
        return True
    return lexemes.known(word)


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_typo(word: str, cue: str) -> bool:
    """Tell whether one deletion, insertion, substitution or swap of neighbours turns `cue` into `word`.

    Sharing a one-deletion variant is only the index's first sieve: "ricev" and "price" share "rice"
    (a letter dropped at each end), two typos apart.
    """
    for form in (cue, cue + "e"):
        if abs(len(word) - len(form)) > 1:
            continue
        i = 0
        while i < min(len(word), len(form)) and word[i] == form[i]:
            i += 1
        if len(word) == len(form):
            if word[i + 1 :] == form[i + 1 :] or (
                word[i + 2 :] == form[i + 2 :] and word[i : i + 2] == form[i : i + 2][::-1]
            ):
                return True
        elif (word[i + 1 :] == form[i:]) if len(word) > len(form) else (word[i:] == form[i + 1 :]):
            return True
    return False


# An ending the stemmer leaves on a misspelt word ("chrged" stays "chrged", so it is "chrg" + "ed").
_ENDINGS = ("", "s", "d", "ed", "es", "ing")


def _typo_of(word: str, cue: str) -> bool:
    return any(word.endswith(end) and _one_typo(word[: len(word) - len(end)], cue) for end in _ENDINGS)


@cache
def _typo_reach(lang: Lang = "en") -> int:
    """Return the longest word that can be one typo from a cue: a longer one is not looked up.

    A word's deletions are as long as it or one shorter, so it meets no variant shorter than
    that; and it spares the quadratic cost of the deletions of a 100,000-letter "word".
    """
    return max(map(len, _typo_index(lang))) + 1


def _languages(tokens: list[str]) -> list[Lang]:
    found: list[Lang] = ["en"]
    need = 1 if len(tokens) < 10 else 2
    elided = sum(bool(_ELIDED.match(t)) for t in tokens)  # "l'", "d'", "dell'": French or Italian
    for lang, words in _FUNCTION_WORDS.items():
        # Tokens and function words are both folded; none of the words is common in English.
        if sum(t in words for t in tokens) + (elided if lang in ("fr", "it") else 0) >= need:
            found.append(lang)
    return found


@cache
def _known_forms(lang: Lang) -> frozenset[str]:
    return frozenset(form for _, seq, _, _ in _lexicon()[lang] for forms in seq for form in forms)


@cache
def _hyphenated_cues() -> tuple[str, ...]:
    return tuple(
        sorted({f for cues in _lexicon().values() for _, seq, _, _ in cues for fs in seq for f in fs if "-" in f})
    )


def _parts(start: int, word: str) -> list[tuple[int, str]]:
    """Split a hyphenated word into its parts ("Livrez-vous", "SIM-Karte"), keeping a cue written so ("wi-fi")."""
    if "-" not in word:
        return [(start, word)]
    folded = _fold(word)
    head = next((cue for cue in _hyphenated_cues() if folded.startswith(cue)), "")
    if head and not folded.startswith("-", len(head)):
        return [(start, word)]  # "wi-fi", "double-billed"
    out, at = ([(start, word[: len(head)])], start + len(head) + 1) if head else ([], start)
    for part in word[len(head) + 1 if head else 0 :].split("-"):
        if part:
            out.append((at, part))
        at += len(part) + 1
    return out


def cue_scores(text: str, facts: dict[str, bool] | None = None) -> dict[str, float]:
    """Add up the cue weights of every label over the text's stems, in each language present.

    `facts`, when given, is told whether money went wrong ("complaint": a charge, refund or debit) and
    whether a document (a bill, an invoice) is named.
    """
    scores = dict.fromkeys(LABELS, 0.0)
    quoted = [m.span(1) for m in _QUOTED.finditer(text)]
    spans = [part for m in _WORD.finditer(text) for part in _parts(m.start(), m.group())]
    starts = [start for start, _ in spans]
    raw = [_fold(w) for _, w in spans]
    half = [False] * len(spans)
    j = 0
    for i, (start, _) in enumerate(spans):  # both lists are in text order: one merge pass
        while j < len(quoted) and quoted[j][1] <= start:
            j += 1
        half[i] = j < len(quoted) and quoted[j][0] <= start
    bare = [_ELIDED.sub("", w) for w in raw]
    # Stemmed as written too: Snowball knows "cobráis" (cobr-), not the folded "cobrais".
    written = [_ELIDED.sub("", w.lower().replace("’", "'")) for _, w in spans]
    best: dict[tuple[str, int], float] = {}  # the strongest cue of each label starting at each word
    documents: set[int] = set()  # where a billing cue names a document (a bill, an invoice)
    verbs: set[int] = set()  # where a word right after a negation is a verb that failed ("won't charge")
    languages = _languages(raw)
    # Typos are looked for in the message's main language only (the most function words): a word of
    # another language is that language's word, never a typo ("blanche" is no "branch").
    hits = {lang: sum(t in (STOPWORDS if lang == "en" else _FUNCTION_WORDS[lang]) for t in raw) for lang in languages}
    main = max(languages, key=lambda lang: hits[lang])
    for lang in languages:
        stems = [_fold(stem(w, lang)) for w in bare]
        accented = [_fold(stem(w, lang)) for w in written]
        if lang == main:
            # A word that matches no cue but is one typo from one counts as that cue.
            known = _known_forms(lang)
            typos, reach, shortest = _typo_index(lang), _typo_reach(lang), 4 if lang == "en" else 5
            for i, s in enumerate(stems):
                if s not in known and accented[i] not in known and shortest <= len(s) <= reach:
                    near = sorted({c for v in _deletions(s) for c in typos.get(v, ()) if _typo_of(s, c)})
                    # A word of the language is what it says, never a typo: "change" is not "charge".
                    if len(near) == 1 and not (lang == "en" and _is_english_word(bare[i])):
                        stems[i] = near[0]
        if lang == "de":
            # A compound names its parts: "Lastschriftmandat" is a "Lastschrift", "Stromrechnung" a "Rechnung".
            heads, tails = _compound_index()
            for i, s in enumerate(stems):
                if len(s) >= 8 and s not in heads[1]:
                    part = max(
                        [c for c in heads[0].get(s[:5], ()) if s.startswith(c)]
                        + [c for c in tails.get(s[-5:], ()) if s.endswith(c)],
                        key=len,
                        default="",
                    )
                    stems[i] = part or s
        index = _first_word_index(lang)
        for i in range(len(stems)):
            keys = {stems[i], raw[i], bare[i], accented[i]}
            cues = [cue for key in sorted(keys) for cue in index.get(key, [])]
            for label, seq, weight, needs_negation in dict.fromkeys(cues):
                n = len(seq)
                if i + n > len(stems) or not all(
                    stems[i + k] in seq[k] or bare[i + k] in seq[k] or accented[i + k] in seq[k] or raw[i + k] in seq[k]
                    for k in range(n)
                ):
                    continue
                # German puts its negation after the verb: "die Fernbedienung reagiert nicht mehr".
                window = raw[max(0, i - 3) : i] + (raw[i + n : i + n + 3] if lang == "de" else [])
                if needs_negation and not any(t in _NEGATIONS or t.endswith("n't") for t in window):
                    continue
                if needs_negation and any(t in _NEGATIONS or t.endswith("n't") for t in raw[max(0, i - 2) : i]):
                    verbs.add(i)
                key = (label, i)
                best[key] = max(best.get(key, 0.0), weight * (0.5 if half[i] else 1.0))
                if label == BILLING and seq[0] & _DOCUMENTS:
                    documents.add(i)
    # "it no longer finds the channels", "ya no carga", "ne s'allume plus", "geht nicht mehr": something
    # that stopped working, whatever the verb.
    for m in _NO_LONGER.finditer(text):
        i = bisect.bisect_left(starts, m.start())
        if i < len(spans):
            best[(TECHNICAL, i)] = max(best.get((TECHNICAL, i), 0.0), NO_LONGER_WEIGHT)
    # A word that is a cue in two languages ("app", "internet") is one piece of evidence, not two.
    # Where something is broken (a strong technical cue), a bill or an invoice is only where it
    # broke ("the invoices page shows an error"): it counts half. So does every money word when no
    # money went wrong (no charge, refund or debit is complained of): the payments tab of an app that
    # crashes, the plan of a router that drops, are what is mentioned, not what is broken.
    broken = any(label == TECHNICAL and weight >= 3 for (label, _), weight in best.items())
    complaint = any(label == BILLING and weight >= 3 and i not in documents for (label, i), weight in best.items())
    # Money words in a clause that sets the scene ("since I renewed my plan, ...", "seit der Umstellung auf
    # den neuen Tarif") say when the trouble began, not what it is: they count half.
    background = [False] * len(spans)
    for begin, end in [m.span() for m in _BACKGROUND.finditer(text)] + _conceded(text):
        for i in range(bisect.bisect_left(starts, begin), bisect.bisect_left(starts, end)):
            background[i] = True
    for (label, i), weight in best.items():
        if i in verbs and label != TECHNICAL:
            continue  # "the tablet won't charge", "no carga": the device's charge, not a bill's
        factor = 1.0
        if label == BILLING and (i in documents or not complaint) and broken:
            factor *= 0.5
        if label == BILLING and background[i]:
            factor *= 0.5
        scores[label] += weight * factor
    if facts is not None:
        facts["complaint"], facts["document"] = complaint, bool(documents)
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
# What a pre-sales phrase ("how much is", "if I sign up") is worth for a general question: a medium cue.
PRESALES_WEIGHT = 2.0
# How many nearest prototypes of a label are averaged into its similarity.
NEAREST = 3
# Weight of the nearest-meaning evidence relative to one strong cue (weight 3.0): similarities sit in
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


# Words that say a thing is settled or works: what follows a set-aside thing and says so is set aside too.
_FINE = (
    r"\b(?:fine|ok|okay|correct|right|paid|great|perfect(?:ly)?|works?|working|bien|correct[ao]s?|pagad[ao]s?"
    r"|pay[ée]e?s?|r[ée]gl[ée]e?s?|parfait(?:e|ement)?|bezahlt|beglichen|in\s+ordnung|korrekt|bestens|a\s+posto"
    r"|pagat[aoie]|benissimo|perfett[aoie]|funciona|marche|fonctionne|funktioniert|funziona|va\s+bene)\b"
)
# Words set aside by the customer: "not a billing question", "my bill is fine", "no es un problema
# de conexión", "ma facture est correcte", "die Rechnung ist in Ordnung", "la bolletta va bene".
# Their cue words are no evidence (they are cut before scoring).
# What a question or problem is about: "une question de facture", "a problem with the bill".
_OF = (
    r"(?:\s+(?:of|with|about|regarding|de|d['’]|du|des|di|del|della|sulla|sul|sobre|sur|zur|zum|mit|[üu]ber)"
    r"\s*(?:(?:la|le|les|el|los|las|il|lo|my|the|ma|mon|mes|mi|mis|mia|mio|die|der|den|meine?)\s+)?[\w-]+)?"
)
# A word that is no negation, between a thing and what it does: "the wifi works" but not "el wifi no funciona".
_UNNEGATED = r"(?:(?!(?:not|never|no|ne|nicht|nie|non|nunca|jamais|mai|pas)\b)[\w-]+\s+)"
_DISMISSED = re.compile(
    r"(?:\b(?:(?:it|this|that)(?:'s|\s+is)\s+not|(?:it|this|that)\s+is\s*n['’]t|not)\s+"
    r"(?:a\s+|an\s+|about\s+(?:the\s+|my\s+)?)?(?:[\w-]+\s+){0,2}?"
    r"(?:question|issue|problem|matter|complaint|thing)s?\b"
    + _OF
    + r"|\b(?:my|the|our)\s+(?:[\w-]+\s+){0,2}?(?:is|are|was|were|seems?|looks?)\s+(?:all\s+|totally\s+|perfectly\s+)?"
    r"(?:fine|ok|okay|correct|right|in\s+order|alright|all\s+right|not\s+the\s+(?:problem|issue))\b"
    r"|\bno\s+es\s+(?:un[ao]?\s+)?(?:[\w-]+\s+){0,3}?(?:pregunta|problema|consulta|tema|duda)\b"
    + _OF
    + r"|\b(?:mi|mis|la|el|las|los)\s+(?:[\w-]+\s+){0,2}?(?:est[áa]n?|va|van)\s+(?:bien|correct[ao]s?|en\s+orden)\b"
    r"|\b(?:ce\s+n['’]est|c['’]est)\s+pas\s+(?:un[e]?\s+)?(?:[\w-]+\s+){0,3}?(?:question|probl[èe]me|souci|demande)\b"
    + _OF
    + r"|\b(?:ma|mon|mes|la|le|les)\s+(?:[\w-]+\s+){0,2}?(?:est|sont|va|vont)\s+(?:bien|correcte?s?|ok|en\s+r[èe]gle)\b"
    r"|\b(?:die|der|das|sie|es)\s+stimm(?:t|en)\b(?!\s+(?:nicht|nie|gar))"
    # "it's not about my bill", "no es por la factura", "ça ne concerne pas la facture", "es geht nicht um
    # meine Rechnung", "non riguarda la bolletta": the thing named is set aside.
    r"|\b(?:(?:is|it's|it\s+is|this\s+is)\s*n['’o]t|not)\s+(?:about|regarding)\s+(?:the|my|our|a)\s+[\w-]+"
    r"|\bno\s+es\s+(?:por|sobre)\s+(?:la|el|mi|los|las|mis)\s+[\w-]+"
    r"|\bne\s+concerne\s+pas\s+(?:la|le|les|ma|mon|mes)\s+[\w-]+|\bpas\s+(?:au\s+sujet|à\s+propos)\s+de\s+(?:la|le|ma|mon)\s+[\w-]+"
    r"|\bnicht\s+um\s+(?:die|den|das|meine?n?)\s+[\w-]+"
    r"|\bnon\s+riguarda\s+(?:la|il|lo|le|i|mia|mio|mie|miei)\s+[\w-]+"
    r"|\b(?:keine?|nicht\s+(?:eine?|um\s+(?:die|den|das|eine?|meine?n?)))\s+(?:[\w-]+\s+){0,2}?[\w-]*(?:frage|problem|thema)\b"
    + _OF
    + r"|\b(?:meine?|die|der|das)\s+(?:[\w-]+\s+){0,2}?(?:ist|sind|war)\s+(?:alles\s+|völlig\s+)?"
    r"(?:in\s+ordnung|korrekt|ok|richtig)\b"
    r"|\bnon\s+(?:è|e['’])\s+(?:un[a]?\s+)?(?:[\w-]+\s+){0,3}?(?:domanda|problema|questione)\b"
    + _OF
    + r"|\b(?:la|il|le|i|mia|mio|mie|miei)\s+(?:[\w-]+\s+){0,2}?(?:è|va|sono|vanno)\s+"
    r"(?:bene|benissimo|perfettamente|corrett[aoie]|a\s+posto|ok)\b"
    # What the customer says they do not want or that it is not: "I'm not interested in a new plan or
    # anything billing-related", "no me interesa cambiar de tarifa", "non si tratta di un guasto",
    # "il ne s'agit pas d'une panne", "es handelt sich nicht um eine Störung": set aside to the clause's end.
    r"|\b(?:i['’]?m|i\s+am)\s+not\s+interested\s+in\b[^.,:;?!¿¡]{0,80}|\bno\s+me\s+interesa\b[^.,:;?!¿¡]{0,80}"
    r"|\b(?:ça|cela)\s+ne\s+m['’]int[ée]resse\s+pas\b[^.,:;?!¿¡]{0,80}"
    r"|\bje\s+ne\s+m['’]int[ée]resse\s+pas\b[^.,:;?!¿¡]{0,80}"
    r"|\bkein\s+interesse\s+an\b[^.,:;?!¿¡]{0,80}|\bnon\s+mi\s+interessa(?:no)?\b[^.,:;?!¿¡]{0,80}"
    r"|\bnon\s+si\s+tratta\s+di\s+(?:un[oa]?\s+|un['’]\s*)?[\w-]+|\bno\s+se\s+trata\s+de\s+(?:un[a]?\s+)?[\w-]+"
    r"|\bil\s+ne\s+s['’]agit\s+pas\s+d['’]\s*(?:une?\s+)?[\w-]+|\b(?:es\s+)?handelt\s+(?:es\s+)?sich\s+nicht\s+um\s+"
    r"(?:eine?n?\s+|die\s+|den\s+|das\s+)?[\w-]+"
    r"|\b(?:this|it)\s+(?:is\s*n['’]t|is\s+not)\s+(?:a|an)\s+[\w-]+\s+(?:fault|problem|issue)\b"
    # Nothing wrong with a thing: "nothing is wrong with the connection", "ningún problema con la factura",
    # "aucun souci avec la box", "mit dem Router ist alles in Ordnung", "nessun problema con la linea".
    r"|\b(?:nothing(?:['’]s|\s+is)?\s+wrong|no\s+(?:problems?|issues?|trouble))\s+with\s+(?:the|my|our)\s+[\w-]+"
    r"|\b(?:ning[úu]n|sin|no\s+hay)\s+(?:problema|fallo|inconveniente)\s+con\s+(?:el|la|los|las|mi|mis)\s+[\w-]+"
    r"|\b(?:aucun|pas\s+de|rien\s+[àa]\s+signaler)\s+(?:probl[èe]me|souci)?\s*(?:avec|de|sur)\s+(?:la|le|les|ma|mon|mes)\s+[\w-]+"
    r"|\b(?:kein(?:e|en)?\s+(?:problem|fehler|[äa]rger)|nichts)\s+mit\s+(?:dem|der|den|meinem|meiner|unserem)\s+[\w-]+"
    r"|\bmit\s+(?:dem|der|den|meinem|meiner)\s+[\w-]+\s+ist\s+alles\s+(?:in\s+ordnung|ok|gut|bestens)"
    r"|\bnessun\s+(?:problema|guasto)\s+con\s+(?:la|il|lo|le|i|mia|mio)\s+[\w-]+"
    # A thing that works: "the internet works fine", "el router funciona bien", "la box marche parfaitement",
    # "das Internet funktioniert einwandfrei", "il modem funziona benissimo"; and "darum geht es nicht".
    r"|\b(?:my|the|our|mi|el|la|los|las|ma|mon|mes|le|les|meine?|die|der|das|il|lo|i|mia|mio)\s+"
    + _UNNEGATED
    + r"{0,2}?"
    r"(?:works?|is\s+working|funcionan?|fonctionnent|fonctionne|marchent|marche|funktionier\w*|l[äa]uft|laufen"
    r"|funziona(?:no)?)(?:\s+(?:fine|perfectly|well|great|ok|bien|perfectamente|correctamente|parfaitement|tr[èe]s\s+bien"
    r"|correctement|einwandfrei|perfekt|problemlos|tadellos|bene|benissimo|perfettamente|correttamente)\b"
    # or with nothing after it in its clause: "das Internet läuft.", "the router works, but ..."
    r"|(?=\s*[,;.!]))"
    # A whole side said to be fine: "technically everything is fine", "technisch ist alles in Ordnung"
    r"|\b(?:technically|t[ée]cnicamente|techniquement|technisch|tecnicamente)\s+[^,.;:!?]{0,60}?"
    + _FINE
    + r"|\bdarum\s+geht\s+es\s+nicht\b"
    # What the customer says they are not asking or writing about: "I'm not asking for a refund", "I don't
    # want a new plan", "no os escribo por ningún cobro", "je ne vous écris pas pour la facture", "ich schreibe
    # nicht wegen der Rechnung", "non scrivo per un addebito": set aside to the clause's end.
    r"|\b(?:i['’]?m|i\s+am|we['’]re|we\s+are)\s+not\s+(?:asking|writing|calling|contacting\s+you|here|looking)\s+"
    r"(?:for|about|because\s+of|regarding|to\s+ask\s+about)\b[^.,:;?!¿¡]{0,80}"
    r"|\b(?:i|we)\s+(?:do\s+not|don['’]t)\s+(?:want|need)\s+(?:a|an|any|my)\s+[^.,:;?!¿¡]{0,80}"
    r"|\bno\s+(?:\w+\s+)?(?:escribo|llamo|pido|quiero|busco|necesito)\s+(?:por|un|una|ning[úu]n|ninguna|sobre)\b[^.,:;?!¿¡]{0,80}"
    r"|\bje\s+ne\s+(?:vous\s+)?(?:[ée]cris|appelle|demande|veux|cherche)\s+pas\s+(?:pour|de|d['’]|un|une|au\s+sujet)[^.,:;?!¿¡]{0,80}"
    r"|\bich\s+(?:schreibe|rufe|frage|will|m[öo]chte|brauche)\s+(?:\w+\s+)?(?:nicht\s+wegen|keine?n?)\b[^.,:;?!¿¡]{0,80}"
    r"|\bnon\s+(?:vi\s+|le\s+)?(?:scrivo|chiamo|chiedo|voglio|cerco)\s+(?:per|un|una|nessun|alcun|riguardo)[^.,:;?!¿¡]{0,80}"
    # The thing named and denied, its clause ending there: "it's not the bill, ...", "no es la factura, ...",
    # "ce n'est pas la box, ...", "es ist nicht die Rechnung, ...", "non è la bolletta, ...". A denied thing
    # the clause goes on about ("that's not the price I was promised") is the complaint and stays.
    r"|\b(?:(?:it|this|that)(?:['’]s|\s+is|\s+was)\s*(?:not|n['’]t)|no\s+es|ce\s+n['’]est\s+pas|c['’]est\s+pas"
    r"|(?:es|das)\s+(?:ist|liegt)\s+nicht(?:\s+an)?|non\s+(?:è|e['’]))\s+(?:the|my|our|a|an|el|la|los|las|mi|le|les|ma|mon"
    r"|mes|die|der|das|dem|den|mein\w*|il|lo|i|gli|mia|mio|un|una|uno|une|ein|eine|einen)\s+[\w-]+(?:\s+[\w-]+)?"
    r"(?=\s*(?:[,;:.!?]|$))|\b(?:es|das)\s+ist\s+kein\w*\s+[\w-]+(?:\s+[\w-]+)?(?=\s*(?:[,;:.!?]|$))"
    r")"
    # and what it goes on to say is fine: ", the bill is correct and paid", ", que está pagada y bien", ", it's great"
    # (a second thing set aside, "and not a billing one", "und keine Rechnungsfrage", is matched on its own)
    r"(?:\s+(?:and|y|et|und|e)\s+(?!(?:not|no|nor|ni|ne|pas|kein\w*|nicht|non|neither)\b)[\w-]+)?"
    r"(?:\s*,\s*(?=[^,.;:!?\n]{0,60}" + _FINE + r")[^,.;:!?\n]{0,60}){0,2}",
    re.IGNORECASE,
)
# A question about what something would cost before buying it is a general (pre-sales) question:
# "how much is the Pro plan?", "are there fees if I sign up?", "¿tienen descuento para estudiantes?".
_PRESALES = re.compile(
    r"\b(?:how\s+much\s+(?:is|are|does|do|would|will|for)|what\s+(?:does|would|will)\s+(?:it|the|a|an)\b[^.?!]{0,40}\bcost"
    r"|what(?:'s|\s+is|\s+are)\s+the\s+(?:price|cost|fee)s?\s+(?:of|for)|if\s+i\s+(?:sign\s+up|subscribe|join|switch|upgrade|buy|order)"
    r"|(?:before|when)\s+(?:i\s+)?(?:sign(?:ing)?\s+up|subscrib\w+|joining)|before\s+(?:i\s+)?(?:buy|order|sign)\w*"
    # "antes de contratar", "avant de souscrire", "bevor ich ... abschließe", "prima di abbonarmi"
    r"|antes\s+de\s+(?:contratar\w*|suscribirme|darme\s+de\s+alta|comprar\w*|firmar)"
    r"|avant\s+de\s+(?:souscrire|m['’]abonner|m['’]engager|signer|commander|acheter)"
    r"|bevor\s+ich\s+(?:\w+\s+){0,4}?(?:abschlie(?:ß|ss)e|buche|bestelle|kaufe|unterschreibe)"
    r"|prima\s+di\s+(?:sottoscrivere|abbonarmi|attivare|firmare|acquistare|comprare|ordinare)|student|students|senior|trial\s+price"
    # What a thing costs, asked as a question, and offers one may still take.
    r"|how\s+expensive|qu[ée]\s+precio|cu[áa]l\s+es\s+el\s+precio|quel(?:le)?\s+est\s+le\s+(?:prix|tarif|co[ûu]t)"
    r"|wie\s+teuer|qual\s+(?:è|e['’])\s+il\s+(?:prezzo|costo)"
    r"|(?:is\s+there|are\s+there|do\s+you\s+(?:offer|have))\s+(?:a\s+|an\s+|any\s+)?(?:\w+\s+)?(?:discount|deal|promotion|offer)s?"
    r"|hay\s+(?:alg[úu]n\s+|alguna\s+)?(?:descuento|oferta|promoci[óo]n)|(?:ten[ée]is|tienen|ofrecen)\s+(?:alg[úu]n\s+)?descuento"
    r"|(?:y\s+a-t-il|avez-vous|proposez-vous)\s+(?:une?\s+|des\s+)?(?:r[ée]duction|remise|promotion|offre)"
    r"|gibt\s+es\s+(?:einen\s+|eine\s+)?(?:\w+)?(?:rabatt|angebot|aktion)\w*"
    r"|c['’][èe]\s+(?:uno\s+|un['’]?\s*)?(?:sconto|offerta|promozione)|ci\s+sono\s+(?:sconti|offerte|promozioni)"
    # Whoever is not a customer yet: "a new customer", "signs up", "a new contract", in each language.
    r"|new\s+(?:customers?|clients?|subscribers?|contract)|signs?\s+up|signing\s+up"
    r"|clientes?\s+nuev[oa]s?|nuev[oa]s?\s+clientes?|nuevo\s+contrato|darme\s+de\s+alta|si\s+contrato"
    r"|nouveaux?\s+clients?|nouvelles?\s+clientes?|nouvel\s+abonnement|nouveau\s+contrat|si\s+je\s+(?:prends|signe)"
    r"|neukund\w*|neue[nr]?\s+vertrag|wenn\s+ich\s+(?:\w+\s+){0,4}(?:abschlie(?:ß|ss)e|buche|bestelle|unterschreibe)"
    r"|nuov[oi]\s+(?:clienti|cliente|contratto|abbonamento)|se\s+(?:attivo|sottoscrivo)|chi\s+si\s+abbona"
    r"|cu[áa]nto\s+(?:cuesta|cuestan|vale|valen|sale|cobran\s+por)|si\s+me\s+(?:doy\s+de\s+alta|suscribo|apunto|cambio)"
    # Buying or switching over, in each language: "se compro lo smartphone a rate", "si je passe chez vous".
    r"|si\s+(?:compro|contrato|pido|me\s+paso|paso\s+a\s+(?:vosotros|ustedes))|si\s+j['’]ach[èe]te|si\s+je\s+commande"
    r"|si\s+je\s+passe\s+chez\s+vous|wenn\s+ich\s+(?:\w+\s+){0,4}(?:kaufe|wechsle|wechseln\s+w[üu]rde)"
    r"|se\s+(?:compro|acquisto|ordino|passo\s+(?:a|da|con)\s+voi)|if\s+i\s+(?:move|come)\s+(?:over\s+)?to\s+you"
    # What it costs to start: "activation fee", "costi di attivazione", "frais de mise en service"
    r"|activation\s+(?:fees?|costs?|charges?)|(?:costi|spese)\s+di\s+attivazione|frais\s+(?:d['’]activation|de\s+mise\s+en\s+service)"
    r"|(?:gastos|cuota|coste)\s+de\s+(?:alta|activaci[óo]n)|(?:anschluss|aktivierungs|bereitstellungs|einrichtungs)geb[üu]hr\w*"
    # The company's offers: "your plans", "Ihren Festnetzverträgen", "vos forfaits", "le vostre tariffe"
    r"|(?:do\s+you\s+(?:have|offer|do)|(?:ten[ée]is|tienen|ofrec[ée]is|ofrecen)|(?:avez|proposez|faites)-vous|(?:haben|bieten)\s+sie"
    r"|habt\s+ihr|(?:avete|offrite|proponete))\s+(?:[\w-]+\s+){0,3}?[\w-]*(?:plans|tariffs|packages|bundles|deals|planes|tarifas"
    r"|paquetes|forfaits|offres|tarife|angebote|pakete|tariffe|offerte|piani|pacchetti)\b"
    r"|(?:your|vos|sus|vuestr[oa]s|ihren?|euren?|vostr[ie]|le\s+vostre|i\s+vostri)\s+[\w-]*(?:plans|contracts|tariffs|packages"
    r"|deals|contrats|forfaits|offres|planes|contratos|tarifas|ofertas|vertr[äa]ge\w*|tarife\w*|angebote\w*|contratti"
    r"|tariffe|offerte|piani|pacchetti)"
    r"|estudiantes?|jubilados?|combien\s+(?:co[ûu]te|co[ûu]tent|vaut|est)|si\s+je\s+(?:m['’]abonne|souscris|m['’]inscris)"
    r"|[ée]tudiants?|was\s+kostet|was\s+kosten|wie\s+viel\s+kostet|wenn\s+ich\s+(?:mich\s+)?(?:anmelde|abschlie(?:ß|ss)e|buche)"
    r"|studenten\w*|studierende\w*|sch[üu]ler\w*|quanto\s+(?:costa|costano|viene)|se\s+mi\s+(?:iscrivo|abbono)|studenti|studente)\b",
    re.IGNORECASE,
)
# The customer's own money: what they were charged, paid or billed (then a price is a billing matter).
_OWN_MONEY = re.compile(
    r"\b(?:my|our)\s+(?:\w+\s+)?(?:bill|invoice|statement|payment|subscription|account|card|plan)"
    r"|\b(?:charged|billed|paid|debited|refund\w*|overcharg\w*|i\s+pay|we\s+pay|now\s+costs?|why\s+(?:is|does|am|was|did))\b"
    r"|\b(?:mi|mis)\s+(?:factura|suscripci[óo]n|cuenta|recibo|tarifa|plan)|\b(?:cobrado|cobraron|pagu[ée]|pagado)\b"
    r"|\b(?:ma|mon|mes)\s+(?:facture|abonnement|compte|forfait)|\b(?:pr[ée]lev[ée]|factur[ée]|pay[ée])\b"
    r"|\b(?:meine?|meinen)\s+(?:rechnung|abo|abonnement|vertrag|tarif|konto)|\b(?:abgebucht|berechnet|bezahlt)\b"
    r"|\b(?:mia|mio)\s+(?:fattura|abbonamento|bolletta|conto|piano)|\b(?:addebitat\w|pagat\w)\b"
    # money the customer wants back: "my money back", "mi dinero", "mon argent", "mein Geld", "i miei soldi"
    r"|\bmoney\s+back\b|\bmi\s+dinero\b|\bmon\s+argent\b|\bmein\s+geld\b|\bgeld\s+zur[üu]ck\b|\bi\s+miei\s+soldi\b",
    re.IGNORECASE,
)


# What the customer paid for a thing they bought ("I paid 80 euros for the router", "ich habe 150 Euro
# für den Repeater bezahlt"): the thing's price, not a bill. Beside a malfunction it is no billing evidence.
_AMOUNT = r"(?:[€$£]\s?)?\d[\d.,]*\s*(?:€|\$|£|euros?|eur|dollars?|pounds?|quid|bucks|francs?)?"
_PURCHASE_PRICE = re.compile(
    rf"\b(?:paid|spent|(?:i|we)\s+pay|pagu[ée]|pago|pagamos|gast[ée]|pay[ée]|(?:je\s+)?paie|payons|d[ée]pens[ée]|pagato|speso)"
    rf"\s+{_AMOUNT}(?:\s+(?:a|per|each|every|al|por|par|pro|im|jeden|ogni)\s+(?:month|mes|mois|monat|mese))?"
    r"\s+(?:for|on|por|para|pour|per|the|my|el|la|los|las|mi|le|les|l['’]|mon|ma|il|lo|gli|i|il\s+mio|la\s+mia)\b"
    # the thing bought told first ("j'ai payé ma box 4K 199 €", "I paid the speaker 180 euros"), never a bill
    r"|\b(?:paid|pagu[ée]|pay[ée]|pagato)\s+(?P<thing>(?:(?!(?:bills?|invoices?|factur\w*|fattur\w*|bollett\w*|recibos?"
    r"|receipts?|ricevut\w*|twice|once)\b)[\w'’-]+\s+){1,3}?)(?:[€$£]\s?\d[\d.,]*|\d[\d.,]*\s*(?:€|\$|£|euros?|eur|dollars?|pounds?)(?!\w))"
    rf"|\b{_AMOUNT}\s+f[üu]r\s+(?:[\w-]+\s+){{1,3}}?(?:bezahlt|gezahlt|ausgegeben)\b"
    # and what they pay for a service: "I pay 45 euros a month for the fibre", "ich zahle 40 Euro im Monat für"
    rf"|\b(?:zahle|zahlen|bezahle|bezahlen)\s+{_AMOUNT}\s+(?:(?:im|pro|jeden)\s+monat\s+)?f[üu]r\b"
    rf"|\b(?:cost|costs|costó|cuesta|co[ûu]t[ée]|kostete|costato|cost[aò])\s+(?:me\s+|mir\s+|mi\s+)?{_AMOUNT}"
    # bought for a sum: "für 899 Euro gekauft"
    rf"|\bf[üu]r\s+{_AMOUNT}\s+(?:[\w-]+\s+){{0,5}}?(?:gekauft|bestellt|erworben)\b"
    # what it is worth for its price: "for that price it should ...", "para lo que cuesta", "für das Geld"
    r"|\b(?:for|at)\s+(?:that|this|such\s+a)\s+price|\bfor\s+what\s+(?:it\s+costs?|i\s+paid|we\s+paid)"
    r"|\b(?:por|a)\s+ese\s+precio|\bpara\s+lo\s+que\s+(?:cuesta|cost[óo]|pagu[ée]|me\s+cost[óo])"
    r"|\b(?:[àa]|pour)\s+ce\s+prix(?:-l[àa])?|\bpour\s+ce\s+que\s+(?:[çc]a|il|elle)\s+co[ûu]te"
    r"|\b(?:f[üu]r|zu|bei)\s+(?:dem|diesem|diesen|so\s+einem)\s+preis|\bf[üu]r\s+das\s+geld"
    r"|\b(?:per|a|con)\s+quel\s+prezzo|\bper\s+(?:quello|quel)\s+che\s+(?:costa|[èe]\s+costato|ho\s+pagato)\b",
    re.IGNORECASE,
)


# A question about what a product does or where it is sold, asked before buying: "do your routers
# support wifi 6?", "le décodeur est-il compatible avec ...", "ist Glasfaser hier verfügbar?".
_PRODUCT_QUESTION = re.compile(
    r"\b(?:(?:do|does|will|can|would)\s+(?:your|the|this|these|it|they)\s+(?:[\w-]+\s+){0,3}?(?:support|work\s+with|come\s+with)"
    r"|compatib(?:le|il[ei])|kompatibel|(?:is|are)\s+(?:[\w-]+\s+){1,3}available|disponibles?|disponibil[ei]|verf[üu]gbar"
    r"|(?:funktioniert|funktionieren)\s+(?:euer|eure|ihr|ihre|der|die|das)\s+[\w-]+\s+(?:auch\s+)?mit"
    r"|(?:supporta|supportano|soporta|soportan|prend\s+en\s+charge|unterst[üu]tzt)"
    # whether the company does or offers something: "do you also install ...?", "proposez-vous des ateliers ?",
    # "fate anche l'installazione ...?", "bieten Sie Kurse an?", "¿hacéis instalaciones?"
    r"|do\s+you\s+(?:also\s+)?(?:offer|do|run|provide|install|repair|organi[sz]e|give|hold)"
    r"|(?:proposez|faites|offrez|organisez|installez|r[ée]parez|donnez)-vous"
    r"|(?:ofrec[ée]is|hac[ée]is|instal[áa]is|repar[áa]is|organiz[áa]is|dais)"
    r"|(?:bieten|machen|installieren|reparieren|veranstalten|geben)\s+sie"
    r"|(?:fate|offrite|proponete|installate|riparate|organizzate)"
    # and where something is done at the company's premises: "wo kann man bei Ihnen ... abgeben?"
    r"|(?:where|wo|o[ùu]|d[óo]nde|dove)\b[^?.!]{0,60}\b(?:bei\s+ihnen|chez\s+vous|at\s+your|in\s+your\s+(?:shops?|stores?)"
    r"|en\s+(?:vuestras?|sus)\s+tiendas?|nei\s+vostri\s+negozi|da\s+voi))\b",
    re.IGNORECASE,
)
# Thanks for a problem that is solved, asking nothing: feedback ("the technician fixed everything, thank you").
_THANKS = re.compile(r"\b(?:thanks?|thank\s+you|merci|gracias|danke|grazie)\b", re.IGNORECASE)
_WORKS_AGAIN = re.compile(
    r"\b(?:fixed|solved|sorted|works?\s+(?:now|again|perfectly|fine|great)|working\s+(?:now|again|fine|perfectly)"
    r"|(?:fonctionne|marche)\s+(?:parfaitement|bien|à\s+nouveau|de\s+nouveau|maintenant)|r[ée]solu|r[ée]par[ée]"
    r"|(?:ya\s+)?funciona\s+(?:todo|bien|perfectamente|de\s+nuevo)|ya\s+funciona|arreglad[oa]|solucionad[oa]"
    r"|(?:l[äa]uft|funktioniert)\s+(?:\w+\s+){0,3}?(?:wieder|einwandfrei|perfekt|gut)|behoben|repariert"
    r"|funziona\s+(?:tutto|bene|perfettamente|di\s+nuovo)|risolt[oa]|riparat[oa]|sistemat[oa])\b",
    re.IGNORECASE,
)
# How to do something with a device or service: "how do I ...", "¿cómo activo ...?", "comment configurer ...",
# "wie richte ich ... ein?", "come imposto ...?". Beside a technical word and no money word it asks for
# technical help.
_HOW_TO = re.compile(
    r"\b(?:how\s+(?:do|can|should)\s+(?:i|we|you)|how\s+to|c[óo]mo\s+(?:puedo|se|hago|activo|configuro|pongo|cambio|desactivo)"
    r"|comment\s+(?:faire|puis-je|je\s+peux|on|activer|configurer|d[ée]sactiver|transf[ée]rer|changer|mettre)"
    r"|wie\s+(?:kann|k[öo]nnen|mache|richte|stelle|aktiviere|deaktiviere|leite|schalte|[äa]ndere|bekomme)"
    r"|come\s+(?:faccio|posso|si|imposto|attivo|disattivo|configuro|cambio))\b",
    re.IGNORECASE,
)
HOW_TO_WEIGHT = 1.5
# The company's rules, or feedback on what it does: "what is your refund policy?", "votre politique de
# remboursement", "Ihre Widerrufsbedingungen", "I'd like to give feedback on the new app".
_POLICY_OR_FEEDBACK = re.compile(
    r"\b(?:polic(?:y|ies)|pol[íi]tica|politique|politica|\w*richtlinie\w*|\w*bedingungen|terms\s+and\s+conditions"
    r"|t[ée]rminos\s+y\s+condiciones|conditions\s+g[ée]n[ée]rales|condizioni\s+generali|feedback|suggestions?"
    r"|sugerencias?|anregung\w*|verbesserungsvorschl[äa]g\w*|suggeriment[oi])\b",
    re.IGNORECASE,
)
# The rule a policy names is not the customer's own money: "your refund policy", "política de reembolsos".
_POLICY_NAMED = re.compile(
    r"\b(?:\w+\s+)?(?:polic(?:y|ies)|pol[íi]tica|politique|politica)(?:\s+(?:on|for|about|of|de|des|du|sur|sobre|sui"
    r"|sulle|sul|sulla|di|del|della)\s+(?:(?:the|los|las|la|le|les|el|i|gli)\s+)?\w+)?|\w*(?:richtlinie|bedingungen)\w*",
    re.IGNORECASE,
)
# Praise for someone who helped: feedback, a general matter ("the engineer who came on Friday was brilliant").
_STAFF = re.compile(
    r"\b(?:technicians?|engineers?|agents?|advis[eo]rs?|operators?|staff|team|employees?|colleagues?|consultants?"
    r"|installers?|representatives?|t[ée]cnic[oa]s?|asesor[ae]?s?|operador[ae]?s?|personal|equipo|emplead[oa]s?"
    r"|dependient[ae]s?|instalador[ae]?s?|technicien(?:ne)?s?|conseill[eè]re?s?|op[ée]rat(?:eur|rice)s?|[ée]quipe"
    r"|personnel|employ[ée]e?s?|vendeu(?:r|se)s?|installateurs?|techniker(?:in)?|monteur(?:in)?|mitarbeiter(?:in)?"
    r"|berater(?:in)?|kolleg(?:e|in|en)|servicetechniker(?:in)?|tecnic[oaie]|operat(?:ore|rice|ori)|consulent[ei]"
    r"|addett[oaie]|personale|squadra|commess[oaie]|installator[ei])\b",
    re.IGNORECASE,
)
_PRAISE = re.compile(
    r"\b(?:brilliant|excellent|fantastic|amazing|wonderful|helpful|patient|kind|friendly|professional|polite|lovely"
    r"|superb|great\s+help|d['’]une\s+grande\s+aide|aimable|serviable|sympathique|formidable|comp[ée]tente?"
    r"|professionnel(?:le)?|amables?|atent[oa]s?|simp[áa]tic[oa]s?|encantador[ae]?s?|pacientes?|profesional(?:es)?"
    r"|estupend[oa]s?|excelentes?|incre[íi]bles?|muy\s+majo|freundlich\w*|hilfsbereit\w*|kompetent\w*|geduldig\w*"
    r"|gro(?:ß|ss)artig\w*|hervorragend\w*|ausgezeichnet\w*|gentil(?:e|i|issim[oaie])|bravissim[oaie]|pazient[ei]"
    r"|eccellent[ei]|cortes[ei]|simpatic[oaie]|preparatissim[oaie]|disponibilissim[oaie])\b",
    re.IGNORECASE,
)
# Something that came as it should: "the refund arrived", "el reembolso ha llegado", "das Geld ist eingegangen".
_ARRIVED = re.compile(
    r"\b(?:arrived|came\s+through|went\s+through|received\s+it|got\s+it|lleg[óo]|ha\s+llegado|recibid[oa]"
    r"|(?:est|sont)\s+arriv[ée]e?s?|bien\s+re[çc]ue?s?|angekommen|eingegangen|erhalten|arrivat[oaie]|ricevut[oaie])\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    r"\b(?:not|no|never|n't|cannot|ne|pas|nicht|nie|niemals|kein\w*|non|nada|nunca|jamais|mai|still|toujours|immer\s+noch|ancora|todav[íi]a"
    r"|but|mais|pero|aber|ma|però)\b|n't"
    # and the commonest words of a malfunction: a question about a product that fails asks for help
    r"|\b(?:crash\w*|drop\w*|freez\w*|froze|errors?|broken|fail\w*|stopp\w*|disconnect\w*|keeps?\s+\w+ing"
    r"|se\s+(?:corta|cuelga|apaga|bloquea|coupe|d[ée]connecte)|plant\w*|bloqu\w*|erreur|panne|absturz\w*|st[üu]rzt"
    r"|fehler\w*|kaputt|defekt|bricht|si\s+(?:blocca|spegne|disconnette)|errore|guast\w*|rott[oaie])\b",
    re.IGNORECASE,
)


# Clause roles. A message is cut into clauses at punctuation and at the words that join two of them
# ("and", "but", "y", "pero", "et", "mais", "und", "aber", "e", "ma"): "I paid 300 euros for it | and
# now it won't start" is a context clause and a complaint clause.
_CLAUSE_BREAK = re.compile(
    r"(?:[;:!?¿¡()\n]|[,.](?!\d))+|\s(?:and|but|yet|y|e|pero|et|mais|und|aber|doch|ma|per[òo])\s", re.IGNORECASE
)
# A sum of money: "600 Euro", "$189", "14,99".
_MONEY_AMOUNT = re.compile(
    r"[€$£]\s?\d|\d\s?[€$£]|\b\d+(?:[.,]\d+)?\s*(?:euros?|eur|dollars?|pounds?|quid|bucks|francs?)\b|\b\d+[.,]\d\d\b",
    re.IGNORECASE,
)
# What the customer does not understand or know is a question about what the other clause names
# ("my invoice is 50 euros and I don't know why"), not something that fails.
_PUZZLED = re.compile(
    r"\b(?:why|understand|know|sure|explain|por\s*qu[ée]|entiendo|comprendo|sé|pourquoi|comprends|sais|warum"
    r"|verstehe|wei(?:ß|ss)|perch[ée]|capisco|so)\b"
    # and what is not there or did not come is about the money the other clause names ("a discount was
    # promised and it isn't there"): a state or a receipt denied, not a thing that fails
    r"|\b(?:is|isn['’]t|are|aren['’]t|was|wasn['’]t|were|be|been|have|haven['’]t|has|hasn['’]t|had|received|get|got|applied"
    r"|es|est[áa]|hay|ha|he|recibido|aplicad[oa]|est|sont|ai|re[çc]ue?|appliqu[ée]e?|ist|sind|habe|hat|erhalten"
    r"|angewendet|gibt|[èe]|sono|ho|ha|ricevut[oa]|applicat[oa]|c['’][èe]"
    # and what the customer did not agree to, order or use is what a charge is for ("I did not agree to 18")
    r"|agree\w*|authori[sz]\w*|order\w*|asked|ask|consent\w*|signed|activat\w*|used|use|acept\w*|autoric\w*|autoriz\w*"
    r"|ped[íi]|contrat[ée]|us[ée]|activ[ée]|accept[ée]\w*|autoris[ée]\w*|command[ée]\w*|demand[ée]\w*|utilis[ée]\w*"
    r"|zugestimmt|bestellt|genutzt|benutzt|aktiviert|autorisiert|accettat\w*|autorizzat\w*|ordinat\w*|chiest\w*|usat\w*"
    r"|attivat\w*)\b",
    re.IGNORECASE,
)
# What a fault told in its own clause is worth for technical support once the money beside it is cut.
FAULT_WEIGHT = 1.5


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, at = [], 0
    for m in _CLAUSE_BREAK.finditer(text):
        if m.start() > at:
            spans.append((at, m.start()))
        at = m.end()
    if at < len(text):
        spans.append((at, len(text)))
    return spans


def _negated_clause(clause: str) -> bool:
    tokens = [_fold(t) for t in _WORD.findall(clause)]
    return bool(_NO_LONGER.search(clause)) or any(t in _NEGATIONS or t.endswith("n't") for t in tokens)


def _money_as_context(text: str) -> str | None:
    """Return the text without its money clauses when they only set the scene of a fault told in another.

    "Für den Saugroboter habe ich 600 Euro bezahlt und jetzt findet er seine Ladestation nicht mehr",
    "tengo la tarifa de 1 Gb y por las noches no paso de 15 megas": the price paid and the plan held are
    context; the complaint is the clause that says what does not work. Nothing is cut when money went
    wrong (a charge, a refund, a debit), when a bill or an invoice is named, or when the clause that
    denies something names money itself ("you haven't refunded me").
    """
    money, fault = [], False
    for begin, end in _clauses(text):
        clause = text[begin:end]
        facts: dict[str, bool] = {}
        scores = cue_scores(clause, facts)
        if facts["complaint"] or facts["document"]:
            return None
        priced = scores[BILLING] > 0 or bool(_MONEY_AMOUNT.search(clause))
        if scores[TECHNICAL] >= 3 and scores[TECHNICAL] > scores[BILLING]:
            fault = True  # "the app closes whenever I try to pay": a fault told beside the money, not context
        elif _negated_clause(clause):
            if priced or _PUZZLED.search(clause):
                return None
            fault = True
        elif priced:
            money.append((begin, end))
    if not (money and fault):
        return None
    parts, at = [], 0
    for begin, end in money:
        parts.append(text[at:begin])
        at = end
    parts.append(text[at:])
    return " ".join(parts)


def _to_general(cues: dict[str, float], meaning: dict[str, float], label: str) -> None:
    """Count the evidence for `label` as a general question's: it names a product, it asks for no help with it."""
    cues[GENERAL] += cues[label] + PRESALES_WEIGHT
    cues[label] = 0.0
    meaning[GENERAL], meaning[label] = max(meaning[GENERAL], meaning[label]), min(meaning.values())


@dataclass(frozen=True)
class Evidence:
    """What the rules saw in a message: their label and confidence, the scores and the flags behind them."""

    label: str
    confidence: float
    text: str  # the message cleaned of injections and label names, before anything is set aside
    cues: dict[str, float]
    meaning: dict[str, float]
    total: dict[str, float]
    presales: bool
    unbroken: bool
    how_to: bool
    question: bool
    asks_nothing: bool = False  # thanks for a fix or for what arrived, praise for staff: feedback, no request
    kept: str = ""  # the text with what the customer set aside ("the modem is fine") cut out


def evidence(query: str) -> Evidence:
    """Weigh a support query by the rules alone: their label and confidence, and what they rest on."""
    text = _LABEL_NAMES.sub(" ", strip_injections(query))
    cleaned = text
    if not _WORD.search(text):
        zero = dict.fromkeys(LABELS, 0.0)
        return Evidence(GENERAL, 0.35, text, zero, zero, zero, False, True, False, "?" in text)
    # Thanks for a fix or for what arrived, praise for an engineer, with no question: feedback (read
    # before anything is set aside: "the internet works perfectly now" says the fix held).
    asks_nothing = (
        "?" not in text
        and not _NEGATED.search(text)
        and bool(
            (_THANKS.search(text) and (_WORKS_AGAIN.search(text) or _ARRIVED.search(text)))
            or (_STAFF.search(text) and _PRAISE.search(text))
        )
    )
    kept = _DISMISSED.sub(" ", _DISMISSED.sub(" ", text))  # twice: "not X, nor Y" sets both aside
    text = kept if _WORD.search(kept) else text
    kept = text
    presales = bool(_PRESALES.search(text)) and not _OWN_MONEY.search(text)
    # Prices asked before buying: the phrase that says so ("if I sign up") is a general question's
    # cue, not a login's; the money words and the closeness to questions about a bill are too.
    cues = cue_scores(_PRESALES.sub(" ", text) if presales else text)
    if not presales and cues[TECHNICAL] and _PURCHASE_PRICE.search(text):
        # "I paid 80 euros for the router and it drops": the malfunction is the request, not the price.
        text = _PURCHASE_PRICE.sub(lambda m: f" {m.group('thing') or ''} ", text)  # the thing bought stays
        cues = cue_scores(text)
    meaning = _meaning_scores(text)
    if not presales and (cues[BILLING] or _MONEY_AMOUNT.search(text)) and _negated_clause(text):
        # The money told as context of a fault in another clause: read the rest alone, and keep that
        # reading when it is a technical one.
        rest = _money_as_context(text)
        if rest is not None and _WORD.search(rest):
            # The money is what is cut; the things the context clause names (the fibre, the robot) stay.
            rest_cues, rest_meaning = dict(cues), _meaning_scores(rest)
            rest_cues[BILLING] = cue_scores(rest)[BILLING]
            rest_cues[TECHNICAL] += FAULT_WEIGHT
            low = min(rest_meaning.values())
            rest_total = {label: rest_cues[label] + EMBED_WEIGHT * (rest_meaning[label] - low) for label in LABELS}
            if max(LABELS, key=rest_total.__getitem__) == TECHNICAL:
                cues, meaning = rest_cues, rest_meaning
    unbroken = not _NEGATED.search(text)
    if presales:
        _to_general(cues, meaning, BILLING)
        if unbroken:
            _to_general(cues, meaning, TECHNICAL)  # "what does the fibre option cost?": the product bought
    if unbroken and "?" in text and _PRODUCT_QUESTION.search(text) and not _OWN_MONEY.search(text):
        _to_general(cues, meaning, TECHNICAL)  # "do your routers support wifi 6?"
    elif unbroken and _POLICY_OR_FEEDBACK.search(text) and not _OWN_MONEY.search(_POLICY_NAMED.sub(" ", text)):
        _to_general(cues, meaning, BILLING)  # "what is your refund policy?": the rule, not a refund
        _to_general(cues, meaning, TECHNICAL)
    elif unbroken and "?" not in text and _THANKS.search(text) and _WORKS_AGAIN.search(text):
        _to_general(cues, meaning, TECHNICAL)  # "thanks, the technician fixed everything"
    elif unbroken and "?" not in text and _THANKS.search(text) and _ARRIVED.search(text):
        _to_general(cues, meaning, BILLING)  # "thanks, the refund arrived this morning"
        _to_general(cues, meaning, TECHNICAL)
    elif unbroken and "?" not in text and _STAFF.search(text) and _PRAISE.search(text):
        _to_general(cues, meaning, TECHNICAL)  # "the engineer who came on Friday was brilliant"
    how_to = bool(not presales and cues[TECHNICAL] and not cues[BILLING] and _HOW_TO.search(text))
    if how_to:
        cues[TECHNICAL] += HOW_TO_WEIGHT
    floor = min(meaning.values())
    total = {label: cues[label] + EMBED_WEIGHT * (meaning[label] - floor) for label in LABELS}
    ranked = sorted(LABELS, key=lambda label: (-total[label], LABELS.index(label)))
    best, second = ranked[0], ranked[1]
    facts = (cleaned, cues, meaning, total, presales, unbroken, how_to, "?" in text, asks_nothing, kept)
    if not any(cues.values()) and meaning[best] - meaning[second] < MEANING_ALONE:
        return Evidence(GENERAL, 0.35, *facts)  # no cue and no clear nearest meaning: ask the customer to say more
    margin = (total[best] - total[second]) / (total[best] + 1.0)
    # Confidence grows with the lead and with the amount of evidence; a thin lead stays under the
    # router's 0.5 threshold and goes to the general handler.
    confidence = 0.35 + 0.6 * margin + 0.2 * (1 - math.exp(-total[best] / 6))
    return Evidence(best, round(min(max(confidence, 0.05), 0.95), 2), *facts)


def classify_intent(query: str) -> tuple[str, float]:
    """Route a support query to Technical Support, Billing Inquiry or General Question, with a confidence.

    The rules weigh the message (`evidence`); a learned layer (`routing_layer`: the rules' evidence,
    the message's embedding and its hashed n-grams) decides, its probability the confidence. A
    message that asks for nothing (thanks for a fix, praise for an engineer) keeps the rules' answer:
    few such messages were there to learn from, and answering one as a fault is what a customer sees.
    """
    from offline.text import routing_layer

    found = evidence(query)
    if not _WORD.search(found.text) or found.asks_nothing:
        return found.label, found.confidence
    label, probability = routing_layer.classify(found)
    return label, round(min(max(probability, 0.05), 0.95), 2)


__all__ = ["BILLING", "GENERAL", "LABELS", "TECHNICAL", "classify_intent"]
