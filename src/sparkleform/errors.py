"""The exception classes sparkleform raises for problems a user can fix.

Every error a user can cause derives from SparkleformError; the CLI prints its message
(one or two lines, with file:line where known) and exits 2, never a traceback.
"""

from __future__ import annotations


class SparkleformError(Exception):
    """Base class: a problem in the user's input, described for the user.

    `location` is "file:line" (or None); it is printed before the message.
    `exit_code` is what the CLI exits with (2: usage or input error).
    """

    exit_code = 2

    def __init__(self, message: str, *, location: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class ConfigError(SparkleformError):
    """sparkleform.toml or [tool.sparkleform] is unreadable or wrong."""


class TemplateError(SparkleformError):
    """A template could not be built or compiled (DSL misuse, bad names, bad values)."""


class CollectionError(SparkleformError):
    """A component, dynamic, registry entry or template could not be found or loaded."""


class ParameterError(SparkleformError):
    """A compile-time or stack parameter is unknown, missing or of the wrong type."""


class SpecError(SparkleformError):
    """The resource schemas could not be read."""


class FormatError(SparkleformError):
    """A JSON/YAML template could not be read (syntax, duplicate keys, bad tags).

    `column` (1-based) is where on the location's line the reader stopped, when it knows.
    """

    column: int | None = None

    def __str__(self) -> str:
        # `file:line:column`, as validate prints the same error, wherever the CLI shows it
        if self.location and self.column:
            located = f"{self.location}:{self.column}: {self.message}"
            return located + (f"\n  hint: {self.hint}" if self.hint else "")
        return super().__str__()


class InputError(FormatError):
    """An input file or value is not text, or is over one of the limits in docs/security.md."""


class OperationFailed(SparkleformError):
    """A stack operation ran and failed (exit 1, not a usage error)."""

    exit_code = 1
