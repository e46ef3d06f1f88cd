"""Intrinsic function helpers and pseudo parameters: plain JSON-ready data."""

import json

import pytest

import sparkleform as sf
from sparkleform import AWS
from sparkleform.errors import TemplateError


def test_every_helper_returns_cloudformation_shapes():
    t = sf.Template("x")
    vpc = t.resource("vpc", "AWS::EC2::VPC", cidr_block="10.0.0.0/16")
    cases = [
        (sf.ref("image_id"), {"Ref": "ImageId"}),
        (sf.ref("VPC"), {"Ref": "VPC"}),
        (sf.ref(vpc), {"Ref": "Vpc"}),
        (sf.ref("AWS::Region"), {"Ref": "AWS::Region"}),
        (sf.get_att(vpc, "CidrBlock"), {"Fn::GetAtt": ["Vpc", "CidrBlock"]}),
        (sf.join(",", ["a", "b"]), {"Fn::Join": [",", ["a", "b"]]}),
        (sf.sub("${AWS::StackName}-x"), {"Fn::Sub": "${AWS::StackName}-x"}),
        (sf.sub("${A}", {"A": 1}), {"Fn::Sub": ["${A}", {"A": 1}]}),
        (sf.select(1, sf.get_azs()), {"Fn::Select": [1, {"Fn::GetAZs": ""}]}),
        (sf.split(",", "a,b"), {"Fn::Split": [",", "a,b"]}),
        (sf.find_in_map("region_map", AWS.region, "AMI"), {"Fn::FindInMap": ["RegionMap", {"Ref": "AWS::Region"}, "AMI"]}),
        (
            sf.find_in_map("m", "a", "b", default="d"),
            {"Fn::FindInMap": ["M", "a", "b", {"DefaultValue": "d"}]},
        ),
        (sf.get_azs("us-east-1"), {"Fn::GetAZs": "us-east-1"}),
        (sf.base64("x"), {"Fn::Base64": "x"}),
        (sf.cidr("10.0.0.0/16", 6, 5), {"Fn::Cidr": ["10.0.0.0/16", 6, 5]}),
        (sf.import_value("vpc-id"), {"Fn::ImportValue": "vpc-id"}),
        (sf.if_("is_prod", 1, AWS.no_value), {"Fn::If": ["IsProd", 1, {"Ref": "AWS::NoValue"}]}),
        (sf.equals(sf.ref("env"), "prod"), {"Fn::Equals": [{"Ref": "Env"}, "prod"]}),
        (sf.and_(sf.condition("a"), sf.condition("b")), {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
        (sf.or_(sf.condition("a"), sf.condition("b")), {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
        (sf.not_(sf.condition("a")), {"Fn::Not": [{"Condition": "A"}]}),
        (sf.length([1, 2]), {"Fn::Length": [1, 2]}),
        (sf.to_json_string({"a": 1}), {"Fn::ToJsonString": {"a": 1}}),
        (sf.transform("AWS::Include", {"Location": "s3://b/k"}), {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}),
    ]
    for got, expected in cases:
        assert got == expected
        assert json.loads(json.dumps(got)) == expected


def test_pseudo_parameters():
    assert AWS.region == {"Ref": "AWS::Region"}
    assert AWS.account_id == {"Ref": "AWS::AccountId"}
    assert AWS.stack_name == {"Ref": "AWS::StackName"}
    assert AWS.stack_id == {"Ref": "AWS::StackId"}
    assert AWS.partition == {"Ref": "AWS::Partition"}
    assert AWS.url_suffix == {"Ref": "AWS::URLSuffix"}
    assert AWS.no_value == {"Ref": "AWS::NoValue"}
    assert AWS.notification_arns == {"Ref": "AWS::NotificationARNs"}
    a = AWS.region
    a["Ref"] = "changed"
    assert AWS.region == {"Ref": "AWS::Region"}  # each use is a fresh dict


def test_bad_names_are_clear_errors():
    with pytest.raises(TemplateError):
        sf.ref("")
    with pytest.raises(TemplateError):
        sf.ref(3)
    with pytest.raises(TemplateError):
        sf.get_att("x", "")


def test_condition_functions_take_condition_names():
    """SparkleFormation's _cf_or/_cf_and/_cf_not: a name becomes {"Condition": Name}."""
    assert sf.or_("is_prod", "is_dev") == {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "IsDev"}]}
    assert sf.and_("IsProd", sf.equals(sf.ref("env"), "x")) == {
        "Fn::And": [{"Condition": "IsProd"}, {"Fn::Equals": [{"Ref": "Env"}, "x"]}]
    }
    assert sf.not_("is_prod") == {"Fn::Not": [{"Condition": "IsProd"}]}
    t = sf.Template("conds")
    t.parameter("env")
    t.condition("is_prod", sf.equals(sf.ref("env"), "prod"))
    t.condition("is_dev", sf.equals(sf.ref("env"), "dev"))
    t.condition("is_either", sf.or_("is_prod", "is_dev"))
    t.condition("is_other", sf.not_("is_either"))
    t.resource("queue", "AWS::SQS::Queue", condition="is_other")
    doc = t.compile()
    assert doc["Conditions"]["IsOther"] == {"Fn::Not": [{"Condition": "IsEither"}]}
    from sparkleform.check import run_checks

    errors = [d for d in run_checks(doc) if d.severity == "error"]
    assert errors == []
