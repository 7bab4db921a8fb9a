"""Deterministic lexicon gloss from English into Spanish, French, German or Italian, honest about its gaps.

What it is: a phrase-first lexicon of about 400 English words and phrases (`lexicon.py`), chosen
for short summaries of energy, business and customer-support text, with the grammar that makes
those readable: articles and adjectives agree with the noun's gender and number, adjectives go
after the noun in the Romance languages, German nouns compound, verbs conjugate for the subject
(present, past, modal + infinitive, "do"-support and negation: "does not work" -> "ne fonctionne
pas"), object pronouns become clitics, and French and Italian elide and contract ("de le" -> "du").

Where it is readable: short declarative sentences built from that vocabulary. Where it is not:
anything else. A word outside the lexicon is never passed off as translated: it is kept in English
inside square brackets ("[turbines]") and listed in a closing line, in the target language, that
says which words were left in English. Names (capitalised words inside a sentence, words with
digits or inner capitals such as "SuperWidget"), numbers and punctuation are kept as written and
not marked, since they need no translation. Word order beyond the noun phrase stays English, and
idioms are translated word by word unless the lexicon lists them as phrases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from offline.text import lexemes
from offline.text.lexicon import EN_IRREGULAR, LEXICON

SUPPORTED_LANGUAGES: dict[str, str] = {"spanish": "es", "french": "fr", "german": "de", "italian": "it"}
_LANGS = ("es", "fr", "de", "it")
_PERSONS = ("1s", "3s", "1p", "2p", "3p")
_YOU = {"es": "3s", "fr": "2p", "de": "3p", "it": "3s"}  # polite "you": usted, vous, Sie, Lei
_PRONOUN_PERSON = {"i": "1s", "you": "you", "he": "3s", "she": "3s", "it": "3s", "we": "1p", "they": "3p"}
_ES_HABER = "he,ha,hemos,habéis,han"
_UNACCENT = dict(zip("áéíóú", "aeiou", strict=True))
_VOWEL = tuple("aeiouhàâäéèêëîïôöùûüAEIOUH")
_PREPOSITIONS = frozenset("of in on at for with without from by about into through between during after before".split())
_AUXILIARIES = frozenset("is are was were can will would should must may might has have had do does did".split())


class UnsupportedLanguage(ValueError):
    """Raised when asked to translate into a language the lexicon does not cover."""


@dataclass(frozen=True)
class _Entry:
    en: str
    pos: str
    forms: dict[str, str]


def _load() -> tuple[dict[str, list[_Entry]], dict[tuple[str, ...], _Entry]]:
    words: dict[str, list[_Entry]] = {}
    phrases: dict[tuple[str, ...], _Entry] = {}
    for line in re.sub(r"\n\s+\|", " |", LEXICON).strip().splitlines():
        en, pos, *fields = (f.strip() for f in line.split("|"))
        entry = _Entry(en, pos, dict(zip(_LANGS, fields, strict=True)))
        if " " in en:
            phrases[tuple(en.split())] = entry
        else:
            words.setdefault(en, []).append(entry)
    return words, phrases


_WORDS, _PHRASES = _load()
# Months and weekdays are written with a capital but translated, not kept as names ("May" is left
# out: it is also the modal verb, so it stays a name, kept as written).
_CALENDAR = frozenset(
    "january february march april june july august september october november december monday tuesday"
    " wednesday thursday friday saturday sunday".split()
)
_NAME_SHAPE = re.compile(r"\d|[a-z][A-Z]")
_PHRASE_HEADS = frozenset(key[0] for key in _PHRASES)
_THAT = _Entry("that", "x", {"es": "que", "fr": "que", "de": "dass", "it": "che"})  # "that" as a conjunction
_VERBS_BY_INF = {
    lang: {e.forms[lang].split(";")[0]: e for group in _WORDS.values() for e in group if e.pos in ("v", "m")}
    for lang in _LANGS
}


@dataclass
class _W:
    src: str
    pos: str
    entry: _Entry | None = None
    form: str = "base"
    drop: bool = False
    neg: bool = False
    vf: str = ""
    clitic: str = ""
    prefix: str = ""
    unknown: bool = False  # outside the lexicon and no name: shown in brackets, listed at the end

    @property
    def en(self) -> str:
        return self.entry.en if self.entry else ""

    def field(self, lang: str) -> str:
        return self.entry.forms[lang] if self.entry else self.src


# ---------------------------------------------------------------- morphology


@lru_cache(maxsize=1024)
def _noun_parts(field: str) -> tuple[str, str, bool, str | None]:
    m = re.match(r"^(?P<form>.+?) (?P<g>mp|fp|m|f|n|p)(?::(?P<pl>.+))?$", field)
    if not m:
        return field, "m", False, None
    g = m["g"]
    return m["form"], g[0] if g != "p" else "p", g.endswith("p"), m["pl"]


def _plural_word(word: str, lang: str, gender: str, noun: bool) -> str:
    if lang == "es":
        if re.search(r"[áéíóú]n$|[áéó]s$", word):
            return word[:-2] + _UNACCENT[word[-2]] + word[-1] + "es"
        if word.endswith("z"):
            return word[:-1] + "ces"
        if word.endswith("is"):
            return word
        return word + ("s" if word[-1] in "aeiouéóá" else "es")
    if lang == "fr":
        if word[-1] in "sxz":
            return word
        if word.endswith("al"):
            return word[:-2] + "aux"
        return word + ("x" if word.endswith(("eau", "eu")) and noun else "s")
    if lang == "it":
        if word[-1] not in "aeio":
            return word
        if word.endswith(("co", "go")):
            return word[:-1] + ("hi" if noun else "i")
        if word.endswith(("ca", "ga")):
            return word[:-1] + "he" if gender == "f" else word[:-1] + "hi"
        if word.endswith("io"):
            return word[:-1]
        return word[:-1] + ("e" if word.endswith("a") and gender == "f" else "i")
    if word.endswith("e"):
        return word + "n"
    if gender == "f" and word.endswith(("er", "el")):
        return word + "n"
    if word.endswith(("ung", "heit", "keit", "ion", "tät", "schaft", "ik", "ur")):
        return word + "en"
    if word.endswith(("er", "el", "en", "chen", "lein")):
        return word
    if word[-1] in "aiouy":
        return word + "s"
    return word + ("en" if gender == "f" else "e")


def _noun(w: _W, lang: str) -> tuple[str, str, bool]:
    """Return (text, gender, plural) of a noun item."""
    form, gender, inherent, plural_form = _noun_parts(w.field(lang))
    plural = inherent or w.form == "pl"
    if gender == "p":
        gender = "f" if lang == "de" else "m"
    if lang != "de" and gender == "n":
        gender = "m"
    if plural and not inherent:
        if plural_form:
            form = plural_form
        else:
            words = form.split()
            for i, word in enumerate(words):
                if word in {"de", "di", "du", "à", "a", "al", "del", "en"} or "'" in word:
                    break
                words[i] = _plural_word(word, lang, gender, noun=i == 0)
            form = " ".join(words)
    return form, gender, plural


def _adjective(field: str, lang: str, gender: str, plural: bool, de_article: str = "") -> str:
    base = field.lstrip("<")
    base, _, alt = base.partition(":")
    if " " in base or base.startswith("~"):
        return base.strip("~-") if de_article == "pred" else base
    if lang == "de":
        stem = alt or base
        if de_article == "pred":
            return base
        if de_article == "def":
            ending = "en" if plural else "e"
        elif de_article == "indef":
            ending = "en" if plural else {"m": "er", "n": "es"}.get(gender, "e")
        else:
            ending = "e" if plural else {"m": "er", "n": "es"}.get(gender, "e")
        return stem + (ending[1:] if stem.endswith("e") else ending)
    if lang == "es":
        word = (base[:-1] + "a" if base.endswith("o") else alt or base) if gender == "f" else base
        return _plural_word(word, "es", gender, noun=False) if plural else word
    if lang == "fr":
        if gender == "f":
            word = alt or (base if base.endswith("e") else _fr_feminine(base))
            return word + "s" if plural else word
        return _plural_word(base, "fr", gender, noun=False) if plural else base
    if base.endswith("o"):
        if plural and gender == "f":
            return base[:-1] + ("he" if base.endswith(("co", "go")) else "e")
        return base[:-1] + ("i" if plural else "a" if gender == "f" else "o")
    return _plural_word(base, "it", gender, noun=False) if plural and base.endswith("e") else base


def _fr_feminine(base: str) -> str:
    for masc, fem in (("if", "ive"), ("eux", "euse"), ("el", "elle"), ("en", "enne"), ("on", "onne"), ("er", "ère")):
        if base.endswith(masc):
            return base[: -len(masc)] + fem
    return base + "e"


def _adverb(field: str, lang: str) -> str:
    base = field.lstrip("<").partition(":")[0]
    if lang == "de" or " " in base:
        return base.lstrip("~")
    fem = _adjective(field, lang, "f", False)
    if lang == "fr":
        if fem.endswith(("ante", "ente")):
            return fem[:-4] + ("amment" if fem.endswith("ante") else "emment")
        return fem + "ment"
    if lang == "it" and fem.endswith(("le", "re")):
        fem = fem[:-1]
    return fem + "mente"


def _conj(field: str, lang: str, vf: str, person: str) -> str:
    """Conjugate a verb field into the requested form (inf, ger, part, past or a person code)."""
    parts = field.split(";")
    inf = parts[0]
    if inf == "-":
        return ""
    present = parts[1].split(",") if len(parts) > 1 and parts[1] else []
    participle = parts[2] if len(parts) > 2 and parts[2] else ""
    past = parts[3].split(",") if len(parts) > 3 and parts[3] else []
    if vf == "inf":
        return inf
    if vf in _PERSONS and present:
        return present[_PERSONS.index(vf)]
    if vf == "part" and participle:
        return participle
    head, _, rest = inf.partition(" ")
    if rest:
        known = _VERBS_BY_INF[lang].get(head)
        head_field = known.forms[lang] if known and known.forms[lang] != field else head
        return (_conj(head_field, lang, vf, person) + " " + rest).strip()
    if vf in _PERSONS:
        return _regular_present(inf, lang, vf)
    if vf == "part":
        return _regular_participle(inf, lang)
    if vf == "ger":
        return _gerund(inf, lang, present)
    plural = person in ("1p", "2p", "3p")
    if past:
        return past[1] if plural else past[0]
    if lang in ("fr", "it"):
        aux = "avoir" if lang == "fr" else "avere"
        aux_form = _conj(_VERBS_BY_INF[lang][aux].forms[lang], lang, person, person)
        return aux_form + " " + (participle or _regular_participle(inf, lang))
    if lang == "es":
        table = {"ar": "é ó amos asteis aron"}.get(inf[-2:], "í ió imos isteis ieron").split()
        return inf[:-2] + table[_PERSONS.index(person) if person in _PERSONS else 1]
    stem = inf[:-2] if inf.endswith("en") else inf[:-1]
    return stem + ("e" if stem.endswith(("t", "d")) else "") + ("ten" if plural else "te")


def _regular_present(inf: str, lang: str, person: str) -> str:
    i = _PERSONS.index(person)
    if lang == "es":
        stem, ending = inf[:-2], inf[-2:]
        table = {"ar": "o a amos áis an", "er": "o e emos éis en"}.get(ending, "o e imos ís en").split()
        return stem + table[i]
    if lang == "fr":
        stem, ending = inf[:-2], inf[-2:]
        table = {"er": "e e ons ez ent", "ir": "is it issons issez issent"}.get(ending, "s _ ons ez ent").split()
        return stem + table[i].strip("_")
    if lang == "de":
        stem = inf[:-2] if inf.endswith("en") else inf[:-1]
        t = "et" if stem.endswith(("t", "d")) else "t"
        return [stem + "e", stem + t, inf, stem + t, inf][i]
    if inf.endswith("urre"):
        inf = inf[:-3] + "cere"
    stem, ending = inf[:-3], inf[-3:]
    table = {"are": "o a iamo ate ano", "ere": "o e iamo ete ono"}.get(ending, "o e iamo ite ono").split()
    suffix = table[i][1:] if i == 2 and stem.endswith("i") else table[i]
    return stem + suffix


def _regular_participle(inf: str, lang: str) -> str:
    if lang == "es":
        return inf[:-2] + ("ado" if inf.endswith("ar") else "ido")
    if lang == "fr":
        return inf[:-2] + {"er": "é", "ir": "i"}.get(inf[-2:], "u")
    if lang == "de":
        stem = inf[:-2] if inf.endswith("en") else inf[:-1]
        t = "et" if stem.endswith(("t", "d")) else "t"
        if inf.endswith("ieren") or inf.startswith(("be", "er", "ver", "ent", "zer", "emp", "ge", "über", "unter")):
            return stem + t
        return "ge" + stem + t
    return inf[:-3] + {"are": "ato", "ere": "uto"}.get(inf[-3:], "ito")


def _gerund(inf: str, lang: str, present: list[str]) -> str:
    if lang == "es":
        return inf[:-2] + ("ando" if inf.endswith("ar") else "iendo")
    if lang == "fr":
        first_plural = present[2] if present else _regular_present(inf, "fr", "1p")
        return first_plural[:-3] + "ant"
    if lang == "it":
        inf = inf[:-3] + "cere" if inf.endswith("urre") else inf
        return inf[:-3] + ("ando" if inf.endswith("are") else "endo")
    return inf


# ---------------------------------------------------------------- analysis


@lru_cache(maxsize=4096)
def _inflections(low: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    if low.endswith("ies"):
        out += [(low[:-3] + "y", "pl"), (low[:-3] + "y", "3s")]
    if low.endswith("es"):
        out += [(low[:-2], "pl"), (low[:-2], "3s")]
    if low.endswith("s") and not low.endswith("ss"):
        out += [(low[:-1], "pl"), (low[:-1], "3s")]
    if low.endswith("ied"):
        out.append((low[:-3] + "y", "ed"))
    if low.endswith("ed"):
        out += [(low[:-2], "ed"), (low[:-1], "ed"), (low[:-3], "ed")]
    if low.endswith("ing"):
        out += [(low[:-3], "ger"), (low[:-3] + "e", "ger"), (low[:-4], "ger")]
    for suffix, form in (("ier", "comp"), ("iest", "sup")):
        if low.endswith(suffix):
            out.append((low[: -len(suffix)] + "y", form))
    for suffix, form in (("er", "comp"), ("est", "sup")):
        if low.endswith(suffix):
            out += [(low[: -len(suffix)], form), (low[: -len(suffix) + 1], form), (low[: -len(suffix) - 1], form)]
    if low.endswith("ly"):
        out += [(low[:-3] + "y", "ly"), (low[:-2], "ly"), (low[:-1] + "e", "ly"), (low[:-4], "ly")]
    return tuple(out)


_FORM_POS = {"pl": "n", "3s": "v", "ed": "v", "ger": "v", "comp": "a", "sup": "a", "ly": "a"}


@lru_cache(maxsize=4096)
def _candidates(low: str) -> tuple[tuple[_Entry, str], ...]:
    cands = [(e, "base") for e in _WORDS.get(low, [])]
    if low in EN_IRREGULAR:
        lemma, form = EN_IRREGULAR[low]
        cands += [(e, form) for e in _WORDS.get(lemma, []) if e.pos in ("v", "m")]
    for base, form in _inflections(low):
        cands += [(e, form) for e in _WORDS.get(base, []) if e.pos == _FORM_POS[form] and (e, form) not in cands]
    return tuple(cands)


def _choose(cands: tuple[tuple[_Entry, str], ...], prev: _W | None, nxt: str) -> tuple[_Entry, str]:
    poses = {e.pos for e, _ in cands}
    if len(poses) == 1:
        return cands[0]
    if {"a", "n"} <= poses and any(e.pos == "n" for e, _ in _candidates(nxt)):
        order = "anv"
    elif prev is None:
        order = "vna" if nxt in _WORDS and any(e.pos == "d" for e in _WORDS[nxt]) else "nav"
    elif prev.pos in ("d", "a") or prev.src in _PREPOSITIONS:
        order = "nav"
    elif prev.pos in ("p", "m", "neg", "rel") or prev.src in {"to", "do", "does", "did", "please", "in order to"}:
        order = "van"
    elif prev.pos == "v":
        order = "anv"
    elif prev.pos == "n" and nxt not in _AUXILIARIES:
        agrees = any(e.pos == "v" and (f == "3s") != (prev.form == "pl") for e, f in cands)
        order = "vna" if agrees else "nav"
    else:
        order = "nav"
    for pos in order + "xdrp":
        for cand in cands:
            if cand[0].pos == pos or (pos == "v" and cand[0].pos == "m"):
                return cand
    return cands[0]


def _phrase(lows: list[str], i: int) -> tuple[int, _Entry, str] | None:
    head = lows[i]
    if head not in _PHRASE_HEADS and not any(base in _PHRASE_HEADS for base, _ in _inflections(head)):
        if head not in EN_IRREGULAR or EN_IRREGULAR[head][0] not in _PHRASE_HEADS:
            return None
    for n in (4, 3, 2):
        key = tuple(lows[i : i + n])
        if len(key) < n:
            continue
        if key in _PHRASES:
            return n, _PHRASES[key], "base"
        for base, form in _inflections(key[-1]):
            entry = _PHRASES.get((*key[:-1], base))
            if entry and entry.pos == "n" and form == "pl":
                return n, entry, form
        for base, form in [*_inflections(key[0]), *([EN_IRREGULAR[key[0]]] if key[0] in EN_IRREGULAR else [])]:
            entry = _PHRASES.get((base, *key[1:]))
            if entry and entry.pos == "v" and _FORM_POS.get(form, "v") == "v":
                return n, entry, form
    return None


def _analyse(words: list[str], initial: bool, title: bool) -> list[_W]:
    lows = [w.lower().replace("’", "'") for w in words]
    proper = [
        w != "I"
        and lows[i] not in _CALENDAR
        and (
            bool(_NAME_SHAPE.search(w))
            or (len(w) > 1 and w.isupper())
            or (w[0].isupper() and not title and not (initial and i == 0))
            # A capitalised opener that is no English word at all is a name too: "Greenleaf Foods".
            or (w[0].isupper() and i == 0 and lows[i] not in _WORDS and not lexemes.known(lows[i]))
        )
        for i, w in enumerate(words)
    ]
    items: list[_W] = []
    i = 0
    while i < len(words):
        prev = next((w for w in reversed(items) if w.pos not in ("r",)), None)
        hit = None if proper[i] else _phrase(lows, i)
        if hit and not any(proper[i : i + hit[0]]):
            n, entry, form = hit
            items.append(_W(" ".join(lows[i : i + n]), entry.pos, entry, form))
            i += n
            continue
        cands = () if proper[i] else _candidates(lows[i])
        if lows[i] == "that" and cands:
            nxt_pos = {e.pos for e in _WORDS.get(lows[i + 1], [])} if i + 1 < len(words) else set()
            if prev and prev.pos in ("n", "raw"):
                want = "rel"
            else:
                want = "d" if nxt_pos & {"n", "a"} and not (prev and prev.pos in ("v", "m")) else "x"
            cands = tuple(c for c in cands if c[0].pos == want) or ((_THAT, "base"),)
        if not cands:
            # Only an English-looking word can be an untranslated one: "東京" is kept as it is.
            items.append(_W(words[i], "raw", unknown=not proper[i] and words[i].isascii()))
        else:
            entry, form = _choose(cands, prev, lows[i + 1] if i + 1 < len(words) else "")
            items.append(_W(lows[i], "r" if form == "ly" else entry.pos, entry, form))
        i += 1
    return items


# ---------------------------------------------------------------- syntax


def _prev_index(items: list[_W], i: int, skip: tuple[str, ...] = ("r", "neg")) -> int | None:
    for j in range(i - 1, -1, -1):
        if items[j].pos not in skip:
            return j
    return None


def _subject(items: list[_W], i: int, lang: str) -> str:
    for j in [*range(i - 1, -1, -1), *range(i + 1, min(i + 3, len(items)))]:
        w = items[j]
        if w.pos == "p" and (j < i or w.src in _PRONOUN_PERSON):
            person = _PRONOUN_PERSON.get(w.src, "3s")
            return _YOU[lang] if person == "you" else person
        if j > i:
            continue
        if w.pos == "n":
            return "3p" if w.form == "pl" or _noun_parts(w.field(lang))[2] else "3s"
        if w.pos == "raw" and w.src[:1].isupper():
            return "3s"
    return ""


def _verbs(items: list[_W], lang: str, initial: bool) -> None:
    for i, w in enumerate(items):
        if w.en != "do":
            continue
        for j in range(i + 1, min(i + 4, len(items))):
            main = items[j]
            if main.pos == "v" and main.form == "base":
                w.drop = True
                main.vf = "past" if w.form == "past" else _subject(items, i, lang) or "3s"
                break
            if main.pos not in ("neg", "p", "n", "d", "r"):
                break
    for i, w in enumerate(items):
        if w.pos not in ("v", "m") or w.vf or w.drop:
            continue
        p = _prev_index(items, i)
        prev = items[p] if p is not None else None
        if prev and prev.pos == "p" and p and items[p - 1].pos == "m":
            p, prev = p - 1, items[p - 1]  # question inversion: "can you give"
        person = {"3s": "3s", "1s": "1s"}.get(w.form) or _subject(items, i, lang) or ("3p" if w.form == "are" else "")
        earlier = next((items[j].vf for j in range(p or 0, -1, -1) if items[j].pos == "v" and items[j].vf), "")
        if prev and prev.src in ("to", "in order to"):
            w.vf = "inf"
            before = _prev_index(items, p or 0)
            kind = items[before] if before is not None else None
            if prev.src == "to" and kind and kind.pos in ("v", "m", "a"):
                prev.drop = lang != "de" or kind.en in ("want", "need", "would like")
            else:
                prev.entry = _PHRASES[("in", "order", "to")]
                w.prefix = "zu" if lang == "de" else ""
        elif w.form == "ger":
            if prev and prev.src == "by":
                prev.drop, w.vf, w.prefix = True, "ger", "en" if lang == "fr" else ""
            elif prev and prev.en == "be" and not prev.drop:
                prev.drop = True
                w.vf = prev.vf or {"3s": "3s", "1s": "1s"}.get(prev.form) or _subject(items, p or 0, lang) or "3s"
                w.neg = w.neg or prev.neg
            elif (prev and prev.pos == "n") or (
                not initial and all(items[k].pos == "r" for k in range(i)) and not any(x.en == "be" for x in items[i:])
            ):
                w.vf = "ger"  # participial clause: ", offering ..." / "farms producing ..."
            else:
                w.vf = "inf"
        elif w.form in ("ed", "part", "past"):
            if w.form != "past" and prev and prev.en in ("be", "have"):
                w.vf = "part"
            else:
                w.vf = "part" if w.form == "part" else "past"
        elif prev and prev.src in ("and", "or") and earlier and w.form == "base":
            w.vf = earlier
        elif prev and prev.pos == "m" and w.form == "base":
            w.vf = (_subject(items, p or 0, lang) or "3s") if prev.field(lang) == "-" else "inf"
        else:
            w.vf = person or ("inf" if w.form == "base" else "3s")
    for i, w in enumerate(items):
        if w.en == "have" and i + 1 < len(items) and items[i + 1].vf == "part" and lang == "es":
            w.entry = _Entry("have", "v", {**(w.entry.forms if w.entry else {}), "es": "haber;" + _ES_HABER})


def _negation(items: list[_W]) -> None:
    for i, w in enumerate(items):
        if w.pos != "neg":
            continue
        target = None
        p = _prev_index(items, i, skip=("r",))
        if p is not None and items[p].pos in ("v", "m") and not items[p].drop:
            target = p
        else:
            later = (j for j in range(i + 1, len(items)) if items[j].pos in ("v", "m") and not items[j].drop)
            target = next(later, None)
        if target is not None:
            items[target].neg = True
            w.drop = True


def _objects(items: list[_W], lang: str) -> None:
    if lang == "de":
        return
    for i, w in enumerate(items):
        if w.pos not in ("p", "o") or i == 0:
            continue
        prev = items[i - 1]
        if prev.pos == "v" and not prev.drop and prev.en not in ("be", "do"):
            form = w.field(lang).split("/")[1 if w.pos == "p" else 0]
            prev.clitic, w.drop = form, True


# ---------------------------------------------------------------- realisation


def _verb_text(w: _W, lang: str, items: list[_W], i: int) -> list[str]:
    person = w.vf if w.vf in _PERSONS else (_subject(items, i, lang) or "3s")
    text = _conj(w.field(lang), lang, w.vf, person)
    if not text:
        return []
    words = text.split()
    infinitive = w.vf == "inf"
    if w.clitic:
        if infinitive and lang in ("es", "it"):
            words[-1] = (words[-1][:-1] if lang == "it" else words[-1]) + w.clitic
        else:
            words.insert(0, w.clitic)
    if w.prefix:
        words.insert(0, w.prefix)
    if w.neg:
        if lang == "es":
            words.insert(0, "no")
        elif lang == "it":
            words.insert(0, "non")
        elif lang == "fr":
            words.insert(0, "ne")
            verb_at = 2 if w.clitic and not infinitive else 1
            words.insert(min(verb_at + 1, len(words)), "pas")
        else:
            words.insert(1, "nicht")
    return words


def _agreement(items: list[_W], i: int, lang: str) -> tuple[str, bool]:
    """Gender and number of the subject a predicative adjective or participle refers to."""
    for j in range(i - 1, -1, -1):
        w = items[j]
        if w.pos == "n":
            _, gender, plural = _noun(w, lang)
            return gender, plural
        if w.pos == "p":
            return ("f" if w.src == "she" else "m"), w.src in ("we", "they")
    verb = next((w.vf for w in items[:i] if w.pos in ("v", "m") and w.vf in _PERSONS), "3s")
    return "m", verb.endswith("p")


def _det(w: _W, lang: str, gender: str, plural: bool) -> str:
    forms = w.field(lang).split("/")
    if lang == "de":
        return forms[3 if plural else {"m": 0, "f": 1}.get(gender, 2)]
    return forms[(1 if gender == "f" else 0) + (2 if plural else 0)]


def _adv(w: _W, lang: str) -> str:
    return _adverb(w.field(lang), lang) if w.form == "ly" else w.field(lang)


_DE_COMPARATIVE = {
    "hoch": "höher",
    "groß": "größer",
    "stark": "stärker",
    "gut": "besser",
    "lang": "länger",
    "kurz": "kürzer",
}


def _adj_words(adverbs: list[_W], adj: _W, lang: str, gender: str, plural: bool, de_article: str) -> list[str]:
    field = adj.field(lang)
    advs = [_adv(a, lang) for a in adverbs if not a.drop]
    form = adj.form
    if lang == "de" and adverbs and adverbs[-1].en in ("more", "most"):
        advs, form = advs[:-1], "comp" if adverbs[-1].en == "more" else "sup"
    if form == "ly":
        return [*advs, _adverb(field, lang)]
    text = _adjective(field, lang, gender, plural, de_article)
    if form in ("comp", "sup"):
        if lang == "de":
            base = field.partition(":")[0]
            stem = _DE_COMPARATIVE.get(base, base + "er") if form == "comp" else base + "st"
            text = _adjective(stem, lang, gender, plural, de_article)
        else:
            advs.append({"es": "más", "fr": "plus", "it": "più"}[lang])
    return [*advs, text]


_Mod = tuple[list[_W], _W, _W | None]  # (adverbs, adjective, coordinating conjunction before it)


def _noun_phrase(dets: list[_W], mods: list[_Mod], nouns: list[_W], lang: str) -> list[str]:
    text, gender, plural = _noun(nouns[-1], lang)
    det_words = [_det(d, lang, gender, plural) for d in dets]
    if lang == "de":
        definite = dets and dets[-1].en in ("the", "this", "these", "that", "those", "each", "every")
        kind = "def" if definite else "indef" if dets else ""
        prefix = ""
        adjs: list[str] = []
        for advs, adj, conj in mods:
            if adj.field(lang).startswith("~"):
                prefix += adj.field(lang)[1:]
            else:
                adjs += ([conj.field(lang)] if conj else []) + _adj_words(advs, adj, lang, gender, plural, kind)
        compound = prefix
        for part in [_noun(n, lang)[0] for n in nouns[:-1]] + [text]:
            link = "s" if compound.endswith(("ung", "heit", "keit", "ion", "tät", "schaft")) else ""
            if compound:
                part = part if compound.endswith("-") else part[0].lower() + part[1:]
            compound += link + part
        return [w for w in det_words if w != "-"] + adjs + [compound]
    pre: list[str] = []
    post: list[str] = []
    target = post
    for advs, adj, conj in mods:
        if conj is None:
            target = pre if adj.field(lang).startswith("<") and adj.form == "base" and not advs else post
        target += ([conj.field(lang)] if conj else []) + _adj_words(advs, adj, lang, gender, plural, "")
    linked: list[str] = []
    for n in reversed(nouns[:-1]):
        linked += ["di" if lang == "it" else "de", _noun(n, lang)[0]]
    return det_words + pre + [text] + post + linked


_DEMONSTRATIVES = {"this": "esto cela dies questo", "that": "eso cela das quello"}
_PLURAL_DETS = frozenset({"many", "these", "those", "several", "all"})


def _word(w: _W, items: list[_W], i: int, lang: str) -> list[str]:
    """Realise one item that is not part of a noun phrase."""
    after_prep = i > 0 and items[i - 1].src in _PREPOSITIONS | {"to"}
    if w.pos in ("v", "m"):
        words = _verb_text(w, lang, items, i)
        if w.vf == "part" and lang != "de" and len(words) == 1 and i and items[i - 1].en == "be":
            words = [_adjective(words[0], lang, *_agreement(items, i, lang))]
        return words
    if w.pos in ("p", "o"):
        forms = w.field(lang).split("/")
        return [forms[-1] if after_prep else forms[0]]
    if w.pos == "rel":
        forms = w.field(lang).split("/")
        if len(forms) == 4:
            gender, plural = _agreement(items, i, lang)
            return [forms[3 if plural else {"m": 0, "f": 1}.get(gender, 2)]]
        return [forms[0]]
    if w.pos == "d":
        if w.en in _DEMONSTRATIVES:
            return [_DEMONSTRATIVES[w.en].split()[_LANGS.index(lang)]]
        text = _det(w, lang, "m", w.en in _PLURAL_DETS)
        return [] if w.en == "both" else [re.sub(r" (?:de|di)$", "", text)]
    if w.pos == "a":
        return _adj_words([], w, lang, "m", False, "pred")
    if w.pos == "raw":
        return [f"[{w.src}]" if w.unknown else w.src]
    return [_adv(w, lang)] if w.pos == "r" else [w.field(lang)]


def _realise(items: list[_W], lang: str, initial: bool) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(items):
        w = items[i]
        if w.drop:
            i += 1
            continue
        if w.pos in ("d", "a", "r", "n"):
            j = i
            dets: list[_W] = []
            mods: list[_Mod] = []
            nouns: list[_W] = []
            while j < len(items) and items[j].pos == "d":
                dets.append(items[j])
                j += 1
            while True:
                k, advs, conj = j, [], None
                if mods and k + 1 < len(items) and items[k].src in ("and", "or"):
                    conj, k = items[k], k + 1
                while k < len(items) and items[k].pos == "r":
                    advs.append(items[k])
                    k += 1
                if k < len(items) and items[k].pos == "a":
                    mods.append((advs, items[k], conj))
                    j = k + 1
                else:
                    break
            while j < len(items) and items[j].pos == "n":
                nouns.append(items[j])
                j += 1
            if nouns:
                if initial and not dets and not out and lang != "de":
                    dets = [_W("the", "d", _WORDS["the"][0])]  # Romance languages need an article on generic subjects
                out += _noun_phrase(dets, mods, nouns, lang)
                i = j
                continue
            if mods and not dets:
                gender, plural = _agreement(items, i, lang)
                for advs, adj, conj in mods:
                    out += ([conj.field(lang)] if conj else []) + _adj_words(advs, adj, lang, gender, plural, "pred")
                i = j
                continue
        out += _word(w, items, i, lang)
        i += 1
    return [part for chunk in out for part in chunk.split(" ") if part and part != "-"]


_IT_LO = re.compile(r"s[^aeiou]|z|gn|ps")  # Italian "lo"/"gli" before s+consonant, z, gn, ps
_IT_PREP = {"di": "de", "a": "a", "da": "da", "in": "ne", "su": "su"}
_IT_ART = {"il": "l", "lo": "llo", "la": "lla", "i": "i", "gli": "gli", "le": "lle", "l'": "ll'"}


def _polish(words: list[str], lang: str) -> list[str]:
    """Apply elision and preposition-article contractions."""
    out: list[str] = []
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        low = word.lower()
        if lang == "fr" and low in {"le", "la", "de", "ne", "je", "que", "me"} and nxt.startswith(_VOWEL):
            word = word[:-1] + "'"
        elif lang == "it":
            if low in {"il", "la", "lo"} and nxt.startswith(_VOWEL[:5]):
                word = word[0] + "'" if word[0] == "L" else "l'"
            elif low == "il" and _IT_LO.match(nxt):
                word = "lo"
            elif low == "i" and (nxt.startswith(_VOWEL[:5]) or _IT_LO.match(nxt)):
                word = "gli"
        if out:
            pair = (out[-1].lower(), word.lower())
            merged = {
                "es": {("de", "el"): "del", ("a", "el"): "al"},
                "fr": {("de", "le"): "du", ("de", "les"): "des", ("à", "le"): "au", ("à", "les"): "aux"},
            }.get(lang, {}).get(pair)
            if lang == "it" and pair[0] in _IT_PREP and pair[1] in _IT_ART:
                merged = _IT_PREP[pair[0]] + _IT_ART[pair[1]]
            if merged:
                out[-1] = merged if out[-1][0].islower() else merged.capitalize()
                continue
        out.append(word)
    return out


def _translate_run(words: list[str], lang: str, initial: bool, title: bool, missing: list[str]) -> str:
    items = _analyse(words, initial, title)
    missing += [w.src for w in items if w.unknown and w.src.lower() not in (m.lower() for m in missing)]
    _verbs(items, lang, initial or title)
    _negation(items)
    _objects(items, lang)
    out = _polish(_realise(items, lang, initial and not title), lang)
    text = ""
    for word in out:
        text += word if not text or text.endswith("'") else " " + word
    if text and initial and words[0][:1].isupper():
        upper = 1 if text.startswith("[") else 0
        text = text[:upper] + text[upper].upper() + text[upper + 1 :]
    return text


_CONTRACTIONS = [
    (re.compile(p, re.IGNORECASE), r)
    for p, r in (
        (r"\b(can)['’]t\b|\b(can)not\b", r"\1\2 not"),
        (r"\b(w)on['’]t\b", r"\1ill not"),
        (r"(?<=\w)n['’]t\b", " not"),
        (r"\b(i)['’]m\b", r"\1 am"),
        (r"(?<=\w)['’]re\b", " are"),
        (r"(?<=\w)['’]ve\b", " have"),
        (r"(?<=\w)['’]ll\b", " will"),
        (r"(?<=\w)['’]d like\b", " would like"),
        (r"\b(it|that|there|what|he|she|who|where|here)['’]s\b", r"\1 is"),
    )
]
_PIECE = re.compile(r"[^\W\d_]+(?:['’\-][^\W_]+)*|[ \t]+|\n|.", re.DOTALL)


def _translate_line(line: str, lang: str, missing: list[str]) -> str:
    """Translate one line run by run; punctuation, digits and spacing between runs are copied verbatim."""
    alpha = re.findall(r"[^\W\d_]+", line)
    capitalised = sum(w[0].isupper() for w in alpha)
    title = len(alpha) >= 3 and capitalised >= 0.6 * len(alpha) and not line.rstrip().endswith(".")
    result: list[str] = []
    run: list[str] = []
    initial = True
    space = ""
    for piece in [*_PIECE.findall(line), "\x00"]:
        if piece[0].isalpha() and run and space:
            run.append(piece)
            space = ""
            continue
        if piece[0].isspace() and run:
            space = piece
            continue
        if run:
            result.append(_translate_run(run, lang, initial, title, missing))
            run, initial = [], False
        if piece[0].isalpha():
            result.append(space)
            run = [piece]
        elif piece != "\x00":
            result.append(space + piece)
            initial = initial or piece in ".!?:"
        space = "" if piece != "\x00" else space
    return "".join(result) + space


# The closing line that lists the words left in English, in the target language.
_MISSING_NOTE = {
    "es": "Sin traducir (en inglés): {}",
    "fr": "Non traduit (en anglais) : {}",
    "de": "Nicht übersetzt (Englisch): {}",
    "it": "Non tradotto (in inglese): {}",
}


def translate(text: str, language: str) -> str:
    """Translate English text phrase by phrase into a supported language, marking every word left in English.

    Names, numbers and punctuation are kept as written; a word outside the lexicon is kept in
    square brackets and listed in a closing line, so no English word passes for a translation.
    """
    key = language.strip().lower()
    lang = SUPPORTED_LANGUAGES.get(key) or (key if key in SUPPORTED_LANGUAGES.values() else None)
    if lang is None:
        names = ", ".join(f"{name.title()} ({code})" for name, code in SUPPORTED_LANGUAGES.items())
        raise UnsupportedLanguage(f"unsupported language {language!r}; supported: {names}")
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    missing: list[str] = []
    out = "\n".join(_translate_line(line, lang, missing) for line in text.split("\n"))
    if missing:
        out += "\n\n" + _MISSING_NOTE[lang].format(", ".join(missing))
    return out
