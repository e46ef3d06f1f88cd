"""Policy values as patterns: `*`/`?` wildcards, ARN segments and policy variables.

A policy value such as ``arn:aws:s3:::bucket/${aws:username}/*`` is parsed once into a
ValuePattern. At request time its variables are resolved against the request context
(AWS: "IAM policy elements: Variables and tags") and the result is matched as a glob:

* ``${key}`` is replaced by the key's single value; ``${key, 'default'}`` falls back to
  the default text ('' inside a default is one quote); a key that is absent or has several
  values and no default leaves the value unresolved, and an unresolved value matches
  nothing (AWS: "If AWS cannot resolve a variable this might cause the entire statement
  to be invalid").
* ``${*}``, ``${?}`` and ``${$}`` stand for a literal ``*``, ``?`` and ``$``.
* Text that came from a variable is literal: a ``*`` in a user name is not a wildcard.
* Variables exist only in policies with ``"Version": "2012-10-17"``; in older (or
  version-less) policies ``${...}`` is plain text, as AWS documents.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

_VAR = re.compile(r"\$\{([^}]*)\}")
_NAME_DEFAULT = re.compile(r"^\s*([^\s,']+)\s*(?:,\s*'((?:[^']|'')*)'\s*)?$")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}

Context = Mapping[str, Sequence[str]]

# A parsed value: a tuple of parts; str parts are glob text (wildcards live), tuples are
# ("lit", text) for escaped literals or ("var", lowercase key, default-or-None).
Part = str | tuple


@lru_cache(maxsize=8192)
def parse_value(text: str, variables: bool = True) -> tuple[Part, ...]:
    """Split a policy value into glob text, literals and variables."""
    if not variables or "${" not in text:
        return (text,)
    parts: list[Part] = []
    pos = 0
    for match in _VAR.finditer(text):
        if match.start() > pos:
            parts.append(text[pos : match.start()])
        body = match.group(1)
        if body in _ESCAPES:
            parts.append(("lit", _ESCAPES[body]))
        else:
            found = _NAME_DEFAULT.match(body)
            if found is None:
                parts.append(("lit", match.group(0)))
            else:
                default = found.group(2)
                parts.append(("var", found.group(1).lower(), None if default is None else default.replace("''", "'")))
        pos = match.end()
    if pos < len(text):
        parts.append(text[pos:])
    return tuple(parts)


def has_variables(parts: tuple[Part, ...]) -> bool:
    return any(isinstance(p, tuple) for p in parts)


def resolve(parts: tuple[Part, ...], context: Context) -> tuple[tuple[str, bool], ...] | None:
    """Parts -> ((text, wildcards_live), ...) with variables filled in, or None if unresolved."""
    out: list[tuple[str, bool]] = []
    for part in parts:
        if isinstance(part, str):
            out.append((part, True))
        elif part[0] == "lit":
            out.append((part[1], False))
        else:
            values = context.get(part[1])
            if values is not None and len(values) == 1:
                out.append((values[0], False))
            elif part[2] is not None:
                out.append((part[2], False))
            else:
                return None
    return tuple(out)


def plain_text(resolved: tuple[tuple[str, bool], ...]) -> str:
    """The resolved value as a string (for operators without wildcards)."""
    return "".join(text for text, _ in resolved)


def _glob_piece(text: str, live: bool, star: str, one: str) -> str:
    if not live:
        return re.escape(text)
    out = []
    for ch in text:
        if ch == "*":
            out.append(star)
        elif ch == "?":
            out.append(one)
        else:
            out.append(re.escape(ch))
    return "".join(out)


@lru_cache(maxsize=16384)
def glob_regex(resolved: tuple[tuple[str, bool], ...], ignore_case: bool = False) -> re.Pattern[str]:
    """A whole-string glob: `*` any run of characters, `?` exactly one."""
    body = "".join(_glob_piece(text, live, ".*", ".") for text, live in resolved)
    return re.compile(body + r"\Z", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


@lru_cache(maxsize=16384)
def arn_regex(resolved: tuple[tuple[str, bool], ...], resource: bool = False) -> re.Pattern[str]:
    """An ARN glob, case-sensitive, matched segment by segment.

    The first five colons split partition, service, region, account and the resource; a
    wildcard before one of those colons stays inside its segment (AWS, condition operators:
    "each of the six colon-delimited components of the ARN is checked separately"). The
    pattern's last segment may run over further colons, so `arn:aws:logs:*` covers every
    logs ARN. With `resource=True` (the Resource element) a `*` that ends a segment may
    also run over colons (AWS, Resource element: "If the * wildcard is the last character
    of a resource ARN segment, it can expand to match beyond the colon boundaries").
    """
    flat = "".join(text for text, _ in resolved)
    colons = [i for i, ch in enumerate(flat) if ch == ":"][:5]
    last_split = colons[-1] if len(colons) else -1
    pieces: list[str] = []
    offset = 0
    for text, live in resolved:
        if not live:
            pieces.append(re.escape(text))
            offset += len(text)
            continue
        for ch in text:
            inside = offset < last_split
            if ch == "*":
                ends_segment = offset + 1 >= len(flat) or flat[offset + 1] == ":"
                pieces.append("[^:]*" if inside and not (resource and ends_segment) else ".*")
            elif ch == "?":
                pieces.append("[^:]" if inside else ".")
            else:
                pieces.append(re.escape(ch))
            offset += 1
    return re.compile("".join(pieces) + r"\Z", re.DOTALL)
