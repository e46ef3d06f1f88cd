"""Running a stack operation for a verb: the live event display, the end status read as done
or failed (OperationFailed, exit 1), and where progress, JSON, results and questions go
(progress to stderr when stdout carries JSON)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from sparkleform.cli.context import Settings
from sparkleform.cli.provider_pool import in_process, safe_describe
from sparkleform.errors import OperationFailed, ParameterError
from sparkleform.contract import Provider, Stack


def status_stream(settings: Settings):
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


def _describe_after(provider: Provider, name: str, result: Any) -> Stack:
    if isinstance(result, Stack):
        return result
    return provider.describe_stack(name)


def _fail_message(operation: str, name: str, display: Any, stack: Stack | None, error: str | None = None) -> str:
    failure = display.failure() if display is not None else None
    where = f"; the stack is {stack.status}" if stack is not None else ""
    if failure is not None:
        return f"{operation} of stack {name} failed: {failure.describe()}{where}"
    reason = error or (stack.reason if stack is not None else None) or "see `sparkleform events " + name + "`"
    return f"{operation} of stack {name} failed: {reason}{where}"


def run_operation(
    settings: Settings,
    provider: Provider,
    name: str,
    operation: str,
    call,
    *,
    wait: bool = True,
    title: str | None = None,
) -> Stack | None:
    """Run `call(on_event)` under the live display; raise OperationFailed with the first failure."""
    from sparkleform.cli.display import EventDisplay
    from sparkleform.stacks.interrupts import watch_interrupts
    from sparkleform.stacks.outcome import is_failed, is_in_progress

    stream = status_stream(settings)
    display = EventDisplay(name, stream=stream, color=settings.color, title=title or f"{operation} {name}")
    result: Any = None
    with watch_interrupts(name, in_process=in_process(provider), operation=operation):
        try:
            with display:
                result = call(display)
        except OperationFailed as exc:
            stack = safe_describe(provider, name)
            raise OperationFailed(_fail_message(operation, name, display, stack, exc.message)) from exc
    if operation == "delete":
        return None
    stack = _describe_after(provider, name, result)
    if not wait and is_in_progress(stack.status):
        return stack  # still going (AWS); the local engine is done even when not asked to wait
    failed_create = operation == "create" and stack.status == "DELETE_COMPLETE"
    if operation == "recover":  # a rollback is what recover is for; only a stuck stack failed
        failed = stack.status.endswith("_FAILED") or is_in_progress(stack.status)
    else:
        failed = is_failed(stack.status) or failed_create
    if failed:
        raise OperationFailed(_fail_message(operation, name, display, stack))
    return stack


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
