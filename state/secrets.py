"""Keep secrets out of what we print and write: provider errors may echo a request's headers."""

from __future__ import annotations

import os
import re

_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD)$", re.IGNORECASE)
# Bearer tokens, OpenAI-style keys, and the password of a URL's user info (postgresql://u:pw@h).
_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{6,}"),
    re.compile(r"\b(sk-)[A-Za-z0-9_-]{8,}"),
    re.compile(r"(?i)((?:api[-_]?key|authorization|x-api-key)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]{6,}"),
    re.compile(r"(://[^/\s:@]*:)[^@\s/]+(@)"),
)
HIDDEN = "***"


def _secret_values() -> list[str]:
    values = {value for name, value in os.environ.items() if _SECRET_NAME.search(name) and len(value) >= 6}
    return sorted(values, key=len, reverse=True)


def redact(text: str) -> str:
    """Return `text` with every secret it may hold replaced by ***.

    The values of environment variables named like secrets (…_KEY, …_TOKEN, …_SECRET,
    …_PASSWORD), bearer tokens, sk- keys, `api_key=` / `Authorization:` values and URL passwords.
    """
    for value in _secret_values():
        if value in text:
            text = text.replace(value, HIDDEN)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + HIDDEN + (m.group(2) if m.re.groups > 1 else ""), text)
    return text
