"""Writing findings out: text lines for people, JSON for scripts, SARIF 2.1.0 for GitHub
code scanning."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from sparkleform.check.diagnostic import ERROR, INFO, WARNING, Diagnostic
from sparkleform.check.rules import CFN_LINT_RULES_URL, all_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {ERROR: "error", WARNING: "warning", INFO: "note"}


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.severity == ERROR)
    warnings = sum(1 for d in diagnostics if d.severity == WARNING)
    infos = len(diagnostics) - errors - warnings
    parts = [f"{errors} error{'s' if errors != 1 else ''}", f"{warnings} warning{'s' if warnings != 1 else ''}"]
    if infos:
        parts.append(f"{infos} note{'s' if infos != 1 else ''}")
    return ", ".join(parts)


def place(d: Diagnostic, default_file: str | None) -> str:
    """`file:line:column` as compilers and cfn-lint write it (`file:line` without a column)."""
    loc = d.location
    if loc is not None and loc.line:
        column = d.extra.get("column")
        if isinstance(column, int) and column > 0:
            return f"{loc.file}:{loc.line}:{column}"
        return f"{loc.file}:{loc.line}"
    if loc is not None:
        return loc.file
    return default_file or "<template>"


GROUP_AT = 3  # the same finding this many times is shown once, with its count


def format_text(diagnostics: Sequence[Diagnostic], filename: str | None = None, *, group: bool = True) -> str:
    """`file:line: Path: message [rule]`, grouped by file, then a summary line. A finding
    repeated GROUP_AT times or more (same rule, same message) is shown once as "SF2007 × 480"."""
    lines: list[str] = []
    current = None
    repeats: dict[tuple[str, str], list[Diagnostic]] = {}
    for d in diagnostics:
        repeats.setdefault((d.rule, d.message), []).append(d)
    for d in diagnostics:
        same = repeats[(d.rule, d.message)]
        grouped = group and len(same) >= GROUP_AT
        if grouped and same[0] is not d:
            continue
        file = d.location.file if d.location else filename
        if current is not None and file != current:
            lines.append("")
        current = file
        label = "" if d.severity == ERROR else f"{d.severity}: "
        path = d.path_text or "(template)"
        if grouped:
            places = ", ".join(place(o, filename) for o in same[1:4]) + (", …" if len(same) > 4 else "")
            lines.append(f"{place(d, filename)}: {path}: {label}{d.message} [{d.rule} × {len(same)}; also {places}]")
        else:
            lines.append(f"{place(d, filename)}: {path}: {label}{d.message} [{d.rule}]")
    if lines:
        lines.append("")
    target = f" in {filename}" if filename else ""
    lines.append(f"{summary(diagnostics)}{target}")
    return "\n".join(lines)


def to_records(diagnostics: Sequence[Diagnostic], filename: str | None = None) -> list[dict]:
    out = []
    for d in diagnostics:
        loc = d.location
        record = {
            "rule": d.rule,
            "severity": d.severity,
            "path": d.path_text,
            "message": d.message,
            "file": loc.file if loc else filename,
            "line": loc.line if loc and loc.line else None,
        }
        if d.extra:
            record.update({k: v for k, v in d.extra.items() if isinstance(v, (str, int, float, bool))})
        out.append(record)
    return out


def format_json(diagnostics: Sequence[Diagnostic], filename: str | None = None) -> str:
    return json.dumps(to_records(diagnostics, filename), indent=2)


def _uri(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = path
    if rel.startswith(".."):
        rel = os.path.abspath(path)
    return rel.replace(os.sep, "/")


def format_sarif(diagnostics: Sequence[Diagnostic], filename: str | None = None, version: str = "0") -> str:
    """A SARIF 2.1.0 log with one run; every result has a physical location."""
    used = sorted({d.rule for d in diagnostics})
    index = {rule: i for i, rule in enumerate(used)}
    rules = []
    for rule_id in used:
        rule = all_rules().get(rule_id)
        text = rule.description if rule else f"cfn-lint rule {rule_id}" if rule_id[:1] in "EWI" else rule_id
        level = _LEVEL.get(rule.severity if rule else ERROR, "error")
        rules.append(
            {
                "id": rule_id,
                "name": rule_id,
                "shortDescription": {"text": text},
                "fullDescription": {"text": text},
                "defaultConfiguration": {"level": level},
                "helpUri": rule.help_uri if rule else CFN_LINT_RULES_URL,
                "properties": {"tags": [rule.family if rule else "cfn-lint"]},
            }
        )
    results = []
    for d in diagnostics:
        file = d.location.file if d.location else filename or "template"
        physical: dict = {"artifactLocation": {"uri": _uri(file)}}
        if d.location is not None and d.location.line:
            physical["region"] = {"startLine": int(d.location.line)}
            column = d.extra.get("column")
            if isinstance(column, int) and column > 0:
                physical["region"]["startColumn"] = column
        results.append(
            {
                "ruleId": d.rule,
                "ruleIndex": index[d.rule],
                "level": _LEVEL.get(d.severity, "warning"),
                "message": {"text": f"{d.path_text}: {d.message}" if d.path_text else d.message},
                "locations": [
                    {
                        "physicalLocation": physical,
                        "logicalLocations": [{"fullyQualifiedName": d.path_text or "template", "kind": "member"}],
                    }
                ],
            }
        )
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sparkleform",
                        "version": version,
                        "informationUri": "https://github.com/sparkleform/sparkleform",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2)
