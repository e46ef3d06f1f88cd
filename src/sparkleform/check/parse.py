"""A template that cannot be read at all (YAML/JSON syntax, a missing file) as a finding, so a
CI report (SARIF, JUnit, JSON) carries the reason instead of being empty."""

from __future__ import annotations

from sparkleform.check.diagnostic import ERROR, Diagnostic
from sparkleform.check.rules import CFN_DOCS, rule
from sparkleform.errors import SparkleformError
from sparkleform.sourcemap import Location

RULES = (rule("SF1000", "structure", ERROR, "The template cannot be read (YAML/JSON syntax, missing file)",
              CFN_DOCS + "template-formats.html"),)


def unreadable(exc: SparkleformError, target: str) -> Diagnostic:
    """The SF1000 finding for `exc`, placed at its file:line when the error knows it."""
    file, line = target, 0
    if exc.location:
        where, _, number = exc.location.rpartition(":")
        if where and number.isdigit():
            file, line = where, int(number)
        else:
            file = exc.location
    message = exc.message + (f" ({exc.hint})" if exc.hint else "")
    found = Diagnostic("SF1000", ERROR, (), message, Location(file, line))
    column = getattr(exc, "column", None)  # a reader's syntax error knows where it stopped
    if line and isinstance(column, int) and column > 0:
        found.extra["column"] = column
    return found
