"""Masking NoEcho values: the secrets this process has seen, and their forms that can be
found in text cheaply (the value itself, its base64, JSON and URL escapes, the long pieces
of it split on one of its characters), replaced by the mask wherever text goes out: events, failure
reasons, plans, errors, tracebacks.

The engine registers the NoEcho values of the stacks it works on; the CLI registers the
values it reads for NoEcho parameters (flags, files, prompts). Masks are kept per process
(`registry`), and a `Masker` can also be built for one stack's values alone. What is not
covered is listed in docs/security.md (e.g. base64 of a string that only contains the
secret at an offset, hashes, pieces shorter than `MIN_PIECE` / `MIN_ODD_PIECE`).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

MASK = "****"  # the same text as contract.NO_ECHO_MASK
MIN_SECRET = 7  # shorter values are masked only where a whole string equals them (a long-running
# process registers many stacks' values: a NoEcho value "String" must not mask the word everywhere)
MIN_PIECE = 6  # pieces of a secret split on a common separator shorter than this are not searched for
MIN_ODD_PIECE = 8  # the same, split on any other character
SEPARATORS = ",;:|/ \t\n-_.@=+&"
MAX_SPLIT_SEARCH = 256  # longer values are searched for split on SEPARATORS only


def forms(value: str) -> set[str]:
    """The texts that show `value`: itself, its base64 (with and without padding), its JSON
    and URL escapes, and its pieces when split on any one of its characters."""
    if len(value) < MIN_SECRET:
        return set()
    out = {value}
    raw = value.encode("utf-8", "surrogatepass")
    b64 = base64.b64encode(raw).decode()
    out |= {b64, b64.rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    out.add(json.dumps(value)[1:-1])
    out.add(quote(value, safe=""))
    # Fn::Split of the value: on a common separator, pieces of MIN_PIECE characters or more;
    # on any other of its characters (the separator is the template's), pieces long enough
    # not to be common words (MIN_ODD_PIECE): masking "cret" or "value" wherever they appear
    # would garble every message
    for sep in set(value) if len(value) <= MAX_SPLIT_SEARCH else set(SEPARATORS) & set(value):
        least = MIN_PIECE if sep in SEPARATORS else MIN_ODD_PIECE
        out.update(p for p in value.split(sep) if len(p) >= least)
    return {f for f in out if f}


class Masker:
    """Replaces every form of a set of secrets in text (and in JSON-like values)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets: set[str] = set()
        self._forms: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        for value in secrets:
            if isinstance(value, str) and value and value != MASK and value not in self.secrets:
                self.secrets.add(value)
                self._forms |= forms(value)
                self._pattern = None

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def clear(self) -> None:
        """Forget every secret (a test starting afresh; a long-lived host between users)."""
        self.secrets.clear()
        self._forms.clear()
        self._pattern = None

    def text(self, text: str) -> str:
        """`text` with every form of every secret replaced by the mask."""
        if not self.secrets or not isinstance(text, str):
            return text
        if text in self.secrets:
            return MASK
        if not self._forms:
            return text
        if self._pattern is None:
            # longest first, so a value is masked whole before its pieces are
            self._pattern = re.compile("|".join(re.escape(f) for f in sorted(self._forms, key=len, reverse=True)))
        return self._pattern.sub(MASK, text)

    def value(self, value: Any) -> Any:
        """A JSON-like value with every string masked (keys too)."""
        if not self.secrets:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k): self.value(v) for k, v in value.items()}
        return value


registry = Masker()  # every NoEcho value this process has seen


def register(values: Iterable[str]) -> None:
    """Mask these values (NoEcho parameter values) in everything this process prints."""
    registry.add(values)


def mask(text: str) -> str:
    """`text` with every registered secret masked."""
    return registry.text(text)
