"""Pure, deterministic text functions behind the offline engine.

Each function's module is imported the first time the function is used: a router run needs the
intent classifier, not the translator's lexicon, the FAQ answerer or the entity tagger.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Imported now, being light: each shares its name with its module, and the first import of a
# module binds the module to that name here, over a function this package had not yet loaded.
from offline.text.summarize import summarize
from offline.text.translate import SUPPORTED_LANGUAGES, UnsupportedLanguage, translate

if TYPE_CHECKING:
    from offline.text.analyze import entities, sentiment
    from offline.text.basics import keywords, sentences, tokens
    from offline.text.faq import answer_question, attribute
    from offline.text.findings import cue_sentences
    from offline.text.injections import strip_injections
    from offline.text.intents import classify_intent
    from offline.text.phrases import topics
    from offline.text.questions import generate_questions
    from offline.text.support import extract_concern, extract_support_tasks

# Name -> the module of offline.text that defines it (imported above for the type checker only).
_MODULE_OF = {
    "answer_question": "faq",
    "attribute": "faq",
    "classify_intent": "intents",
    "cue_sentences": "findings",
    "entities": "analyze",
    "extract_concern": "support",
    "extract_support_tasks": "support",
    "generate_questions": "questions",
    "keywords": "basics",
    "sentences": "basics",
    "sentiment": "analyze",
    "strip_injections": "injections",
    "tokens": "basics",
    "topics": "phrases",
}

__all__ = [
    "SUPPORTED_LANGUAGES",
    "UnsupportedLanguage",
    "answer_question",
    "attribute",
    "classify_intent",
    "cue_sentences",
    "entities",
    "extract_concern",
    "extract_support_tasks",
    "generate_questions",
    "keywords",
    "sentences",
    "sentiment",
    "strip_injections",
    "summarize",
    "tokens",
    "topics",
    "translate",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:  # a submodule (`from offline.text import embed`) is then imported as usual
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value
