"""`describe`: a stack (`describe STACK`), or a piece of the collection
(`describe dynamic|component|template|registry NAME`, delegated to cli.build)."""

from __future__ import annotations

import json

import click

from sparkleform.cli.context import get_settings

KINDS = ("dynamic", "component", "template", "registry")


@click.command("describe")
@click.argument("first")
@click.argument("name", required=False)
def describe_cmd(first: str, name: str | None) -> None:
    """Describe STACK (status, parameters with NoEcho masked, outputs, resources), or
    `describe dynamic|component|template|registry NAME`."""
    settings = get_settings()
    if name is not None:
        if first not in KINDS:
            raise click.UsageError(
                f"`describe {first} {name}`: the first word must be one of {', '.join(KINDS)} "
                "(or give just a stack name)"
            )
        from sparkleform.cli.build import describe_item

        describe_item(first, name, settings)
        return
    describe_stack(settings, first)


def describe_stack(settings, stack_name: str) -> None:
    from sparkleform.cli.display import print_table
    from sparkleform.cli.provider_pool import stack_context
    from sparkleform.contract import NO_ECHO_MASK
    from sparkleform.stacks import compile_state
    from sparkleform.stacks.render import describe_json

    provider = stack_context(settings).provider
    stack = provider.describe_stack(stack_name)
    kept = compile_state.stored(provider.template_of(stack.stack_id))
    if settings.json:
        body = describe_json(stack)
        if kept:
            body["CompileParameters"] = kept
        click.echo(json.dumps(body, indent=2, default=str))
        return
    click.echo(f"stack   {stack.name}")
    click.echo(f"status  {stack.status}" + (f"  ({stack.reason})" if stack.reason else ""))
    if stack.description:
        click.echo(f"about   {stack.description}")
    click.echo(f"id      {stack.stack_id}")
    if stack.tags:
        click.echo("tags    " + ", ".join(f"{k}={v}" for k, v in stack.tags.items()))
    if stack.termination_protection:
        click.echo("termination protection on")
    if stack.parameters:
        click.echo()
        print_table(
            ["parameter", "value"],
            [[p.key, NO_ECHO_MASK if p.no_echo else p.value] for p in stack.parameters],
            color=settings.color,
        )
    if kept:
        click.echo()
        print_table(["compile parameter", "value"], [[k, v] for k, v in kept.items()], color=settings.color)
    if stack.outputs:
        click.echo()
        print_table(
            ["output", "value", "export"],
            [[o.key, o.value, o.export_name or ""] for o in stack.outputs],
            color=settings.color,
        )
    if stack.resources:
        click.echo()
        print_table(
            ["resource", "type", "status", "physical id"],
            [[r.logical_id, r.resource_type, r.status, r.physical_id or ""] for r in stack.resources],
            color=settings.color,
        )
