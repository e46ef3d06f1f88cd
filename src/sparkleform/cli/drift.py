"""The `drift` verb: detect drift of STACK and show each resource that drifted (stacks.drift)."""

from __future__ import annotations

import click

from sparkleform.cli.context import get_settings
from sparkleform.cli.provider_pool import stack_context
from sparkleform.cli.stack_run import echo_json


def _value(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


@click.command("drift")
@click.argument("stack")
def drift_cmd(stack: str) -> None:
    """Detect drift of STACK: resources changed outside the stack, property by property.

    \b
    Example:
      sparkleform --provider aws drift web
    """
    from sparkleform.stacks.drift import drift

    settings = get_settings()
    report = drift(stack_context(settings, stack=stack), stack)
    if report is None:
        if settings.json:
            echo_json({"StackName": stack, "StackDriftStatus": "NOT_SUPPORTED", "StackResourceDrifts": []})
        return
    if settings.json:
        echo_json({
            "StackName": report.stack_name,
            "StackDriftStatus": report.status,
            "DriftedStackResourceCount": report.drifted,
            "StackResourceDrifts": [
                {"LogicalResourceId": r.logical_id, "ResourceType": r.resource_type,
                 "PhysicalResourceId": r.physical_id, "StackResourceDriftStatus": r.status,
                 "PropertyDifferences": r.differences}
                for r in report.resources
            ],
        })
        return
    click.echo(f"{stack}: {report.status} ({report.drifted} of {len(report.resources)} resources drifted)")
    for r in report.resources:
        if r.status == "IN_SYNC":
            continue
        click.echo(f"  {r.status:<11} {r.logical_id}  {r.resource_type}  {r.physical_id or ''}".rstrip())
        for d in r.differences:
            click.echo(f"      {d.get('PropertyPath', '')}: {_value(d.get('ExpectedValue'))} → "
                       f"{_value(d.get('ActualValue'))} ({d.get('DifferenceType', '')})")
