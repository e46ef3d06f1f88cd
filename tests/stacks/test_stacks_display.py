"""The event display: plain lines off a terminal, a rich table on one, and the first failure kept."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from sparkleform.cli.display import EventDisplay, print_table
from sparkleform.contract import StackEvent

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


def events() -> list[StackEvent]:
    def ev(i, stack, logical, rtype, status, reason=None):
        return StackEvent(f"e{i}", stack, logical, None, rtype, status, reason, T0 + timedelta(seconds=i))

    return [
        ev(0, "app", "app", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"),
        ev(1, "app", "Queue", "AWS::SQS::Queue", "CREATE_IN_PROGRESS"),
        ev(3, "app", "Queue", "AWS::SQS::Queue", "CREATE_COMPLETE"),
        ev(4, "app-Child-1", "Topic", "AWS::SNS::Topic", "CREATE_FAILED", "Topic name taken"),
        ev(5, "app", "Queue", "AWS::SQS::Queue", "DELETE_COMPLETE"),
        ev(6, "app", "app", "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE"),
    ]


def test_plain_lines_one_per_event_with_nested_stack_prefix():
    out = io.StringIO()
    display = EventDisplay("app", stream=out, live=False)
    with display:
        for ev in events():
            display(ev)
    lines = out.getvalue().splitlines()
    assert len(lines) == 7  # one per event, then the closing count
    assert lines[6].startswith("app: 0 created · 0 updated · 1 deleted · 1 failed in ")
    assert lines[2].startswith("12:00:03  CREATE_COMPLETE") and "Queue  AWS::SQS::Queue" in lines[2]
    assert "app-Child-1/Topic" in lines[3] and lines[3].endswith("Topic name taken")
    failure = display.failure()
    assert failure is not None and failure.describe() == "Topic (AWS::SNS::Topic) CREATE_FAILED: Topic name taken"


def test_live_table_has_one_row_per_resource_with_elapsed(monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    out = io.StringIO()
    display = EventDisplay("app", stream=out, live=True, color=False)
    with display:
        for ev in events():
            display(ev)
    text = out.getvalue()
    assert "elapsed" in text and "ROLLBACK_COMPLETE" in text
    final = text.split("┏")[-1]  # the last drawn table
    rows = [line for line in final.splitlines() if line.startswith("│ Queue ")]
    assert len(rows) == 1  # one row per resource, not per event
    assert "DELETE_COMPLETE" in rows[0]
    assert "4.0s" in rows[0]  # Queue: first event at 1 s, last at 5 s
    topic = [line for line in final.splitlines() if "Topic" in line and "CREATE_FAILED" in line]
    assert topic and "Topic name taken" in topic[0]


def test_live_table_keeps_a_failure_reason_after_the_rollback(monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    out = io.StringIO()
    display = EventDisplay("app", stream=out, live=True, color=False)
    t = [T0 + timedelta(seconds=i) for i in range(3)]
    with display:
        display(StackEvent("1", "app", "Db", None, "AWS::RDS::DBInstance", "CREATE_IN_PROGRESS", None, t[0]))
        display(StackEvent("2", "app", "Db", None, "AWS::RDS::DBInstance", "CREATE_FAILED", "quota", t[1]))
        display(StackEvent("3", "app", "Db", None, "AWS::RDS::DBInstance", "DELETE_COMPLETE", None, t[2]))
    final = out.getvalue().split("┏")[-1]
    row = next(line for line in final.splitlines() if line.startswith("│ Db "))
    assert "DELETE_COMPLETE" in row and "failed: quota" in row


def test_print_table_plain_columns():
    out = io.StringIO()
    print_table(["output", "value"], [["A", "1"], ["LongName", "x"]], stream=out)
    assert out.getvalue().splitlines() == ["OUTPUT    VALUE", "A         1", "LongName  x"]
