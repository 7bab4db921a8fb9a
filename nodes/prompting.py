"""Versioned prompt templates that keep user text in delimited user messages."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage


class PromptError(KeyError):
    """A template was rendered with missing or unexpected variables."""


@dataclass(frozen=True)
class Prompt:
    """A system instruction plus a user template whose variables sit inside XML-style tags."""

    name: str
    version: str
    system: str
    user: str
    variables: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        # Only the user template is formatted: the system text is sent as written.
        names = {f for _, f, _, _ in string.Formatter().parse(self.user) if f}
        object.__setattr__(self, "variables", frozenset(names))

    @property
    def key(self) -> str:
        """Return the name and version, for cache keys and traces."""
        return f"{self.name}@{self.version}"

    def render(self, **values: object) -> list[BaseMessage]:
        """Return the messages for these values; a missing or unknown variable raises."""
        missing = self.variables - values.keys()
        extra = values.keys() - self.variables
        if missing or extra:
            raise PromptError(f"prompt {self.key}: missing {sorted(missing)}, unexpected {sorted(extra)}")
        tags = set(re.findall(r"</?([a-z_]+)[^>]*>", self.user))
        safe = {name: _neutralise(str(value), tags) for name, value in values.items()}
        return [SystemMessage(content=self.system), HumanMessage(content=self.user.format(**safe))]


def _neutralise(text: str, tags: set[str]) -> str:
    # User text must not be able to close our delimiters and speak outside them.
    for tag in tags:
        text = re.sub(rf"<(/?)\s*{tag}\b", r"&lt;\1" + tag, text, flags=re.IGNORECASE)
    return text
