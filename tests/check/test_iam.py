"""The IAM check family on templates (SF9001-SF9013)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_data import corpus_rows
from sparkleform.check.iam import check_template
from sparkleform.sourcemap import Location, SourceMap

V = "2012-10-17"


def role(*statements, trust=None, **props):
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": trust
            or {"Version": V, "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                             "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "inline", "PolicyDocument": {"Version": V, "Statement": list(statements)}}],
            **props,
        },
    }


def rules(template, sources=None):
    return sorted(d.rule for d in check_template(template, sources))


def findings(template, rule):
    return [d for d in check_template(template) if d.rule == rule]


def test_clean_least_privilege_template_has_no_findings():
    t = {"Resources": {"App": role({"Effect": "Allow", "Action": ["s3:GetObject"],
                                    "Resource": "arn:aws:s3:::reports/*"})}}
    assert check_template(t) == []


def test_allow_star_on_star():
    t = {"Resources": {"Admin": role({"Effect": "Allow", "Action": "*", "Resource": "*"})}}
    found = findings(t, "SF9001")
    assert len(found) == 1
    assert found[0].severity == "warning"
    assert found[0].path == ("Resources", "Admin", "Properties", "Policies", 0, "PolicyDocument", "Statement", 0)
    assert "least privilege" in found[0].message
    # a Deny of * on * is not a grant
    assert findings({"Resources": {"R": role({"Effect": "Deny", "Action": "*", "Resource": "*"})}}, "SF9001") == []
    # * on a named resource is not * on *
    assert findings({"Resources": {"R": role({"Effect": "Allow", "Action": "*",
                                               "Resource": "arn:aws:s3:::b"})}}, "SF9001") == []


@pytest.mark.parametrize("action", ["iam:PassRole", "iam:Pass*", "sts:AssumeRole", "sts:*", "IAM:passrole"])
def test_pass_role_or_assume_role_on_star(action):
    t = {"Resources": {"R": role({"Effect": "Allow", "Action": action, "Resource": "*"})}}
    found = findings(t, "SF9002")
    assert len(found) == 1 and action in found[0].message


def test_pass_role_on_named_role_is_fine():
    t = {"Resources": {"R": role({"Effect": "Allow", "Action": "iam:PassRole",
                                  "Resource": "arn:aws:iam::123456789012:role/app"})}}
    assert findings(t, "SF9002") == []


def test_not_action_allow_without_condition():
    power_user = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    found = findings({"Resources": {"R": role(power_user)}}, "SF9003")
    assert len(found) == 1 and "NotAction" in found[0].message
    guarded = {**power_user, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
    assert findings({"Resources": {"R": role(guarded)}}, "SF9003") == []


def test_admin_like_without_mfa_is_a_warning():
    admin = {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}
    found = findings({"Resources": {"R": role(admin)}}, "SF9010")
    assert [d.severity for d in found] == ["warning"]
    with_mfa = [admin, {"Effect": "Deny", "Action": "*", "Resource": "*",
                        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]
    assert findings({"Resources": {"R": role(*with_mfa)}}, "SF9010") == []


def test_policies_on_users_instead_of_groups():
    t = {
        "Resources": {
            "Alice": {"Type": "AWS::IAM::User", "Properties": {
                "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": V, "Statement": [
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
                "ManagedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}},
            "Shared": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
                "Users": [{"Ref": "Alice"}],
                "PolicyDocument": {"Version": V, "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket",
                                                                 "Resource": "*"}]}}},
            "Team": {"Type": "AWS::IAM::Group", "Properties": {"ManagedPolicyArns": [{"Ref": "Shared"}]}},
        }
    }
    found = findings(t, "SF9004")
    assert sorted(d.path for d in found) == [
        ("Resources", "Alice", "Properties", "ManagedPolicyArns"),
        ("Resources", "Alice", "Properties", "Policies"),
        ("Resources", "Shared", "Properties", "Users"),
    ]
    assert all("group" in d.message for d in found)


def test_access_keys_and_secrets_in_outputs():
    t = {
        "Resources": {
            "Bob": {"Type": "AWS::IAM::User"},
            "Key": {"Type": "AWS::IAM::AccessKey", "Properties": {"UserName": {"Ref": "Bob"}}},
        },
        "Outputs": {
            "KeyId": {"Value": {"Ref": "Key"}},
            "Secret": {"Value": {"Fn::GetAtt": ["Key", "SecretAccessKey"]}},
            "Both": {"Value": {"Fn::Sub": "${Key}:${Key.SecretAccessKey}"}},
        },
    }
    assert [d.path for d in findings(t, "SF9005")] == [("Resources", "Key")]
    secrets = findings(t, "SF9006")
    assert sorted(d.path[1] for d in secrets) == ["Both", "Secret"]
    assert all(d.severity == "error" for d in secrets)


def test_unknown_actions_from_the_action_list():
    t = {"Resources": {"R": role({"Effect": "Allow", "Resource": "*", "Action": [
        "s3:GetObject", "s3:GetObjekt", "s3:Get*", "s3:Fly*", "nosuchservice:Go", {"Fn::Sub": "s3:${X}"}]})}}
    messages = [d.message for d in findings(t, "SF9007")]
    assert len(messages) == 3
    assert any("s3:GetObjekt" in m for m in messages)
    assert any("s3:Fly*" in m and "matches no action" in m for m in messages)
    assert any("nosuchservice" in m for m in messages)


def test_unknown_global_condition_keys():
    t = {"Resources": {"R": role({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {
        "Bool": {"aws:MultiFactorAuthPresnt": "true", "aws:SecureTransport": "true"},
        "StringEquals": {"aws:PrincipalTag/team": "x", "s3:prefix": "home/"}}})}}
    found = findings(t, "SF9008")
    assert len(found) == 1 and "aws:MultiFactorAuthPresnt" in found[0].message


def test_trust_policy_open_to_anyone():
    open_trust = {"Version": V, "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                               "Action": "sts:AssumeRole"}]}
    t = {"Resources": {"R": role({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, trust=open_trust)}}
    found = findings(t, "SF9009")
    assert len(found) == 1 and found[0].severity == "error"
    assert found[0].path == ("Resources", "R", "Properties", "AssumeRolePolicyDocument", "Statement", 0)
    guarded = {"Version": V, "Statement": [{**open_trust["Statement"][0],
                                            "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}]}
    t2 = {"Resources": {"R": role({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, trust=guarded)}}
    assert findings(t2, "SF9009") == []


def test_invalid_policy_grammar_is_an_error():
    t = {"Resources": {
        "R": role({"Effect": "Allow", "Action": "s3:GetObject"}),  # no Resource
        "P": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": "b", "PolicyDocument": {
            "Version": V, "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}},
        "Fine": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {
            "Version": V, "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                          "Resource": {"Fn::Sub": "arn:aws:s3:::${AWS::StackName}/*"}}]}}},
    }}
    found = findings(t, "SF9011")
    assert sorted(d.path[1] for d in found) == ["P", "R"]
    assert any("Resource or NotResource" in d.message for d in found)
    assert any("Principal" in d.message for d in found)


def test_policy_variables_need_version():
    old = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]}}}
    in_sub = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": {"Fn::Sub": "arn:aws:s3:::${Bucket}/*"}}]}}}
    assert len(findings({"Resources": {"P": old}}, "SF9012")) == 1
    assert findings({"Resources": {"P": in_sub}}, "SF9012") == []


def test_findings_carry_source_locations():
    t = {"Resources": {"Admin": role({"Effect": "Allow", "Action": "*", "Resource": "*"})}}
    sources = SourceMap({("Resources", "Admin"): Location("t.yaml", 3),
                         ("Resources", "Admin", "Properties", "Policies", 0, "PolicyDocument", "Statement", 0):
                             Location("t.yaml", 14)})
    found = [d for d in check_template(t, sources) if d.rule == "SF9001"]
    assert found[0].location == Location("t.yaml", 14)


def test_odd_shapes_do_not_crash():
    weird = {"Resources": {"A": {"Type": {"Ref": "X"}}, "B": "text", "C": {"Type": "AWS::IAM::Role",
             "Properties": {"AssumeRolePolicyDocument": "not json", "Policies": [1, {"PolicyDocument": []}]}},
             "D": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": {"Fn::If": ["c", {}, {}]},
                                                             "Roles": [{"Ref": {"x": 1}}]}}}}
    assert [d.rule for d in check_template(weird)] == ["SF9011"]
    assert check_template([]) == []  # type: ignore[arg-type]


def test_corpus_clean_templates_get_no_iam_errors(corpus_dir: Path):
    from sparkleform.formats import load_template

    errors = []
    for row in corpus_rows():
        if row["cfn_lint"] != "clean":
            continue
        template, sources = load_template(corpus_dir / row["path"])
        errors += [f"{row['path']}: {d}" for d in check_template(template, sources) if d.severity == "error"]
    assert not errors, "\n".join(errors)


def test_set_operators_match_the_key_kind():
    def with_condition(condition):
        return {"Resources": {"R": role({"Effect": "Allow", "Action": "s3:PutObjectTagging", "Resource": "*",
                                         "Condition": condition})}}

    assert findings(with_condition({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}), "SF9013") == []
    assert findings(with_condition({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-1/*"}}), "SF9013") == []
    assert findings(with_condition({"StringEquals": {"aws:SourceVpc": "vpc-1"}}), "SF9013") == []
    single = findings(with_condition({"ForAllValues:StringEquals": {"aws:SourceVpc": "vpc-1"}}), "SF9013")
    assert len(single) == 1 and "single-valued" in single[0].message
    multi = findings(with_condition({"StringEquals": {"aws:TagKeys": "a"}}), "SF9013")
    assert len(multi) == 1 and "multivalued" in multi[0].message
    assert findings(with_condition({"Null": {"aws:TagKeys": "false"}}), "SF9013") == []
    # service keys are not judged: their value type is not in the offline data
    assert findings(with_condition({"ForAnyValue:StringEquals": {"s3:x": "a"}}), "SF9013") == []


def test_rule_table_covers_every_finding_with_its_severity():
    from sparkleform.check.rules import all_rules

    registry = all_rules()
    t = {
        "Resources": {
            "Admin": role({"Effect": "Allow", "Action": "*", "Resource": "*"},
                          trust={"Version": V, "Statement": [{"Effect": "Allow", "Principal": "*",
                                                              "Action": "sts:AssumeRole"}]}),
            "U": {"Type": "AWS::IAM::User", "Properties": {"ManagedPolicyArns": ["arn:aws:iam::aws:policy/X"]}},
            "K": {"Type": "AWS::IAM::AccessKey", "Properties": {"UserName": {"Ref": "U"}}},
        },
        "Outputs": {"S": {"Value": {"Fn::GetAtt": ["K", "SecretAccessKey"]}}},
    }
    found = check_template(t)
    assert {d.rule for d in found} >= {"SF9001", "SF9004", "SF9005", "SF9006", "SF9009", "SF9010"}
    for d in found:
        assert registry[d.rule].severity == d.severity and registry[d.rule].family == "iam"
