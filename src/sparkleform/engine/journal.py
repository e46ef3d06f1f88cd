"""Recording state changes: stacks and resources moving through CloudFormation's statuses,
each change one transaction together with its events, the events delivered to the
operation's callback right after the transaction commits.

Resource changes are staged (applied to the rows in memory, their events stamped) and
committed together: a wave of resources is one transaction (see `start_wave`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sparkleform.contract import EventCallback, StackEvent
from sparkleform.engine.errors import StackBusy
from sparkleform.engine.handlers import STACK_TYPE, acts_outside
from sparkleform.engine.ids import event_id, event_ids, owner, owner_alive
from sparkleform.engine.model import Change, ResourceRow
from sparkleform.engine.store import StackStore, now
from sparkleform.secrets import registry

After = Callable[[], None]  # more writes for the same transaction (made through the store)


@dataclass
class Staged:
    """Row writes and events staged for one transaction (see Journal.stage)."""

    run_stack: tuple[str, str]
    rows: dict[str, tuple[ResourceRow, bool]] = field(default_factory=dict)  # logical id -> (row, remove it)
    events: list[tuple] = field(default_factory=list)
    delivered: list[StackEvent] = field(default_factory=list)


class GuardedCallback:
    """An operation's event callback that can never abort the operation: the first exception
    it raises (a closed stdout, a fault in a display) is kept in `error`, and it is not called
    again. The operation goes on to its end (or its rollback) whatever the callback does."""

    def __init__(self, callback: EventCallback) -> None:
        self.callback = callback
        self.error: Exception | None = None

    def __call__(self, event: StackEvent) -> None:
        if self.error is not None:
            return
        try:
            self.callback(event)
        except Exception as exc:
            self.error = exc

    def each(self, events: list[StackEvent]) -> None:
        """Call the callback with each of `events` in order, as calling this once per event
        would (one guarded loop instead of a guarded call per event)."""
        if self.error is not None:
            return
        callback = self.callback
        try:
            for ev in events:
                callback(ev)
        except Exception as exc:
            self.error = exc


def guarded(on_event: EventCallback | None) -> EventCallback | None:
    """`on_event` wrapped in a GuardedCallback (once)."""
    if on_event is None or isinstance(on_event, GuardedCallback):
        return on_event
    return GuardedCallback(on_event)


def masked(reason: str | None) -> str | None:
    """A reason as it may be stored and shown: NoEcho values masked (see sparkleform.secrets)."""
    if reason is None or not registry:
        return reason
    return registry.text(reason)


def deliver(events: list[StackEvent], on_event: EventCallback | None) -> None:
    if isinstance(on_event, GuardedCallback):
        on_event.each(events)
    elif on_event is not None:
        for ev in events:
            on_event(ev)


def busy_error(row: Any, verb: str) -> StackBusy:
    """CloudFormation's refusal of an operation on the stack of `row` in its status; when the
    stack is in progress and its owner is gone, with the way out."""
    status = row["status"]
    hint = None
    if status.endswith("_IN_PROGRESS") and not owner_alive(row["owner"]):
        hint = f"the process that ran its operation is gone: finish or roll it back with `sparkleform recover {row['name']}`"
    return StackBusy(f"Stack:{row['stack_id']} is in {status} state and can not be {verb}.", hint=hint)


class Journal:
    """Writes status changes and their events through the store, one transaction each."""

    def __init__(self, store: StackStore) -> None:
        self.store = store

    def _event(
        self,
        pending: list[StackEvent],
        stack_id: str,
        stack_name: str,
        logical_id: str,
        physical_id: str | None,
        rtype: str,
        status: str,
        reason: str | None,
    ) -> None:
        """One event, written in the caller's transaction and queued in `pending` for delivery."""
        ts = now()
        eid = event_id()
        reason = masked(reason)
        self.store.insert_events([(eid, self.store.stack_key(stack_id), logical_id, physical_id, rtype, status, reason, ts)])
        pending.append(
            StackEvent(eid, stack_name, logical_id, physical_id, rtype, status, reason, datetime.fromtimestamp(ts, UTC))
        )

    # -- stacks -----------------------------------------------------------------------
    def stack_event(self, pending: list[StackEvent], stack_id: str, name: str, status: str, reason: str | None) -> None:
        """The stack's own event, in the caller's transaction (see `_event`)."""
        self._event(pending, stack_id, name, name, stack_id, STACK_TYPE, status, reason)

    def stack_status(
        self,
        stack_id: str,
        name: str,
        status: str,
        reason: str | None,
        on_event: EventCallback | None,
        *,
        extra: dict[str, Any] | None = None,
        after: After | None = None,
        before: After | None = None,
    ) -> None:
        """The stack moves to `status` (with more columns in `extra`, `before`'s writes made
        before the row changes, and `after`'s after it), in one transaction."""
        pending: list[StackEvent] = []
        reason = masked(reason)
        with self.store.tx():
            if before is not None:
                before()
            self.store.set_stack(stack_id, {"status": status, "reason": reason, **(extra or {})})
            if after is not None:
                after()
            self.store.flush_parameters()
            self.stack_event(pending, stack_id, name, status, reason)
        deliver(pending, on_event)

    def begin(
        self,
        row: Any,
        status: str,
        reason: str,
        on_event: EventCallback | None,
        *,
        verb: str = "updated",
        allowed: set[str] | None = None,
        extra: dict[str, Any] | None = None,
        force: bool = False,
        after: After | None = None,
        unchanged: bool = False,
    ) -> None:
        """Take the stack of `row` for an operation: refused while another one runs on it, and
        (with `unchanged`) when another process changed the stack since `row` was read."""
        pending: list[StackEvent] = []
        stack_id, name = row["stack_id"], row["name"]
        with self.store.tx():
            current = self.store.stack_row(stack_id)
            assert current is not None
            cur = current["status"]
            busy = cur.endswith("_IN_PROGRESS") and not force
            if busy or (allowed is not None and cur not in allowed):
                raise busy_error(current, verb)
            if unchanged and (
                current["template_version"] != row["template_version"] or current["updated"] != row["updated"]
            ):
                raise StackBusy(
                    f"Stack:{stack_id} was changed by another operation while this one was being prepared; run it again."
                )
            self.store.set_stack(stack_id, {"status": status, "reason": reason, "owner": owner(), **(extra or {})})
            if after is not None:
                after()
            self.stack_event(pending, stack_id, name, status, reason)
        deliver(pending, on_event)

    # -- resources --------------------------------------------------------------------
    def resource_event(
        self,
        run_stack: tuple[str, str],
        res: ResourceRow,
        status: str,
        reason: str | None,
        on_event: EventCallback | None,
        *,
        after: After | None = None,
        flush: bool = False,
    ) -> None:
        """An event of a resource whose row does not change (a superseded physical resource
        being deleted), with `after`'s writes and (with `flush`) the deferred parameter writes."""
        stack_id, name = run_stack
        pending: list[StackEvent] = []
        with self.store.tx():
            if flush:
                self.store.flush_parameters()
            if after is not None:
                after()
            self._event(pending, stack_id, name, res.logical_id, res.physical_id, res.type, status, reason)
        deliver(pending, on_event)

    def resource_status(
        self,
        run_stack: tuple[str, str],
        res: ResourceRow,
        status: str,
        reason: str | None,
        on_event: EventCallback | None,
        *,
        remove: bool = False,
    ) -> None:
        """One resource moves to `status`: its row and event in one transaction."""
        self.commit(self.stage(run_stack, [(res, status, reason, remove)]), on_event)

    def stage(self, run_stack: tuple[str, str], changes: list[Change], staged: Staged | None = None) -> Staged:
        """Apply `changes` to their rows in memory and record their events (stamped now) and
        row writes in `staged`, for `commit` to write in one transaction. A change with status
        None writes (or removes) the row without an event."""
        staged = staged if staged is not None else Staged(run_stack)
        stack_id, name = run_stack
        key = self.store.stack_key(stack_id)
        ts = now()
        stamp = datetime.fromtimestamp(ts, UTC)
        ids = iter(event_ids(sum(1 for change in changes if change[1] is not None)))
        rows = staged.rows
        add_event, deliver_later = staged.events.append, staged.delivered.append
        mask = registry.text if registry else None  # masked(), decided once for the batch
        for res, status, reason, remove in changes:
            logical = res.logical_id
            if logical in rows:  # a later change of a row replaces an earlier one (dict order: last)
                del rows[logical]
            rows[logical] = (res, remove)
            if status is not None:
                if mask is not None and reason is not None:
                    reason = mask(reason)
                res.status = status
                res.reason = reason
                eid = next(ids)
                physical, rtype = res.physical_id, res.type
                add_event((eid, key, logical, physical, rtype, status, reason, ts))
                deliver_later(StackEvent(eid, name, logical, physical, rtype, status, reason, stamp))
        return staged

    def start_wave(
        self, run_stack: tuple[str, str], started: list[Change], on_event: EventCallback | None
    ) -> Staged | None:
        """The IN_PROGRESS changes of a wave. They are committed before the wave runs only when
        one of its resources acts outside this transaction (a nested stack commits its own
        state, a custom resource runs the user's code): a crash after such an effect must find
        the resource recorded. Otherwise they are staged and committed with the wave's results,
        one transaction per wave: a crash before it loses nothing that happened."""
        staged = self.stage(run_stack, started)
        if any(acts_outside(rtype) for rtype in {change[0].type for change in started}):
            self.commit(staged, on_event)
            return None
        return staged

    def commit(self, staged: Staged, on_event: EventCallback | None) -> None:
        """Write what `staged` holds (with the deferred parameter writes) in one transaction,
        then deliver its events."""
        if not staged.rows and not staged.events:
            if self.store.parameters_pending:
                with self.store.tx():
                    self.store.flush_parameters()
            return
        stack_id = staged.run_stack[0]
        with self.store.tx():
            self.store.flush_parameters()
            self.store.write_resources(stack_id, staged.rows)
            self.store.insert_events(staged.events)
        deliver(staged.delivered, on_event)
