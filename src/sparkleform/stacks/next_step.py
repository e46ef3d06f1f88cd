"""The next command to run when a stack's state stands in the way of a verb: every "wrong
state" error (StackExists, StackStateError) leaves the flows with a hint naming it."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sparkleform.contract import Provider, StackExists, StackStateError, runs_in_process
from sparkleform.errors import SparkleformError

T = TypeVar("T")

# States in which a stack can only be deleted before it is made again.
DELETE_FIRST = ("ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS")
_RECOVERABLE_FAILED = ("UPDATE_ROLLBACK_FAILED", "ROLLBACK_FAILED")


def next_step(name: str, status: str, *, in_process: bool, exists_is_the_problem: bool = False) -> str | None:
    """The command that gets stack `name` out of `status` (None: the state needs nothing)."""
    if status in DELETE_FIRST:
        what = "its create failed" if status == "ROLLBACK_COMPLETE" else "it only holds a change set"
        return f"{name} is {status} ({what}): `sparkleform destroy {name}` first, or `sparkleform deploy {name}`"
    if status in _RECOVERABLE_FAILED:
        return f"{name} is {status}: `sparkleform recover {name}` rolls it back"
    if status in ("CREATE_FAILED", "DELETE_FAILED"):
        return f"{name} is {status}: `sparkleform destroy {name}` first"
    if status.endswith("_IN_PROGRESS"):
        if in_process:  # the local engine: nobody works on it unless another process does
            return (
                f"{name} is {status}; if no other sparkleform process is working on it, it was cut off: "
                f"`sparkleform recover {name}`"
            )
        return f"{name} is {status}: wait for it with `sparkleform events {name} --follow`"
    if exists_is_the_problem:
        return f"{name} already exists: `sparkleform update {name}` or `sparkleform deploy {name}`"
    return None


def hint_for(provider: Provider, name: str, *, exists_is_the_problem: bool = False) -> str | None:
    """next_step for the stack as the provider describes it now (None when it cannot be read)."""
    try:
        stack = provider.describe_stack(name)
    except SparkleformError:
        return None
    return next_step(name, stack.status, in_process=runs_in_process(provider),
                     exists_is_the_problem=exists_is_the_problem)


@contextmanager
def next_step_hints(provider: Provider, name: str) -> Iterator[None]:
    """Give a "wrong state" error (StackExists, StackStateError) without a hint the command to run next."""
    try:
        yield
    except StackExists as exc:
        if not exc.hint:
            exc.hint = hint_for(provider, name, exists_is_the_problem=True)
        raise
    except StackStateError as exc:
        if not exc.hint:
            exc.hint = hint_for(provider, name)
        raise


def hinted(flow: Callable[..., T]) -> Callable[..., T]:
    """A flow `flow(ctx, name, ...)` whose wrong-state errors name the next command."""

    @functools.wraps(flow)
    def wrapper(ctx: Any, name: str, *args: Any, **kwargs: Any) -> T:
        with next_step_hints(ctx.provider, name):
            return flow(ctx, name, *args, **kwargs)

    return wrapper
