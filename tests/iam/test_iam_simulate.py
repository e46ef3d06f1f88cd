"""simulate(): AWS's documented evaluation examples and the IAM article's policies."""

from __future__ import annotations

import json

import pytest

from sparkleform.errors import SparkleformError
from sparkleform.iam import PolicyError, Simulator, simulate

V = "2012-10-17"


def doc(*statements):
    return {"Version": V, "Statement": list(statements)}


# --- the IAM article's examples -------------------------------------------------------

POWER_USER = doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})


@pytest.mark.parametrize(
    ("action", "decision"),
    [
        ("s3:GetObject", "allowed"),
        ("ec2:RunInstances", "allowed"),
        ("iam:CreateUser", "implicitDeny"),
        ("IAM:createuser", "implicitDeny"),  # action names are case-insensitive
        ("iam:PassRole", "implicitDeny"),
    ],
)
def test_power_user_everything_except_iam(action, decision):
    assert simulate([POWER_USER], action, "arn:aws:s3:::any").decision == decision


EC2_TAGGED = doc(
    {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"},
    {
        "Effect": "Allow",
        "Action": ["ec2:StartInstances", "ec2:StopInstances"],
        "Resource": [
            "arn:aws:ec2:us-east-1:111122223333:instance/i-123abc12",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-4c3b2a1",
        ],
    },
    {
        "Sid": "TerminateTestOnly",
        "Effect": "Allow",
        "Action": "ec2:TerminateInstances",
        "Resource": "arn:aws:ec2:us-east-1:111122223333:instance/*",
        "Condition": {"StringEquals": {"ec2:ResourceTag/purpose": "test"}},
    },
)
INSTANCE = "arn:aws:ec2:us-east-1:111122223333:instance/"


def test_ec2_describe_anything():
    result = simulate([EC2_TAGGED], "ec2:DescribeInstances")
    assert result.decision == "allowed"
    assert [s.statement_index for s in result.statements] == [0]


@pytest.mark.parametrize("instance", ["i-123abc12", "i-4c3b2a1"])
def test_ec2_start_stop_two_named_instances(instance):
    assert simulate([EC2_TAGGED], "ec2:StopInstances", INSTANCE + instance).allowed
    assert simulate([EC2_TAGGED], "ec2:StartInstances", INSTANCE + instance).allowed


def test_ec2_start_other_instance_denied():
    assert simulate([EC2_TAGGED], "ec2:StartInstances", INSTANCE + "i-999").decision == "implicitDeny"
    # ARNs are case-sensitive
    assert simulate([EC2_TAGGED], "ec2:StartInstances", INSTANCE + "I-123ABC12").decision == "implicitDeny"


def test_ec2_terminate_only_purpose_test():
    arn = INSTANCE + "i-777"
    ok = simulate([EC2_TAGGED], "ec2:TerminateInstances", arn, {"ec2:ResourceTag/purpose": "test"})
    assert ok.decision == "allowed"
    assert ok.statements[0].sid == "TerminateTestOnly"
    assert simulate([EC2_TAGGED], "ec2:TerminateInstances", arn, {"ec2:ResourceTag/purpose": "prod"}).decision == (
        "implicitDeny"
    )
    assert simulate([EC2_TAGGED], "ec2:TerminateInstances", arn).decision == "implicitDeny"
    # condition key names are case-insensitive, values (StringEquals) are not
    assert simulate([EC2_TAGGED], "ec2:TerminateInstances", arn, {"EC2:resourcetag/purpose": "test"}).allowed
    assert not simulate([EC2_TAGGED], "ec2:TerminateInstances", arn, {"ec2:ResourceTag/purpose": "Test"}).allowed


MFA_FOR_DESTRUCTIVE = doc(
    {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"},
    {
        "Sid": "NoDestroyWithoutMFA",
        "Effect": "Deny",
        "Action": ["ec2:TerminateInstances", "ec2:DeleteVolume"],
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    },
)


def test_mfa_required_for_destructive_actions():
    assert simulate([MFA_FOR_DESTRUCTIVE], "ec2:DescribeInstances").allowed
    no_mfa = simulate([MFA_FOR_DESTRUCTIVE], "ec2:TerminateInstances", "*", {"aws:MultiFactorAuthPresent": False})
    assert no_mfa.decision == "explicitDeny"
    assert no_mfa.statements[0].sid == "NoDestroyWithoutMFA"
    # long-term keys carry no MFA key at all: IfExists makes the Deny apply
    assert simulate([MFA_FOR_DESTRUCTIVE], "ec2:TerminateInstances").decision == "explicitDeny"
    assert simulate([MFA_FOR_DESTRUCTIVE], "ec2:DeleteVolume", "*", {"aws:MultiFactorAuthPresent": "true"}).allowed


SOURCE_IP = doc(
    {
        "Effect": "Allow",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]}},
    }
)


@pytest.mark.parametrize(
    ("ip", "allowed"),
    [
        ("192.0.2.44", True),
        ("192.0.3.1", False),
        ("2001:db8:1::7", True),
        ("2001:db9::1", False),
        ("not-an-ip", False),
    ],
)
def test_source_ip_condition(ip, allowed):
    assert simulate([SOURCE_IP], "s3:ListBucket", "arn:aws:s3:::b", {"aws:SourceIp": ip}).allowed is allowed


def test_source_ip_missing_key_denies():
    assert simulate([SOURCE_IP], "s3:ListBucket", "arn:aws:s3:::b").decision == "implicitDeny"


READ_ONE_BUCKET = doc(
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::reports"},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"},
)


def test_read_one_bucket_least_privilege():
    assert simulate([READ_ONE_BUCKET], "s3:GetObject", "arn:aws:s3:::reports/2024/q1.csv").allowed
    assert simulate([READ_ONE_BUCKET], "s3:ListBucket", "arn:aws:s3:::reports").allowed
    assert not simulate([READ_ONE_BUCKET], "s3:GetObject", "arn:aws:s3:::reports-private/x").allowed
    assert not simulate([READ_ONE_BUCKET], "s3:PutObject", "arn:aws:s3:::reports/x").allowed
    assert not simulate([READ_ONE_BUCKET], "s3:ListBucket", "arn:aws:s3:::reports/x").allowed


# --- AWS's evaluation-logic examples --------------------------------------------------

CARLOS_USER = "arn:aws:iam::123456789012:user/carlossalazar"
CARLOS_IDENTITY = doc(
    {
        "Sid": "AllowS3ListRead",
        "Effect": "Allow",
        "Action": ["s3:GetBucketLocation", "s3:GetObject", "s3:ListAllMyBuckets"],
        "Resource": "*",
    },
    {
        "Sid": "AllowS3Self",
        "Effect": "Allow",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"],
    },
    {
        "Sid": "DenyS3Logs",
        "Effect": "Deny",
        "Action": "s3:*",
        "Resource": "arn:aws:s3:::*log*",
    },
)
CARLOS_BUCKET = doc(
    {
        "Sid": "AllowS3ReadWriteLogs",
        "Effect": "Allow",
        "Principal": {"AWS": CARLOS_USER},
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/*",
    }
)


def test_aws_example_identity_deny_overrides_resource_allow():
    # AWS: the identity-based policy's explicit deny on *log* overrides the bucket policy's allow.
    result = simulate(
        [CARLOS_IDENTITY],
        "s3:PutObject",
        "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/file.txt",
        resource_policies=[CARLOS_BUCKET],
        principal=CARLOS_USER,
    )
    assert result.decision == "explicitDeny"
    assert [s.sid for s in result.statements] == ["DenyS3Logs"]


def test_aws_example_own_bucket_allowed():
    assert simulate([CARLOS_IDENTITY], "s3:PutObject", "arn:aws:s3:::carlossalazar/a.txt").allowed
    assert simulate([CARLOS_IDENTITY], "s3:GetObject", "arn:aws:s3:::someone-else/a.txt").allowed
    assert not simulate([CARLOS_IDENTITY], "s3:PutObject", "arn:aws:s3:::someone-else/a.txt").allowed


def test_resource_policy_alone_allows_within_account():
    # "If either the identity-based policy or the resource-based policy within the same account
    # allows the request and the other doesn't, the request is still allowed."
    result = simulate([], "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/f",
                      resource_policies=[CARLOS_BUCKET], principal=CARLOS_USER)
    assert result.decision == "allowed"
    assert result.statements[0].kind == "resource"
    other = simulate([], "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/f",
                     resource_policies=[CARLOS_BUCKET], principal="arn:aws:iam::123456789012:user/else")
    assert other.decision == "implicitDeny"


def test_permissions_boundary_intersects_identity():
    boundary = doc({"Effect": "Allow", "Action": ["s3:*", "cloudwatch:*"], "Resource": "*"})
    admin = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    assert simulate([admin], "s3:GetObject", boundary=boundary).allowed
    capped = simulate([admin], "iam:CreateUser", boundary=boundary)
    assert capped.decision == "implicitDeny"
    assert "boundary" in capped.reason
    # the boundary grants nothing by itself
    assert simulate([], "s3:GetObject", boundary=boundary).decision == "implicitDeny"
    # a Deny in a boundary is an explicit deny
    deny_boundary = doc({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
                        {"Effect": "Allow", "Action": "*", "Resource": "*"})
    assert simulate([admin], "s3:DeleteBucket", boundary=deny_boundary).decision == "explicitDeny"


def test_resource_policy_naming_user_bypasses_boundary_but_role_arn_does_not():
    role = "arn:aws:iam::123456789012:role/app"
    session = "arn:aws:sts::123456789012:assumed-role/app/s1"
    boundary = doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"})
    by_user = doc({"Effect": "Allow", "Principal": {"AWS": CARLOS_USER}, "Action": "s3:GetObject", "Resource": "*"})
    by_role = doc({"Effect": "Allow", "Principal": {"AWS": role}, "Action": "s3:GetObject", "Resource": "*"})
    by_session = doc({"Effect": "Allow", "Principal": {"AWS": session}, "Action": "s3:GetObject", "Resource": "*"})
    assert simulate([], "s3:GetObject", resource_policies=[by_user], boundary=boundary, principal=CARLOS_USER).allowed
    assert not simulate([], "s3:GetObject", resource_policies=[by_role], boundary=boundary, principal=session).allowed
    assert simulate([], "s3:GetObject", resource_policies=[by_role], principal=session).allowed  # role ARN names its sessions
    assert simulate([], "s3:GetObject", resource_policies=[by_session], boundary=boundary, principal=session).allowed


def test_session_policies_intersect():
    admin = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    session = doc({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"})
    assert simulate([admin], "s3:GetObject", session_policies=[session]).allowed
    assert simulate([admin], "s3:PutObject", session_policies=[session]).decision == "implicitDeny"


def test_principal_forms():
    account_root = doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                        "Action": "sqs:SendMessage", "Resource": "*"})
    account_id = doc({"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sqs:*", "Resource": "*"})
    service = doc({"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:*",
                   "Resource": "*"})
    anyone = doc({"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"})
    not_principal = doc({"Effect": "Deny", "NotPrincipal": {"AWS": CARLOS_USER}, "Action": "sqs:*", "Resource": "*"},
                        {"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"})
    other = "arn:aws:iam::999999999999:user/x"
    for policy in (account_root, account_id):
        assert simulate([], "sqs:SendMessage", resource_policies=[policy], principal=CARLOS_USER).allowed
        assert not simulate([], "sqs:SendMessage", resource_policies=[policy], principal=other).allowed
    assert simulate([], "sqs:SendMessage", resource_policies=[service], principal="sns.amazonaws.com").allowed
    assert not simulate([], "sqs:SendMessage", resource_policies=[service], principal=CARLOS_USER).allowed
    assert simulate([], "sqs:SendMessage", resource_policies=[anyone], principal="*").allowed
    assert simulate([], "sqs:SendMessage", resource_policies=[not_principal], principal=CARLOS_USER).allowed
    assert simulate([], "sqs:SendMessage", resource_policies=[not_principal], principal=other).decision == (
        "explicitDeny"
    )


# --- conditions -------------------------------------------------------------------------


def cond(condition, action="s3:GetObject"):
    return doc({"Effect": "Allow", "Action": action, "Resource": "*", "Condition": condition})


def allowed(condition, context=None):
    return simulate([cond(condition)], "s3:GetObject", "*", context).allowed


def test_string_operators():
    assert allowed({"StringEquals": {"k:a": ["x", "y"]}}, {"k:a": "y"})
    assert not allowed({"StringEquals": {"k:a": "x"}}, {"k:a": "X"})
    assert allowed({"StringEqualsIgnoreCase": {"k:a": "x"}}, {"k:a": "X"})
    assert allowed({"StringNotEquals": {"k:a": ["x", "y"]}}, {"k:a": "z"})
    assert not allowed({"StringNotEquals": {"k:a": ["x", "y"]}}, {"k:a": "y"})  # NOR over values
    assert allowed({"StringNotEquals": {"k:a": "x"}})  # negated + absent key -> true
    assert not allowed({"StringNotEqualsIgnoreCase": {"k:a": "x"}}, {"k:a": "X"})
    assert allowed({"StringLike": {"k:a": "ab*c?"}}, {"k:a": "abXYZcd"})
    assert not allowed({"StringLike": {"k:a": "ab*c?"}}, {"k:a": "abXYZc"})
    assert allowed({"StringNotLike": {"k:a": "prod-*"}}, {"k:a": "dev-1"})
    assert not allowed({"StringNotLike": {"k:a": "prod-*"}}, {"k:a": "prod-1"})
    assert not allowed({"StringEquals": {"k:a": "x"}})  # positive + absent key -> false


def test_multiple_keys_and_operators_are_anded():
    condition = {"StringEquals": {"k:a": "1", "k:b": "2"}, "Bool": {"aws:SecureTransport": "true"}}
    assert allowed(condition, {"k:a": "1", "k:b": "2", "aws:SecureTransport": True})
    assert not allowed(condition, {"k:a": "1", "k:b": "2", "aws:SecureTransport": False})
    assert not allowed(condition, {"k:a": "1", "aws:SecureTransport": True})


def test_numeric_operators():
    assert allowed({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "9"})
    assert not allowed({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": 10})
    assert allowed({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": 10})
    assert allowed({"NumericGreaterThan": {"k:n": "1.5"}}, {"k:n": "2"})
    assert allowed({"NumericGreaterThanEquals": {"k:n": "2"}}, {"k:n": "2.0"})
    assert allowed({"NumericEquals": {"k:n": "3"}}, {"k:n": "3.00"})
    assert allowed({"NumericNotEquals": {"k:n": ["3", "4"]}}, {"k:n": "5"})
    assert not allowed({"NumericNotEquals": {"k:n": ["3", "4"]}}, {"k:n": "4"})
    assert not allowed({"NumericEquals": {"k:n": "3"}}, {"k:n": "three"})
    assert allowed({"NumericLessThanIfExists": {"k:n": "3"}})


def test_date_operators():
    window = {"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"},
              "DateLessThan": {"aws:CurrentTime": "2024-06-30T23:59:59Z"}}
    assert allowed(window, {"aws:CurrentTime": "2024-03-01T12:00:00Z"})
    assert not allowed(window, {"aws:CurrentTime": "2024-07-01T00:00:00Z"})
    assert allowed({"DateLessThanEquals": {"aws:TokenIssueTime": "2024-01-01"}}, {"aws:TokenIssueTime": "2023-12-31"})
    assert allowed({"DateEquals": {"aws:EpochTime": "2024-01-01T00:00:00Z"}}, {"aws:EpochTime": "1704067200"})
    assert allowed({"DateNotEquals": {"k:d": "2024-01-01"}}, {"k:d": "2024-01-02"})
    assert allowed({"DateGreaterThanEquals": {"k:d": "2024-01-01T00:00:00+02:00"}}, {"k:d": "2023-12-31T22:00:00Z"})


def test_bool_binary_null_arn():
    assert allowed({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "TRUE"})
    assert not allowed({"Bool": {"aws:SecureTransport": True}}, {"aws:SecureTransport": "false"})
    assert allowed({"BinaryEquals": {"k:bin": "QmluYXJ5VmFsdWU="}}, {"k:bin": b"BinaryValue"})
    assert not allowed({"BinaryEquals": {"k:bin": "QmluYXJ5VmFsdWU="}}, {"k:bin": b"Other"})
    assert allowed({"Null": {"aws:TokenIssueTime": "true"}})
    assert not allowed({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "2024-01-01"})
    assert allowed({"Null": {"aws:TokenIssueTime": "false"}}, {"aws:TokenIssueTime": "2024-01-01"})
    arn = "arn:aws:sns:us-east-1:123456789012:topic"
    assert allowed({"ArnEquals": {"aws:SourceArn": arn}}, {"aws:SourceArn": arn})
    assert allowed({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}}, {"aws:SourceArn": arn})
    # a wildcard stays inside its ARN segment
    assert not allowed({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:topic"}}, {"aws:SourceArn": arn})
    assert allowed({"ArnNotLike": {"aws:SourceArn": "arn:aws:sqs:*"}}, {"aws:SourceArn": arn})
    assert not allowed({"ArnNotEquals": {"aws:SourceArn": arn}}, {"aws:SourceArn": arn})
    assert not allowed({"ArnLike": {"aws:SourceArn": "arn:aws:SNS:*"}}, {"aws:SourceArn": arn})  # case-sensitive


def test_if_exists_and_not_ip():
    assert allowed({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}})
    assert allowed({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}, {"ec2:InstanceType": "t3.micro"})
    assert not allowed({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}, {"ec2:InstanceType": "m5.large"})
    assert allowed({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "192.0.2.1"})
    assert not allowed({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "10.1.2.3"})
    assert allowed({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})


def test_set_operators():
    keys = ["Department", "CostCenter"]
    for_all = {"ForAllValues:StringEquals": {"aws:TagKeys": ["Department", "CostCenter", "Owner"]}}
    assert allowed(for_all, {"aws:TagKeys": keys})
    assert not allowed(for_all, {"aws:TagKeys": [*keys, "Secret"]})
    assert allowed(for_all)  # ForAllValues is true when the key is absent ...
    assert allowed(for_all, {"aws:TagKeys": []})  # ... or empty
    for_any = {"ForAnyValue:StringLike": {"aws:TagKeys": "Cost*"}}
    assert allowed(for_any, {"aws:TagKeys": keys})
    assert not allowed(for_any, {"aws:TagKeys": ["Department"]})
    assert not allowed(for_any)
    assert allowed({"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "Cost*"}})
    all_not = {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["Secret", "Private"]}}
    assert allowed(all_not, {"aws:TagKeys": keys})
    assert not allowed(all_not, {"aws:TagKeys": [*keys, "Private"]})
    # without a qualifier a multi-valued key matches when any value does
    assert allowed({"StringEquals": {"aws:TagKeys": "CostCenter"}}, {"aws:TagKeys": keys})


def test_policy_variables():
    policy = doc({"Effect": "Allow", "Action": "s3:*",
                  "Resource": "arn:aws:s3:::home/${aws:username}/*"})
    bob = "arn:aws:iam::123456789012:user/division/bob"
    assert simulate([policy], "s3:GetObject", "arn:aws:s3:::home/bob/notes", principal=bob).allowed
    assert not simulate([policy], "s3:GetObject", "arn:aws:s3:::home/alice/notes", principal=bob).allowed
    # no aws:username (a role): the variable is unresolved and the resource matches nothing
    assert not simulate([policy], "s3:GetObject", "arn:aws:s3:::home/bob/notes").allowed
    # text from a variable is literal: a * in a user name is not a wildcard
    assert not simulate([policy], "s3:GetObject", "arn:aws:s3:::home/bob/x", {"aws:username": "*"}).allowed
    tags = doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*",
                "Condition": {"StringEquals": {"ec2:ResourceTag/team": "${aws:PrincipalTag/team}"}}})
    ctx = {"aws:PrincipalTag/team": "blue", "ec2:ResourceTag/team": "blue"}
    assert simulate([tags], "ec2:StopInstances", "*", ctx).allowed
    assert not simulate([tags], "ec2:StopInstances", "*", {**ctx, "ec2:ResourceTag/team": "red"}).allowed


def test_variable_escapes_and_defaults():
    star = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${*}"})
    assert simulate([star], "s3:GetObject", "arn:aws:s3:::b/*").allowed
    assert not simulate([star], "s3:GetObject", "arn:aws:s3:::b/anything").allowed
    q = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/a${?}${$}"})
    assert simulate([q], "s3:GetObject", "arn:aws:s3:::b/a?$").allowed
    assert not simulate([q], "s3:GetObject", "arn:aws:s3:::b/ax$").allowed
    default = doc({"Effect": "Allow", "Action": "s3:*",
                   "Resource": "arn:aws:s3:::b/${aws:PrincipalTag/team, 'company-wide'}/*"})
    assert simulate([default], "s3:GetObject", "arn:aws:s3:::b/company-wide/x").allowed
    assert simulate([default], "s3:GetObject", "arn:aws:s3:::b/blue/x", {"aws:PrincipalTag/team": "blue"}).allowed
    quoted = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${k:x, 'it''s'}"})
    assert simulate([quoted], "s3:GetObject", "arn:aws:s3:::b/it's").allowed


def test_variables_need_version_2012():
    old = {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                   "Resource": "arn:aws:s3:::home/${aws:username}"}]}
    assert not simulate([old], "s3:GetObject", "arn:aws:s3:::home/bob", {"aws:username": "bob"}).allowed
    assert simulate([old], "s3:GetObject", "arn:aws:s3:::home/${aws:username}").allowed


def test_not_resource_and_question_mark():
    policy = doc({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret*"},
                 {"Effect": "Allow", "Action": "sqs:Send?essage", "Resource": "*"})
    assert simulate([policy], "s3:GetObject", "arn:aws:s3:::public/x").allowed
    assert not simulate([policy], "s3:GetObject", "arn:aws:s3:::secret/x").allowed
    assert simulate([policy], "sqs:SendMessage").allowed
    assert not simulate([policy], "sqs:SendMessageBatch").allowed


def test_json_text_and_single_statement_object():
    text = json.dumps({"Version": V, "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}})
    assert simulate(text, "s3:GetObject").allowed


def test_simulator_reuses_compiled_policies():
    sim = Simulator([EC2_TAGGED, MFA_FOR_DESTRUCTIVE])
    assert sim.simulate("ec2:DescribeImages").allowed
    assert sim.simulate("ec2:TerminateInstances").decision == "explicitDeny"


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("{not json", "not valid JSON"),
        ({"Version": V}, "no Statement"),
        ({"Version": "2020-01-01", "Statement": []}, "Version"),
        (doc({"Effect": "Permit", "Action": "s3:*", "Resource": "*"}), "Effect"),
        (doc({"Effect": "Allow", "Resource": "*"}), "Action or NotAction"),
        (doc({"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:x", "Resource": "*"}), "exactly one"),
        (doc({"Effect": "Allow", "Action": "s3", "Resource": "*"}), "not an action"),
        (doc({"Effect": "Allow", "Action": "s3:*"}), "Resource or NotResource"),
        (doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": "*"}), "Principal"),
        (doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEqualz": {"a:b": "c"}}}),
         "unknown condition operator"),
        (doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"NumericEquals": {"a:b": "x"}}}),
         "not a number"),
        (doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"IpAddress": {"a:b": "1.2.3"}}}),
         "CIDR"),
        (doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"ForSomeValues:StringEquals": {}}}),
         "set operator"),
        (doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Extra": 1}), "unknown statement element"),
        ([1, 2], "JSON object"),
    ],
)
def test_invalid_policies_raise_policy_error(policy, message):
    with pytest.raises(PolicyError, match=message) as info:
        simulate(policy if isinstance(policy, dict | str) else [policy], "s3:GetObject")
    assert isinstance(info.value, SparkleformError)
    assert info.value.exit_code == 2


def test_resource_policy_needs_principal():
    with pytest.raises(PolicyError, match="Principal"):
        simulate([], "s3:GetObject", resource_policies=[doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})])


def test_a_policy_dict_edited_in_place_is_recompiled():
    policy = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    assert simulate([policy], "s3:GetObject").allowed
    policy["Statement"][0]["Effect"] = "Deny"
    assert simulate([policy], "s3:GetObject").decision == "explicitDeny"
    policy["Statement"][0]["Action"] = "s3:PutObject"
    assert simulate([policy], "s3:GetObject").decision == "implicitDeny"


def test_service_index_keeps_wildcard_prefixes_and_not_action():
    policy = doc({"Effect": "Allow", "Action": "*:Describe*", "Resource": "*"},
                 {"Effect": "Deny", "NotAction": "s3:*", "Resource": "arn:aws:ec2:*:*:instance/i-prod"},
                 {"Effect": "Allow", "Action": "s?s:SendMessage", "Resource": "*"})
    sim = Simulator([policy])
    assert sim.simulate("ec2:DescribeInstances").allowed
    assert sim.simulate("rds:DescribeDBInstances").allowed
    assert sim.simulate("sqs:SendMessage").allowed
    assert sim.simulate("sns:SendMessage").allowed  # s?s covers sns too
    assert sim.simulate("ssm:SendMessage").decision == "implicitDeny"
    assert sim.simulate("ec2:DescribeInstances", "arn:aws:ec2:us-east-1:1:instance/i-prod").decision == "explicitDeny"
    sim.add(identity=[Simulator([doc({"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"})]).identity[0]])
    assert sim.simulate("sns:Publish").allowed


def test_resource_wildcards_and_arn_segments():
    def ok(pattern, arn):
        return simulate([doc({"Effect": "Allow", "Action": "s3:*", "Resource": pattern})], "s3:GetObject", arn).allowed

    # a * ending a segment may run over colons (Resource element)
    assert ok("arn:aws:logs:*", "arn:aws:logs:us-east-1:123456789012:log-group:app:*")
    assert ok("arn:aws:sns:*:topic", "arn:aws:sns:us-east-1:123456789012:topic")
    # inside a segment it stays there
    assert ok("arn:aws:ec2:us-*-1:123456789012:instance/*", "arn:aws:ec2:us-east-1:123456789012:instance/i-1")
    assert not ok("arn:aws:ec2:us-*1:123456789012:instance/*", "arn:aws:ec2:us-east:1:123456789012:instance/i-1")
    # ? is one character, never a colon before the resource part
    assert ok("arn:aws:s3:::bucket-?", "arn:aws:s3:::bucket-a")
    assert not ok("arn:aws:s3:?::bucket", "arn:aws:s3::::bucket")
    # * in the resource part spans slashes
    assert ok("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y/z")
