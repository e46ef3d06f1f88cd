"""A parameter's AllowedPattern (a Java regex in CloudFormation) matched in bounded time.

Patterns come from templates, so a pattern such as `(a+)+$` must not hang a verb: they run
on the `regex` engine, which avoids most catastrophic backtracking, with a time bound
(PATTERN_TIMEOUT in sparkleform.inputs) that turns the rest into an input error.
"""

from __future__ import annotations

import re
from typing import Any

from sparkleform.errors import InputError
from sparkleform.inputs import PATTERN_TIMEOUT

_compiled: dict[str, Any] = {}


def compile_pattern(pattern: str) -> Any | None:
    """The compiled pattern, or None when neither Java's nor Python's reading of it is valid.

    In Java a '-' right after a class escape inside [...] is literal; Python needs it escaped."""
    if pattern not in _compiled:
        import regex

        found = None
        for candidate in (pattern, re.sub(r"(\\[wdsWDS])-", r"\1\\-", pattern)):
            try:
                found = regex.compile(candidate, regex.V0)
                break
            except (regex.error, OverflowError, RecursionError, ValueError):
                continue
        _compiled[pattern] = found
    return _compiled[pattern]


def fullmatch(pattern: str, value: str, *, what: str = "the value") -> bool | None:
    """Whether `value` matches all of `pattern` (None: the pattern is not readable).

    InputError when the match takes longer than PATTERN_TIMEOUT seconds."""
    compiled = compile_pattern(pattern)
    if compiled is None:
        return None
    try:
        return compiled.fullmatch(value, timeout=PATTERN_TIMEOUT) is not None
    except TimeoutError:
        raise InputError(
            f"AllowedPattern {pattern[:60]!r} took more than {PATTERN_TIMEOUT:g} s on {what}",
            hint="the pattern backtracks catastrophically; simplify it (e.g. '(a+)+' -> 'a+')",
        ) from None
