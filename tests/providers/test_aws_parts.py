"""The AWS provider's parts: capability detection, the inline-or-S3 decision (on moto's S3),
the plan merge, and the mapping of botocore's own exception objects to sparkleform errors."""

from __future__ import annotations

import pytest

from sparkleform.errors import ConfigError, TemplateError
from sparkleform.providers.aws_errors import (
    NO_UPDATES,
    AwsAccessDenied,
    AwsCredentialsError,
    AwsThrottled,
    NoUpdates,
    StackAlreadyExists,
    StackNotFound,
    translate,
)
from sparkleform.providers.aws_plan import change_from_aws, local_plan
from sparkleform.providers.aws_templates import (
    INLINE_LIMIT,
    TemplateShipper,
    detect_capabilities,
    dumps,
    parse_template_body,
    s3_object_url,
)

ASSUME = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


# --------------------------------------------------------------------------- capabilities
@pytest.mark.parametrize(
    ("resources", "top", "expected"),
    [
        ({"T": {"Type": "AWS::SNS::Topic"}}, {}, []),
        ({"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": ASSUME}}}, {}, ["CAPABILITY_IAM"]),
        (
            {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x", "AssumeRolePolicyDocument": ASSUME}}},
            {},
            ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
        ),
        ({"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"ManagedPolicyName": "p"}}}, {},
         ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]),
        ({"K": {"Type": "AWS::IAM::AccessKey", "Properties": {"UserName": "u"}}}, {}, ["CAPABILITY_IAM"]),
        ({"F": {"Type": "AWS::Serverless::Function"}}, {"Transform": "AWS::Serverless-2016-10-31"},
         ["CAPABILITY_AUTO_EXPAND"]),
        ({"T": {"Type": "AWS::SNS::Topic", "Properties": {"Fn::Transform": {"Name": "AWS::Include"}}}}, {},
         ["CAPABILITY_AUTO_EXPAND"]),
        ({"N": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "https://x/y.json"}}}, {},
         ["CAPABILITY_AUTO_EXPAND"]),
    ],
)
def test_capabilities_detected(resources, top, expected):
    assert detect_capabilities({**top, "Resources": resources}) == expected


def test_capabilities_of_nested_templates_bubble_up():
    child = {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "n", "AssumeRolePolicyDocument": ASSUME}}}}
    parent = {"Resources": {"C": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "child.yaml"}}}}
    assert detect_capabilities(parent, {"child.yaml": child}) == [
        "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


# --------------------------------------------------------------------------- S3 decision
@pytest.fixture
def shipper(moto_server, template_bucket, unique):
    """A TemplateShipper on moto's S3, under a prefix of its own; returns (objects(), make)."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=moto_server.endpoint, region_name="us-east-1")
    prefix = f"parts-{unique}/"

    def objects() -> dict[str, bytes]:
        listed = s3.list_objects_v2(Bucket=template_bucket, Prefix=prefix).get("Contents", [])
        return {o["Key"]: s3.get_object(Bucket=template_bucket, Key=o["Key"])["Body"].read() for o in listed}

    def make(bucket: str | None = template_bucket) -> TemplateShipper:
        return TemplateShipper(lambda: s3, lambda b, k: f"https://{b}.example/{k}", bucket, prefix)

    return objects, make


def sized(n: int) -> dict:
    tpl = {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Metadata": {"Pad": ""}}}}
    tpl["Resources"]["T"]["Metadata"]["Pad"] = "x" * (n - len(dumps(tpl).encode()))
    assert len(dumps(tpl).encode()) == n
    return tpl


def test_exactly_the_inline_limit_stays_inline_one_more_byte_goes_to_s3(shipper, template_bucket):
    objects, make = shipper
    ship = make()
    assert set(ship.template_args("s", sized(INLINE_LIMIT))) == {"TemplateBody"}
    assert objects() == {}
    tpl = sized(INLINE_LIMIT + 1)
    args = ship.template_args("s", tpl)
    ((key, body),) = objects().items()
    assert "/s/template-" in key and key.endswith(".json") and body == dumps(tpl).encode()
    assert args == {"TemplateURL": f"https://{template_bucket}.example/{key}"}


def test_same_body_same_key_and_no_upload_without_bucket(shipper):
    objects, make = shipper
    ship = make()
    one = ship.template_args("s", sized(INLINE_LIMIT + 10))
    two = ship.template_args("s", sized(INLINE_LIMIT + 10))
    assert one == two and len(objects()) == 1
    with pytest.raises(ConfigError, match="--bucket"):
        make(bucket=None).template_args("s", sized(INLINE_LIMIT + 1))


def test_over_one_megabyte_is_refused(shipper):
    objects, make = shipper
    with pytest.raises(TemplateError, match="1,048,576"):
        make().template_args("s", sized(1_048_577))
    assert objects() == {}


def test_nested_of_nested_are_uploaded_depth_first(shipper):
    objects, make = shipper
    ship = make()
    grandchild = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}
    child = {"Resources": {"G": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "g.json"}}}}
    parent = {"Resources": {"C": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "c.json"}}}}
    args = ship.template_args("s", parent, {"c.json": child, "g.json": grandchild})
    import json

    body = json.loads(args["TemplateBody"])
    child_url = body["Resources"]["C"]["Properties"]["TemplateURL"]
    assert child_url == ship.uploaded[-1] and len(ship.uploaded) == 2
    uploaded_child = json.loads(next(v for k, v in objects().items() if "/c-" in k))
    assert uploaded_child["Resources"]["G"]["Properties"]["TemplateURL"] == ship.uploaded[0]


def test_object_urls():
    assert s3_object_url("b", "a b/t.json", region="eu-west-1", endpoint_url=None) == (
        "https://b.s3.eu-west-1.amazonaws.com/a%20b/t.json")
    assert s3_object_url("b", "k.json", region="us-east-1", endpoint_url="http://localhost:4566/") == (
        "http://localhost:4566/b/k.json")
    assert s3_object_url("b", "k", region="cn-north-1", endpoint_url=None) == "https://b.s3.cn-north-1.amazonaws.com.cn/k"


def test_get_template_yaml_body_with_short_tags():
    body = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${AWS::StackName}-t'\nOutputs:\n  A:\n    Value: !GetAtt T.TopicName\n"
    assert parse_template_body(body) == {
        "Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "${AWS::StackName}-t"}}}},
        "Outputs": {"A": {"Value": {"Fn::GetAtt": ["T", "TopicName"]}}},
    }


# --------------------------------------------------------------------------- plan merge
OLD = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "a", "VisibilityTimeout": 30}}}}
NEW = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "a", "VisibilityTimeout": 60}}}}


def test_aws_replacement_and_details_are_kept_and_local_diff_added():
    rc = {
        "Action": "Modify", "LogicalResourceId": "Q", "PhysicalResourceId": "https://q", "ResourceType": "AWS::SQS::Queue",
        "Replacement": "False",
        "Details": [{"Target": {"Attribute": "Properties", "Name": "VisibilityTimeout", "RequiresRecreation": "Never"},
                     "Evaluation": "Static", "ChangeSource": "DirectModification"}],
    }
    change = change_from_aws(rc, OLD, NEW)
    assert change.replacement == "False" and change.causes == ["VisibilityTimeout"]
    assert change.physical_id == "https://q"
    assert [d["source"] for d in change.details] == ["aws", "local"]
    assert change.details[1]["old"] == 30 and change.details[1]["new"] == 60 and change.details[1]["replacement"] is False


def test_causing_entity_is_named():
    rc = {"Action": "Modify", "LogicalResourceId": "Q", "ResourceType": "AWS::SQS::Queue", "Replacement": "Conditional",
          "Details": [{"Target": {"Attribute": "Properties", "Name": "QueueName"}, "ChangeSource": "ResourceReference",
                       "CausingEntity": "Bucket"}]}
    assert change_from_aws(rc, OLD, OLD).causes == ["QueueName (via Bucket)"]


def test_local_diff_fills_in_for_an_endpoint_without_details():
    new = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "b", "VisibilityTimeout": 30}}}}
    change = change_from_aws({"Action": "Modify", "LogicalResourceId": "Q", "ResourceType": "AWS::SQS::Queue"}, OLD, new)
    assert change.replacement == "True" and change.causes == ["QueueName"]


def test_local_plan_adds_removes_and_attribute_changes():
    old = {"Resources": {"A": {"Type": "AWS::SNS::Topic"}, "B": {"Type": "AWS::SNS::Topic"}}}
    new = {"Resources": {"A": {"Type": "AWS::SNS::Topic", "DeletionPolicy": "Retain"}, "C": {"Type": "AWS::SNS::Topic"}}}
    plan = local_plan("s", old, new)
    assert [(c.action, c.logical_id, c.replacement, c.causes) for c in plan.changes] == [
        ("Modify", "A", "False", ["DeletionPolicy"]), ("Remove", "B", None, []), ("Add", "C", None, [])]


# --------------------------------------------------------------------------- error mapping
def client_error(code: str, message: str, operation: str = "CreateStack"):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.mark.parametrize(
    ("code", "message", "cls", "needle"),
    [
        ("AccessDenied", "User: arn:aws:iam::1:user/x is not authorized to perform: cloudformation:CreateStack",
         AwsAccessDenied, "access denied: cloudformation:CreateStack on stack web"),
        ("Throttling", "Rate exceeded", AwsThrottled, "throttled cloudformation:CreateStack"),
        ("ExpiredToken", "The security token included in the request is expired", AwsCredentialsError, "expired"),
        ("InvalidClientTokenId", "The security token included in the request is invalid.", AwsCredentialsError,
         "rejected the credentials"),
        ("ValidationError", "Stack with id web does not exist", StackNotFound, "stack web does not exist in eu-west-1"),
        ("ValidationError", "No updates are to be performed.", NoUpdates, NO_UPDATES),
        ("AlreadyExistsException", "Stack [web] already exists", StackAlreadyExists, "sparkleform update web"),
        ("ValidationError", "Template format error: Unresolved resource dependencies [Vpc] in the Resources block of the template",
         TemplateError, "in the Resources block of the template (at Resources)"),
    ],
)
def test_client_errors_become_one_line_messages(code, message, cls, needle):
    err = translate(client_error(code, message), "cloudformation", "CreateStack", stack="web", region="eu-west-1")
    assert isinstance(err, cls)
    assert needle in str(err) and "\n" not in str(err)


def test_botocore_exceptions_without_codes():
    from botocore.exceptions import (
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        ProfileNotFound,
    )

    assert isinstance(translate(NoCredentialsError(), "cloudformation", "ListStacks"), AwsCredentialsError)
    assert "--region" in str(translate(NoRegionError(), "cloudformation", "ListStacks"))
    assert "--profile" in str(translate(ProfileNotFound(profile="p"), "cloudformation", "ListStacks"))
    assert "cannot reach" in str(translate(EndpointConnectionError(endpoint_url="http://x"), "s3", "PutObject"))


TEMPLATE = {
    "Resources": {
        "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"}},
        "Thing": {"Type": "AWS::Nope::Thing"},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"Bogus": 1}},
    },
    "Outputs": {"Name": {"Value": {"Fn::Sub": "${Missing.Arn}"}}},
}


@pytest.mark.parametrize(
    ("message", "path"),
    [
        ("Template format error: Unresolved resource dependencies [Vpc] in the Resources block of the template",
         "Resources.Subnet"),
        ("Template format error: Unresolved resource dependencies [Missing] in the Outputs block of the template",
         "Outputs.Name"),
        ("Template format error: Unrecognized resource types: [AWS::Nope::Thing]", "Resources.Thing.Type"),
        ("Encountered unsupported property Bogus", None),
        ("Invalid template resource property 'Bogus'", "Resources.Topic.Properties.Bogus"),
        ("Template error: instance of Fn::GetAtt references undefined resource Missing", "Outputs.Name"),
        ("Template format error: [/Resources/Topic/Properties] bad", "Resources.Topic.Properties"),
    ],
)
def test_template_errors_are_located(message, path):
    from sparkleform.providers.aws_errors import locate

    assert locate(message, TEMPLATE) == path
