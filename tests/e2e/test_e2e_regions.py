"""A stack group whose stacks live in their own region or profile (sparkleform.toml
`[stacks.NAME] region = ...` / `profile = ...`): `up`, `up --plan` and `down` run each stack
through the provider of its own region and profile, and `--apply-stack` reads a stack where
it lives. Through the AWS provider on moto_server (two regions) and on the local engine."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from e2e_support import Cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "providers"))

import _motoserver

BASE = {
    "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
    "Outputs": {"QueueName": {"Value": {"Ref": "Queue"}}},
}
APP = {
    "Parameters": {"QueueName": {"Type": "String"}},
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Ref": "QueueName"}}}},
    "Outputs": {"Used": {"Value": {"Ref": "QueueName"}}},
}


def _project(cli: Cli, base_where: str, app_where: str) -> None:
    (cli.cwd / "base.json").write_text(json.dumps(BASE))
    (cli.cwd / "app.json").write_text(json.dumps(APP))
    (cli.cwd / "sparkleform.toml").write_text(
        f"""
[stacks.base]
template = "base.json"
{base_where}

[stacks.app]
template = "app.json"
apply_stacks = ["base"]
{app_where}
"""
    )


def test_a_group_across_two_regions_and_a_profile_on_moto_server(cli, monkeypatch):
    boto3 = pytest.importorskip("boto3")
    server = _motoserver.acquire()
    try:
        # the profile `east2` says region us-east-2; nothing else names a region
        aws_config = cli.cwd / "aws-config"
        aws_config.write_text("[profile east2]\nregion = us-east-2\n"
                              "aws_access_key_id = testing\naws_secret_access_key = testing\n")
        for var in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE"):
            monkeypatch.delenv(var, raising=False)
        env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_CONFIG_FILE": str(aws_config), "AWS_SHARED_CREDENTIALS_FILE": str(cli.cwd / "none")}
        _project(cli, 'region = "us-west-2"', 'profile = "east2"')
        # CreateStack directly: moto leaves out the outputs of stacks made through change sets
        aws = ("--provider", "aws", "--endpoint-url", server.endpoint, "--no-change-sets")

        def cfn(region: str):
            return boto3.client("cloudformation", region_name=region, endpoint_url=server.endpoint,
                                aws_access_key_id="testing", aws_secret_access_key="testing")

        def names(region: str) -> set[str]:
            return {s["StackName"] for s in cfn(region).describe_stacks()["Stacks"]}

        planned = json.loads(cli.run(*aws, "up", "--plan", "--output", "json", env=env).stdout)
        assert [(p["Stack"], p["Action"]) for p in planned] == [("base", "create"), ("app", "create")]
        assert planned[1]["KnownAfterApply"] == ["QueueName"]
        assert not {"base", "app"} & (names("us-west-2") | names("us-east-2"))

        up = cli.run(*aws, "up", env=env)
        assert "[1/2] base: create" in up.stdout and "[2/2] app: create" in up.stdout
        assert "base" in names("us-west-2") and "base" not in names("us-east-2")
        assert "app" in names("us-east-2") and "app" not in names("us-west-2")
        queue = cfn("us-west-2").describe_stacks(StackName="base")["Stacks"][0]["Outputs"][0]["OutputValue"]
        app = cfn("us-east-2").describe_stacks(StackName="app")["Stacks"][0]
        assert app["Parameters"][0]["ParameterValue"] == queue
        # the read verbs find a configured stack where it lives
        assert json.loads(cli.run(*aws, "outputs", "app", "--output", "json", env=env).stdout)["Used"] == queue

        # with both stacks there, the plan asks each one's own region: nothing to change
        again = json.loads(cli.run(*aws, "up", "--plan", "--output", "json", env=env).stdout)
        assert [(p["Stack"], p["Action"]) for p in again] == [("base", "update"), ("app", "update")]
        assert again[1]["Parameters"]["QueueName"] == queue
        assert cli.run(*aws, "up", "--yes", env=env).stdout.count("No updates are to be performed.") == 2

        down = cli.run(*aws, "down", "--yes", env=env)
        assert down.stdout.index("app: delete") < down.stdout.index("base: delete")
        assert not {"base", "app"} & (names("us-west-2") | names("us-east-2"))
    finally:
        _motoserver.release()


def test_a_group_across_two_regions_on_the_local_engine(cli):
    _project(cli, 'region = "eu-west-1"', 'region = "ap-southeast-2"')
    planned = cli.json("up", "--plan")
    queue = planned[0]["Outputs"]["QueueName"]
    assert ".eu-west-1." in queue  # simulated in the stack's own region, and handed on
    assert planned[1]["Parameters"]["QueueName"] == queue
    assert cli.json("--region", "eu-west-1", "list-stacks") == []
    cli.run("up")
    assert ":eu-west-1:" in cli.json("describe", "base")["StackId"]
    assert ":ap-southeast-2:" in cli.json("describe", "app")["StackId"]
    assert cli.json("outputs", "app")["Used"] == cli.json("outputs", "base")["QueueName"]
    # each region keeps its own stacks
    assert [s["StackName"] for s in cli.json("--region", "ap-southeast-2", "list-stacks")] == ["app"]
    # --region on the command line wins over the stacks' own
    cli.run("--region", "us-west-1", "create", "base", "base.json")
    assert ":us-west-1:" in cli.json("--region", "us-west-1", "describe", "base")["StackId"]
    cli.run("down", "--yes")
    assert cli.json("--region", "eu-west-1", "list-stacks") == []
    assert cli.json("--region", "ap-southeast-2", "list-stacks") == []
    assert [s["StackName"] for s in cli.json("--region", "us-west-1", "list-stacks")] == ["base"]
