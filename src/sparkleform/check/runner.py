"""run_checks: every registered check over one template, findings sorted and pointed at source lines."""

from __future__ import annotations

from sparkleform.check.context import CheckContext
from sparkleform.check.diagnostic import ERROR, Diagnostic
from sparkleform.check.rules import Check, checks
from sparkleform.check.transforms import expand
from sparkleform.sourcemap import Location, SourceMap


def run_checks(
    template: dict, sources: SourceMap | None = None, *, filename: str | None = None, iam: bool = True,
    nested: dict[str, dict] | None = None,
) -> list[Diagnostic]:
    """Every rule's findings for `template`, each located through `sources` when given.

    Templates with the SAM transform (and Fn::ForEach loops) are expanded first and most
    checks read the expansion; the checks marked `written` (the IAM family) read the
    template as written. `iam=False` leaves out the IAM policy checks (sparkleform.check.iam).
    """
    if not isinstance(template, dict):
        d = Diagnostic("SF1003", ERROR, (), "a template must be a mapping of sections")
        return [_locate(d, sources, filename)]
    selected = [c for c in checks() if iam or c.family != "iam"]
    try:
        expansion = expand(template)
        ctx = CheckContext(expansion.template, sources, filename)
        ctx.nested = nested or {}
        ctx.origin_of = expansion.origin_of
        ctx.original = template
        ctx.macro_skipped = bool(expansion.unexpanded)
        ctx.diagnostics.extend(expansion.notes)
        _run(selected, ctx, written=False)
    except RecursionError:
        return [_locate(Diagnostic("SF1003", ERROR, (), "the template is nested too deeply to check"), sources, filename)]
    out = [_locate(_map_back(d, ctx.origin_of, sources), sources, filename) for d in ctx.diagnostics]
    as_written = CheckContext(template, sources, filename)
    as_written.nested = nested or {}
    _run(selected, as_written, written=True)
    out.extend(_locate(d, sources, filename) for d in as_written.diagnostics)
    return sorted(out, key=_order)


def _run(selected: list[Check], ctx: CheckContext, *, written: bool) -> None:
    for c in selected:
        if c.written == written:
            c.run(ctx)


def _map_back(d: Diagnostic, origin_of: dict[str, str], sources: SourceMap | None) -> Diagnostic:
    """Point a finding on a resource the SAM transform generated at the SAM resource."""
    if len(d.path) >= 2 and d.path[0] == "Resources" and d.path[1] in origin_of:
        origin = origin_of[d.path[1]]
        d.extra["generated_from"] = origin
        source = f"the loop {origin}" if origin.startswith("Fn::ForEach::") else f"SAM resource {origin}"
        d.message += f" (in {d.path[1]}, generated from {source})"
        if sources is not None:
            d.location = sources.get(("Resources", origin))
    return d


def relocate(diagnostics: list[Diagnostic], sources: SourceMap, filename: str | None = None) -> list[Diagnostic]:
    """Fill locations from a SourceMap obtained after checking (the CLI checks the fast-loaded
    dict first and reads line numbers only when there is something to report)."""
    for d in diagnostics:
        if d.extra.get("source") == "cfn-lint" and d.location is not None and d.location.line:
            continue
        origin = d.extra.get("generated_from")
        d.location = sources.get(("Resources", origin) if origin else d.path) or d.location
        if d.location is None and filename:
            d.location = Location(filename, 0)
    return sorted(diagnostics, key=_order)


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
