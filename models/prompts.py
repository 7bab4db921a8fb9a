"""Versioned prompt templates that keep user text in delimited user messages, and parse it back out.

A prompt renders its variables into XML-style tags of the user message. `parse` is the exact
inverse of `render`: it is the declared contract between a stage and anything that reads its
prompt (the offline engine, the semantic cache), so a change to a template cannot silently break
them; `render` then `parse` gives back every value, whatever text the user sent.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage


class PromptError(KeyError):
    """A template was rendered with missing or unexpected variables, or a message is not its rendering."""


@dataclass(frozen=True)
class Prompt:
    """A system instruction plus a user template whose variables sit inside XML-style tags."""

    name: str
    version: str
    system: str
    user: str
    variables: frozenset[str] = field(init=False)
    _tags: frozenset[str] = field(init=False, repr=False)
    _pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Only the user template is formatted: the system text is sent as written.
        parts = list(string.Formatter().parse(self.user))
        names = [f for _, f, _, _ in parts if f]
        object.__setattr__(self, "variables", frozenset(names))
        object.__setattr__(self, "_tags", frozenset(re.findall(r"</?([a-z_]+)[^>]*>", self.user)))
        # The template itself as a pattern: literal text escaped, each {name} a lazy group.
        regex = "".join(re.escape(lit) + (f"(?P<{f}>.*?)" if f else "") for lit, f, _, _ in parts)
        object.__setattr__(self, "_pattern", re.compile(rf"\A{regex}\Z", re.DOTALL))

    @property
    def key(self) -> str:
        """Return the name and version, for traces and the ledger."""
        return f"{self.name}@{self.version}"

    @property
    def fingerprint(self) -> str:
        """Return the name, version and a digest of the templates: an edited text is another prompt."""
        text = hashlib.sha256(f"{self.system}\0{self.user}".encode()).hexdigest()[:12]
        return f"{self.key}:{text}"

    def render(self, **values: object) -> list[BaseMessage]:
        """Return the messages for these values; a missing or unknown variable raises."""
        missing = self.variables - values.keys()
        extra = values.keys() - self.variables
        if missing or extra:
            raise PromptError(f"prompt {self.key}: missing {sorted(missing)}, unexpected {sorted(extra)}")
        safe = {name: _neutralise(str(value), self._tags) for name, value in values.items()}
        return [SystemMessage(content=self.system), HumanMessage(content=self.user.format(**safe))]

    def parse(self, messages: Sequence[BaseMessage]) -> dict[str, str]:
        """Return the values this prompt was rendered with, from its messages (re-asks appended are ignored)."""
        users = [m.text for m in messages if isinstance(m, HumanMessage)]
        if not users:
            raise PromptError(f"prompt {self.key}: no user message to parse")
        # Re-asks append corrections after the original request: the request is the first user turn.
        match = self._pattern.match(users[0])
        if match is None:
            raise PromptError(f"prompt {self.key}: the user message is not a rendering of this prompt")
        return {name: _restore(value, self._tags) for name, value in match.groupdict().items()}


def as_json(value: Any) -> str:
    """Render data for a prompt as indented JSON, keeping non-ASCII text as it is.

    json.dumps escapes every non-ASCII character (as a six-character escape) by default,
    so a 60,000-character Russian source became 360,000 characters of prompt.
    """
    return json.dumps(value, indent=1, ensure_ascii=False)


# User text must not be able to close our delimiters and speak outside them: the "<" of "<tag" and
# "</tag" becomes "&lt;". So that the escape can be undone exactly, an "&" the user wrote before
# "lt;" or "amp;" is escaped first (and nothing else of theirs is touched).
_AMP = re.compile(r"&(?=lt;|amp;)")
_AMP_BACK = re.compile(r"&amp;(?=lt;|amp;)")


def _neutralise(text: str, tags: frozenset[str]) -> str:
    text = _AMP.sub("&amp;", text)
    for tag in tags:
        text = re.sub(rf"<(?=/?\s*{tag}\b)", "&lt;", text, flags=re.IGNORECASE)
    return text


def _restore(text: str, tags: frozenset[str]) -> str:
    for tag in tags:
        text = re.sub(rf"&lt;(?=/?\s*{tag}\b)", "<", text, flags=re.IGNORECASE)
    return _AMP_BACK.sub("&", text)
