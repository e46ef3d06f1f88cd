"""The knife-cloudformation article's layer cake through the real CLI on the local engine."""

from __future__ import annotations

import json


def _cake(cli, data):
    cli.run("create", "coolapp-elb", str(data / "coolapp_elb.json"))
    cli.run("create", "coolapp-asg", str(data / "coolapp_asg.json"), "--apply-stack", "coolapp-elb")
    return cli.json("outputs", "coolapp-elb")


def test_apply_stack_fills_asg_parameters_from_elb_outputs(cli, data):
    elb = cli.run("create", "coolapp-elb", str(data / "coolapp_elb.json"))
    # plain per-event lines (stdout is not a terminal), then the outputs
    assert "CREATE_COMPLETE" in elb.stdout and "ElbSecurityGroup" in elb.stdout
    assert "ElbDns" in elb.stdout.split("outputs:")[-1]
    elb_out = cli.json("outputs", "coolapp-elb")
    assert set(elb_out) == {"ElbName", "ElbSecurityGroup", "ElbDns"}

    cli.run("create", "coolapp-asg", str(data / "coolapp_asg.json"), "--apply-stack", "coolapp-elb")
    asg_out = cli.json("outputs", "coolapp-asg")
    assert asg_out["UsedElb"] == elb_out["ElbName"]
    assert asg_out["UsedSecurityGroup"] == elb_out["ElbSecurityGroup"]

    described = cli.json("describe", "coolapp-asg")
    params = {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]}
    assert params["ElbName"] == elb_out["ElbName"]
    assert params["InstanceType"] == "t3.micro"  # the template Default


def test_explicit_parameter_wins_over_applied_output(cli, data):
    _cake_elb = cli.run("create", "coolapp-elb", str(data / "coolapp_elb.json"))
    assert _cake_elb.returncode == 0
    cli.run("create", "coolapp-asg", str(data / "coolapp_asg.json"), "--apply-stack", "coolapp-elb",
            "-p", "ElbName=hand-picked")
    out = cli.json("outputs", "coolapp-asg")
    assert out["UsedElb"] == "hand-picked"
    assert out["UsedSecurityGroup"] == cli.json("outputs", "coolapp-elb")["ElbSecurityGroup"]


def test_apply_mapping_and_parameters_file(cli, data, tmp_path):
    elb = _cake(cli, data)
    pfile = tmp_path / "params.json"
    pfile.write_text(json.dumps([{"ParameterKey": "InstanceType", "ParameterValue": "t3.small"}]))
    cli.run("create", "other-asg", str(data / "coolapp_asg.json"), "--apply-stack", "coolapp-elb",
            "--apply-mapping", "ElbDns:ElbName", "--parameters-file", str(pfile))
    described = cli.json("describe", "other-asg")
    params = {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]}
    assert params["ElbName"] == elb["ElbDns"]
    assert params["InstanceType"] == "t3.small"


def test_missing_parameters_without_terminal_exit_2_and_create_nothing(cli, data):
    proc = cli.run("create", "coolapp-asg", str(data / "coolapp_asg.json"), check=2)
    assert "ElbName" in proc.stderr and "ElbSecurityGroup" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert cli.json("list-stacks") == []


def test_bad_input_is_exit_2_with_one_clear_line(cli, data):
    _cake(cli, data)
    unknown = cli.run("create", "x", str(data / "coolapp_elb.json"), "-p", "Nope=1", check=2)
    assert "Parameters: [Nope] do not exist in the template" in unknown.stderr
    missing = cli.run("create", "y", str(data / "coolapp_asg.json"), "--apply-stack", "no-such-stack", check=2)
    assert "--apply-stack no-such-stack" in missing.stderr
    bad_file = cli.run("create", "z", str(data / "coolapp_asg.json"), "--parameters-file", "nope.json", check=2)
    assert "nope.json does not exist" in bad_file.stderr
    no_stack = cli.run("describe", "ghost", check=2)
    assert "ghost" in no_stack.stderr
    for proc in (unknown, missing, bad_file, no_stack):
        assert "Traceback" not in proc.stderr
    assert cli.run("execute", "coolapp-asg", "cs-1", check=2).stderr.startswith("error: the local provider")
