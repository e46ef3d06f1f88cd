"""`sparkleform drift STACK` through the CLI against an endpoint that answers CloudFormation's drift
API as AWS documents it (tests/providers/_moto_drift.py: moto_server behind a layer that
answers DetectStackDrift, DescribeStackDriftDetectionStatus and DescribeStackResourceDrifts
from moto's own stacks and resources, in botocore's shapes). A stack is created, found
IN_SYNC, then changed behind CloudFormation's back with the services' own APIs and found
DRIFTED, with expected and actual values, in text and in JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

import boto3
import pytest
from _motoserver import start_private, stop_private

TEMPLATE = {
    "Parameters": {"Timeout": {"Type": "Number", "Default": "30"}},
    "Resources": {
        "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": {"Ref": "Timeout"},
                                                            "DelaySeconds": 5}},
        "Alerts": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "alerts"}},
        "Setting": {"Type": "AWS::SSM::Parameter",
                    "Properties": {"Name": "/orders/colour", "Type": "String", "Value": "blue"}},
        "Logs": {"Type": "AWS::Logs::LogGroup"},
    },
}


@pytest.fixture(scope="module")
def drift_server():
    server = start_private("_moto_drift.py")
    yield server
    stop_private(server)


def sf(cwd, endpoint, *args, check=0):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPARKLEFORM_")}
    env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "NO_COLOR": "1"})
    proc = subprocess.run(
        [sys.executable, "-m", "sparkleform.cli.main", "--provider", "aws", "--endpoint-url", endpoint,
         "--region", "us-east-1", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == check, proc.stdout + proc.stderr
    return proc


def client(server, service):
    return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_drift_in_sync_then_drifted_in_text_and_json(drift_server, tmp_path):
    ep = drift_server.endpoint
    (tmp_path / "t.json").write_text(json.dumps(TEMPLATE))
    sf(tmp_path, ep, "create", "orders", "t.json", "--no-change-sets")

    clean = sf(tmp_path, ep, "drift", "orders").stdout.splitlines()
    # in sync resources are not listed; one whose type could not be checked is
    assert clean[0] == "orders: IN_SYNC (0 of 4 resources drifted)", clean
    assert len(clean) == 2 and clean[1].startswith("  NOT_CHECKED Logs  AWS::Logs::LogGroup  orders-Logs-"), clean
    report = json.loads(sf(tmp_path, ep, "--output", "json", "drift", "orders").stdout)
    assert report["StackDriftStatus"] == "IN_SYNC" and report["DriftedStackResourceCount"] == 0
    statuses = {r["LogicalResourceId"]: r["StackResourceDriftStatus"] for r in report["StackResourceDrifts"]}
    # the log group's type is not read by this endpoint: NOT_CHECKED, as AWS says of such types
    assert statuses == {"Jobs": "IN_SYNC", "Alerts": "IN_SYNC", "Setting": "IN_SYNC", "Logs": "NOT_CHECKED"}

    # Changed outside the stack, through the services' own APIs.
    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                 for r in client(drift_server, "cloudformation").describe_stack_resources(StackName="orders")[
                     "StackResources"]}
    client(drift_server, "sqs").set_queue_attributes(QueueUrl=resources["Jobs"],
                                                     Attributes={"VisibilityTimeout": "90"})
    client(drift_server, "ssm").put_parameter(Name=resources["Setting"], Value="green", Type="String", Overwrite=True)
    client(drift_server, "sns").delete_topic(TopicArn=resources["Alerts"])

    text = sf(tmp_path, ep, "drift", "orders").stdout.splitlines()
    assert text[0] == "orders: DRIFTED (3 of 4 resources drifted)"
    assert f"  MODIFIED    Jobs  AWS::SQS::Queue  {resources['Jobs']}" in text
    assert "      /VisibilityTimeout: 30 → 90 (NOT_EQUAL)" in text  # expected from the template's Ref, actual now
    assert f"  MODIFIED    Setting  AWS::SSM::Parameter  {resources['Setting']}" in text
    assert "      /Value: blue → green (NOT_EQUAL)" in text
    assert f"  DELETED     Alerts  AWS::SNS::Topic  {resources['Alerts']}" in text
    assert not any("DelaySeconds" in line for line in text)  # set in the template, unchanged: not listed
    assert len(text) == 7  # the heading, three drifted resources, two differences, the unchecked one

    report = json.loads(sf(tmp_path, ep, "--output", "json", "drift", "orders").stdout)
    assert report["StackName"] == "orders" and report["StackDriftStatus"] == "DRIFTED"
    assert report["DriftedStackResourceCount"] == 3
    jobs = next(r for r in report["StackResourceDrifts"] if r["LogicalResourceId"] == "Jobs")
    assert jobs["StackResourceDriftStatus"] == "MODIFIED" and jobs["PhysicalResourceId"] == resources["Jobs"]
    assert jobs["PropertyDifferences"] == [{"PropertyPath": "/VisibilityTimeout", "ExpectedValue": "30",
                                            "ActualValue": "90", "DifferenceType": "NOT_EQUAL"}]

    missing = sf(tmp_path, ep, "drift", "nope", check=2)
    assert "nope" in missing.stderr and "Traceback" not in missing.stderr


def test_the_endpoint_speaks_the_documented_protocol(drift_server, tmp_path):
    """boto3 reads every answer against the service model (the polling, the filters, the pages),
    and the raw answer is the query protocol's XML."""
    cf = client(drift_server, "cloudformation")
    body = json.dumps({"Resources": {f"Q{i}": {"Type": "AWS::SQS::Queue"} for i in range(5)}})
    cf.create_stack(StackName="paged", TemplateBody=body)
    detection = cf.detect_stack_drift(StackName="paged")["StackDriftDetectionId"]
    first = cf.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
    assert first["DetectionStatus"] == "DETECTION_IN_PROGRESS" and "StackDriftStatus" not in first
    done = cf.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
    assert (done["DetectionStatus"], done["StackDriftStatus"], done["DriftedStackResourceCount"]) == (
        "DETECTION_COMPLETE", "IN_SYNC", 0)
    sizes, token = [], {}
    while True:
        page = cf.describe_stack_resource_drifts(StackName="paged", MaxResults=2, **token)
        sizes.append(len(page["StackResourceDrifts"]))
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}
    assert sizes == [2, 2, 1]
    only = cf.describe_stack_resource_drifts(StackName="paged", StackResourceDriftStatusFilters=["MODIFIED"])
    assert only["StackResourceDrifts"] == []
    with pytest.raises(cf.exceptions.ClientError, match="does not exist"):
        cf.detect_stack_drift(StackName="absent")
    raw = urllib.request.urlopen(urllib.request.Request(
        f"http://127.0.0.1:{drift_server.port}/",
        data=f"Action=DescribeStackDriftDetectionStatus&Version=2010-05-15&StackDriftDetectionId={detection}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ), timeout=10).read().decode()
    assert raw.startswith("<?xml") and "<DescribeStackDriftDetectionStatusResult>" in raw
    assert 'xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"' in raw
