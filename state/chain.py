"""State of the chain graphs: summarise -> translate, and the FAQ chain."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

from pydantic import BaseModel, Field

from state.ledger import ModelCall


class SummarizeTranslateInput(TypedDict):
    """A text and the language its summary should be translated into."""

    text: str
    target_language: str


class SummarizeTranslateOutput(TypedDict):
    """The summary, its translation, and the calls that made them."""

    summary: str
    translation: str
    target_language: str
    ledger: list[ModelCall]


class SummarizeTranslateState(SummarizeTranslateInput, total=False):
    """Working state of summarize_translate."""

    summary: str
    translation: str
    ledger: Annotated[list[ModelCall], operator.add]


class Source(TypedDict):
    """A source document."""

    title: str
    content: str


class FaqEntry(TypedDict):
    """One question, its answer from the sources, and the source titles it used."""

    question: str
    answer: str
    answerable: bool
    sources: list[str]


class FaqInput(TypedDict):
    """Source documents and how many questions to write."""

    sources: list[Source]
    num_questions: int


class FaqOutput(TypedDict):
    """The FAQ, in question order, and the calls that made it."""

    questions: list[str]
    faq: list[FaqEntry]
    ledger: list[ModelCall]


class FaqState(FaqInput, total=False):
    """Working state of the FAQ graph; `answers` is written concurrently, one entry per question."""

    questions: list[str]
    answers: Annotated[list[tuple[int, FaqEntry]], operator.add]
    faq: list[FaqEntry]
    ledger: Annotated[list[ModelCall], operator.add]


class QuestionTask(TypedDict):
    """What one FAQ worker receives through Send."""

    index: int
    question: str
    sources: list[Source]


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
