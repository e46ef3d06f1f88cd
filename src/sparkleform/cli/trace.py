"""`sparkleform trace TEMPLATE`: which template, component, dynamic or registry entry set
each key of the compiled template, at which file:line (sfn's `trace`)."""

from __future__ import annotations

import json

import click

from sparkleform.cli.context import Settings, pass_settings
from sparkleform.stacks.keyvalues import parse_pairs


@click.command("trace")
@click.argument("target")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="Compile-time parameter (repeatable).")
@pass_settings
def trace_cmd(settings: Settings, target: str, sets: tuple[str, ...]) -> None:
    """Show, for every key of TEMPLATE, the part and the file:line that set it."""
    from sparkleform.dsl.trace import trace
    from sparkleform.targets import FILE_SUFFIXES, collection_for, load_target

    compiled = load_target(target, config=settings.config, overrides=parse_pairs(sets, "--set"))
    is_file = target.lower().endswith(FILE_SUFFIXES)
    rows = trace(compiled, None if is_file else collection_for(settings.config))
    if settings.json:
        click.echo(json.dumps([row.as_dict() for row in rows], indent=2))
        return
    table = [
        ((f"[{row.template}] " if row.template != compiled.name else "") + row.as_dict()["path"],
         row.part, str(row.location or "-"))
        for row in rows
    ]
    widths = [min(max((len(r[i]) for r in table), default=0), 60) for i in range(2)]
    for path, part, where in table:
        click.echo(f"{path:<{widths[0]}}  {part:<{widths[1]}}  {where}".rstrip())
