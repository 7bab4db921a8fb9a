"""Input checks every graph runs before its first model call, and what a command line adds to a text."""

from __future__ import annotations

from dataclasses import dataclass


class InputError(ValueError):
    """The caller's input cannot be processed; the message says why and what to change."""


def require_text(value: object, name: str, max_chars: int) -> str:
    """Return `value` stripped, or raise InputError if it is not usable text."""
    if not isinstance(value, str):
        raise InputError(f"{name} must be text, not {type(value).__name__}")
    text = value.strip()
    if not text:
        raise InputError(f"{name} is empty")
    if len(text) > max_chars:
        raise InputError(f"{name} is {len(text):,} characters; the limit is {max_chars:,} (setting max_input_chars)")
    if not any(ch.isalnum() for ch in text):
        raise InputError(f"{name} has no words in it")
    return text


@dataclass(frozen=True)
class TextOptions:
    """What the command line may add to a text to make a graph's input (graphs.spec.GraphSpec.from_text)."""

    language: str = "Spanish"
    questions: int = 10
    source_title: str = "Input"
    task: str = "an executive summary in at most 60 words"
