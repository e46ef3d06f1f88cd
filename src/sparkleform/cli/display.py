"""The live event display of create/update/destroy: one row per resource, then outputs or failure.

On a terminal it is a rich Live table (rich imported only here, lazily) that is redrawn
several times a second, so the elapsed time of resources in progress and the overall
`12/25 complete · 3m10s` line keep ticking between events; anywhere else (CI logs, pipes,
tests) it prints one plain line per event. Both end with a count of what was created,
updated and deleted. Without colour (`--no-color`, NO_COLOR) no style escape is written.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

import click

from sparkleform.contract import Stack, StackEvent
from sparkleform.stacks.outcome import Failure, first_failure, is_failed, is_in_progress


@dataclass
class _Row:
    stack_name: str
    logical_id: str
    resource_type: str
    status: str
    reason: str | None
    first: datetime
    last: datetime
    failure: str | None = None  # the reason this resource failed, kept through the rollback

    def elapsed(self) -> float:
        end = self.last
        if is_in_progress(self.status):
            end = max(self.last, datetime.now(self.first.tzinfo))
        return max(0.0, (end - self.first).total_seconds())


def _status_style(status: str) -> str:
    if is_failed(status) or "ROLLBACK" in status:
        return "red"
    if is_in_progress(status):
        return "yellow"
    return "green"


def _fmt_elapsed(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"  # the local engine works in milliseconds
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s"


def make_console(stream: IO[str], color: bool) -> Any:
    """A rich Console on `stream`; without colour it writes no style escapes at all (no bold either)."""
    from rich.console import Console

    if color:
        return Console(file=stream)
    return Console(file=stream, color_system=None, no_color=True, highlight=False, emoji=False)


# The final status of a resource row -> the word the closing count uses for it.
_COUNTED = {"CREATE_COMPLETE": "created", "UPDATE_COMPLETE": "updated", "DELETE_COMPLETE": "deleted",
            "IMPORT_COMPLETE": "imported"}


class _Live:
    """What the Live view draws: rendered afresh on every refresh, so elapsed times tick."""

    def __init__(self, display: EventDisplay) -> None:
        self.display = display

    def __rich__(self) -> Any:
        return self.display._table()


class EventDisplay:
    """Callable as a provider's `on_event`; use as a context manager around the operation.

    `total` (optional) is how many of the stack's own resources the operation touches (the
    flows pass it: stacks.expected); the overall line then counts those rows, a nested stack
    as one. Without it the line counts every resource row seen so far.
    """

    def __init__(
        self,
        stack_name: str,
        *,
        live: bool | None = None,
        stream: IO[str] | None = None,
        color: bool = True,
        title: str = "",
        total: int | None = None,
    ) -> None:
        self.stack_name = stack_name
        self.total = total
        self.started = time.monotonic()
        self.finished: float | None = None
        self.stream = stream or sys.stdout
        self.live = self._isatty() if live is None else live
        self.color = color
        self.title = title or stack_name
        self.events: list[StackEvent] = []
        self.rows: dict[tuple[str, str], _Row] = {}
        self._live: Any = None
        self._console: Any = None

    def _isatty(self) -> bool:
        try:
            return self.stream.isatty()
        except (AttributeError, ValueError):
            return False

    # context management -------------------------------------------------------------
    def __enter__(self) -> EventDisplay:
        self.started, self.finished = time.monotonic(), None
        if self.live:
            from rich.live import Live

            self._console = make_console(self.stream, self.color)
            self._live = Live(_Live(self), console=self._console, refresh_per_second=8, transient=False)
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        exc_type = exc[0] if exc else None
        self.finished = time.monotonic()
        if self._live is not None:
            self._live.refresh()
            self._live.stop()
            if not self._console.is_terminal:
                self._console.line()  # rich ends a terminal's last frame with a newline, not a file's
            self._live = None
        if self.rows and exc_type is None:
            click.echo(self.summary(), file=self.stream)

    # events ---------------------------------------------------------------------------
    def __call__(self, ev: StackEvent) -> None:
        self.events.append(ev)
        key = (ev.stack_name, ev.logical_id)
        row = self.rows.get(key)
        if row is None:
            self.rows[key] = _Row(
                ev.stack_name, ev.logical_id, ev.resource_type, ev.status, ev.reason, ev.timestamp, ev.timestamp
            )
        else:
            row.status, row.reason, row.last = ev.status, ev.reason, ev.timestamp
        row = self.rows[key]
        if ev.status.endswith("_FAILED") and ev.reason and row.failure is None:
            row.failure = ev.reason
        if self._live is not None:
            self._live.refresh()
        elif not self.live:
            self._line(ev)

    def _name(self, stack_name: str, logical_id: str) -> str:
        return logical_id if stack_name == self.stack_name else f"{stack_name}/{logical_id}"

    def _line(self, ev: StackEvent) -> None:
        stamp = ev.timestamp.strftime("%H:%M:%S")
        text = f"{stamp}  {ev.status:<36} {self._name(ev.stack_name, ev.logical_id)}  {ev.resource_type}"
        if ev.reason:
            text += f"  {ev.reason}"
        click.echo(text, file=self.stream)

    def _resources(self) -> list[_Row]:
        """The resource rows, without the row of the stack being operated on itself."""
        return [r for r in list(self.rows.values())
                if not (r.stack_name == self.stack_name and r.logical_id == self.stack_name)]

    def _elapsed(self) -> str:
        return _fmt_elapsed((self.finished or time.monotonic()) - self.started)

    def progress(self) -> str:
        """The overall line: `12/25 complete · 3m10s`."""
        resources = self._resources()
        if self.total:  # the known total counts the stack's own resources (a nested stack is one)
            resources = [r for r in resources if r.stack_name == self.stack_name]
        done = sum(1 for r in resources if not is_in_progress(r.status))
        total = max(self.total or 0, len(resources))
        elapsed = self._elapsed()
        if not total:
            return f"waiting for the first resource · {elapsed}"
        return f"{done}/{total} complete · {elapsed}"

    def summary(self) -> str:
        """The closing count: `3 created · 1 updated · 0 deleted` (and failures, when any)."""
        counts = Counter(_COUNTED.get(r.status, "") for r in self._resources())
        failed = sum(1 for r in self._resources() if r.failure is not None)
        parts = [f"{counts[word]} {word}" for word in ("created", "updated", "deleted")]
        if counts["imported"]:
            parts.append(f"{counts['imported']} imported")
        if failed:
            parts.append(f"{failed} failed")
        return f"{self.stack_name}: " + " · ".join(parts) + f" in {self._elapsed()}"

    def _table(self) -> Any:
        from rich.table import Table
        from rich.text import Text

        table = Table(title=self.title, title_justify="left", expand=False, caption=self.progress(),
                      caption_justify="left", title_style="bold", caption_style="")
        # Names and types fold only when the terminal is too narrow for them (no fixed cap).
        table.add_column("resource", overflow="fold")
        table.add_column("type", style="dim", overflow="fold")
        table.add_column("status", overflow="fold")
        table.add_column("elapsed", justify="right", no_wrap=True)
        table.add_column("reason", overflow="fold", ratio=1)
        for row in list(self.rows.values()):  # a snapshot: events arrive while the refresh thread draws
            reason = Text(row.reason) if row.reason else (
                Text(f"failed: {row.failure}", style="red") if row.failure else Text(""))
            table.add_row(
                Text(self._name(row.stack_name, row.logical_id)),
                Text(row.resource_type),
                Text(row.status, style=_status_style(row.status)),
                _fmt_elapsed(row.elapsed()),
                reason,
            )
        return table

    # summaries ------------------------------------------------------------------------
    def failure(self) -> Failure | None:
        return first_failure(self.events)


def print_outputs(stack: Stack, *, stream: IO[str] | None = None, color: bool = True) -> None:
    """The outputs of a finished stack, as plain `Key  Value` lines on a terminal too.

    Never a table: a value (a URL, an ARN) is printed whole on one line, so it can be copied;
    on a terminal with colour the keys are bold.
    """
    stream = stream or sys.stdout
    if not stack.outputs:
        click.echo(f"{stack.name}: {stack.status} (no outputs)", file=stream)
        return
    click.echo(f"{stack.name}: {stack.status}; outputs:", file=stream)
    width = max(len(o.key) for o in stack.outputs)
    bold = color and _tty(stream)
    for out in stack.outputs:
        key = click.style(f"{out.key:<{width}}", bold=True) if bold else f"{out.key:<{width}}"
        click.echo(f"  {key}  {out.value}", file=stream, color=bold)


def print_table(headers: list[str], rows: list[list[str]], *, stream: IO[str] | None = None,
                title: str | None = None, color: bool = True) -> None:
    """A rich table on a terminal, aligned plain columns otherwise."""
    stream = stream or sys.stdout
    if _tty(stream):
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title, title_justify="left", title_style="bold" if color else "")
        for h in headers:
            table.add_column(h, overflow="fold")
        for r in rows:
            table.add_row(*(Text(c) for c in r))  # values are data, never rich markup
        make_console(stream, color).print(table)
        return
    if title:
        click.echo(title, file=stream)
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(), file=stream)
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip(), file=stream)


def _tty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
