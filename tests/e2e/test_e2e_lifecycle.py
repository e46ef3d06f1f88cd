"""Update, plan, destroy, describe/outputs JSON shapes, events and exit codes via the real CLI."""

from __future__ import annotations

import json


def test_update_fills_parameters_new_in_the_template_and_keeps_previous_values(cake, data):
    cli = cake.cli
    v2 = str(data / "coolapp_asg_v2.json")
    # plan first: the new UserData replaces the launch configuration
    plan = cli.json("plan", "coolapp-asg", v2, "--apply-stack", "coolapp-elb")
    assert plan["StackName"] == "coolapp-asg"
    changes = {c["LogicalResourceId"]: c for c in plan["Changes"]}
    assert changes["LaunchConfig"]["Action"] == "Modify"
    assert changes["LaunchConfig"]["Replacement"] == "True"
    assert "UserData" in changes["LaunchConfig"]["Causes"]

    # ElbDns exists only in v2: --apply-stack must fill it (sfn #310); the rest keep their values
    proc = cli.run("update", "coolapp-asg", v2, "--apply-stack", "coolapp-elb", "--yes")
    assert "LaunchConfig" in proc.stdout
    described = cli.json("describe", "coolapp-asg")
    assert described["StackStatus"] == "UPDATE_COMPLETE"
    after = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    assert after["UsedDns"] == cake.elb["ElbDns"]
    assert after["UsedElb"] == cake.asg["UsedElb"]


def test_update_without_template_keeps_previous_values(cake):
    cake.cli.run("update", "coolapp-asg", "-p", "Size=2", "--yes")  # no TEMPLATE: keep the template
    params = {p["ParameterKey"]: p["ParameterValue"] for p in cake.cli.json("describe", "coolapp-asg")["Parameters"]}
    assert params["Size"] == "2"
    assert params["ElbName"] == cake.asg["UsedElb"]


def test_no_updates_is_a_clean_exit_0_and_confirmation_needs_yes(cake, data):
    cli = cake.cli
    same = cli.run("update", "coolapp-asg", str(data / "coolapp_asg.json"))
    assert "No updates are to be performed." in same.stdout
    upd = cli.run("update", "coolapp-asg", "-p", "Size=3", check=2)
    assert "--yes" in upd.stderr
    gone = cli.run("destroy", "coolapp-asg", check=2)
    assert "--yes" in gone.stderr
    described = cli.json("describe", "coolapp-asg")
    assert described["StackStatus"] == "CREATE_COMPLETE"
    assert {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]}["Size"] == "1"


def test_destroy_removes_the_stack(cake):
    cli = cake.cli
    proc = cli.run("destroy", "coolapp-asg", "--yes")
    assert "DELETE_COMPLETE" in proc.stdout
    assert [s["StackName"] for s in cli.json("list-stacks")] == ["coolapp-elb"]
    assert cli.run("describe", "coolapp-asg", check=2).returncode == 2


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
    assert described["Tags"] == [{"Key": "team", "Value": "web"}]
    outputs = cli.json("outputs", "secret")
    assert list(outputs) == ["TopicArn"] and outputs["TopicArn"].startswith("arn:aws:sns:")
    text = cli.run("describe", "secret").stdout
    assert "hunter2" not in text and "****" in text

    # an update that does not give the NoEcho value keeps it (the stack stays valid)
    cli.run("update", "secret", "-p", "Env=prod", "--yes")
    assert cli.json("outputs", "secret")["TopicArn"].endswith("secret-prod")
    events = cli.run("events", "secret").stdout
    assert "hunter2" not in events and "UPDATE_COMPLETE" in events


def test_events_json_and_follow_on_a_stable_stack(cake):
    cli = cake.cli
    events = cli.json("events", "coolapp-elb")
    assert events[0]["ResourceStatus"] == "CREATE_IN_PROGRESS"
    assert events[-1]["LogicalResourceId"] == "coolapp-elb" and events[-1]["ResourceStatus"] == "CREATE_COMPLETE"
    follow = cli.run("events", "coolapp-elb", "--follow", "--output", "json")
    lines = [json.loads(line) for line in follow.stdout.splitlines()]
    assert [e["EventId"] for e in lines] == [e["EventId"] for e in events]


def test_parameter_change_that_touches_only_outputs_still_updates(cli, data):
    cli.run("create", "consumer", str(data / "topic_consumer.json"), "-p", "TopicArn=arn:aws:sns:us-east-1:1:a")
    proc = cli.run("update", "consumer", "-p", "TopicArn=arn:aws:sns:us-east-1:1:b", "--yes", "--output", "json")
    described = json.loads(proc.stdout)  # update --output json prints the stack at the end
    assert described["StackStatus"] == "UPDATE_COMPLETE"
    assert {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}["UsedTopic"].endswith(":b")
    assert "UPDATE_COMPLETE" in proc.stderr  # progress goes to stderr when stdout carries JSON


def test_plan_of_a_new_stack_lists_what_create_would_add(cli, data):
    plan = cli.json("plan", "fresh", str(data / "coolapp_elb.json"))
    assert sorted((c["Action"], c["LogicalResourceId"]) for c in plan["Changes"]) == [
        ("Add", "Elb"), ("Add", "ElbSecurityGroup")
    ]
    assert cli.json("list-stacks") == []  # planning created nothing


def test_a_value_that_was_only_the_old_default_follows_the_new_default(cli, data, tmp_path):
    cli.run("create", "secret", str(data / "secret.yaml"), "-p", "DbPassword=hunter2-long")
    newer = tmp_path / "secret_v2.yaml"
    newer.write_text((data / "secret.yaml").read_text().replace("Default: dev", "Default: stage"))
    cli.run("update", "secret", str(newer), "--yes")
    described = cli.json("describe", "secret")
    params = {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]}
    assert params["Env"] == "stage"
    assert {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}["TopicArn"].endswith("secret-stage")


def test_termination_protection_refuses_destroy_until_turned_off(cli, data):
    cli.run("create", "kept", str(data / "topic_consumer.json"), "-p", "TopicArn=a", "--termination-protection")
    refused = cli.run("destroy", "kept", "--yes", check=2)
    assert "TerminationProtection" in refused.stderr
    off = cli.run("update", "kept", "--no-termination-protection", "--yes")
    assert "termination protection of kept is now off" in off.stdout
    cli.run("destroy", "kept", "--yes")
