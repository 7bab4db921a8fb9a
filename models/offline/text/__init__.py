"""Pure, deterministic text functions behind the offline engine."""

from models.offline.text.analyze import entities, sentiment
from models.offline.text.basics import keywords, sentences, tokens
from models.offline.text.faq import answer_question, attribute
from models.offline.text.findings import cue_sentences
from models.offline.text.injections import strip_injections
from models.offline.text.intents import classify_intent
from models.offline.text.phrases import topics
from models.offline.text.questions import generate_questions
from models.offline.text.summarize import summarize
from models.offline.text.support import extract_concern, extract_support_tasks
from models.offline.text.translate import SUPPORTED_LANGUAGES, UnsupportedLanguage, translate

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
