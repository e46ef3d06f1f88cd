"""`validate --cfn-lint`: run cfn-lint's Python API on the compiled template and turn its
matches into Diagnostics pointing at the user's lines. cfn-lint is imported only here."""

from __future__ import annotations

import json

from sparkleform.check.diagnostic import ERROR, INFO, WARNING, Diagnostic
from sparkleform.errors import SparkleformError
from sparkleform.sourcemap import Location, SourceMap

_SEVERITY = {"error": ERROR, "warning": WARNING, "informational": INFO}


def run_cfn_lint(
    template: dict, sources: SourceMap | None = None, *, filename: str | None = None, regions: list[str] | None = None
) -> list[Diagnostic]:
    from cfnlint.api import ManualArgs, lint  # a dependency, heavy: imported only for --cfn-lint

    text = json.dumps(template, default=str, indent=1)
    try:
        matches = lint(text, config=ManualArgs(regions=regions or ["us-east-1"]))
    except Exception as exc:  # cfn-lint's own failures must not become our traceback
        raise SparkleformError(f"cfn-lint failed on the template: {type(exc).__name__}: {exc}") from None
    out = []
    for m in matches:
        path = tuple(getattr(m, "path", None) or ())
        location = sources.get(path) if sources is not None and path else None
        if location is None and filename:
            location = Location(filename, 0)
        severity = _SEVERITY.get(str(getattr(m.rule, "severity", "error")).lower(), ERROR)
        out.append(Diagnostic(m.rule.id, severity, path, m.message, location, {"source": "cfn-lint"}))
    return out
