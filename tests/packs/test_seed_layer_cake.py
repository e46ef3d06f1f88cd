"""The coolapp layer cake through the real CLI: seed_vpc, then the ELB stack on it, then the
ASG stack on both, each filled by --apply-stack; the ASG's parameters are the ELB's outputs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import cli_inprocess

ROOT = Path(__file__).resolve().parents[2]


def cli(tmp_path: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`sparkleform --state STATE ARGS` in tmp_path: a real subprocess for the first call of
    each verb in the session, the same entry point in-process after that (tests/cli_inprocess.py)."""
    proc = cli_inprocess.run(["--state", str(tmp_path / "state.db"), *args], tmp_path, check=0 if check else None)
    if check:
        assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture
def stack_cli(tmp_path):
    probe = cli(tmp_path, "create", "--help", check=False)
    if probe.returncode != 0:
        pytest.skip(f"`sparkleform create` is not available yet: {probe.stderr.strip()[-200:]}")
    return lambda *args, check=True: cli(tmp_path, *args, check=check)


def describe(run, stack: str) -> dict:
    return json.loads(run("describe", stack, "--output", "json").stdout)


def test_coolapp_layer_cake_with_apply_stack(stack_cli):
    run = stack_cli
    run("create", "seed-vpc", "seed_vpc", "--set", "azs=2")
    run("create", "seed-elb", "seed_coolapp_elb", "--apply-stack", "seed-vpc")
    run("create", "seed-asg", "seed_coolapp_asg", "--apply-stack", "seed-vpc", "--apply-stack", "seed-elb",
        "-p", "ImageId=ami-0abcdef1234567890", "-p", "MinSize=1")

    vpc = {o["OutputKey"]: o["OutputValue"] for o in describe(run, "seed-vpc")["Outputs"]}
    elb = {o["OutputKey"]: o["OutputValue"] for o in describe(run, "seed-elb")["Outputs"]}
    asg = describe(run, "seed-asg")
    params = {p["ParameterKey"]: p["ParameterValue"] for p in asg["Parameters"]}

    assert asg["StackStatus"] == "CREATE_COMPLETE"
    assert set(elb) == {"ElbName", "ElbSecurityGroup", "ElbDns", "AppPort"}
    for name in ("ElbName", "ElbSecurityGroup", "AppPort"):
        assert params[name] == elb[name]
    assert params["VpcId"] == vpc["VpcId"]
    assert params["PrivateSubnetIds"] == vpc["PrivateSubnetIds"]
    assert len(vpc["PrivateSubnetIds"].split(",")) == 2
    assert params["MinSize"] == "1" and params["ImageId"] == "ami-0abcdef1234567890"

    for stack in ("seed-asg", "seed-elb", "seed-vpc"):  # top to bottom
        run("destroy", stack, "--yes")
    assert json.loads(run("list-stacks", "--output", "json").stdout) == []

def test_asg_without_the_elb_stack_names_the_missing_parameters(stack_cli):
    proc = stack_cli("create", "lonely-asg", "seed_coolapp_asg", "-p", "ImageId=ami-0abcdef1234567890", check=False)
    assert proc.returncode == 2
    assert "ElbName" in proc.stderr
    assert "Traceback" not in proc.stderr
