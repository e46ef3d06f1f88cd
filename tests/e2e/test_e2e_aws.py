"""The stack verbs with `--provider aws` against moto_server over HTTP (real boto3 calls).

moto differs from AWS in ways that shape these assertions (marked where they matter): stacks
made through change sets carry no outputs, and there are no per-resource events.
"""

from __future__ import annotations

import re

import pytest
from e2e_support import AWS_ENV


def test_create_update_plan_only_execute_destroy_on_aws(cli, data, moto_endpoint):
    boto3 = pytest.importorskip("boto3")
    aws = ("--provider", "aws", "--endpoint-url", moto_endpoint, "--region", "us-east-1")

    def run(*args, check=0):
        return cli.run(*aws, *args, check=check, env=AWS_ENV)

    created = run("create", "secret", str(data / "secret.yaml"), "-p", "DbPassword=long-enough-1")
    assert "CREATE_COMPLETE" in created.stdout
    # update without the NoEcho value: the provider sends UsePreviousValue for it
    updated = run("update", "secret", "-p", "Env=prod", "--yes")
    assert "UPDATE_COMPLETE" in updated.stdout

    plan_only = run("create", "queue", str(data / "topic_consumer.json"), "-p", "TopicArn=arn:aws:sns:x",
                    "--plan-only")
    match = re.search(r"sparkleform execute queue (\S+)`", plan_only.stdout)
    assert match, plan_only.stdout
    assert "Add" in plan_only.stdout and "Queue" in plan_only.stdout
    executed = run("execute", "queue", match.group(1))
    assert "CREATE_COMPLETE" in executed.stdout

    run("destroy", "queue", "--yes")
    cf = boto3.client("cloudformation", endpoint_url=moto_endpoint, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    live = {s["StackName"]: s for s in cf.describe_stacks()["Stacks"]}
    assert "queue" not in live or live["queue"]["StackStatus"] == "DELETE_COMPLETE"
    secret = live["secret"]
    assert secret["StackStatus"] == "UPDATE_COMPLETE"
    params = {p["ParameterKey"]: p["ParameterValue"] for p in secret["Parameters"]}
    # the update left DbPassword out and the provider sent UsePreviousValue: the value is kept
    # (moto shows NoEcho values in clear, where AWS would mask them)
    assert params["Env"] == "prod" and params["DbPassword"] == "long-enough-1"
