"""`--apply-stack aws:REGION:NAME` from a local stack: outputs read from AWS (moto_server over HTTP)."""

from __future__ import annotations

import pytest
from e2e_support import AWS_ENV


def test_local_stack_applies_outputs_of_an_aws_stack_in_another_region(cli, data, moto_endpoint):
    boto3 = pytest.importorskip("boto3")
    cf = boto3.client("cloudformation", endpoint_url=moto_endpoint, region_name="us-west-2",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    # made with CreateStack directly: moto leaves out outputs of stacks made through change sets
    cf.create_stack(StackName="topics", TemplateBody='{"Resources": {"T": {"Type": "AWS::SNS::Topic"}},'
                    ' "Outputs": {"TopicArn": {"Value": {"Ref": "T"}}}}')
    arn = cf.describe_stacks(StackName="topics")["Stacks"][0]["Outputs"][0]["OutputValue"]
    assert ":us-west-2:" in arn

    cli.run("create", "consumer", str(data / "topic_consumer.json"), "--apply-stack", "aws:us-west-2:topics",
            "--endpoint-url", moto_endpoint, env=AWS_ENV)
    assert cli.json("outputs", "consumer")["UsedTopic"] == arn

    # the same name in the command's own (local) provider does not exist
    proc = cli.run("create", "c2", str(data / "topic_consumer.json"), "--apply-stack", "topics", check=2)
    assert "--apply-stack topics" in proc.stderr
