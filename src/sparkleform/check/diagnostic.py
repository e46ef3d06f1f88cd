"""Diagnostic: one finding of a check, with where it points in the template and the source."""

from __future__ import annotations

from dataclasses import dataclass, field

from sparkleform.sourcemap import Location, Path, format_path

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)


@dataclass(slots=True)
class Diagnostic:
    """A finding: rule id (SF....), severity, template path, message, user source location."""

    rule: str
    severity: str
    path: Path
    message: str
    location: Location | None = None
    extra: dict = field(default_factory=dict)

    @property
    def path_text(self) -> str:
        return format_path(self.path)

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.path_text}: {self.message} [{self.rule}]"
