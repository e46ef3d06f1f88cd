"""Stack policies written in the DSL (`t.stack_policy(...)`, a resource's `policy.deny`):
compiled into each template's Metadata, applied on create/update to the root and to every
nested stack; the local engine then refuses what they deny. Through the CLI on the local
engine and through the AWS provider on moto_server (GetStackPolicy of each stack)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from e2e_support import AWS_ENV, Cli, project_copy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "providers"))

import _motoserver

ROOT_DENIES = {"Effect": "Deny", "Action": ["Update:Replace", "Update:Delete"], "Resource": "LogicalResourceId/Log",
               "Principal": "*"}
CHILD_DENIES = {"Effect": "Deny", "Action": ["Update:Modify"], "Resource": "LogicalResourceId/Queue", "Principal": "*"}
ALLOW_REST = {"Effect": "Allow", "Action": "Update:*", "Resource": "*", "Principal": "*"}


@pytest.fixture
def project(tmp_path: Path) -> Cli:
    pytest.importorskip("sparkleform.providers.local")
    return project_copy("tuning", tmp_path)


def test_the_policies_are_compiled_into_each_template(project):
    project.run("compile", "guarded", "-o", "out/guarded.json")
    root = json.loads((project.cwd / "out" / "guarded.json").read_text())
    child = json.loads((project.cwd / "out" / "guarded-GuardedTuned.template").read_text())
    assert root["Metadata"]["Sparkleform::StackPolicy"]["Statement"] == [ROOT_DENIES, ALLOW_REST]
    assert child["Metadata"]["Sparkleform::StackPolicy"]["Statement"] == [CHILD_DENIES, ALLOW_REST]
    assert "Policy" not in child["Resources"]["Queue"]  # taken out of the resource
    assert list(root)[:2] == ["AWSTemplateFormatVersion", "Metadata"]


def test_the_local_engine_enforces_the_nested_stacks_policy(project):
    from sparkleform.providers.local import LocalProvider

    created = project.run("create", "g", "guarded", "-p", "Delay=1")
    assert "stack policy set on nested stack(s) GuardedTuned of g" in created.stdout
    # the child's policy denies Update:Modify of its queue: the update is refused and rolled back
    refused = project.run("update", "g", "guarded", "-p", "Delay=5", "--yes", check=1)
    assert "Action denied by stack policy" in refused.stderr and "LogicalResourceId/Queue" in refused.stderr
    assert project.json("describe", "g")["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    provider = LocalProvider(project.state)
    try:
        assert provider.stack_policy("g")["Statement"] == [ROOT_DENIES, ALLOW_REST]
        nested = next(r.physical_id for r in provider.describe_stack("g").resources if r.logical_id == "GuardedTuned")
        assert provider.stack_policy(nested)["Statement"] == [CHILD_DENIES, ALLOW_REST]
    finally:
        provider.close()
    _describe_shows_the_policies(project, "g")
    # an unchanged template with the same policy is no update at all
    assert "No updates are to be performed." in project.run("update", "g", "guarded", "-p", "Delay=1", "--yes").stdout
    # the unguarded template changes the queue freely
    project.run("create", "free", "tuning", "-p", "Delay=1")
    project.run("update", "free", "tuning", "-p", "Delay=5", "--yes")


def test_the_aws_provider_sets_each_stacks_policy(project):
    boto3 = pytest.importorskip("boto3")
    server = _motoserver.acquire()
    try:
        bucket = _motoserver.ensure_bucket(server, "policy-templates")
        aws = ("--provider", "aws", "--endpoint-url", server.endpoint, "--region", "us-east-1")
        created = project.run(*aws, "create", "policy-guarded-aws", "guarded", "-p", "Delay=1", "--bucket", bucket, env=AWS_ENV)
        assert "stack policy set on nested stack(s) GuardedTuned of policy-guarded-aws" in created.stdout
        cf = boto3.client("cloudformation", endpoint_url=server.endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")

        def policy(stack: str) -> list:
            return json.loads(cf.get_stack_policy(StackName=stack)["StackPolicyBody"])["Statement"]

        assert policy("policy-guarded-aws") == [ROOT_DENIES, ALLOW_REST]
        resources = cf.describe_stack_resources(StackName="policy-guarded-aws")["StackResources"]
        nested = next(r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == "GuardedTuned")
        assert policy(nested) == [CHILD_DENIES, ALLOW_REST]
        _describe_shows_the_policies(project, "policy-guarded-aws", *aws, env=AWS_ENV)
    finally:
        _motoserver.release()


def _describe_shows_the_policies(cli: Cli, name: str, *aws: str, env=None) -> None:
    """`describe --policy`: each stack of the tree with its stack policy, in text and JSON."""
    body = json.loads(cli.run(*aws, "describe", name, "--policy", "--output", "json", env=env).stdout)
    assert body["StackPolicy"]["Statement"] == [ROOT_DENIES, ALLOW_REST]
    assert [n["StackPolicy"]["Statement"] for n in body["NestedStacks"]] == [[CHILD_DENIES, ALLOW_REST]]
    assert "Parameters" not in body and "Resources" not in body
    text = cli.run(*aws, "describe", name, "--policy", env=env).stdout
    assert text.count("policy  {") == 2 and '"LogicalResourceId/Queue"' in text and "== nested stack GuardedTuned" in text
