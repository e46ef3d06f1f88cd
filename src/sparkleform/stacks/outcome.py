"""Reading stack statuses and event streams: done or not, failed or not, and the first cause."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sparkleform.cfn import FAILED_STATES, NESTED_STACK_TYPE
from sparkleform.contract import StackEvent

# Reasons that only echo the real cause elsewhere; the first failure is the one worth showing.
_ECHO_REASONS = ("Resource creation cancelled", "Resource update cancelled", "cancelled")


def is_in_progress(status: str) -> bool:
    return status.endswith("_IN_PROGRESS")


def is_failed(status: str) -> bool:
    return status in FAILED_STATES or status.endswith("_FAILED")


@dataclass(frozen=True)
class Failure:
    stack_name: str
    logical_id: str
    resource_type: str
    status: str
    reason: str

    def describe(self) -> str:
        return f"{self.logical_id} ({self.resource_type}) {self.status}: {self.reason}"


def first_failure(events: Iterable[StackEvent]) -> Failure | None:
    """The earliest resource failure with a real reason (events in the order they happened).

    Cancellation echoes and the stack's own summary events are passed over when a resource
    event carries the cause; the stack's event is the fallback.
    """
    fallback: Failure | None = None
    for ev in events:
        if not ev.status.endswith("_FAILED"):
            continue
        failure = Failure(ev.stack_name, ev.logical_id, ev.resource_type, ev.status, ev.reason or "")
        is_stack_event = ev.resource_type == NESTED_STACK_TYPE and ev.logical_id == ev.stack_name
        if is_stack_event or not ev.reason or ev.reason.strip().startswith(_ECHO_REASONS):
            fallback = fallback or failure
            continue
        return failure
    return fallback
