"""How the stack verbs show a flow: the CLI's Reporter (status lines, the plan, the live event
display), and where progress, JSON, results and questions go (progress to stderr when
stdout carries JSON)."""

from __future__ import annotations

import json
import sys
from typing import IO, Any

import click

from sparkleform.cli.context import Settings
from sparkleform.contract import Plan, Stack
from sparkleform.errors import ParameterError
from sparkleform.stacks.context import Reporter, Watch


def status_stream(settings: Settings) -> IO[str]:
    """Where progress goes: stdout, or stderr when stdout carries JSON."""
    return sys.stderr if settings.json else sys.stdout


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def confirm(question: str, yes: bool) -> bool:
    from sparkleform.stacks.prompting import stdin_is_terminal

    if yes:
        return True
    if not stdin_is_terminal():
        raise ParameterError(f"{question} needs an answer and there is no terminal to ask on", hint="add --yes")
    return click.confirm(question, default=False, err=True)


def show_plan(settings: Settings, plan: Plan, *, stream: IO[str] | None = None) -> None:
    from sparkleform.cli.plan_view import show_plan_view

    show_plan_view(plan, stream=stream or sys.stdout, color=settings.color)


class CliReporter(Reporter):
    """Status lines and plans to the status stream; each operation under the live display."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def note(self, text: str) -> None:
        click.echo(text, file=status_stream(self.settings))

    def plan(self, plan: Plan) -> None:
        show_plan(self.settings, plan, stream=status_stream(self.settings))

    def watch(self, stack: str, title: str, *, total: int | None = None) -> Watch:
        from sparkleform.cli.display import EventDisplay

        return EventDisplay(stack, stream=status_stream(self.settings), color=self.settings.color, title=title,
                            total=total)


def show_result(settings: Settings, stack: Stack) -> None:
    from sparkleform.cli.display import print_outputs
    from sparkleform.stacks.render import describe_json

    if settings.json:
        echo_json(describe_json(stack))
    else:
        print_outputs(stack, color=settings.color)


def no_wait_note(settings: Settings, name: str, operation: str) -> None:
    click.echo(
        f"{operation} of stack {name} started; follow it with `sparkleform events {name} --follow`",
        file=status_stream(settings),
    )
