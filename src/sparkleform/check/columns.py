"""Columns for findings: the sources map template paths to lines only, so the column is found
when a report is written, on the finding's line, where the last key of its path is written
(as a YAML/JSON key, or as the Python name or subscript that set it); else the line's first
character that is not a space."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from sparkleform.check.diagnostic import Diagnostic


def _lines(file: str) -> tuple[str, ...]:
    # keyed by the file's identity and modification too: a long-lived process (the Python API)
    # that validates a file, edits it and validates again reads the new lines
    try:
        st = os.stat(file)
    except OSError:
        return ()
    return _read_lines(os.path.abspath(file), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=64)
def _read_lines(file: str, _mtime_ns: int, _size: int) -> tuple[str, ...]:
    try:
        return tuple(Path(file).read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        return ()


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def column_of(d: Diagnostic) -> int | None:
    """1-based column of `d` on its line, None when the line cannot be read."""
    loc = d.location
    if loc is None or not loc.line:
        return None
    lines = _lines(str(loc.file))
    if not 0 < loc.line <= len(lines):
        return None
    text = lines[loc.line - 1]
    keys = [str(p) for p in d.path if isinstance(p, str)]
    for key in keys[-1:] + keys[-2:-1]:  # the key itself, else its parent
        for spelling in (f'"{key}"', key, _snake(key)):
            at = text.find(spelling)
            if at >= 0:
                return at + 1
    stripped = len(text) - len(text.lstrip())
    return stripped + 1


def add_columns(diagnostics: Sequence[Diagnostic]) -> None:
    """Set `extra["column"]` on each finding whose column can be found."""
    for d in diagnostics:
        if "column" not in d.extra:
            column = column_of(d)
            if column is not None:
                d.extra["column"] = column
