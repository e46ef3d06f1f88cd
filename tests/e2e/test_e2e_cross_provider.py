"""`--apply-stack aws:REGION:NAME` from a local stack: outputs read from AWS (moto_server over HTTP)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint():
    exe = shutil.which("moto_server")
    if exe is None:
        pytest.skip("moto_server is not installed")
    port = _free_port()
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.skip("moto_server did not start")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


def test_local_stack_applies_outputs_of_an_aws_stack_in_another_region(cli, data, moto_endpoint):
    boto3 = pytest.importorskip("boto3")
    for k, v in AWS_ENV.items():
        os.environ.setdefault(k, v)
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
