"""run_checks: every rule over one template, findings sorted and pointed at source lines."""

from __future__ import annotations

from sparkleform.check.context import CheckContext
from sparkleform.check.diagnostic import ERROR, Diagnostic
from sparkleform.sourcemap import Location, SourceMap


def _rules():
    from sparkleform.check import (
        functions,
        graph,
        nested,
        outputs,
        parameters,
        properties,
        references,
        relations,
        resources,
        route53,
        runtimes,
        structure,
    )

    return [
        structure.check_sections,
        structure.check_logical_ids,
        structure.check_limits,
        structure.check_mappings,
        parameters.check_parameters,
        outputs.check_outputs,
        resources.check_resources,
        properties.check_properties,
        nested.check_nested_stacks,
        route53.check_route53,
        relations.check_route_table_associations,
        relations.check_dynamodb_attributes,
        relations.check_unique_identifiers,
        runtimes.check_runtimes,
        functions.check_functions,
        functions.check_conditions,
        references.check_references,
        references.check_unused,
        graph.check_cycles,
    ]


def run_checks(
    template: dict, sources: SourceMap | None = None, *, filename: str | None = None, iam: bool = True
) -> list[Diagnostic]:
    """Every rule's findings for `template`, each located through `sources` when given.

    Templates with the SAM transform are expanded first; `iam=False` leaves out the IAM
    policy checks of sparkleform.iam.checks (which run when that module is installed).
    """
    if not isinstance(template, dict):
        d = Diagnostic("SF1003", ERROR, (), "a template must be a mapping of sections")
        return [_locate(d, sources, filename)]
    from sparkleform.check.transforms import expand

    try:
        expansion = expand(template)
        ctx = CheckContext(expansion.template, sources, filename)
        ctx.origin_of = expansion.origin_of
        ctx.original = template
        ctx.macro_skipped = bool(expansion.unexpanded)
        ctx.diagnostics.extend(expansion.notes)
        for rule in _rules():
            rule(ctx)
    except RecursionError:
        return [_locate(Diagnostic("SF1003", ERROR, (), "the template is nested too deeply to check"), sources, filename)]
    out = [_locate(_map_back(d, ctx.origin_of, sources), sources, filename) for d in ctx.diagnostics]
    if iam:
        out.extend(_iam_findings(template, sources, filename))
    return sorted(out, key=_order)


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


def _iam_findings(template: dict, sources: SourceMap | None, filename: str | None) -> list[Diagnostic]:
    try:
        from sparkleform.iam.checks import check_template
    except ImportError:
        return []  # the IAM checks are optional
    found = check_template(template, sources) or []
    return [_locate(d, sources, filename) for d in found if isinstance(d, Diagnostic)]


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
