"""The read verbs for a stack's history and results: events (with --follow until the stack
is stable), outputs and list-stacks. They change nothing."""

from __future__ import annotations

import json

import click

from sparkleform.cli.context import get_settings
from sparkleform.cli.provider_pool import stack_context
from sparkleform.cli.stack_run import echo_json
from sparkleform.contract import StackEvent


@click.command("events")
@click.argument("stack")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new events until the stack is stable.")
@click.option("--interval", type=float, default=None, help="Seconds between polls with --follow.")
def events_cmd(stack: str, follow: bool, interval: float | None) -> None:
    """Show the event history of STACK (oldest first)."""
    from sparkleform.stacks.follow import EventFollower
    from sparkleform.stacks.render import event_json

    settings = get_settings()
    follower = EventFollower(stack_context(settings, stack=stack).provider, stack)

    def emit(events: list[StackEvent]) -> None:
        if settings.json and not follow:
            echo_json([event_json(e) for e in events])
            return
        for e in events:
            if settings.json:
                click.echo(json.dumps(event_json(e), default=str))
            else:
                line = f"{e.timestamp.isoformat(timespec='seconds')}  {e.status:<36} {e.logical_id}  {e.resource_type}"
                if e.stack_name != stack:
                    line = line.replace(f" {e.logical_id} ", f" {e.stack_name}/{e.logical_id} ", 1)
                click.echo(line + (f"  {e.reason}" if e.reason else ""))

    emit(follower.history())
    if not follow:
        return
    try:
        follower.follow(emit, interval=interval)
    except KeyboardInterrupt:
        click.echo("stopped following; the stack is not affected", err=True)


@click.command("outputs")
@click.argument("stack")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default=None,
              help="Same as --output (kept for sfn habits).")
def outputs_cmd(stack: str, fmt: str | None) -> None:
    """Print the outputs of STACK (`--output json`: one object of name -> value)."""
    from sparkleform.cli.display import print_table
    from sparkleform.stacks.render import outputs_json

    settings = get_settings()
    stack_obj = stack_context(settings, stack=stack).provider.describe_stack(stack)
    if (fmt or settings.output) == "json":
        echo_json(outputs_json(stack_obj))
        return
    print_table(["output", "value"], [[o.key, o.value] for o in stack_obj.outputs], color=settings.color)


@click.command("list-stacks")
@click.option("--status", "statuses", multiple=True, metavar="STATUS",
              help="Only stacks in this status (repeatable or comma-separated; globs: '*_COMPLETE').")
def list_stacks_cmd(statuses: tuple[str, ...] = ()) -> None:
    """List the stacks and their status."""
    import fnmatch

    from sparkleform.cli.display import print_table
    from sparkleform.stacks.render import stack_summary_json

    settings = get_settings()
    stacks = stack_context(settings).provider.list_stacks()
    wanted = [w.strip().upper() for text in statuses for w in text.split(",") if w.strip()]
    if wanted:
        stacks = [s for s in stacks if any(fnmatch.fnmatchcase(s.status, w) for w in wanted)]
    if settings.json:
        echo_json([stack_summary_json(s) for s in stacks])
        return
    if not stacks:
        click.echo("no stacks")
        return
    rows = []
    for s in stacks:
        when = s.updated or s.created
        rows.append([s.name, s.status, when.isoformat(timespec="seconds") if when else "", s.reason or ""])
    print_table(["stack", "status", "updated", "reason"], rows, color=settings.color)
