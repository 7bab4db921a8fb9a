"""State of the FAQ chain: questions about sources, each answered and attributed by a worker of its own."""

from __future__ import annotations

import operator
from typing import Annotated

from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from state.ledger import documented
from state.run import RequestKeys, RunOutput


@documented
class Source(TypedDict):
    """A source document."""

    title: str
    """Its title, distinct among the sources; answers cite it."""
    content: str
    """Its text."""


@documented
class FaqEntry(TypedDict):
    """One question, its answer from the sources, and the source titles it used."""

    question: str
    """The question."""
    answer: str
    """The answer, or a sentence saying the sources do not answer it."""
    answerable: bool
    """False when the sources do not answer the question."""
    sources: list[str]
    """Titles of the sources the answer used, in source order."""


@documented
class FaqInput(TypedDict):
    """Source documents and how many questions to write."""

    sources: list[Source]
    """The documents to write the FAQ from."""
    num_questions: int
    """How many questions to write, 1 to 50."""


@documented
class FaqOutput(RunOutput):
    """The FAQ, in question order, and the calls that made it."""

    questions: list[str]
    """The questions written about the sources."""
    faq: list[FaqEntry]
    """Each question with its answer and cited sources, in question order."""
    shortfall: str
    """Why the FAQ has fewer questions than asked (short sources), or empty."""


@documented
class FaqState(FaqInput, FaqOutput, RequestKeys, total=False):
    """Working state of the FAQ graph; `answers` is written concurrently, one entry per question."""

    answers: Annotated[list[tuple[int, FaqEntry]], operator.add]
    """(question index, entry) from each answering worker; appended, cleared by intake."""


@documented
class QuestionTask(TypedDict):
    """What one FAQ worker receives through Send."""

    index: int
    """The question's position."""
    question: str
    """The question to answer."""
    sources: list[Source]
    """The sources to answer from: all, or the most relevant ones within faq_context_chars."""
    request_id: str
    """The request the question belongs to (its budget)."""


class QuestionList(BaseModel):
    """Distinct questions a reader might ask about the sources."""

    questions: list[str] = Field(description="Distinct, self-contained questions.")


class Answer(BaseModel):
    """An answer that uses only the sources, or says they do not answer the question."""

    answerable: bool = Field(description="False when the sources do not contain the answer.")
    answer: str = Field(description="The concise answer, or a sentence saying the sources do not say.")


class Attribution(BaseModel):
    """The titles of the sources an answer used."""

    sources: list[str] = Field(description="Exact titles of the source documents used.")
