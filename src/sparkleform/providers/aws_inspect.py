"""What `inspect` reads about a stack's resources on AWS beyond DescribeStackResources: the
attribute values (what Fn::GetAtt answers) that one cheap call per resource, or none at all,
gives for the common types. Types not listed get none. Values a NoEcho parameter may have
been passed into (SSM parameter values, secrets) are never read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sparkleform.errors import SparkleformError
from sparkleform.providers.aws_errors import guard

Client = Callable[[str], Any]  # service name -> boto3 client


def _vpc(client: Client, pid: str, region: str) -> dict[str, Any]:
    with guard("ec2", "DescribeVpcs"):
        vpc = client("ec2").describe_vpcs(VpcIds=[pid])["Vpcs"][0]
    return {
        "VpcId": pid,
        "CidrBlock": vpc.get("CidrBlock"),
        "CidrBlockAssociations": [a["AssociationId"] for a in vpc.get("CidrBlockAssociationSet") or []],
        "Ipv6CidrBlocks": [a["Ipv6CidrBlock"] for a in vpc.get("Ipv6CidrBlockAssociationSet") or []],
    }


def _subnet(client: Client, pid: str, region: str) -> dict[str, Any]:
    with guard("ec2", "DescribeSubnets"):
        subnet = client("ec2").describe_subnets(SubnetIds=[pid])["Subnets"][0]
    return {"SubnetId": pid, "AvailabilityZone": subnet.get("AvailabilityZone"), "CidrBlock": subnet.get("CidrBlock"),
            "VpcId": subnet.get("VpcId")}


def _security_group(client: Client, pid: str, region: str) -> dict[str, Any]:
    key = "GroupIds" if pid.startswith("sg-") else "GroupNames"
    with guard("ec2", "DescribeSecurityGroups"):
        group = client("ec2").describe_security_groups(**{key: [pid]})["SecurityGroups"][0]
    return {"GroupId": group.get("GroupId"), "VpcId": group.get("VpcId")}


def _queue(client: Client, pid: str, region: str) -> dict[str, Any]:
    with guard("sqs", "GetQueueAttributes"):
        attrs = client("sqs").get_queue_attributes(QueueUrl=pid, AttributeNames=["QueueArn"])["Attributes"]
    return {"Arn": attrs.get("QueueArn"), "QueueName": pid.rstrip("/").rsplit("/", 1)[-1], "QueueUrl": pid}


def _topic(client: Client, pid: str, region: str) -> dict[str, Any]:
    return {"TopicArn": pid, "TopicName": pid.rsplit(":", 1)[-1]}


def _bucket(client: Client, pid: str, region: str) -> dict[str, Any]:
    return {
        "Arn": f"arn:aws:s3:::{pid}",
        "DomainName": f"{pid}.s3.amazonaws.com",
        "RegionalDomainName": f"{pid}.s3.{region}.amazonaws.com",
        "WebsiteURL": f"http://{pid}.s3-website-{region}.amazonaws.com",
    }


def _role(client: Client, pid: str, region: str) -> dict[str, Any]:
    with guard("iam", "GetRole"):
        role = client("iam").get_role(RoleName=pid)["Role"]
    return {"Arn": role.get("Arn"), "RoleId": role.get("RoleId")}


def _stack(client: Client, pid: str, region: str) -> dict[str, Any]:
    with guard("cloudformation", "DescribeStacks"):
        stack = client("cloudformation").describe_stacks(StackName=pid)["Stacks"][0]
    return {f"Outputs.{o['OutputKey']}": o.get("OutputValue") for o in stack.get("Outputs") or []}


DESCRIBERS: dict[str, Callable[[Client, str, str], dict[str, Any]]] = {
    "AWS::EC2::VPC": _vpc,
    "AWS::EC2::Subnet": _subnet,
    "AWS::EC2::SecurityGroup": _security_group,
    "AWS::SQS::Queue": _queue,
    "AWS::SNS::Topic": _topic,
    "AWS::S3::Bucket": _bucket,
    "AWS::IAM::Role": _role,
    "AWS::CloudFormation::Stack": _stack,
}


def attributes_of(client: Client, rtype: str, physical_id: str | None, region: str) -> dict[str, Any]:
    """The attribute values of one resource ({} for a type not listed, or when its service
    cannot be read: inspect shows what it can)."""
    describe = DESCRIBERS.get(rtype)
    if describe is None or not physical_id:
        return {}
    try:
        values = describe(client, physical_id, region)
    except (SparkleformError, LookupError):
        return {}
    return dict(sorted((k, v) for k, v in values.items() if v is not None))
