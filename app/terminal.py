"""Text from a run, made safe to print: no escape sequences, NULs or bidi overrides reach the terminal.

Model output and user input are data. Printed raw, an ESC sequence can rewrite the screen or
the window title, and a right-to-left override can make `rm -rf ~` read as something else.
Every string the CLI prints passes through `printable`; JSON output stays exact but escapes the
same characters, which JSON parsers turn back into the original text.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls but tab and newline, DEL and C1 controls, and the Unicode bidi controls
# (LRM/RLM, ALM, embeddings/overrides U+202A-E, isolates U+2066-9).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """Return `text` as a string with every unsafe character shown as its escape (ESC as backslash-x1b)."""
    return _UNSAFE.sub(_escape, str(text))


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def safe_json(value: Any) -> str:
    """Return `value` as indented JSON with unsafe characters as unicode escapes (same value when parsed)."""
    return _UNSAFE.sub(_json_escape, json.dumps(value, indent=2, ensure_ascii=False, default=str))
