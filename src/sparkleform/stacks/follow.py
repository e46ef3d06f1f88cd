"""Following a stack's events: each event once, oldest first, until the stack is stable."""

from __future__ import annotations

import time
from collections.abc import Callable

from sparkleform.contract import Provider, StackEvent, runs_in_process
from sparkleform.errors import OperationFailed
from sparkleform.stacks.flows import safe_describe
from sparkleform.stacks.outcome import is_in_progress


class EventFollower:
    """The events of one stack, handed out once each (`since` the last one seen)."""

    def __init__(self, provider: Provider, stack: str) -> None:
        self.provider = provider
        self.stack = stack
        self.seen: set[str] = set()
        self.last: str | None = None  # the newest event id handed out, for `since` on the next poll

    def _fresh(self, events: list[StackEvent]) -> list[StackEvent]:
        fresh = [e for e in sorted(events, key=lambda e: e.timestamp) if e.event_id not in self.seen]
        self.seen.update(e.event_id for e in fresh)
        if fresh:
            self.last = fresh[-1].event_id
        return fresh

    def history(self) -> list[StackEvent]:
        """Every event so far."""
        return self._fresh(self.provider.events(self.stack))

    def news(self) -> list[StackEvent]:
        """The events since the last call."""
        return self._fresh(self.provider.events(self.stack, self.last))

    def follow(
        self,
        emit: Callable[[list[StackEvent]], None],
        *,
        interval: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Poll until the stack is stable (or gone), handing each batch of new events to `emit`.

        The first interval is `interval` (default: 0.5 s in process, 2 s remote), growing
        for a remote provider up to 10 s.
        """
        in_process = runs_in_process(self.provider)
        delay = interval if interval is not None else (0.5 if in_process else 2.0)
        while True:
            current = safe_describe(self.provider, self.stack)
            if current is None or not is_in_progress(current.status):
                if current is not None:
                    emit(self.news())
                return
            alive = getattr(self.provider, "operation_alive", None)  # local: the operation's process
            if alive is not None and not alive(self.stack):
                emit(self.news())
                raise OperationFailed(
                    f"the operation on {self.stack} was cut off (its process ended) with the stack "
                    f"{current.status}; nothing is running on it",
                    hint=f"roll it back with `sparkleform recover {self.stack}`",
                )
            sleep(delay)
            emit(self.news())
            if not in_process:
                delay = min(delay * 1.5, 10.0)
