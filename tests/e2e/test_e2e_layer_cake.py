"""The knife-cloudformation article's layer cake through the real CLI on the local engine."""

from __future__ import annotations

import json


def test_apply_stack_fills_asg_parameters_from_elb_outputs(cli, data):
    elb = cli.run("create", "coolapp-elb", str(data / "coolapp_elb.json"))
    # plain per-event lines (stdout is not a terminal), then the outputs
    assert "CREATE_COMPLETE" in elb.stdout and "ElbSecurityGroup" in elb.stdout
    assert "ElbDns" in elb.stdout.split("outputs:")[-1]
    elb_out = cli.json("outputs", "coolapp-elb")
    assert set(elb_out) == {"ElbName", "ElbSecurityGroup", "ElbDns"}

    asg = cli.run("create", "coolapp-asg", str(data / "coolapp_asg.json"), "--apply-stack", "coolapp-elb")
    assert "UsedElb" in asg.stdout.split("outputs:")[-1]
    assert f"parameter ElbName = {elb_out['ElbName']}  (from output ElbName of stack coolapp-elb)" in asg.stdout
    described = cli.json("describe", "coolapp-asg")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    assert outputs["UsedElb"] == elb_out["ElbName"]
    assert outputs["UsedSecurityGroup"] == elb_out["ElbSecurityGroup"]
    params = {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]}
    assert params["ElbName"] == elb_out["ElbName"]
    assert params["InstanceType"] == "t3.micro"  # the template Default


def test_explicit_parameter_and_mapping_and_parameters_file(cake, data, tmp_path):
    cli = cake.cli
    cli.run("create", "pinned", str(data / "coolapp_asg.json"), "--apply-stack", "coolapp-elb",
            "-p", "ElbName=hand-picked")
    pfile = tmp_path / "params.json"
    pfile.write_text(json.dumps([{"ParameterKey": "InstanceType", "ParameterValue": "t3.small"}]))
    cli.run("create", "mapped", str(data / "coolapp_asg.json"), "--apply-stack", "coolapp-elb",
            "--apply-mapping", "ElbDns:ElbName", "--parameters-file", str(pfile))
    stacks = {s["StackName"]: s for s in cli.json("list-stacks")}
    assert set(stacks) == {"coolapp-elb", "coolapp-asg", "pinned", "mapped"}

    pinned = {p["ParameterKey"]: p["ParameterValue"] for p in cli.json("describe", "pinned")["Parameters"]}
    assert pinned["ElbName"] == "hand-picked"  # explicit wins over the applied output
    assert pinned["ElbSecurityGroup"] == cake.elb["ElbSecurityGroup"]
    mapped = {p["ParameterKey"]: p["ParameterValue"] for p in cli.json("describe", "mapped")["Parameters"]}
    assert mapped["ElbName"] == cake.elb["ElbDns"]
    assert mapped["InstanceType"] == "t3.small"


def test_missing_parameters_without_terminal_exit_2_and_create_nothing(cli, data):
    proc = cli.run("create", "coolapp-asg", str(data / "coolapp_asg.json"), check=2)
    assert "ElbName" in proc.stderr and "ElbSecurityGroup" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert cli.json("list-stacks") == []


def test_bad_input_is_exit_2_with_one_clear_line(cake, data):
    cli = cake.cli
    unknown = cli.run("create", "x", str(data / "coolapp_elb.json"), "-p", "Nope=1", check=2)
    assert "Parameters: [Nope] do not exist in the template" in unknown.stderr
    missing = cli.run("create", "y", str(data / "coolapp_asg.json"), "--apply-stack", "no-such-stack", check=2)
    assert "--apply-stack no-such-stack" in missing.stderr
    bad_file = cli.run("create", "z", str(data / "coolapp_asg.json"), "--parameters-file", "nope.json", check=2)
    assert "nope.json does not exist" in bad_file.stderr
    no_stack = cli.run("describe", "ghost", check=2)
    assert "ghost" in no_stack.stderr
    execute = cli.run("execute", "coolapp-asg", "cs-1", check=2)
    assert execute.stderr.startswith("error: the local provider")
    for proc in (unknown, missing, bad_file, no_stack, execute):
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) <= 2
