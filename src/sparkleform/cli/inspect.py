"""The `inspect` verb (sfn's inspect): a stack's resources with their physical ids and
attribute values, or the one value at `--attribute PATH` (the flow: stacks.inspect)."""

from __future__ import annotations

import json

import click

from sparkleform.cli.context import get_settings
from sparkleform.cli.provider_pool import stack_context
from sparkleform.cli.stack_run import echo_json


@click.command("inspect")
@click.argument("stack")
@click.option("-a", "--attribute", "path", metavar="PATH",
              help="Print only the value at PATH: Resources.Vpc.Attributes.CidrBlock, Vpc.CidrBlock, Outputs.VpcId ...")
def inspect_cmd(stack: str, path: str | None) -> None:
    """Show STACK's resources with their physical ids and attribute values (NoEcho values masked)."""
    from sparkleform.cli.display import print_table
    from sparkleform.stacks.inspect import inspect, select

    settings = get_settings()
    document = inspect(stack_context(settings, stack=stack), stack)
    if path is not None:
        value = select(document, path)
        if settings.json:
            echo_json(value)
        else:
            click.echo(value if isinstance(value, str) else json.dumps(value, default=str))
        return
    if settings.json:
        echo_json(document)
        return
    click.echo(f"{document['StackName']}: {document['StackStatus']}")
    rows: list[list[str]] = []
    _rows(document, "", rows)
    print_table(["resource", "type / attribute", "physical id / value"], rows, color=settings.color)


def _rows(document: dict, prefix: str, rows: list[list[str]]) -> None:
    """A stack's resources and their attributes as table rows; a nested stack's resources
    follow its own, named by their path (`Network/Subnet`)."""
    for logical, entry in document["Resources"].items():
        rows.append([prefix + logical, entry["Type"], entry["PhysicalResourceId"] or ""])
        for key, value in entry["Attributes"].items():
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            rows.append(["", f"  {key}", text])
        if "Stack" in entry:
            _rows(entry["Stack"], f"{prefix}{logical}/", rows)
