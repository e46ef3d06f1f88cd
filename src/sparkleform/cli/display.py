"""The live event display of create/update/destroy: one row per resource, then outputs or failure.

On a terminal it is a rich Live table (rich imported only here, lazily); anywhere else
(CI logs, pipes, tests) it prints one plain line per event.
"""

from __future__ import annotations

import sys
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


class EventDisplay:
    """Callable as a provider's `on_event`; use as a context manager around the operation."""

    def __init__(
        self,
        stack_name: str,
        *,
        live: bool | None = None,
        stream: IO[str] | None = None,
        color: bool = True,
        title: str = "",
    ) -> None:
        self.stack_name = stack_name
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
        if self.live:
            from rich.console import Console
            from rich.live import Live

            self._console = Console(file=self.stream, no_color=not self.color)
            self._live = Live(self._table(), console=self._console, refresh_per_second=8, transient=False)
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.update(self._table())
            self._live.stop()
            self._live = None

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
            self._live.update(self._table())
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

    def _table(self) -> Any:
        from rich.table import Table

        table = Table(title=self.title, title_justify="left", expand=False)
        table.add_column("resource", overflow="fold")
        table.add_column("type", style="dim", overflow="fold", max_width=30)
        table.add_column("status", overflow="fold")
        table.add_column("elapsed", justify="right", no_wrap=True)
        table.add_column("reason", overflow="fold")
        for row in self.rows.values():
            table.add_row(
                self._name(row.stack_name, row.logical_id),
                row.resource_type,
                f"[{_status_style(row.status)}]{row.status}[/]",
                _fmt_elapsed(row.elapsed()),
                row.reason or (f"[red]failed: {row.failure}[/]" if row.failure else ""),
            )
        return table

    # summaries ------------------------------------------------------------------------
    def failure(self) -> Failure | None:
        return first_failure(self.events)


def print_outputs(stack: Stack, *, stream: IO[str] | None = None, color: bool = True) -> None:
    """The outputs of a finished stack, as `Key  Value` lines (a table on a terminal)."""
    stream = stream or sys.stdout
    if not stack.outputs:
        click.echo(f"{stack.name}: {stack.status} (no outputs)", file=stream)
        return
    if _tty(stream):
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{stack.name} outputs", title_justify="left")
        table.add_column("output")
        table.add_column("value")
        for out in stack.outputs:
            table.add_row(out.key, out.value)
        Console(file=stream, no_color=not color).print(table)
        return
    click.echo(f"{stack.name}: {stack.status}; outputs:", file=stream)
    width = max(len(o.key) for o in stack.outputs)
    for out in stack.outputs:
        click.echo(f"  {out.key:<{width}}  {out.value}", file=stream)


def print_table(headers: list[str], rows: list[list[str]], *, stream: IO[str] | None = None,
                title: str | None = None, color: bool = True) -> None:
    """A rich table on a terminal, aligned plain columns otherwise."""
    stream = stream or sys.stdout
    if _tty(stream):
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for h in headers:
            table.add_column(h, overflow="fold")
        for r in rows:
            table.add_row(*r)
        Console(file=stream, no_color=not color).print(table)
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
