"""Keep secrets out of what we print and write: provider errors may echo a request's headers.

`redact` hides every credential form a provider's error, a URL or a client library may show:

    Authorization: Bearer sk-...        the token          (and any `authorization:` value)
    Authorization: Basic dXNlcjpwdw==   the encoded pair   (sent for a URL's user:password)
    https://user:password@host          the password       (and a lone user, often a token)
    ?api_key=...&sig=...                the value of a credential-named query key
    sk-..., the values of *_KEY, *_TOKEN, *_SECRET, *_PASSWORD variables, and the password of
    any URL a variable holds, plain or encoded as a Basic pair
"""

from __future__ import annotations

import base64
import os
import re
from urllib.parse import unquote, urlsplit

_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$", re.IGNORECASE)
_CREDENTIAL_KEY = r"(?:api[-_]?key|access[-_]?token|auth[-_]?token|token|key|secret|password|passwd|pwd|sig|signature)"
_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{6,}"),
    re.compile(r"(?i)(basic\s+)[A-Za-z0-9+/=_-]{6,}"),
    re.compile(r"\b(sk-)[A-Za-z0-9_-]{8,}"),
    re.compile(
        r"(?i)((?:api[-_]?key|authorization|x-api-key)[\"']?\s*[:=]\s*[\"']?)(?!(?:bearer|basic)\s)[^\s\"',}&]{6,}"
    ),
    # user:password@ in a URL: the password; a lone user@ (often a token): the user
    re.compile(r"(://[^/\s:@]*:)[^@\s/]+(@)"),
    re.compile(r"(://)[^/\s:@]{12,}(@)"),
    # ?api_key=...&sig=... in a URL
    re.compile(rf"(?i)([?&]{_CREDENTIAL_KEY}=)[^&\s\"'#]+"),
)
HIDDEN = "***"


def _url_secrets(value: str) -> set[str]:
    """The password of a URL (plain, and as the Basic pair a client sends for it)."""
    if "://" not in value or "@" not in value:
        return set()
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return set()
    if not parts.password:
        return set()
    user, password = unquote(parts.username or ""), unquote(parts.password)
    pair = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {password, pair} if len(password) >= 4 else {pair}


def _secret_values() -> list[str]:
    values = {value for name, value in os.environ.items() if _SECRET_NAME.search(name) and len(value) >= 6}
    for value in os.environ.values():
        values |= _url_secrets(value)
    return sorted(values, key=len, reverse=True)


def redact(text: str) -> str:
    """Return `text` with every secret it may hold replaced by ***."""
    for value in _secret_values():
        if value in text:
            text = text.replace(value, HIDDEN)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + HIDDEN + (m.group(2) if m.re.groups > 1 else ""), text)
    return text
