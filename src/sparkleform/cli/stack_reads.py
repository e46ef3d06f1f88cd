"""The read verbs for a stack's history and results: events (with --follow until the stack
is stable), outputs and list-stacks. They change nothing."""

from __future__ import annotations

import json
import time

import click

from sparkleform.cli.context import get_settings
from sparkleform.cli.provider_pool import ProviderPool, in_process, safe_describe
from sparkleform.cli.stack_run import echo_json


def _sorted_events(events: list) -> list:
    return sorted(events, key=lambda e: e.timestamp)


@click.command("events")
@click.argument("stack")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new events until the stack is stable.")
@click.option("--interval", type=float, default=None, help="Seconds between polls with --follow.")
def events_cmd(stack: str, follow: bool, interval: float | None) -> None:
    """Show the event history of STACK (oldest first)."""
    from sparkleform.stacks.outcome import is_in_progress
    from sparkleform.stacks.render import event_json

    settings = get_settings()
    provider = ProviderPool(settings).main
    seen: set[str] = set()
    last: list[str] = []  # the newest event id shown, for `since` on the next poll

    def emit(events: list) -> None:
        fresh = [e for e in _sorted_events(events) if e.event_id not in seen]
        for e in fresh:
            seen.add(e.event_id)
        if fresh:
            last[:] = [fresh[-1].event_id]
        if settings.json and not follow:
            echo_json([event_json(e) for e in fresh])
            return
        for e in fresh:
            if settings.json:
                click.echo(json.dumps(event_json(e), default=str))
            else:
                line = f"{e.timestamp.isoformat(timespec='seconds')}  {e.status:<36} {e.logical_id}  {e.resource_type}"
                if e.stack_name != stack:
                    line = line.replace(f" {e.logical_id} ", f" {e.stack_name}/{e.logical_id} ", 1)
                click.echo(line + (f"  {e.reason}" if e.reason else ""))

    emit(provider.events(stack))
    if not follow:
        return
    delay = interval if interval is not None else (0.5 if in_process(provider) else 2.0)
    try:
        while True:
            current = safe_describe(provider, stack)
            if current is None or not is_in_progress(current.status):
                if current is not None:
                    emit(provider.events(stack, last[0] if last else None))
                break
            time.sleep(delay)
            emit(provider.events(stack, last[0] if last else None))
            if not in_process(provider):
                delay = min(delay * 1.5, 10.0)
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
    stack_obj = ProviderPool(settings).main.describe_stack(stack)
    if (fmt or settings.output) == "json":
        echo_json(outputs_json(stack_obj))
        return
    print_table(["output", "value"], [[o.key, o.value] for o in stack_obj.outputs], color=settings.color)


@click.command("list-stacks")
def list_stacks_cmd() -> None:
    """List the stacks and their status."""
    from sparkleform.cli.display import print_table
    from sparkleform.stacks.render import stack_summary_json

    settings = get_settings()
    stacks = ProviderPool(settings).main.list_stacks()
    if settings.json:
        echo_json([stack_summary_json(s) for s in stacks])
        return
    if not stacks:
        click.echo("no stacks")
        return
    rows = [
        [s.name, s.status, (s.updated or s.created).isoformat(timespec="seconds") if (s.updated or s.created) else "",
         s.reason or ""]
        for s in stacks
    ]
    print_table(["stack", "status", "updated", "reason"], rows, color=settings.color)
