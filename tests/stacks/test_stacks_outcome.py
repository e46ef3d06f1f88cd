"""First-failure detection and --apply-stack reference parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sparkleform.contract import StackEvent
from sparkleform.errors import ParameterError
from sparkleform.stacks.apply import StackRef, parse_stack_ref
from sparkleform.stacks.outcome import first_failure, is_failed

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def ev(i: int, logical: str, status: str, reason: str | None = None, rtype: str = "AWS::SQS::Queue") -> StackEvent:
    return StackEvent(f"e{i}", "app", logical, None, rtype, status, reason, T0 + timedelta(seconds=i))


def test_first_real_failure_survives_rollback_and_cancellations():
    events = [
        ev(0, "app", "CREATE_IN_PROGRESS", rtype="AWS::CloudFormation::Stack"),
        ev(1, "Db", "CREATE_FAILED", "Resource creation cancelled"),
        ev(2, "Web", "CREATE_FAILED", "Property Size must be a number"),
        ev(3, "Other", "CREATE_FAILED", "later failure"),
        ev(4, "app", "ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [Web]",
           rtype="AWS::CloudFormation::Stack"),
        ev(5, "Web", "DELETE_COMPLETE"),
        ev(6, "app", "ROLLBACK_COMPLETE", rtype="AWS::CloudFormation::Stack"),
    ]
    failure = first_failure(events)
    assert failure is not None
    assert (failure.logical_id, failure.reason) == ("Web", "Property Size must be a number")


def test_stack_event_is_the_fallback_cause():
    events = [ev(1, "app", "UPDATE_FAILED", "boom", rtype="AWS::CloudFormation::Stack")]
    assert first_failure(events).reason == "boom"
    assert first_failure([ev(1, "X", "CREATE_COMPLETE")]) is None


def test_status_classes():
    assert is_failed("ROLLBACK_COMPLETE") and is_failed("UPDATE_ROLLBACK_COMPLETE") and is_failed("DELETE_FAILED")
    assert not is_failed("CREATE_COMPLETE") and not is_failed("UPDATE_COMPLETE")


def test_stack_refs():
    assert parse_stack_ref("vpc") == StackRef("vpc", None, None, "vpc")
    assert parse_stack_ref("local:vpc") == StackRef("vpc", "local", None, "local:vpc")
    assert parse_stack_ref("aws:us-west-2:vpc") == StackRef("vpc", "aws", "us-west-2", "aws:us-west-2:vpc")
    for bad in ("gcp:vpc", "aws::vpc", "a:b:c:d", "aws:"):
        with pytest.raises(ParameterError):
            parse_stack_ref(bad)
