"""run_checks: every rule over one template, findings sorted and pointed at source lines."""

from __future__ import annotations

from sparkleform.check.context import CheckContext
from sparkleform.check.diagnostic import ERROR, Diagnostic
from sparkleform.sourcemap import Location, SourceMap


def _rules():
    from sparkleform.check import graph, outputs, parameters, structure

    return [
        structure.check_sections,
        structure.check_logical_ids,
        structure.check_limits,
        structure.check_mappings,
        parameters.check_parameters,
        outputs.check_outputs,
        graph.check_cycles,
    ]


def run_checks(template: dict, sources: SourceMap | None = None, *, filename: str | None = None) -> list[Diagnostic]:
    """Every rule's findings for `template`, each located through `sources` when given."""
    if not isinstance(template, dict):
        d = Diagnostic("SF1003", ERROR, (), "a template must be a mapping of sections")
        return [_locate(d, sources, filename)]
    ctx = CheckContext(template, sources, filename)
    try:
        for rule in _rules():
            rule(ctx)
    except RecursionError:
        ctx.report("SF1003", (), "the template is nested too deeply to check")
    out = [_locate(d, sources, filename) for d in ctx.diagnostics]
    return sorted(out, key=_order)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity == ERROR for d in diagnostics)


def _locate(d: Diagnostic, sources: SourceMap | None, filename: str | None) -> Diagnostic:
    if d.location is None:
        if sources is not None:
            d.location = sources.get(d.path)
        if d.location is None and filename:
            d.location = Location(filename, 0)
    return d


def _order(d: Diagnostic):
    loc = d.location
    return (loc.file if loc else "", loc.line if loc else 0, tuple(str(p) for p in d.path), d.rule)
