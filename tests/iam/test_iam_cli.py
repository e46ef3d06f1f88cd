"""`sparkleform iam simulate` over templates and policy files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparkleform.cli.main import main

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  BucketName:
    Type: String
    Default: reports
Resources:
  Reports:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Ref BucketName
  Team:
    Type: AWS::IAM::Group
    Properties:
      Policies:
        - PolicyName: team
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: sqs:SendMessage
                Resource: !Sub "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:jobs"
  Dev:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Team]
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Sid: ReadReports
                Effect: Allow
                Action: [s3:GetObject]
                Resource: !Sub "arn:aws:s3:::${Reports}/*"
              - Sid: NoDelete
                Effect: Deny
                Action: s3:Delete*
                Resource: "*"
  ListIt:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref AppRole]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:ListBucket
            Resource: !GetAtt Reports.Arn
  ReportsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Reports
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: !GetAtt AppRole.Arn}
            Action: s3:PutObject
            Resource: !Sub "${Reports.Arn}/uploads/*"
"""


@pytest.fixture
def tpl(tmp_path: Path) -> Path:
    path = tmp_path / "stack.yaml"
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def results(capsys, *args: str) -> list[dict]:
    code, out, err = run(capsys, "--output", "json", "iam", "simulate", *args)
    assert code == 0, err
    return json.loads(out)["results"]


def test_role_policies_from_template_with_source_lines(capsys, tpl):
    rows = results(capsys, str(tpl), "--principal", "AppRole", "--action", "s3:GetObject", "--action",
                   "s3:DeleteObject", "--resource", "arn:aws:s3:::reports/a.csv")
    assert [r["decision"] for r in rows] == ["allowed", "explicitDeny"]
    allowed = rows[0]["statements"][0]
    assert allowed["sid"] == "ReadReports"
    assert allowed["path"] == "Resources.AppRole.Properties.Policies[0].PolicyDocument.Statement[0]"
    assert allowed["location"] == f"{tpl}:{TEMPLATE.splitlines().index('              - Sid: ReadReports') + 1}"
    assert rows[1]["statements"][0]["sid"] == "NoDelete"


def test_managed_policy_and_parameters(capsys, tpl):
    rows = results(capsys, str(tpl), "--principal", "AppRole", "--action", "s3:ListBucket",
                   "--resource", "arn:aws:s3:::reports", "--resource", "arn:aws:s3:::other")
    assert [r["decision"] for r in rows] == ["allowed", "implicitDeny"]
    assert rows[0]["statements"][0]["path"] == "Resources.ListIt.Properties.PolicyDocument.Statement[0]"
    # -p changes the bucket name the Ref/Sub/GetAtt resolve to
    rows = results(capsys, str(tpl), "--principal", "AppRole", "--action", "s3:ListBucket",
                   "--resource", "arn:aws:s3:::other", "-p", "BucketName=other")
    assert rows[0]["decision"] == "allowed"


def test_bucket_policy_grants_the_role(capsys, tpl):
    rows = results(capsys, str(tpl), "--principal", "AppRole", "--action", "s3:PutObject",
                   "--resource", "arn:aws:s3:::reports/uploads/x", "--resource", "arn:aws:s3:::reports/x")
    assert [r["decision"] for r in rows] == ["allowed", "implicitDeny"]
    assert rows[0]["statements"][0]["kind"] == "resource"
    # a principal given by ARN finds the same role
    rows = results(capsys, str(tpl), "--principal", "arn:aws:iam::123456789012:role/AppRole", "--action",
                   "s3:GetObject", "--resource", "arn:aws:s3:::reports/x")
    assert rows[0]["principal"] == "AppRole" and rows[0]["decision"] == "allowed"


def test_user_inherits_group_policies_and_all_principals_listed(capsys, tpl):
    rows = results(capsys, str(tpl), "--action", "sqs:SendMessage",
                   "--resource", "arn:aws:sqs:us-east-1:123456789012:jobs")
    decisions = {r["principal"]: r["decision"] for r in rows}
    assert decisions == {"Team": "allowed", "Dev": "allowed", "AppRole": "implicitDeny"}


def test_wildcard_actions_expand_against_the_action_list(capsys, tpl):
    rows = results(capsys, str(tpl), "--principal", "AppRole", "--action", "s3:GetObject*",
                   "--resource", "arn:aws:s3:::reports/a")
    actions = {r["action"].lower(): r["decision"] for r in rows}
    assert len(actions) > 5
    assert actions["s3:getobject"] == "allowed"
    assert actions["s3:getobjectacl"] == "implicitDeny"
    assert "s3:GetObject" in {r["action"] for r in rows}  # API names keep their usual case


def test_policy_files_and_context_lists(capsys, tmp_path):
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:PutObjectTagging", "Resource": "*",
        "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost"]},
                      "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}))
    deny = tmp_path / "d.yaml"
    deny.write_text("Version: '2012-10-17'\nStatement:\n  - Effect: Deny\n    Action: s3:*\n    Resource: '*'\n"
                    "    Condition: {Bool: {aws:SecureTransport: 'false'}}\n")
    base = ["--policy", str(policy), "--policy", str(deny), "--action", "s3:PutObjectTagging",
            "--context", "aws:SourceIp=10.2.3.4", "--context", "aws:SecureTransport=true"]
    ok = results(capsys, *base, "--context", "aws:TagKeys=team", "--context", "aws:TagKeys=cost")
    assert ok[0]["decision"] == "allowed"
    extra = results(capsys, *base, "--context", "aws:TagKeys=team", "--context", "aws:TagKeys=secret")
    assert extra[0]["decision"] == "implicitDeny"
    insecure = results(capsys, *base[:-1], "aws:SecureTransport=false")
    assert insecure[0]["decision"] == "explicitDeny"


def test_text_table(capsys, tpl):
    code, out, _ = run(capsys, "iam", "simulate", str(tpl), "--principal", "AppRole", "--action", "s3:GetObject",
                       "--resource", "arn:aws:s3:::reports/a")
    assert code == 0
    assert "allowed" in out and "AppRole" in out and "ReadReports" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--policy", "missing.json", "--action", "s3:GetObject"], "cannot read policy file"),
        (["--action", "s3:GetObject"], "give a TEMPLATE"),
        (["missing.yaml", "--action", "s3:GetObject"], "does not exist"),
        (["--policy", "{p}", "--action", "s3GetObject"], "not service:Action"),
        (["--policy", "{p}", "--action", "s3:Nothing*"], "matches no action"),
        (["--policy", "{p}", "--action", "s3:GetObject", "--context", "novalue"], "KEY=VALUE"),
        (["--policy", "{bad}", "--action", "s3:GetObject"], "exactly one of Action or NotAction"),
    ],
)
def test_bad_input_exits_2(capsys, tmp_path, args, message):
    good = tmp_path / "p.json"
    good.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}')
    bad = tmp_path / "bad.json"
    bad.write_text('{"Statement": [{"Effect": "Allow", "Resource": "*"}]}')
    args = [a.format(p=good, bad=bad) for a in args]
    code, _, err = run(capsys, "iam", "simulate", *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_dsl_template_from_the_seed_pack(capsys):
    from sparkleform.errors import SparkleformError
    from sparkleform.targets import load_target

    try:
        load_target("iam_groups")
    except SparkleformError:
        pytest.skip("the seed pack's iam_groups template is not available")
    rows = results(capsys, "iam_groups", "--principal", "Ec2TestersGroup", "--action", "ec2:TerminateInstances",
                   "--resource", "arn:aws:ec2:us-east-1:123456789012:instance/i-9",
                   "--context", "ec2:ResourceTag/purpose=test")
    assert rows[0]["decision"] == "allowed"
    assert rows[0]["statements"][0]["location"].split(":")[0].endswith(".py")


def test_trust_policy_decides_assume_role_on_its_role_only(capsys, tpl):
    role_arn = "arn:aws:iam::123456789012:role/AppRole"
    rows = results(capsys, str(tpl), "--principal", "ec2.amazonaws.com", "--action", "sts:AssumeRole",
                   "--resource", role_arn, "--resource", "arn:aws:iam::123456789012:role/Other")
    assert [r["decision"] for r in rows] == ["allowed", "implicitDeny"]
    assert rows[0]["statements"][0]["path"] == "Resources.AppRole.Properties.AssumeRolePolicyDocument.Statement[0]"
    rows = results(capsys, str(tpl), "--principal", "lambda.amazonaws.com", "--action", "sts:AssumeRole",
                   "--resource", role_arn)
    assert rows[0]["decision"] == "implicitDeny"


SAM = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: s3://bucket/code.zip
      Policies:
        - DynamoDBReadPolicy:
            TableName: !Ref Table
"""


def test_sam_function_policies_are_simulated_on_the_generated_role(capsys, tmp_path):
    path = tmp_path / "sam.yaml"
    path.write_text(SAM, encoding="utf-8")
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/Table"
    code, out, err = run(capsys, "--output", "json", "iam", "simulate", str(path), "--action", "dynamodb:GetItem",
                         "--action", "dynamodb:PutItem", "--resource", table)
    assert code == 0, err
    rows = json.loads(out)["results"]
    assert [(r["principal"], r["decision"]) for r in rows] == [("FnRole", "allowed"), ("FnRole", "implicitDeny")]
    # the generated role's statement points at the SAM function's line
    assert rows[0]["statements"][0]["location"] == f"{path}:{SAM.splitlines().index('  Fn:') + 1}"
    assert any("AWSLambdaBasicExecutionRole" in n for n in json.loads(out)["notes"])
