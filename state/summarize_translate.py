"""State of the summarise -> translate chain."""

from __future__ import annotations

from typing_extensions import TypedDict

from state.ledger import documented
from state.run import RequestKeys, RunOutput


@documented
class SummarizeTranslateInput(TypedDict):
    """A text and the language its summary should be translated into."""

    text: str
    """The text to summarise."""
    target_language: str
    """The language to translate the summary into, e.g. Spanish."""


@documented
class SummarizeTranslateOutput(RunOutput):
    """The summary, its translation, and the calls that made them."""

    summary: str
    """A summary of at most three sentences."""
    translation: str
    """The summary in the target language."""
    target_language: str
    """The language of the translation."""


@documented
class SummarizeTranslateState(SummarizeTranslateInput, SummarizeTranslateOutput, RequestKeys, total=False):
    """Working state of summarize_translate."""
