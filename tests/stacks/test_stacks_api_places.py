"""From Python, `Stacks` runs a configured stack in its own region (sparkleform.toml), and
has `inspect` and `plan_group` as the CLI has `inspect` and `plan --group`."""

from __future__ import annotations

import json

import pytest


def test_stacks_in_their_own_regions_inspect_and_plan_group(tmp_path, monkeypatch):
    pytest.importorskip("sparkleform.providers.local")
    from sparkleform import Stacks

    base = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}, "Outputs": {"QueueUrl": {"Value": {"Ref": "Queue"}}}}
    app = {"Parameters": {"QueueUrl": {"Type": "String"}},
           "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "t"}}}}
    (tmp_path / "base.json").write_text(json.dumps(base))
    (tmp_path / "app.json").write_text(json.dumps(app))
    (tmp_path / "sparkleform.toml").write_text(
        '[stacks.base]\ntemplate = "base.json"\nregion = "eu-west-1"\n'
        '[stacks.app]\ntemplate = "app.json"\napply_stacks = ["base"]\nregion = "ap-southeast-2"\n')
    monkeypatch.chdir(tmp_path)
    stacks = Stacks(state=tmp_path / "state.db")
    assert [(p.name, p.action) for p in stacks.plan_group()] == [("base", "create"), ("app", "create")]
    stacks.up()
    assert ":ap-southeast-2:" in stacks.describe("app").stack_id
    queue = stacks.inspect("base")["Resources"]["Queue"]
    assert queue["Attributes"]["Arn"].startswith("arn:aws:sqs:eu-west-1:")
    assert stacks.describe("app").parameters[0].value == queue["PhysicalResourceId"]
    assert [(p.name, p.action) for p in stacks.plan_group("base")] == [("base", "update")]
    assert stacks.down() == ["app", "base"]
