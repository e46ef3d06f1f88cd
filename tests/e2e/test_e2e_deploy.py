"""`sparkleform deploy`: create or update, a ROLLBACK_COMPLETE stack deleted first (asked),
and every wrong-state error naming the command to run next."""

from __future__ import annotations

import json

import pytest
from e2e_support import Terminal

from sparkleform import Stacks
from sparkleform.stacks.flows import Result
from sparkleform.stacks.next_step import next_step


def test_deploy_creates_then_updates_then_has_nothing_to_do(cli, data, tmp_path):
    made = cli.run("deploy", "elb", str(data / "coolapp_elb.json"))
    assert "elb: CREATE_COMPLETE" in made.stdout
    template = json.loads((data / "coolapp_elb.json").read_text())
    template["Resources"]["ElbSecurityGroup"]["Properties"]["SecurityGroupIngress"].append(
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}
    )
    changed = tmp_path / "elb2.json"
    changed.write_text(json.dumps(template))
    # an update asks; without a terminal that is an error naming --yes, and nothing changes
    refused = cli.run("deploy", "elb", str(changed), check=2)
    assert "add --yes" in refused.stderr
    updated = cli.run("deploy", "elb", str(changed), "--yes")
    assert "elb: UPDATE_COMPLETE" in updated.stdout
    same = cli.run("deploy", "elb", str(changed), "--yes")
    assert "No updates are to be performed." in same.stdout


def test_a_rolled_back_stack_is_deleted_first_when_the_user_agrees(cli, data):
    cli.run("deploy", "bad", str(data / "failing.json"), check=1)
    assert {s["StackName"]: s["StackStatus"] for s in cli.json("list-stacks")} == {"bad": "ROLLBACK_COMPLETE"}
    # create and update name the way out instead of the bare provider refusal
    exists = cli.run("create", "bad", str(data / "coolapp_elb.json"), check=2)
    assert "hint: bad is ROLLBACK_COMPLETE (its create failed): `sparkleform destroy bad` first" in exists.stderr
    stuck = cli.run("update", "bad", str(data / "coolapp_elb.json"), "--yes", check=2)
    assert "`sparkleform destroy bad` first" in stuck.stderr
    # deploy asks before deleting; a "no" on the terminal changes nothing
    term = Terminal(cli, "deploy", "bad", str(data / "coolapp_elb.json"))
    term.expect("delete it and create it again?")
    term.send("n")
    assert term.finish() == 0
    assert cli.json("list-stacks")[0]["StackStatus"] == "ROLLBACK_COMPLETE"
    done = cli.run("deploy", "bad", str(data / "coolapp_elb.json"), "--yes")
    assert "bad is ROLLBACK_COMPLETE: deleting it before creating it again" in done.stdout
    assert "DELETE_COMPLETE" in done.stdout and "bad: CREATE_COMPLETE" in done.stdout


def test_create_of_an_existing_stack_names_update_and_deploy(cli, data):
    cli.run("create", "elb", str(data / "coolapp_elb.json"))
    again = cli.run("create", "elb", str(data / "coolapp_elb.json"), check=2)
    assert again.stderr.splitlines()[-1].strip() == (
        "hint: elb already exists: `sparkleform update elb` or `sparkleform deploy elb`"
    )


def test_apply_stack_of_an_unusable_stack_names_the_next_command(cli, data):
    cli.run("create", "bad", str(data / "failing.json"), check=1)
    refused = cli.run("create", "x", str(data / "topic_consumer.json"), "--apply-stack", "bad", check=2)
    assert "hint: bad is ROLLBACK_COMPLETE" in refused.stderr and "User Initiated" not in refused.stderr


@pytest.mark.parametrize(
    ("status", "in_process", "expected"),
    [
        ("CREATE_IN_PROGRESS", True, "it was cut off: `sparkleform recover web`"),
        ("UPDATE_IN_PROGRESS", False, "wait for it with `sparkleform events web --follow`"),
        ("UPDATE_ROLLBACK_FAILED", False, "`sparkleform recover web` rolls it back"),
        ("REVIEW_IN_PROGRESS", False, "`sparkleform destroy web` first, or `sparkleform deploy web`"),
        ("CREATE_FAILED", True, "`sparkleform destroy web` first"),
        ("UPDATE_COMPLETE", True, None),
    ],
)
def test_next_step_per_state(status, in_process, expected):
    hint = next_step("web", status, in_process=in_process)
    assert (hint is None) if expected is None else (expected in hint)


def test_deploy_from_python(tmp_path, data):
    stacks = Stacks(state=tmp_path / "state.db")
    first = stacks.deploy("elb", str(data / "coolapp_elb.json"))
    assert first.result is Result.CREATED and first.stack.status == "CREATE_COMPLETE"
    again = stacks.deploy("elb", str(data / "coolapp_elb.json"), confirm=lambda plan: True)
    assert again.result is Result.UNCHANGED
