"""`up --plan`: the plan of the whole stack group of examples/ (vpc -> coolapp-elb ->
coolapp-asg) from an empty state, on the local engine (outputs computed by simulating the
group in a throwaway copy of the state) and through the AWS provider on moto_server
(`(known after apply)`); nothing is created either way."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from e2e_support import AWS_ENV, Cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "providers"))

import _motoserver

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def cake(tmp_path: Path) -> Cli:
    pytest.importorskip("sparkleform.providers.local")
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    return Cli(cwd=tmp_path / "examples", state=tmp_path / "state" / "state.db")


def test_up_plan_from_an_empty_state_on_the_local_engine(cake):
    text = cake.run("up", "--plan").stdout
    for i, name in enumerate(("vpc", "coolapp-elb", "coolapp-asg"), 1):
        assert f"[{i}/3] {name}: create" in text
    plans = cake.json("up", "--plan")
    by_name = {p["Stack"]: p for p in plans}
    vpc_id = by_name["vpc"]["Outputs"]["VpcId"]
    assert vpc_id.startswith("vpc-")
    # the simulated vpc's outputs feed the layers above it
    assert by_name["coolapp-elb"]["Parameters"]["VpcId"] == vpc_id
    assert by_name["coolapp-asg"]["Parameters"]["ElbName"] == by_name["coolapp-elb"]["Outputs"]["ElbName"]
    assert {c["LogicalResourceId"] for c in by_name["vpc"]["Plan"]["Changes"]} >= {"Vpc", "PublicSubnet"}
    assert all(p["KnownAfterApply"] == [] for p in plans)
    # nothing was created
    assert cake.json("list-stacks") == []
    # after `up`, the plan of the group is: nothing to change
    cake.run("up", "--yes")
    again = cake.json("up", "--plan")
    assert [p["Action"] for p in again] == ["update"] * 3
    assert all(p["Plan"]["Changes"] == [] for p in again)


def test_up_plan_through_the_aws_provider(cake):
    pytest.importorskip("boto3")
    server = _motoserver.acquire()
    try:
        aws = ("--provider", "aws", "--endpoint-url", server.endpoint, "--region", "us-east-1")
        text = cake.run(*aws, "up", "--plan", env=AWS_ENV).stdout
        assert "[3/3] coolapp-asg: create" in text
        plans = json.loads(cake.run(*aws, "up", "--plan", "--output", "json", env=AWS_ENV).stdout)
        elb = next(p for p in plans if p["Stack"] == "coolapp-elb")
        assert elb["Parameters"]["VpcId"] == "(known after apply)"
        assert sorted(elb["KnownAfterApply"]) == ["SubnetId", "VpcId"]
        names = [s["StackName"] for s in json.loads(
            cake.run(*aws, "list-stacks", "--output", "json", env=AWS_ENV).stdout)]
        assert not {"vpc", "coolapp-elb", "coolapp-asg"} & set(names)
    finally:
        _motoserver.release()


def _shape(plans: list[dict]) -> list[tuple]:
    return [(p["Stack"], p["Action"], sorted(p["Parameters"]), sorted(p["Outputs"]),
             [c["LogicalResourceId"] for c in p["Plan"]["Changes"]]) for p in plans]


def test_plan_of_the_group_is_up_plan(cake):
    by_up = cake.json("up", "--plan")
    assert _shape(cake.json("plan")) == _shape(by_up)  # `plan` without STACK: the group
    selected = cake.json("plan", "--group", "coolapp-elb")  # coolapp-elb and what it needs
    assert [p["Stack"] for p in selected] == ["vpc", "coolapp-elb"]
    assert _shape(selected) == _shape(by_up)[:2]
    text = cake.run("plan", "--group").stdout
    assert text.startswith("plan of the stack group") and "[3/3] coolapp-asg: create" in text
    refused = cake.run("plan", "--group", "-p", "Size=3", check=2)
    assert "--parameter: a group is planned with the settings of sparkleform.toml" in refused.stderr
    assert cake.json("list-stacks") == []


def test_plan_of_the_group_through_the_aws_provider(cake):
    pytest.importorskip("boto3")
    server = _motoserver.acquire()
    try:
        aws = ("--provider", "aws", "--endpoint-url", server.endpoint, "--region", "us-east-1")
        plans = json.loads(cake.run(*aws, "plan", "--group", "coolapp-elb", "--output", "json", env=AWS_ENV).stdout)
        assert [(p["Stack"], p["Action"]) for p in plans] == [("vpc", "create"), ("coolapp-elb", "create")]
        assert sorted(plans[1]["KnownAfterApply"]) == ["SubnetId", "VpcId"]
    finally:
        _motoserver.release()
