"""What another process sees of a running operation: when a wave's statuses are committed.

A wave whose resources are only computed commits its IN_PROGRESS and COMPLETE statuses in
one transaction; a wave with a resource that acts outside the engine's transaction (a
custom resource running the user's handler, a nested stack) commits IN_PROGRESS first, so
a crash during the handler finds the resource recorded. A second connection to the state
file, opened from inside a custom resource handler, is the other process here.
"""

from __future__ import annotations

import sqlite3

import pytest

from sparkleform.engine import custom
from sparkleform.providers.local import LocalProvider


def _rows(path) -> dict[str, str]:
    conn = sqlite3.connect(str(path))
    try:
        return dict(conn.execute("SELECT logical_id, status FROM resources").fetchall())
    finally:
        conn.close()


def _events(path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT logical_id, status FROM events ORDER BY seq").fetchall()
    finally:
        conn.close()


@pytest.fixture
def seen(tmp_path):
    """Register a handler for Custom::Probe that records what the state file holds when it runs."""
    path = tmp_path / "state.db"
    observed: list[tuple[dict[str, str], list[tuple[str, str]]]] = []

    def probe(request: dict) -> dict:
        if request["RequestType"] == "Create":
            observed.append((_rows(path), _events(path)))
        return {"Data": {}}

    custom.register_handler("Custom::Probe", probe)
    provider = LocalProvider(state=path)
    yield provider, observed
    provider.close()
    custom.unregister_handler("Custom::Probe")


def test_a_custom_resource_is_recorded_in_progress_before_its_handler_runs(seen) -> None:
    provider, observed = seen
    template = {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Probe": {
                "Type": "Custom::Probe",
                "Properties": {"ServiceToken": "local", "Url": {"Ref": "Queue"}},
            },
        }
    }
    provider.create_stack("waves", template, {})
    (rows, events), = observed
    # Queue's wave (computed) was committed whole before the probe's wave began; the probe's
    # own row is recorded IN_PROGRESS while its handler runs
    assert rows == {"Queue": "CREATE_COMPLETE", "Probe": "CREATE_IN_PROGRESS"}
    assert events[-3:] == [("Queue", "CREATE_IN_PROGRESS"), ("Queue", "CREATE_COMPLETE"), ("Probe", "CREATE_IN_PROGRESS")]


def test_a_wave_with_a_custom_resource_commits_all_its_starts_first(seen) -> None:
    provider, observed = seen
    template = {
        "Resources": {
            "Topic": {"Type": "AWS::SNS::Topic"},
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": ["Topic", "TopicName"]}}},
            # the probe waits for the Queue's wave: what it sees is what a crash at that point leaves
            "Probe": {"Type": "Custom::Probe", "DependsOn": "Queue", "Properties": {"ServiceToken": "local"}},
            # in the probe's wave but only computed: committed IN_PROGRESS with the probe, before it runs
            "Bucket": {"Type": "AWS::S3::Bucket", "DependsOn": "Queue"},
        }
    }
    stack = provider.create_stack("waves", template, {})
    (rows, events), = observed
    assert rows["Topic"] == rows["Queue"] == "CREATE_COMPLETE"
    assert rows["Probe"] == rows["Bucket"] == "CREATE_IN_PROGRESS"
    resource_events = [e for e in events if e[0] != "waves"]
    assert resource_events == [
        ("Topic", "CREATE_IN_PROGRESS"),
        ("Topic", "CREATE_IN_PROGRESS"),  # "Resource creation Initiated", as AWS emits
        ("Topic", "CREATE_COMPLETE"),
        ("Queue", "CREATE_IN_PROGRESS"),
        ("Queue", "CREATE_IN_PROGRESS"),
        ("Queue", "CREATE_COMPLETE"),
        ("Probe", "CREATE_IN_PROGRESS"),
        ("Bucket", "CREATE_IN_PROGRESS"),
    ]
    assert stack.status == "CREATE_COMPLETE"
    # every event is still there afterwards, in order, each IN_PROGRESS before its COMPLETE
    final = [(e.logical_id, e.status) for e in provider.events("waves") if e.logical_id != "waves"]
    for logical in ("Topic", "Queue", "Probe", "Bucket"):
        assert final.index((logical, "CREATE_IN_PROGRESS")) < final.index((logical, "CREATE_COMPLETE"))


def test_a_failure_in_a_computed_wave_is_committed_with_the_rest_of_it(tmp_path) -> None:
    provider = LocalProvider(state=tmp_path / "state.db")
    template = {
        "Resources": {
            "Good": {"Type": "AWS::SQS::Queue"},
            "Bad": {"Type": "AWS::SQS::Queue", "Metadata": {"sparkleform:fail": "create"}},
        }
    }
    events: list = []
    with pytest.raises(Exception, match="failed to create"):
        provider.create_stack("waves", template, {}, on_event=events.append)
    provider.close()
    statuses = [(e.logical_id, e.status) for e in events if e.logical_id in ("Good", "Bad")]
    assert statuses[:5] == [
        ("Good", "CREATE_IN_PROGRESS"),
        ("Bad", "CREATE_IN_PROGRESS"),
        ("Good", "CREATE_IN_PROGRESS"),  # "Resource creation Initiated"
        ("Good", "CREATE_COMPLETE"),
        ("Bad", "CREATE_FAILED"),
    ]
    assert ("Good", "DELETE_COMPLETE") in statuses


def _commits_of_create(tmp_path, name: str, template: dict) -> int:
    provider = LocalProvider(state=tmp_path / f"{name}.db")
    statements: list[str] = []
    provider.engine.store.conn.set_trace_callback(statements.append)
    provider.create_stack(name, template, {})
    provider.close()
    return sum(1 for s in statements if s.strip().upper() == "COMMIT")


def test_each_computed_wave_is_one_transaction(tmp_path) -> None:
    flat = {"Resources": {f"Q{i}": {"Type": "AWS::SQS::Queue"} for i in range(3)}}
    chain = {
        "Resources": {
            f"Q{i}": {"Type": "AWS::SQS::Queue", **({"DependsOn": f"Q{i - 1}"} if i else {})} for i in range(3)
        }
    }
    # the same three resources in one wave or in three: two more waves, two more commits
    assert _commits_of_create(tmp_path, "chain", chain) - _commits_of_create(tmp_path, "flat", flat) == 2
