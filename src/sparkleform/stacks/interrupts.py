"""Ctrl-C while a stack operation runs: stop waiting without harming the stack.

A remote provider (AWS) keeps working without us, so Ctrl-C just stops watching. The local
engine works inside this process, so the first Ctrl-C lets the current operation finish
(it takes milliseconds) and only a second one cuts it off, leaving the stack in progress
for `sparkleform recover`.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sparkleform.errors import SparkleformError


class Interrupted(SparkleformError):
    """The user pressed Ctrl-C; the message says what state things are in and what to run next."""

    exit_code = 130


@contextmanager
def watch_interrupts(stack: str, *, in_process: bool, operation: str) -> Iterator[None]:
    """Turn Ctrl-C during `operation` on `stack` into an Interrupted error with a way forward."""
    previous = None
    if in_process and threading.current_thread() is threading.main_thread():
        presses = 0

        def handler(signum: int, frame: object) -> None:
            nonlocal presses
            presses += 1
            if presses == 1:
                sys.stderr.write(
                    f"\nthe local engine is finishing the {operation} of {stack} in this process; "
                    "press Ctrl-C again to cut it off\n"
                )
                sys.stderr.flush()
                return
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    except KeyboardInterrupt:
        if in_process:
            raise Interrupted(
                f"{operation} of stack {stack} was cut off",
                hint=f"see where it stopped with `sparkleform describe {stack}`; "
                f"roll it back with `sparkleform recover {stack}`",
            ) from None
        raise Interrupted(
            f"stopped waiting; the {operation} of stack {stack} goes on",
            hint=f"watch it with `sparkleform events {stack} --follow`",
        ) from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
