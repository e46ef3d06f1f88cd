"""Issue 13's mistakes, each deployed with `sparkleform create` on a small YAML template:
refused at the stage AWS refuses it (up front, nothing created, or the resource fails and
the stack rolls back), with AWS's text. `--no-check` is used where the validate checks
would refuse the template first, to reach the stage the engine itself refuses it at."""

from __future__ import annotations

import json

import pytest
from fc_cli import Cli


@pytest.fixture
def cli(tmp_path) -> Cli:
    return Cli(tmp_path)


def _rolled_back(cli: Cli, stack: str, text: str, template: str, *extra: str) -> None:
    cli.write("t.yaml", template)
    proc = cli.run("create", stack, "t.yaml", "--no-check", *extra)
    assert proc.returncode == 1, proc.stderr
    assert text in proc.stderr, proc.stderr
    assert "ROLLBACK_COMPLETE" in proc.stderr
    assert cli.status(stack) == "ROLLBACK_COMPLETE"


INSTANCE = """\
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-12345678
{extra}
"""


def test_property_typo_is_refused_up_front_at_its_line_and_fails_the_resource_without_checks(cli):
    cli.write("t.yaml", INSTANCE.format(extra="      InstnceType: t3.micro"))
    proc = cli.run("create", "typo", "t.yaml")
    assert proc.returncode == 1 and "t.yaml:6:" in proc.stderr and "InstnceType" in proc.stderr
    assert cli.status("typo") is None
    _rolled_back(cli, "typo", "Properties validation failed for resource Web with message: "
                 "#: extraneous key [InstnceType] is not permitted", INSTANCE.format(extra="      InstnceType: t3.micro"))


def test_wrong_type_fails_the_resource(cli):
    _rolled_back(cli, "types", "#/DisableApiTermination: expected type: Boolean, found: String",
                 INSTANCE.format(extra='      DisableApiTermination: "nope"'))


def test_a_boolean_as_text_is_accepted_as_cloudformation_does(cli):
    cli.write("t.yaml", INSTANCE.format(extra='      DisableApiTermination: "true"\n      Monitoring: "false"'))
    proc = cli.run("create", "ok", "t.yaml", "--no-check")
    assert proc.returncode == 0, proc.stderr
    assert cli.status("ok") == "CREATE_COMPLETE"


def test_missing_required_property_fails_the_resource(cli):
    _rolled_back(cli, "req", "Properties validation failed for resource Sg with message: "
                 "#: required key [GroupDescription] not found", """\
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      VpcId: vpc-12345678
""")


def test_a_template_over_1_mb_is_refused_up_front(cli):
    big = {"Resources": {f"P{i}": {"Type": "AWS::SSM::Parameter",
                                   "Properties": {"Type": "String", "Value": "x" * 4000}} for i in range(260)}}
    cli.write("big.json", json.dumps(big))
    proc = cli.run("create", "big", "big.json", "--no-check")
    assert proc.returncode == 2, proc.stderr
    assert "Template may not exceed 1000000 bytes in size." in proc.stderr
    assert cli.status("big") is None


def test_more_than_500_resources_are_refused_up_front(cli):
    many = {"Resources": {f"T{i}": {"Type": "AWS::SNS::Topic"} for i in range(501)}}
    cli.write("many.json", json.dumps(many))
    proc = cli.run("create", "many", "many.json", "--no-check")
    assert proc.returncode == 2
    assert "Template format error: Number of resources, 501, is greater than maximum allowed, 500" in proc.stderr
    assert cli.status("many") is None


@pytest.mark.parametrize(("section", "entry", "text"), [
    ("Parameters", {"Type": "String", "Default": "x"},
     "Template format error: Parameter count 201 is greater than max allowed 200"),
    ("Outputs", {"Value": "x"}, "Template format error: Outputs count 201 is greater than max allowed 200"),
])
def test_more_than_200_parameters_or_outputs_are_refused_up_front_each_in_its_own_words(cli, section, entry, text):
    many = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}, section: {f"E{i}": entry for i in range(201)}}
    cli.write("many.json", json.dumps(many))
    proc = cli.run("create", "many", "many.json", "--no-check")
    assert proc.returncode == 2, proc.stderr
    assert text in proc.stderr
    assert cli.status("many") is None
    del many[section]["E0"]  # 200 is the limit, not over it
    cli.write("many.json", json.dumps(many))
    assert cli.run("create", "many", "many.json", "--no-check").returncode == 0


def test_a_2500_character_tag_value_fails_the_resource(cli):
    # the bucket's schema limits a tag value: CloudFormation's properties validation says so first
    _rolled_back(cli, "tags", "Properties validation failed for resource Bucket with message: "
                 "#/Tags/0/Value: expected maxLength: 256, actual: 2500", f"""\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      Tags:
        - Key: Owner
          Value: {"v" * 2500}
""")


def test_a_long_tag_value_on_a_type_whose_schema_has_no_limit_fails_in_the_service(cli):
    # EC2's own text, as its handler reports it (Service: Ec2)
    _rolled_back(cli, "tagsvc", '"Tag value exceeds the maximum length of 256 characters" (Service: Ec2, Status Code: 400',
                 f"Resources:\n  Net:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: vpc-12345678\n"
                 f"      CidrBlock: 10.0.0.0/24\n      Tags:\n        - Key: Owner\n          Value: {'v' * 2500}\n")


def _tags(count: int, key: str = "k") -> str:
    return "\n".join(f"        - Key: {key}{i}\n          Value: v" for i in range(count))


LAMBDA = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/fn
      Code: {{ZipFile: "def handler(event, context): pass"}}
      Tags:
{tags}
"""


def test_more_than_50_tags_fail_with_the_services_own_text(cli):
    _rolled_back(cli, "taglambda", '"Number of tags exceeds resource tag limit." (Service: Lambda, Status Code: 400',
                 LAMBDA.format(tags=_tags(51)))
    _rolled_back(cli, "tagbucket", '"Bucket tag count cannot be greater than 50" (Service: S3, Status Code: 400',
                 f"Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n{_tags(51)}\n")
    cli.write("t.yaml", LAMBDA.format(tags=_tags(50)))  # 50 is the limit, not over it
    assert cli.run("create", "tag50", "t.yaml", "--no-check").returncode == 0


def test_an_aws_prefixed_tag_key_fails_with_the_services_own_text(cli):
    _rolled_back(cli, "tagaws", "Tag keys starting with 'aws:' are reserved for internal use",
                 "Resources:\n  Net:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n"
                 "      Tags:\n        - Key: aws:owner\n          Value: me\n")
    _rolled_back(cli, "tagawss3", 'User-defined tag keys can\'t start with "aws:". This prefix is reserved for system tags. '
                 'Remove "aws:" from your tag keys and try again." (Service: S3',
                 "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n"
                 "        - Key: aws:owner\n          Value: me\n")


NETWORK = """\
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  A:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: {a}
  B:
    Type: AWS::EC2::Subnet
    DependsOn: A
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: {b}
"""


def test_a_subnet_outside_its_vpc_fails(cli):
    _rolled_back(cli, "outside", "The CIDR '10.1.0.0/24' is invalid.", NETWORK.format(a="10.0.0.0/24", b="10.1.0.0/24"))


def test_overlapping_subnets_fail(cli):
    _rolled_back(cli, "overlap", "The CIDR '10.0.0.128/25' conflicts with another subnet",
                 NETWORK.format(a="10.0.0.0/24", b="10.0.0.128/25"))


def test_subnet_sizes_outside_16_to_28_fail(cli):
    _rolled_back(cli, "tiny", "The CIDR '10.0.0.0/29' is invalid.", NETWORK.format(a="10.0.1.0/24", b="10.0.0.0/29"))


def test_good_network_deploys(cli):
    cli.write("t.yaml", NETWORK.format(a="10.0.0.0/24", b="10.0.1.0/24"))
    proc = cli.run("create", "net", "t.yaml")
    assert proc.returncode == 0, proc.stderr


def test_names_the_services_refuse(cli):
    _rolled_back(cli, "bucket", "Bucket name should not contain uppercase characters",
                 "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: My-Bucket\n")
    _rolled_back(cli, "role", "#/RoleName: expected maxLength: 64, actual: 65", f"""\
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      RoleName: {"r" * 65}
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: ec2.amazonaws.com}}
            Action: sts:AssumeRole
""", "--capabilities", "CAPABILITY_NAMED_IAM")
    _rolled_back(cli, "rolechars", '"The specified value for roleName is invalid. It must contain only alphanumeric '
                 'characters and/or the following: +=,.@_-" (Service: Iam, Status Code: 400', """\
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      RoleName: team/web
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
""", "--capabilities", "CAPABILITY_NAMED_IAM")
    # the managed policy's schema has no maxLength: IAM's own API constraint refuses it
    _rolled_back(cli, "policylen", f"1 validation error detected: Value '{'p' * 129}' at 'policyName' failed to "
                 "satisfy constraint: Member must have length less than or equal to 128", f"""\
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: {"p" * 129}
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: "*"
""", "--capabilities", "CAPABILITY_NAMED_IAM")
    _rolled_back(cli, "queue", "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
                 "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: bad.name\n")


def test_a_bucket_name_is_unique_across_stacks(cli):
    template = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: shared-name-1\n"
    cli.write("t.yaml", template)
    assert cli.run("create", "first", "t.yaml").returncode == 0
    proc = cli.run("create", "second", "t.yaml")
    assert proc.returncode == 1
    assert "shared-name-1 already exists in stack arn:aws:cloudformation:us-east-1:123456789012:stack/first/" in proc.stderr
    assert cli.status("second") == "ROLLBACK_COMPLETE"


def test_malformed_policy_document_and_security_group_rules_fail(cli):
    _rolled_back(cli, "policy", "(Service: Iam, Status Code: 400", """\
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Maybe
            Action: s3:GetObject
            Resource: "*"
""")
    _rolled_back(cli, "sg", "Must specify both from and to ports with TCP/UDP.", """\
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - IpProtocol: tcp
          CidrIp: 0.0.0.0/0
""")


def test_an_ingress_rule_without_a_source_fails_with_ec2s_text(cli):
    _rolled_back(cli, "nosource", '"Missing source specification: include source security group or CIDR information" '
                 "(Service: Ec2, Status Code: 400", """\
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
  In:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Sg.GroupId
      IpProtocol: tcp
      FromPort: 443
      ToPort: 443
""")


def test_an_update_is_validated_too_and_rolls_back(cli):
    cli.write("t.yaml", "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: one\n")
    assert cli.run("create", "upd", "t.yaml").returncode == 0
    cli.write("t.yaml", "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: two\n"
              "      FifoTopic: maybe\n")
    proc = cli.run("update", "upd", "t.yaml", "-y", "--no-check")
    assert proc.returncode == 1, proc.stderr
    assert "#/FifoTopic: expected type: Boolean, found: String" in proc.stderr
    assert cli.status("upd") == "UPDATE_ROLLBACK_COMPLETE"
