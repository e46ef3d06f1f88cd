"""`inspect STACK`: resources with their physical ids and attribute values, `--attribute
PATH` for one value, NoEcho values masked; on the local engine and through the AWS provider
on moto_server."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from e2e_support import AWS_ENV

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "providers"))

import _motoserver

SECRET = "hunter2-do-not-show"
TEMPLATE = {
    "Parameters": {"Password": {"Type": "String", "NoEcho": True}},
    "Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.7.0.0/16"}},
        "Subnet": {"Type": "AWS::EC2::Subnet",
                   "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.7.1.0/24"}},
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Secret": {"Type": "AWS::SSM::Parameter", "Properties": {
            "Name": {"Fn::Sub": "/${AWS::StackName}/secret"}, "Type": "String", "Value": {"Ref": "Password"}}},
    },
    "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}}},
}


def _inspected(cli, name: str, *aws: str, env=None) -> None:
    def run(*args, check=0):
        return cli.run(*aws, *args, check=check, env=env)

    (cli.cwd / "t.json").write_text(json.dumps(TEMPLATE))
    run("create", name, "t.json", "-p", f"Password={SECRET}")
    text = run("inspect", name).stdout
    document = json.loads(run("inspect", name, "--output", "json").stdout)
    assert SECRET not in text and SECRET not in json.dumps(document)
    vpc = document["Resources"]["Vpc"]
    assert vpc["Type"] == "AWS::EC2::VPC" and vpc["PhysicalResourceId"].startswith("vpc-")
    assert vpc["Attributes"]["CidrBlock"] == "10.7.0.0/16"
    assert document["Resources"]["Subnet"]["Attributes"]["VpcId"] == vpc["PhysicalResourceId"]
    assert document["Resources"]["Queue"]["Attributes"]["Arn"].startswith("arn:aws:sqs:")
    assert document["Parameters"]["Password"] == "****"
    assert document["Outputs"]["VpcId"] == vpc["PhysicalResourceId"]
    assert vpc["PhysicalResourceId"] in text and "10.7.0.0/16" in text
    # one value: the full path, or the resource's attribute as GetAtt names it
    assert run("inspect", name, "--attribute", "Resources.Vpc.Attributes.CidrBlock").stdout == "10.7.0.0/16\n"
    assert run("inspect", name, "-a", "Vpc.CidrBlock").stdout == "10.7.0.0/16\n"
    assert run("inspect", name, "-a", "Outputs.VpcId").stdout.strip() == vpc["PhysicalResourceId"]
    assert json.loads(run("inspect", name, "-a", "Subnet", "--output", "json").stdout)["Type"] == "AWS::EC2::Subnet"
    missing = run("inspect", name, "-a", "Vpc.Nothing", check=2)
    assert "--attribute Vpc.Nothing" in missing.stderr and "CidrBlock" in missing.stderr
    assert "Traceback" not in missing.stderr
    secret = run("inspect", name, "-a", "Secret", "--output", "json").stdout
    assert SECRET not in secret


def test_inspect_on_the_local_engine(cli):
    _inspected(cli, "inspected")
    # the engine's attribute values: the SSM parameter's value came from a NoEcho parameter
    assert cli.run("inspect", "inspected", "-a", "Secret.Value").stdout.strip() == "****"
    assert cli.run("inspect", "ghost", check=2).stderr.startswith("error:")


def test_inspect_through_the_aws_provider(cli):
    pytest.importorskip("boto3")
    server = _motoserver.acquire()
    try:
        aws = ("--provider", "aws", "--endpoint-url", server.endpoint, "--region", "us-east-1", "--no-change-sets")
        _inspected(cli, "inspected-aws", *aws, env=AWS_ENV)
        # the value of an SSM parameter is never read (a NoEcho value may be in it)
        attrs = json.loads(cli.run(*aws, "inspect", "inspected-aws", "-a", "Secret.Attributes", "--output", "json",
                                   env=AWS_ENV).stdout)
        assert "Value" not in attrs
    finally:
        _motoserver.release()
