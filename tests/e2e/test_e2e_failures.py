"""Failed operations: exit 1 with the FIRST failure's reason, kept after the rollback."""

from __future__ import annotations

import json
import os

import pytest
from e2e_support import Terminal


def test_failed_create_rolls_back_and_names_the_first_failure(cli, data):
    proc = cli.run("create", "bad", str(data / "failing.json"), check=1)
    assert "ROLLBACK_COMPLETE" in proc.stdout  # the events were shown as they came
    last = proc.stderr.strip().splitlines()[0]
    assert last == (
        "error: create of stack bad failed: Topic (AWS::SNS::Topic) CREATE_FAILED: "
        "Topic quota exceeded (injected); the stack is ROLLBACK_COMPLETE"
    )
    kept = cli.run("create", "kept", str(data / "failing.json"), "--no-rollback", check=1)
    assert "the stack is CREATE_FAILED" in kept.stderr
    statuses = {s["StackName"]: s["StackStatus"] for s in cli.json("list-stacks")}
    assert statuses == {"bad": "ROLLBACK_COMPLETE", "kept": "CREATE_FAILED"}
    # a rolled-back stack's outputs are not usable by --apply-stack
    refused = cli.run("create", "x", str(data / "topic_consumer.json"), "--apply-stack", "bad", check=2)
    assert "ROLLBACK_COMPLETE" in refused.stderr


def test_failed_update_rolls_back_to_the_previous_values(cake, data, tmp_path):
    cli = cake.cli
    template = json.loads((data / "coolapp_asg.json").read_text())
    template["Resources"]["Asg"]["Metadata"] = {
        "sparkleform:fail": "update", "sparkleform:fail-reason": "Group is busy (injected)"
    }
    template["Resources"]["Asg"]["Properties"]["MaxSize"] = "3"
    broken = tmp_path / "asg_broken.json"
    broken.write_text(json.dumps(template))
    proc = cli.run("update", "coolapp-asg", str(broken), "--yes", check=1)
    assert "Asg (AWS::AutoScaling::AutoScalingGroup) UPDATE_FAILED: Group is busy (injected)" in proc.stderr
    assert "UPDATE_ROLLBACK_COMPLETE" in proc.stderr
    assert cli.json("outputs", "coolapp-asg") == cake.asg


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_live_table_on_a_terminal(cli, data):
    term = Terminal(cli, "create", "elb", str(data / "coolapp_elb.json"))
    assert term.finish() == 0
    text = term.text
    assert "elapsed" in text and "resource" in text  # the live table's header
    assert "ElbSecurityGroup" in text and "CREATE_COMPLETE" in text
    assert "elb: CREATE_COMPLETE; outputs:" in text and "ElbDns" in text  # plain Key  Value lines at the end
