"""Which parts of speech an English word can be, its lemma and its inflections, from LemmInflect.

LemmInflect's wheel ships two gzip tables (about 600 KB, built from the NIH SPECIALIST lexicon):
word -> lemma per universal part of speech, and lemma -> Penn Treebank forms. So "tells" is only
a verb form (VBZ of "tell"), "rounds" a plural noun or a verb, "between" an adverb or preposition
and never a participle, "worn" the VBN of "wear". The tables list possibilities, not
probabilities: "clean" is ADJ, ADV, NOUN and VERB at once, and the caller decides by position.
A word the tables do not know ("fridge", "bannetons") is taken for a noun, the open class.

Reading the tables costs about 0.6 s of CPU, on the first lookup of a process (the engine does its
work in a worker thread, never on the event loop); after that every lookup is a dict hit. Whether
a word is known at all (all the router asks) is read from the lemma table's word column alone, in
a tenth of that, without importing LemmInflect.
"""

from __future__ import annotations

import gzip
import importlib.util
import threading
from functools import cache, lru_cache
from pathlib import Path

_lock = threading.Lock()
_loaded: list[bool] = []

# Penn tags this module answers with: NN NNS (nouns), JJ (adjectives), RB (adverbs), and the verb
# forms VB (base), VBP (present, not 3rd singular), VBZ (3rd singular), VBD (past), VBN (past
# participle), VBG (gerund or present participle).
VERB_FORMS = frozenset({"VB", "VBP", "VBZ", "VBD", "VBN", "VBG"})


def load() -> None:
    """Read LemmInflect's tables now (a no-op once done)."""
    if not _loaded:
        with _lock:
            if not _loaded:
                import lemminflect

                lemminflect.getAllLemmas("load")
                lemminflect.getAllInflections("load")
                _loaded.append(True)


# The tables hold open-class words only: function words get their own tag here, so that an
# unknown word can safely be taken for a noun.
_FUNCTION_WORDS: dict[str, str] = {
    **dict.fromkeys(
        "the a an this these that those my your our their its his her each every some any all both no either"
        " neither another such".split(),
        "DT",
    ),
    **dict.fromkeys(
        "of in on at for with from by to into onto over under between through during after before around about"
        " against without within near across along behind beyond toward towards per via upon than like as"
        " despite except inside outside beside besides beneath below above throughout".split(),
        "IN",
    ),
    **dict.fromkeys("and or but nor yet so".split(), "CC"),
    **dict.fromkeys("i you he she it we they me him us them one".split(), "PRP"),
    **dict.fromkeys("who whom whose which what where when why how whether if because while".split(), "WH"),
    **dict.fromkeys("can could may might must shall should will would".split(), "MD"),
    **dict.fromkeys("not never".split(), "RB"),
}


@lru_cache(maxsize=65536)
def tags(word: str) -> frozenset[str]:
    """Return the Penn tags a lowercase word can carry; {"NN"} for a word the tables do not know."""
    import lemminflect

    if word in _FUNCTION_WORDS:
        return frozenset({_FUNCTION_WORDS[word]})
    load()
    out: set[str] = set()
    for upos, lemmas in lemminflect.getAllLemmas(word).items():
        if upos in ("NOUN", "PROPN"):
            out.update("NN" if word == lemma else "NNS" for lemma in lemmas)
        elif upos == "ADJ":
            out.add("JJ")
        elif upos == "ADV":
            out.add("RB")
        elif upos in ("VERB", "AUX"):
            for lemma in lemmas:
                forms = lemminflect.getAllInflections(lemma, upos="VERB")
                found = {tag for tag, spelled in forms.items() if word in spelled}
                if "VBD" in found and "VBN" not in forms:
                    found.add("VBN")  # a regular verb's table lists its -ed form once, as VBD
                out.update(found or {"VB"})
    return frozenset(out) if out else _shape(word)


def _shape(word: str) -> frozenset[str]:
    """Guess the tags of a word the tables do not know from its ending ("sieved", "bannetons")."""
    if word.endswith("ly") and len(word) > 4:
        return frozenset({"RB"})
    if word.endswith("ed") and len(word) > 4:
        return frozenset({"VBD", "VBN", "JJ"})
    if word.endswith("ing") and len(word) > 5:
        return frozenset({"VBG", "NN"})
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return frozenset({"NNS"})
    return frozenset({"NN"})


def known(word: str) -> bool:
    """Tell whether the tables know the word at all (as LemmInflect's getAllLemmas, which looks it up lower-cased)."""
    return word.lower() in _words()


@cache
def _words() -> frozenset[str]:
    """The words of LemmInflect's lemma table and of its overrides: the first column of each line."""
    spec = importlib.util.find_spec("lemminflect")
    folder = Path(next(iter(spec.submodule_search_locations or []))) / "resources" if spec else Path()
    with gzip.open(folder / "lemma_lu.csv.gz", "rt", encoding="utf-8") as table:
        words = {line.partition(",")[0] for line in table}
    overrides = (folder / "lemma_overrides.csv").read_text(encoding="utf-8").splitlines()
    words.update(line.partition(",")[0] for line in overrides if line.strip() and not line.startswith("#"))
    return frozenset(words)


@lru_cache(maxsize=65536)
def base_verb(word: str) -> str | None:
    """Return the base form of a verb form ("steals" -> "steal", "has" -> "have"), or None."""
    import lemminflect

    load()
    lemmas = lemminflect.getAllLemmas(word, upos="VERB").get("VERB") or lemminflect.getAllLemmas(word, upos="AUX").get(
        "AUX"
    )
    return str(lemmas[0]) if lemmas else None


def is_noun(word: str) -> bool:
    """Tell whether a lowercase word can head a noun phrase."""
    return bool(tags(word) & {"NN", "NNS"})


def is_only_verb(word: str) -> bool:
    """Tell whether every reading of the word is a verb form ("tells", "develops", "removed")."""
    found = tags(word)
    return bool(found) and found <= VERB_FORMS
