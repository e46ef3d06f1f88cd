"""Ref and GetAtt values have the right shape for every resource type in the schemas."""

from __future__ import annotations

import re

from sparkleform.engine.attributes import SEED, SimContext, attribute_value, simulate
from sparkleform.spec import get_schema, resource_types

CTX = SimContext("stack", "eu-west-1", "111122223333")


def test_every_type_has_a_ref_and_its_attributes():
    problems = []
    for rtype in resource_types():
        schema = get_schema(rtype)
        if schema is None:
            continue
        try:
            physical, attrs = simulate(CTX, rtype, "Thing", {})
        except Exception as exc:  # any crash is a finding
            problems.append(f"{rtype}: simulate: {exc!r}")
            continue
        if not isinstance(physical, str) or not physical:
            problems.append(f"{rtype}: empty Ref")
        for attr in schema.read_only:
            if schema.attribute_schema(attr).get("type") == "object":
                continue
            try:
                value = attribute_value(CTX, rtype, "Thing", attr, {}, physical, attrs.get(SEED))
            except Exception as exc:
                problems.append(f"{rtype}.{attr}: {exc!r}")
                continue
            again = attribute_value(CTX, rtype, "Thing", attr, {}, physical, attrs.get(SEED))
            if value != again:
                problems.append(f"{rtype}.{attr}: not stable ({value!r} then {again!r})")
            leaf = attr.split(".")[-1]
            if leaf.endswith("Arn") and isinstance(value, str) and not value.startswith("arn:aws:"):
                problems.append(f"{rtype}.{attr}: {value!r} is not an ARN")
            if isinstance(value, str) and value.startswith("arn:") and ":eu-west-1:" not in value and "::" not in value:
                problems.append(f"{rtype}.{attr}: {value!r} has another region")
    assert not problems, "\n".join(problems[:50])


def test_prefixed_ids_and_identifier_properties():
    assert re.fullmatch(r"vpc-[0-9a-f]{17}", simulate(CTX, "AWS::EC2::VPC", "V", {})[0])
    assert re.fullmatch(r"igw-[0-9a-f]{17}", simulate(CTX, "AWS::EC2::InternetGateway", "G", {})[0])
    assert simulate(CTX, "AWS::S3::Bucket", "B", {"BucketName": "mine"})[0] == "mine"
    assert simulate(CTX, "AWS::IAM::Role", "R", {"RoleName": "r1"})[0] == "r1"
    topic = simulate(CTX, "AWS::SNS::Topic", "T", {"TopicName": "t1"})[0]
    assert topic == "arn:aws:sns:eu-west-1:111122223333:t1"
    queue = simulate(CTX, "AWS::SQS::Queue", "Q", {"QueueName": "q1"})[0]
    assert queue == "https://sqs.eu-west-1.amazonaws.com/111122223333/q1"
    eip, attrs = simulate(CTX, "AWS::EC2::EIP", "E", {})
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", eip) and attrs["AllocationId"].startswith("eipalloc-")
    role_arn = attribute_value(CTX, "AWS::IAM::Role", "R", "Arn", {"RoleName": "r1"}, "r1")
    assert role_arn == "arn:aws:iam::111122223333:role/r1"
