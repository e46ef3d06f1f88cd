"""Update, plan, destroy, describe/outputs JSON shapes, events and exit codes via the real CLI."""

from __future__ import annotations

import json


def _cake(cli, data):
    cli.run("create", "coolapp-elb", str(data / "coolapp_elb.json"))
    cli.run("create", "coolapp-asg", str(data / "coolapp_asg.json"), "--apply-stack", "coolapp-elb")
    return cli.json("outputs", "coolapp-elb"), cli.json("outputs", "coolapp-asg")


def test_update_fills_parameters_new_in_the_template_and_keeps_previous_values(cli, data):
    elb, before = _cake(cli, data)
    v2 = str(data / "coolapp_asg_v2.json")
    # plan first: the new UserData replaces the launch configuration
    plan = cli.json("plan", "coolapp-asg", v2, "--apply-stack", "coolapp-elb")
    assert plan["StackName"] == "coolapp-asg"
    changes = {c["LogicalResourceId"]: c for c in plan["Changes"]}
    assert changes["LaunchConfig"]["Action"] == "Modify"
    assert changes["LaunchConfig"]["Replacement"] == "True"
    assert "UserData" in changes["LaunchConfig"]["Causes"]
    assert cli.json("outputs", "coolapp-asg") == before  # plan changed nothing

    # ElbDns exists only in v2: --apply-stack must fill it (sfn #310); the rest keep their values
    proc = cli.run("update", "coolapp-asg", v2, "--apply-stack", "coolapp-elb", "--yes")
    assert "LaunchConfig" in proc.stdout
    after = cli.json("outputs", "coolapp-asg")
    assert after["UsedDns"] == elb["ElbDns"]
    assert after["UsedElb"] == before["UsedElb"]
    assert cli.json("describe", "coolapp-asg")["StackStatus"] == "UPDATE_COMPLETE"


def test_update_keeps_previous_values_without_apply_stack(cli, data):
    _, before = _cake(cli, data)
    cli.run("update", "coolapp-asg", "-p", "Size=2", "--yes")  # no TEMPLATE: keep the template
    described = cli.json("describe", "coolapp-asg")
    params = {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]}
    assert params["Size"] == "2"
    assert params["ElbName"] == before["UsedElb"]


def test_no_updates_is_a_clean_exit_0(cli, data):
    _cake(cli, data)
    proc = cli.run("update", "coolapp-asg", str(data / "coolapp_asg.json"), "--yes")
    assert "No updates are to be performed." in proc.stdout
    assert cli.json("describe", "coolapp-asg")["StackStatus"] == "CREATE_COMPLETE"


def test_update_and_destroy_need_yes_without_a_terminal(cli, data):
    _cake(cli, data)
    upd = cli.run("update", "coolapp-asg", "-p", "Size=3", check=2)
    assert "--yes" in upd.stderr
    assert cli.json("describe", "coolapp-asg")["StackStatus"] == "CREATE_COMPLETE"
    gone = cli.run("destroy", "coolapp-asg", check=2)
    assert "--yes" in gone.stderr
    assert cli.json("describe", "coolapp-asg")["StackStatus"] == "CREATE_COMPLETE"


def test_destroy_removes_the_stack(cli, data):
    _cake(cli, data)
    proc = cli.run("destroy", "coolapp-asg", "--yes")
    assert "DELETE_COMPLETE" in proc.stdout
    assert [s["StackName"] for s in cli.json("list-stacks")] == ["coolapp-elb"]
    assert cli.run("describe", "coolapp-asg", check=2).returncode == 2
    assert cli.run("destroy", "coolapp-asg", "--yes", check=2).returncode == 2


def test_describe_and_outputs_json_shapes_with_no_echo_masked(cli, data):
    cli.run("create", "secret", str(data / "secret.yaml"), "-p", "DbPassword=hunter2-long", "--tags", "team=web")
    described = cli.json("describe", "secret")
    assert {"StackName", "StackStatus", "StackStatusReason", "Parameters", "Outputs", "Resources"} <= set(described)
    assert described["StackName"] == "secret" and described["StackStatus"] == "CREATE_COMPLETE"
    params = {p["ParameterKey"]: p for p in described["Parameters"]}
    assert params["DbPassword"]["ParameterValue"] == "****"
    assert params["Env"]["ParameterValue"] == "dev"
    assert [r["LogicalResourceId"] for r in described["Resources"]] == ["Topic"]
    assert described["Resources"][0]["ResourceType"] == "AWS::SNS::Topic"
    assert described["Outputs"][0]["OutputKey"] == "TopicArn"
    outputs = cli.json("outputs", "secret")
    assert list(outputs) == ["TopicArn"] and outputs["TopicArn"].startswith("arn:aws:sns:")
    text = cli.run("describe", "secret").stdout
    assert "hunter2" not in text and "****" in text
    events = cli.run("events", "secret").stdout
    assert "hunter2" not in events and "CREATE_COMPLETE" in events

    # an update that does not give the NoEcho value keeps it (the stack stays valid)
    cli.run("update", "secret", "-p", "Env=prod", "--yes")
    assert cli.json("outputs", "secret")["TopicArn"].endswith("secret-prod")


def test_events_json_and_follow_on_a_stable_stack(cli, data):
    cli.run("create", "coolapp-elb", str(data / "coolapp_elb.json"))
    events = cli.json("events", "coolapp-elb")
    assert events[0]["ResourceStatus"] == "CREATE_IN_PROGRESS"
    assert events[-1]["LogicalResourceId"] == "coolapp-elb" and events[-1]["ResourceStatus"] == "CREATE_COMPLETE"
    follow = cli.run("events", "coolapp-elb", "--follow", "--output", "json")
    lines = [json.loads(line) for line in follow.stdout.splitlines()]
    assert [e["EventId"] for e in lines] == [e["EventId"] for e in events]
