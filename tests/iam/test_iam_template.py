"""Policies in templates: discovery, attachment and intrinsic resolution for simulation."""

from __future__ import annotations

from sparkleform.iam.assemble import for_principal
from sparkleform.iam.template import UNRESOLVED, Resolver

TEMPLATE = {
    "Parameters": {"Env": {"Type": "String", "Default": "dev"}, "Names": {"Type": "CommaDelimitedList"}},
    "Mappings": {"Accounts": {"us-east-1": {"elb": "127311923021"}}},
    "Resources": {
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Named": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": "logs-${Env}"}}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}},
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Fn": {"Type": "AWS::Lambda::Function"},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/app/", "RoleName": "runner"}},
        "Thing": {"Type": "AWS::Foo::BarBaz"},
    },
}


def test_resolver_shapes_names_and_arns():
    r = Resolver(TEMPLATE, {"Names": "a,b"})
    assert r.resolve({"Ref": "Env"}) == "dev"
    assert Resolver(TEMPLATE, {"Env": "prod"}).resolve({"Fn::Sub": "x-${Env}"}) == "x-prod"
    assert r.resolve({"Ref": "AWS::AccountId"}) == "123456789012"
    assert r.resolve({"Ref": "Bucket"}) == "bucket"
    assert r.resolve({"Fn::GetAtt": ["Named", "Arn"]}) == "arn:aws:s3:::logs-dev"
    assert r.resolve({"Fn::GetAtt": "Queue.Arn"}) == "arn:aws:sqs:us-east-1:123456789012:jobs"
    assert r.resolve({"Ref": "Queue"}) == "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
    assert r.resolve({"Ref": "Topic"}) == "arn:aws:sns:us-east-1:123456789012:Topic"
    assert r.resolve({"Fn::GetAtt": ["Fn", "Arn"]}) == "arn:aws:lambda:us-east-1:123456789012:function:Fn"
    assert r.resolve({"Fn::GetAtt": ["Role", "Arn"]}) == "arn:aws:iam::123456789012:role/app/runner"
    assert r.resolve({"Fn::GetAtt": ["Thing", "Arn"]}) == "arn:aws:foo:us-east-1:123456789012:bar-baz/Thing"
    assert r.resolve({"Fn::Sub": ["${B}/*", {"B": {"Fn::GetAtt": ["Bucket", "Arn"]}}]}) == "arn:aws:s3:::bucket/*"
    assert r.resolve({"Fn::Sub": "${Bucket.Arn}/${!aws:username}"}) == "arn:aws:s3:::bucket/${aws:username}"
    assert r.resolve({"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": "Bucket"}, "/*"]]}) == "arn:aws:s3:::bucket/*"
    assert r.resolve({"Fn::Select": [1, {"Fn::Split": [",", {"Ref": "Names"}]}]}) == "b"
    assert r.resolve({"Fn::FindInMap": ["Accounts", {"Ref": "AWS::Region"}, "elb"]}) == "127311923021"
    assert r.resolve({"Fn::If": ["c", "yes", "no"]}) == "yes"
    assert r.resolve(["a", {"Ref": "AWS::NoValue"}, "b"]) == ["a", "b"]
    for unknown in ({"Fn::ImportValue": "x"}, {"Ref": "Nope"}, {"Fn::FindInMap": ["No", "a", "b"]},
                    {"Fn::Base64": "x"}):
        assert r.resolve(unknown) == UNRESOLVED


def test_a_broken_resource_policy_is_skipped_with_a_note():
    template = {"Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {},  # AWS rejects this; it must not stop other questions
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}]}},
        "BP": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": "b", "PolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}},
    }}
    [group] = for_principal(template, "Role")
    assert group.simulator.simulate("s3:GetObject", "arn:aws:s3:::b/k").allowed
    assert any("BP was not evaluated" in n and "Principal" in n for n in group.notes)
    assert any("Role trust policy was not evaluated" in n for n in group.notes)


def test_unresolved_values_match_nothing():
    template = {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::ImportValue": "shared-bucket-arn"}},
            {"Effect": "Allow", "Action": "sqs:SendMessage",
             "Resource": {"Fn::Sub": "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Missing}"}}]}}]}}}}
    [group] = for_principal(template, "Role")
    assert not group.simulator.simulate("s3:GetObject", "arn:aws:s3:::shared/k").allowed
    assert not group.simulator.simulate("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:q").allowed
    assert any("cannot be known offline" in n for n in group.notes)


def test_template_permissions_boundary_and_group_managed_policies():
    def doc(action):
        return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}

    template = {"Resources": {
        "Cap": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": doc(["s3:*", "sqs:*"])}},
        "Wide": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": doc("*")}},
        "Devs": {"Type": "AWS::IAM::Group", "Properties": {"ManagedPolicyArns": [{"Ref": "Wide"}]}},
        "Ann": {"Type": "AWS::IAM::User", "Properties": {"Groups": [{"Ref": "Devs"}],
                                                          "PermissionsBoundary": {"Ref": "Cap"}}},
        "Bo": {"Type": "AWS::IAM::User", "Properties": {"Groups": [{"Ref": "Devs"}]}},
    }}
    [ann] = for_principal(template, "Ann")
    assert ann.arn == "arn:aws:iam::123456789012:user/Ann"
    assert ann.simulator.simulate("s3:GetObject", "arn:aws:s3:::b/k").allowed
    capped = ann.simulator.simulate("ec2:RunInstances", "*")
    assert capped.decision == "implicitDeny" and "boundary" in capped.reason
    [bo] = for_principal(template, "Bo")
    assert bo.simulator.simulate("ec2:RunInstances", "*").allowed
    # the boundary policy grants nothing by itself: a principal with only the boundary is denied
    only_cap = {"Resources": {k: v for k, v in template["Resources"].items() if k in ("Cap", "Ann")}}
    only_cap["Resources"]["Ann"] = {"Type": "AWS::IAM::User", "Properties": {"PermissionsBoundary": {"Ref": "Cap"}}}
    [alone] = for_principal(only_cap, "Ann")
    assert alone.simulator.simulate("s3:GetObject", "arn:aws:s3:::b/k").decision == "implicitDeny"
