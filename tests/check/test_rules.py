"""One failing and one passing template per rule."""

from __future__ import annotations

import copy

import pytest

from sparkleform.check import run_checks
from sparkleform.check.rules import all_rules

BUCKET = {"Type": "AWS::S3::Bucket"}


def tpl(resources=None, **sections):
    t = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources if resources is not None else {"B": dict(BUCKET)}}
    t.update(sections)
    return t


def with_b(props=None, **attrs):
    res = {"Type": "AWS::S3::Bucket", **attrs}
    if props is not None:
        res["Properties"] = props
    return {"B": res}


def queue_and(out_value):
    return tpl({"Q": {"Type": "AWS::SQS::Queue"}}, Outputs={"O": {"Value": out_value}})


CASES = [
    # rule, failing, passing
    ("SF1001", tpl(Resorces={}), tpl(Description="x")),
    ("SF1002", {"Parameters": {}}, tpl()),
    ("SF1003", tpl(Description=["not", "a", "string"]), tpl(Description="ok")),
    ("SF1004", tpl({"my-bucket": dict(BUCKET)}), tpl({"MyBucket": dict(BUCKET)})),
    ("SF1005", tpl({f"B{i}": dict(BUCKET) for i in range(501)}), tpl({f"B{i}": dict(BUCKET) for i in range(500)})),
    ("SF1006", tpl(Description="d", Metadata={"Blob": "x" * 60_000}), tpl(Metadata={"Blob": "x" * 1000})),
    ("SF1007", {**tpl(), "AWSTemplateFormatVersion": "2011-01-01"}, tpl()),
    (
        "SF1008",
        tpl(Parameters={"B": {"Type": "String"}}, Outputs={"O": {"Value": {"Ref": "B"}}}),
        tpl(Parameters={"P": {"Type": "String"}}, Outputs={"O": {"Value": {"Ref": "P"}}}),
    ),
    ("SF1101", tpl(Parameters={"P": {"Type": "Strng"}}), tpl(Parameters={"P": {"Type": "List<AWS::EC2::Subnet::Id>"}})),
    ("SF1102", tpl(Parameters={"P": {"Type": "String", "Defualt": "x"}}), tpl(Parameters={"P": {"Type": "String", "Default": "x"}})),
    (
        "SF1103",
        tpl(Parameters={"P": {"Type": "String", "Default": "c", "AllowedValues": ["a", "b"]}}),
        tpl(Parameters={"P": {"Type": "String", "Default": "a", "AllowedValues": ["a", "b"]}}),
    ),
    (
        "SF1103",
        tpl(Parameters={"P": {"Type": "String", "Default": "abc1", "AllowedPattern": "[a-z]+"}}),
        tpl(Parameters={"P": {"Type": "String", "Default": "abc", "AllowedPattern": "[a-z]+"}}),
    ),
    (
        "SF1103",
        tpl(Parameters={"P": {"Type": "Number", "Default": 11, "MaxValue": 10}}),
        tpl(Parameters={"P": {"Type": "Number", "Default": 10, "MaxValue": 10}}),
    ),
    (
        "SF1103",
        tpl(Parameters={"P": {"Type": "String", "Default": "toolong", "MaxLength": 3}}),
        tpl(Parameters={"P": {"Type": "String", "Default": "ok", "MaxLength": 3}}),
    ),
    (
        "SF1104",
        tpl(Parameters={"P": {"Type": "String", "MinLength": 5, "MaxLength": 3}}),
        tpl(Parameters={"P": {"Type": "String", "MinLength": 1, "MaxLength": 3}}),
    ),
    ("SF1201", tpl(Mappings={"M": {"K": "flat"}}), tpl(Mappings={"M": {"K": {"V": "x"}}})),
    ("SF1301", tpl(Outputs={"O": {"Description": "no value"}}), tpl(Outputs={"O": {"Value": "v"}})),
    (
        "SF1302",
        tpl(Outputs={"A": {"Value": "1", "Export": {"Name": "n"}}, "C": {"Value": "2", "Export": {"Name": "n"}}}),
        tpl(Outputs={"A": {"Value": "1", "Export": {"Name": "n"}}, "C": {"Value": "2", "Export": {"Name": "m"}}}),
    ),
    ("SF2001", tpl({"B": {"Type": "AWS::S3::Bucket2"}}), tpl()),
    ("SF2002", tpl(with_b({"BucketNam": "x"})), tpl(with_b({"BucketName": "x"}))),
    ("SF2003", tpl({"Q": {"Type": "AWS::SNS::Subscription", "Properties": {"Protocol": "sqs"}}}),
     tpl({"Q": {"Type": "AWS::SNS::Subscription", "Properties": {"Protocol": "sqs", "TopicArn": "arn:aws:sns:us-east-1:1:t"}}})),
    ("SF2004", tpl({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": "maybe"}}}),
     tpl({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": "true"}}})),
    ("SF2005", tpl(with_b({"AccessControl": "Everyone"})), tpl(with_b({"AccessControl": "Private"}))),
    ("SF2006", tpl(with_b({"BucketName": "Upper_Case"})), tpl(with_b({"BucketName": "lower-case"}))),
    ("SF2007", tpl({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 901}}}),
     tpl({"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 900}}})),
    (
        "SF2008",
        tpl({"D": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
            "Enabled": True, "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all"},
            "Origins": [{"Id": "o", "DomainName": "d", "S3OriginConfig": {}, "CustomOriginConfig": {"OriginProtocolPolicy": "http-only"}}]}}}}),
        tpl({"D": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
            "Enabled": True, "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all"},
            "Origins": [{"Id": "o", "DomainName": "d", "S3OriginConfig": {}}]}}}}),
    ),
    ("SF2009", tpl({"B": {"Type": "AWS::S3::Bucket", "Propertes": {}}}), tpl()),
    ("SF2101", tpl(with_b(DeletionPolicy="Keep")), tpl(with_b(DeletionPolicy="Retain"))),
    ("SF2101", tpl(with_b(UpdatePolicy={"AutoScalingRollingUpdat": {}})), tpl(with_b(Metadata={"a": 1}))),
    ("SF3001", tpl(Outputs={"O": {"Value": {"Ref": "Nope"}}}), tpl(Outputs={"O": {"Value": {"Ref": "B"}}})),
    ("SF3002", tpl(Outputs={"O": {"Value": {"Fn::GetAtt": ["Nope", "Arn"]}}}), tpl(Outputs={"O": {"Value": {"Fn::GetAtt": ["B", "Arn"]}}})),
    ("SF3003", queue_and({"Fn::GetAtt": ["Q", "Arnn"]}), queue_and({"Fn::GetAtt": "Q.Arn"})),
    ("SF3004", tpl(Outputs={"O": {"Value": {"Fn::Sub": "${Nope}-x"}}}), tpl(Outputs={"O": {"Value": {"Fn::Sub": "${B}-${AWS::Region}-${!Lit}"}}})),
    ("SF3005", tpl(with_b(DependsOn="Nope")), tpl({**with_b(DependsOn="C"), "C": dict(BUCKET)})),
    ("SF3006", tpl(with_b(Condition="Nope")),
     tpl(with_b(Condition="C"), Conditions={"C": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}})),
    (
        "SF3007",
        tpl(Mappings={"M": {"a": {"k": "v"}}}, Outputs={"O": {"Value": {"Fn::FindInMap": ["M", "b", "k"]}}}),
        tpl(Mappings={"M": {"a": {"k": "v"}}}, Outputs={"O": {"Value": {"Fn::FindInMap": ["M", "a", "k"]}}}),
    ),
    (
        "SF3008",
        tpl(Conditions={"C": {"Fn::Equals": [{"Ref": "B"}, "x"]}}, Outputs={"O": {"Value": "v", "Condition": "C"}}),
        tpl(Conditions={"C": {"Fn::Equals": [{"Ref": "AWS::Region"}, "x"]}}, Outputs={"O": {"Value": "v", "Condition": "C"}}),
    ),
    (
        "SF3010",
        tpl({"A": {"Type": "AWS::S3::Bucket", "DependsOn": "C"}, "C": {"Type": "AWS::S3::Bucket", "DependsOn": "A"}}),
        tpl({"A": {"Type": "AWS::S3::Bucket", "DependsOn": "C"}, "C": dict(BUCKET)}),
    ),
    (
        "SF3011",
        tpl(Conditions={"X": {"Fn::Not": [{"Condition": "Y"}]}, "Y": {"Fn::Not": [{"Condition": "X"}]}},
            Outputs={"O": {"Value": "v", "Condition": "X"}}),
        tpl(Conditions={"X": {"Fn::Not": [{"Condition": "Y"}]}, "Y": {"Fn::Equals": ["a", "b"]}},
            Outputs={"O": {"Value": "v", "Condition": "X"}}),
    ),
    ("SF3020", tpl(Parameters={"P": {"Type": "String"}}),
     tpl(Parameters={"P": {"Type": "String"}}, Outputs={"O": {"Value": {"Fn::Sub": "${P}"}}})),
    ("SF3021", tpl(Conditions={"C": {"Fn::Equals": ["a", "b"]}}),
     tpl(Conditions={"C": {"Fn::Equals": ["a", "b"]}}, Outputs={"O": {"Value": {"Fn::If": ["C", "a", "b"]}}})),
    ("SF3022", tpl(Mappings={"M": {"a": {"k": "v"}}}),
     tpl(Mappings={"M": {"a": {"k": "v"}}}, Outputs={"O": {"Value": {"Fn::FindInMap": ["M", "a", "k"]}}})),
    ("SF4001", tpl(Outputs={"O": {"Value": {"Fn::Join": ["-"]}}}), tpl(Outputs={"O": {"Value": {"Fn::Join": ["-", ["a", {"Ref": "B"}]]}}})),
    ("SF4001", tpl(Outputs={"O": {"Value": {"Fn::Select": ["x", ["a"]]}}}), tpl(Outputs={"O": {"Value": {"Fn::Select": ["0", ["a"]]}}})),
    ("SF4001", tpl(Outputs={"O": {"Value": {"Fn::Length": [1, 2]}}}),
     {**tpl(Outputs={"O": {"Value": {"Fn::Length": [1, 2]}}}), "Transform": "AWS::LanguageExtensions"}),
    ("SF4002", tpl(Outputs={"O": {"Value": {"Fn::Joinn": ["-", ["a"]]}}}), tpl(Outputs={"O": {"Value": {"Fn::Join": ["-", ["a"]]}}})),
    ("SF4003", tpl(Outputs={"O": {"Value": {"Fn::Equals": ["a", "b"]}}}), tpl(Outputs={"O": {"Value": {"Fn::Base64": "a"}}})),
    ("SF4004", tpl(Conditions={"C": "yes"}, Outputs={"O": {"Value": "v", "Condition": "C"}}),
     tpl(Conditions={"C": {"Condition": "D"}, "D": {"Fn::Equals": ["a", "a"]}}, Outputs={"O": {"Value": "v", "Condition": "C"}})),
    ("SF5002", {**tpl(), "Transform": "MyMacro"}, tpl()),
    ("SF2012", tpl({"R": {"Type": "AWS::Route53::RecordSet", "Properties": {"Name": "a.example.com", "HostedZoneName": "example.com.",
                                                                       "Type": "A", "TTL": "60", "ResourceRecords": ["256.1.1.1"]}}}),
     tpl({"R": {"Type": "AWS::Route53::RecordSet", "Properties": {"Name": "a.example.com", "HostedZoneName": "example.com.",
                                                                   "Type": "A", "TTL": "60", "ResourceRecords": ["10.1.1.1"]}}})),
    ("SF2012", tpl({"R": {"Type": "AWS::Route53::RecordSet", "Properties": {"Name": "a.example.com", "HostedZoneName": "example.com.",
                                                                       "Type": "TXT", "TTL": "60", "ResourceRecords": ["unquoted"]}}}),
     tpl({"R": {"Type": "AWS::Route53::RecordSet", "Properties": {"Name": "a.example.com", "HostedZoneName": "example.com.",
                                                                   "Type": "MX", "TTL": "60", "ResourceRecords": ["10 mx.example.com"]}}})),
    ("SF2013",
     tpl({f"A{i}": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": "subnet-12345678", "RouteTableId": f"rtb-{i}"}}
          for i in range(2)}),
     tpl({f"A{i}": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": f"subnet-1234567{i}", "RouteTableId": "rtb-1"}}
          for i in range(2)})),
    ("SF2014",
     tpl({"T": {"Type": "AWS::DynamoDB::Table", "Properties": {
         "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "x", "AttributeType": "S"}],
         "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}}}),
     tpl({"T": {"Type": "AWS::DynamoDB::Table", "Properties": {
         "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "x", "AttributeType": "S"}],
         "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST",
         "GlobalSecondaryIndexes": [{"IndexName": "byx", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "ALL"}}]}}})),
    ("SF2015",
     tpl({"F": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python2.7", "Handler": "i.h", "Role": "arn:aws:iam::123456789012:role/r",
                                                               "Code": {"ZipFile": "x"}}}}),
     tpl({"F": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.13", "Handler": "i.h", "Role": "arn:aws:iam::123456789012:role/r",
                                                               "Code": {"ZipFile": "x"}}}})),
    ("SF4001", tpl(Outputs={"O": {"Value": {"Fn::GetStackOutput": {"StackName": "s"}}}}),
     tpl(Outputs={"O": {"Value": {"Fn::GetStackOutput": {"StackName": "s", "OutputName": "o", "Region": "us-west-2"}}}})),
    ("SF4003", tpl(Outputs={"O": {"Value": {"Fn::ValueOf": ["P", "VpcId"]}}}),
     tpl(Parameters={"P": {"Type": "AWS::EC2::Subnet::Id"}}, Outputs={"O": {"Value": {"Ref": "P"}}},
         Rules={"R": {"Assertions": [{"Assert": {"Fn::Contains": [["vpc-1"], {"Fn::ValueOf": ["P", "VpcId"]}]}}]}})),
    ("SF2016", tpl({f"L{i}": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "same"}} for i in range(2)}),
     tpl({f"L{i}": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": f"g{i}"}} for i in range(2)})),
    ("SF1102", tpl(Parameters={"P": {"Type": "String", "Default": {"Ref": "AWS::Region"}}}), tpl(Parameters={"P": {"Type": "String", "Default": "x"}})),
    ("SF4001", tpl(Outputs={"O": {"Value": {"Fn::ImportValue": {"Fn::ImportValue": "x"}}}}),
     tpl(Outputs={"O": {"Value": {"Fn::ImportValue": {"Fn::Sub": "${AWS::StackName}-x"}}}})),
    # added after measuring against cfn-lint's bad fixtures
    ("SF2001", tpl({"F": {"Type": "AWS::Serverless::Function", "Properties": {}}}), tpl()),
    ("SF2101", tpl({"U": {"Type": "AWS::IAM::User", "DeletionPolicy": "Snapshot"}}),
     tpl({"V": {"Type": "AWS::EC2::Volume", "DeletionPolicy": "Snapshot", "Properties": {"AvailabilityZone": "us-east-1a", "Size": 1}}})),
    ("SF2101", tpl(with_b(UpdateReplacePolicy={"Fn::GetAZs": ""})),
     tpl(with_b(UpdateReplacePolicy={"Ref": "P"}), Parameters={"P": {"Type": "String", "Default": "Retain"}})),
    ("SF2006", tpl({"I": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "ami-abc"}}}),
     tpl({"I": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "{{resolve:ssm:/aws/service/ami}}"}}})),
    ("SF2007", tpl({"G": {"Type": "AWS::IAM::Group", "Properties": {"ManagedPolicyArns": ["arn:aws:iam::aws:policy/A"] * 2}}}),
     tpl({"G": {"Type": "AWS::IAM::Group", "Properties": {"ManagedPolicyArns": ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"]}}})),
    ("SF1102", tpl(Parameters={"P": {"Type": "Number", "MaxLength": 3}}), tpl(Parameters={"P": {"Type": "Number", "MaxValue": 3}})),
    ("SF1102", tpl(Parameters={"P": {"Type": "String", "AllowedValues": [{"a": 1}]}}), tpl(Parameters={"P": {"Type": "String", "AllowedValues": ["a", 1]}})),
    ("SF1003", {**tpl(), "Transform": None}, {**tpl(), "Transform": ["AWS::LanguageExtensions"]}),
    ("SF4001", tpl(Outputs={"O": {"Value": {"Fn::Select": [0, {"Fn::GetAZs": "us-east-1a"}]}}}),
     tpl(Outputs={"O": {"Value": {"Fn::Select": [0, {"Fn::GetAZs": "eu-west-1"}]}}})),
    ("SF4001", tpl(Outputs={"O": {"Value": {"Fn::Select": [0, {"Fn::Join": [",", ["a", "b"]]}]}}}),
     tpl(Outputs={"O": {"Value": {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}}})),
    ("SF4003", tpl(Conditions={"C": {"Fn::Equals": [{"Fn::ImportValue": "x"}, "y"]}}, Outputs={"O": {"Value": "v", "Condition": "C"}}),
     tpl(Conditions={"C": {"Fn::Equals": [{"Ref": "AWS::Region"}, "y"]}}, Outputs={"O": {"Value": "v", "Condition": "C"}})),
]


def rules_of(template) -> set[str]:
    return {d.rule for d in run_checks(copy.deepcopy(template))}


@pytest.mark.parametrize(("rule", "bad", "good"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fails_and_passes(rule, bad, good):
    assert rule in rules_of(bad)
    assert rule not in rules_of(good)


def test_every_catalogued_rule_has_a_case():
    covered = {c[0] for c in CASES}
    # the IAM family is tested in test_iam.py, SF5001 in test_sam.py, SF2011 below, SF1000 (an
    # unreadable file, not a template) in test_ci_gate.py
    catalogued = {r.id for r in all_rules().values() if r.family != "iam"}
    untested = catalogued - covered - {"SF5001", "SF2011", "SF1000"}
    assert not untested


def test_did_you_mean_and_location():
    from sparkleform.sourcemap import Location, SourceMap

    t = tpl({"Web": {"Type": "AWS::EC2::Instance", "Properties": {"ImageID": "ami-1"}}})
    sources = SourceMap({("Resources", "Web", "Properties", "ImageID"): Location("templates/ec2.py", 9)})
    found = [d for d in run_checks(t, sources) if d.rule == "SF2002"]
    assert len(found) == 1
    assert "did you mean ImageId?" in found[0].message
    assert str(found[0].location) == "templates/ec2.py:9"


def test_intrinsics_are_not_judged_as_literals():
    cond = {"C": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}}
    props = {
        "DelaySeconds": {"Ref": "Delay"},
        "FifoQueue": {"Fn::If": ["C", True, {"Ref": "AWS::NoValue"}]},
        "MessageRetentionPeriod": {"Fn::If": ["C", 60, 120]},
    }
    t = tpl({"Q": {"Type": "AWS::SQS::Queue", "Properties": props}}, Conditions=cond, Parameters={"Delay": {"Type": "Number"}})
    assert not [d for d in run_checks(t) if d.severity == "error"]
    props["MessageRetentionPeriod"] = {"Fn::If": ["C", 60, 5]}  # the false branch is below the minimum
    bad = [d for d in run_checks(t) if d.severity == "error"]
    assert [d.rule for d in bad] == ["SF2007"]
    assert bad[0].path[-2:] == ("Fn::If", 2)


def test_no_value_branch_counts_as_absent_for_exclusive_properties():
    cond = {"C": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}}
    origin = {
        "Id": "o",
        "DomainName": "d",
        "S3OriginConfig": {"Fn::If": ["C", {}, {"Ref": "AWS::NoValue"}]},
        "CustomOriginConfig": {"Fn::If": ["C", {"Ref": "AWS::NoValue"}, {"OriginProtocolPolicy": "http-only"}]},
    }
    dist = {"DistributionConfig": {"Enabled": True, "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all"}, "Origins": [origin]}}
    t = tpl({"D": {"Type": "AWS::CloudFront::Distribution", "Properties": dist}}, Conditions=cond)
    assert "SF2008" not in rules_of(t)


def test_custom_and_nested_stack_attributes():
    t = tpl(
        {"C": {"Type": "Custom::Thing", "Properties": {"ServiceToken": "arn"}}, "S": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "https://x"}}},
        Outputs={"A": {"Value": {"Fn::GetAtt": ["C", "Anything"]}}, "B": {"Value": {"Fn::GetAtt": ["S", "Outputs.VpcId"]}}},
    )
    assert not [d for d in run_checks(t) if d.severity == "error"]
    t["Outputs"]["B"]["Value"] = {"Fn::GetAtt": ["S", "VpcId"]}
    assert "SF3003" in rules_of(t)


def test_cycle_is_named():
    t = tpl({
        "A": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": ["C", "QueueName"]}}},
        "C": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${A}"}}},
    })
    cycles = [d for d in run_checks(t) if d.rule == "SF3010"]
    assert [d.path for d in cycles] == [("Resources", "A"), ("Resources", "C")]
    assert all("A -> C -> A" in d.message for d in cycles)


def test_macro_skips_reference_checks_and_says_so():
    t = {**tpl(Outputs={"O": {"Value": {"Ref": "MadeByMacro"}}}), "Transform": "MyMacro"}
    found = run_checks(t)
    assert "SF3001" not in {d.rule for d in found}
    notes = [d for d in found if d.rule == "SF5002"]
    assert notes and notes[0].severity == "info" and "MyMacro" in notes[0].message


def test_nested_stack_parameters_against_local_child(tmp_path):
    import json

    (tmp_path / "child.json").write_text(json.dumps({
        "Parameters": {"Need": {"Type": "String"}, "Opt": {"Type": "String", "Default": "x"}},
        "Resources": {"B": {"Type": "AWS::S3::Bucket"}},
    }))
    parent = tmp_path / "parent.json"
    parent.write_text("{}")

    def stack(params):
        return tpl({"S": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "child.json", "Parameters": params}}})

    bad = [d for d in run_checks(stack({"Opt": "y", "Nope": "z"}), filename=str(parent)) if d.rule == "SF2011"]
    assert sorted(d.path[-1] for d in bad) == ["Nope", "Parameters"]
    good = run_checks(stack({"Need": "y"}), filename=str(parent))
    assert "SF2011" not in {d.rule for d in good}
    cond = {"C": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}}
    branches = stack({"Fn::If": ["C", {"Need": "a"}, {"Opt": "b"}]})
    branches["Conditions"] = cond
    found = [d for d in run_checks(branches, filename=str(parent)) if d.rule == "SF2011"]
    assert [d.path[-2:] for d in found] == [("Fn::If", 2)]


def test_runtime_severity_follows_the_lifecycle_dates():
    import datetime

    from sparkleform.check.runtimes import lifecycle, runtime_problem

    entry = lifecycle().get("python3.9")
    if not entry:
        pytest.skip("no runtime lifecycle data")
    deprecated = datetime.date.fromisoformat(entry["deprecated"])
    blocked = datetime.date.fromisoformat(entry["create-block"])
    assert runtime_problem("python3.9", deprecated - datetime.timedelta(days=1)) is None
    assert runtime_problem("python3.9", deprecated)[0] == "warning"
    assert runtime_problem("python3.9", blocked)[0] == "error"


def test_dynamic_references_are_not_judged_as_literals():
    dynamic = tpl(
        {
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": "{{resolve:ssm:/app/delay}}"}},
            "L": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {
                    "RetentionInDays": "{{resolve:ssm:/app/days}}",
                    "LogGroupName": "app-{{resolve:ssm:/app/env}}",
                },
            },
        }
    )
    assert not [d for d in run_checks(dynamic) if d.severity == "error"]
    literal = copy.deepcopy(dynamic)
    literal["Resources"]["L"]["Properties"]["RetentionInDays"] = 13
    literal["Resources"]["Q"]["Properties"]["DelaySeconds"] = 5000
    assert {"SF2005", "SF2007"} <= rules_of(literal)
