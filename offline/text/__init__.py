"""Pure, deterministic text functions behind the offline engine."""

from offline.text.analyze import entities, sentiment
from offline.text.basics import keywords, sentences, tokens
from offline.text.faq import answer_question, attribute
from offline.text.findings import cue_sentences
from offline.text.injections import strip_injections
from offline.text.intents import classify_intent
from offline.text.phrases import topics
from offline.text.questions import generate_questions
from offline.text.summarize import summarize
from offline.text.support import extract_concern, extract_support_tasks
from offline.text.translate import SUPPORTED_LANGUAGES, UnsupportedLanguage, translate

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
