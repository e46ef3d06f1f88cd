"""Suppressing findings on purpose, as cfn-lint allows: a rule everywhere (`[validate] ignore`
in sparkleform.toml), on one resource (its Metadata), or on one line of a Python template.

    Metadata:
      sparkleform:
        ignore: [SF3020]            # also cfn-lint's `cfn-lint: {config: {ignore_checks: [...]}}`

    bucket = s3.Bucket("Assets", ...)  # sparkleform: ignore[SF3020, SF2007]
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from sparkleform.check.diagnostic import Diagnostic

_LINE = re.compile(r"#\s*sparkleform:\s*ignore\[([A-Za-z0-9_,\s]+)\]")


def _listed(value: object) -> set[str]:
    if isinstance(value, str):
        return {value.upper()}
    if isinstance(value, list):
        return {str(v).upper() for v in value}
    return set()


def resource_ignores(template: dict) -> dict[str, set[str]]:
    """Logical id -> the rules its Metadata suppresses."""
    out: dict[str, set[str]] = {}
    resources = template.get("Resources") if isinstance(template, dict) else None
    for lid, decl in (resources or {}).items() if isinstance(resources, dict) else ():
        meta = decl.get("Metadata") if isinstance(decl, dict) else None
        if not isinstance(meta, dict):
            continue
        ours = meta.get("sparkleform")
        rules = _listed(ours.get("ignore")) if isinstance(ours, dict) else set()
        lint = meta.get("cfn-lint")
        if isinstance(lint, dict) and isinstance(lint.get("config"), dict):
            rules |= _listed(lint["config"].get("ignore_checks"))
        if rules:
            out[str(lid)] = rules
    return out


def _line_ignores(file: str) -> dict[int, frozenset[str]]:
    # keyed by modification as well as name, so an edited file is read again in a long process
    try:
        st = os.stat(file)
    except OSError:
        return {}
    return _read_line_ignores(os.path.abspath(file), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=64)
def _read_line_ignores(file: str, _mtime_ns: int, _size: int) -> dict[int, frozenset[str]]:
    try:
        text = Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    out: dict[int, frozenset[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        m = _LINE.search(line)
        if m:
            out[number] = frozenset(r.strip().upper() for r in m.group(1).split(",") if r.strip())
    return out


def _matches(rule: str, ignored: Iterable[str]) -> bool:
    # a prefix suppresses a family: "SF30" covers SF3001..SF3099, "W" every cfn-lint warning
    return any(rule == i or (i and rule.startswith(i)) for i in ignored)


def suppress(diagnostics: Sequence[Diagnostic], template: dict, ignore: Iterable[str] = ()) -> list[Diagnostic]:
    """The findings not suppressed globally (`ignore`), by their resource's Metadata or by a
    `# sparkleform: ignore[...]` comment on their Python source line."""
    ignore = [i.upper() for i in ignore]
    per_resource = resource_ignores(template)
    kept: list[Diagnostic] = []
    for d in diagnostics:
        if _matches(d.rule, ignore):
            continue
        path = d.path
        if len(path) >= 2 and path[0] == "Resources" and _matches(d.rule, per_resource.get(str(path[1]), ())):
            continue
        loc = d.location
        on_line = _line_ignores(str(loc.file)).get(int(loc.line), ()) if loc and loc.line and str(
            loc.file).endswith(".py") else ()
        if _matches(d.rule, on_line):
            continue
        kept.append(d)
    return kept
