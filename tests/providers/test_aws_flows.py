"""The stack flows from Python (sparkleform.Stacks) through the AWS provider on moto_server:
the plan a confirm callback sees is the change set that is executed, a declined one is
dropped, nothing to change is NoUpdates, and destroy deletes."""

from __future__ import annotations

import json

import pytest

from sparkleform import Stacks
from sparkleform.contract import NO_UPDATES, Plan
from sparkleform.stacks.flows import Result

TOPIC = {
    "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "flow-${Env}"}}}},
}

QUEUE = {"Queue": {"Type": "AWS::SQS::Queue"}}


@pytest.fixture
def stacks(aws, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "topic.json").write_text(json.dumps(TOPIC))
    (tmp_path / "topic2.json").write_text(json.dumps({**TOPIC, "Resources": {**TOPIC["Resources"], **QUEUE}}))
    return Stacks(aws)


def change_sets(stacks: Stacks, name: str) -> list[str]:
    """The change sets waiting for review (executed ones stay listed, as on AWS)."""
    client = stacks.provider.cf  # type: ignore[attr-defined]
    summaries = client.list_change_sets(StackName=name)["Summaries"]
    return [s["ChangeSetName"] for s in summaries if s["ExecutionStatus"] == "AVAILABLE"]


def test_update_applies_the_change_set_it_showed_and_drops_a_declined_one(stacks, unique):
    name = f"flow-{unique}"
    assert stacks.create(name, "topic.json").status == "CREATE_COMPLETE"

    shown: list[Plan] = []
    assert stacks.update(name, "topic2.json", confirm=lambda p: shown.append(p) or False) is None
    assert shown[0].change_set_name and [(c.action, c.logical_id) for c in shown[0].changes] == [("Add", "Queue")]
    assert change_sets(stacks, name) == []  # the declined change set is not left behind

    updated = stacks.update(name, "topic2.json", confirm=lambda p: shown.append(p) or True)
    assert updated is not None and updated.status == "UPDATE_COMPLETE"
    assert sorted(r.logical_id for r in updated.resources) == ["Queue", "Topic"]
    assert change_sets(stacks, name) == []  # the one shown was the one executed

    notes: list[str] = []
    stacks.context.reporter.note = notes.append  # type: ignore[method-assign]
    assert stacks.update(name, "topic2.json", confirm=lambda p: pytest.fail("asked")) is None
    assert notes[-1] == NO_UPDATES

    assert stacks.destroy(name) is Result.DELETED
    assert not stacks.provider.stack_exists(name)
