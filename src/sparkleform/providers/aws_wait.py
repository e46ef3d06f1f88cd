"""Waiting for a stack operation on AWS: poll DescribeStackEvents with backoff, in order.

New events (of the stack and of its nested stacks) are handed to `on_event` oldest first;
the wait ends when the stack reaches a stable status and its own final event was seen.
Ctrl-C stops the watching only, never the operation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sparkleform.cfn import NESTED_STACK_TYPE
from sparkleform.contract import EventCallback, StackEvent
from sparkleform.providers.aws_errors import StackNotFound, WaitInterrupted, guard


def to_event(raw: dict) -> StackEvent:
    ts = raw.get("Timestamp")
    if not isinstance(ts, datetime):
        ts = datetime.fromisoformat(str(ts).replace("Z", "+00:00")) if ts else datetime.min
    return StackEvent(
        event_id=str(raw.get("EventId", "")),
        stack_name=str(raw.get("StackName", "")),
        logical_id=str(raw.get("LogicalResourceId", "")),
        physical_id=raw.get("PhysicalResourceId") or None,
        resource_type=str(raw.get("ResourceType", "")),
        status=str(raw.get("ResourceStatus", "")),
        reason=raw.get("ResourceStatusReason") or None,
        timestamp=ts,
    )


def is_stable(status: str) -> bool:
    return not status.endswith("_IN_PROGRESS")


def failure_reason(events: list[StackEvent], stack_name: str) -> str | None:
    """The first resource failure of an operation (what a user wants to read), else the
    stack's own reason."""
    for ev in events:
        if (
            ev.status.endswith("_FAILED")
            and ev.reason
            and "cancelled" not in ev.reason.lower()
            and (ev.logical_id != stack_name or ev.resource_type != NESTED_STACK_TYPE)
        ):
            return f"{ev.logical_id} ({ev.resource_type}): {ev.reason}"
    for ev in events:
        if ev.status.endswith("_FAILED") and ev.reason:
            return ev.reason
    return None


@dataclass(slots=True)
class Intervals:
    first: float
    longest: float
    factor: float = 1.5


class StackWatcher:
    """Follows one stack (and its nested stacks) from a starting point.

    Call `mark()` before starting the operation so only its events are reported, then
    `wait()` after it was started.
    """

    def __init__(
        self,
        client: Any,
        stack_id: str,
        stack_name: str,
        on_event: EventCallback | None,
        intervals: Intervals,
        sleep: Callable[[float], None] = time.sleep,
        *,
        nested_possible: bool = True,
    ) -> None:
        self.client = client
        self.stack_id = stack_id
        self.stack_name = stack_name
        self.on_event = on_event
        self.intervals = intervals
        self.sleep = sleep
        self.nested_possible = nested_possible
        self.seen: set[str] = set()
        self.nested: dict[str, bool] = {}  # nested stack id/name -> already primed
        self.started: datetime | None = None
        self.events: list[StackEvent] = []  # every new event of this operation, in order

    def _raw_events(self, stack: str, stop_at_seen: bool) -> list[dict]:
        out: list[dict] = []
        with guard("cloudformation", "DescribeStackEvents", stack=self.stack_name):
            paginator = self.client.get_paginator("describe_stack_events")
            for page in paginator.paginate(StackName=stack):
                batch = page.get("StackEvents") or []
                for raw in batch:
                    if stop_at_seen and raw.get("EventId") in self.seen:
                        return out
                    out.append(raw)
        return out

    def mark(self) -> None:
        """Everything that happened before now is history, not news."""
        try:
            for raw in self._raw_events(self.stack_id, stop_at_seen=False)[:200]:
                self.seen.add(raw["EventId"])
        except StackNotFound:  # the stack may not exist yet (a create)
            pass

    def _poll_one(self, stack: str, primed: bool) -> list[StackEvent]:
        try:
            raws = self._raw_events(stack, stop_at_seen=True)
        except StackNotFound:
            return []
        new: list[StackEvent] = []
        for raw in raws:
            self.seen.add(raw["EventId"])
            ev = to_event(raw)
            if not primed and self.started and ev.timestamp < self.started:
                continue  # a nested stack's history from before this operation
            new.append(ev)
        return new

    def collect(self) -> list[StackEvent]:
        """New events since the last collect, oldest first (not yet reported)."""
        new = self._poll_one(self.stack_id, True)
        if new and self.started is None:
            self.started = min(e.timestamp for e in new)
        for ev in new:
            if (
                ev.resource_type == NESTED_STACK_TYPE
                and ev.physical_id
                and ev.physical_id != self.stack_id
                and ev.logical_id != self.stack_name
                and ev.physical_id not in self.nested
            ):
                self.nested[ev.physical_id] = False
        for nested_id, primed in list(self.nested.items()):
            new.extend(self._poll_one(nested_id, primed))
            self.nested[nested_id] = True
        new.sort(key=lambda e: e.timestamp)
        return new

    def report(self, new: list[StackEvent]) -> None:
        new = sorted(new, key=lambda e: e.timestamp)
        self.events.extend(new)
        if self.on_event:
            for ev in new:
                self.on_event(ev)

    def poll(self) -> list[StackEvent]:
        """New events since the last poll, oldest first, reported to on_event."""
        new = self.collect()
        self.report(new)
        return new

    def _discover_nested_from_resources(self) -> bool:
        """Nested stacks that emitted no event on the parent (moto emits none) are found
        through the parent's resources. True when new ones were found."""
        if not self.nested_possible:
            return False
        found = False
        try:
            with guard("cloudformation", "ListStackResources", stack=self.stack_name):
                paginator = self.client.get_paginator("list_stack_resources")
                for page in paginator.paginate(StackName=self.stack_id):
                    for res in page.get("StackResourceSummaries") or []:
                        pid = res.get("PhysicalResourceId")
                        if res.get("ResourceType") == NESTED_STACK_TYPE and pid and pid not in self.nested:
                            self.nested[pid] = False
                            found = True
        except Exception:
            return False  # a deleted stack has no resources to list; its events are enough
        return found

    def describe(self) -> dict:
        with guard("cloudformation", "DescribeStacks", stack=self.stack_name):
            return self.client.describe_stacks(StackName=self.stack_id)["Stacks"][0]

    def wait(self, operation: str) -> dict:
        """Poll until the stack is stable; returns its final DescribeStacks entry."""
        interval = self.intervals.first
        stable_polls = 0
        try:
            while True:
                new = self.collect()
                desc = self.describe()
                status = desc.get("StackStatus", "")
                if is_stable(status):
                    final_seen = any(
                        e.logical_id == self.stack_name and e.resource_type == NESTED_STACK_TYPE and e.status == status
                        for e in [*self.events, *new]
                    )
                    stable_polls += 1
                    # An endpoint that writes no stack-level events is believed after a few polls.
                    if final_seen or stable_polls >= 5:
                        # Nested stacks that never showed on the parent's events (moto) come
                        # from its resources; their events are merged before reporting.
                        more = self.collect() if self._discover_nested_from_resources() else []
                        self.report([*new, *more])
                        return desc
                self.report(new)
                if new:
                    interval = self.intervals.first
                else:
                    interval = min(interval * self.intervals.factor, self.intervals.longest)
                self.sleep(interval)
        except KeyboardInterrupt:
            raise WaitInterrupted(
                f"stopped waiting for stack {self.stack_name}; the {operation} goes on in AWS. "
                f"Watch it with `sparkleform events {self.stack_name} --follow`"
            ) from None
