"""`import`: DSL source that reads like the template and compiles back to exactly it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from corpus_data import corpus_rows
from sparkleform.dsl.importer import compile_source, function_name, snake_guess, translate
from sparkleform.formats import load_template

DATA = Path(__file__).parents[1] / "formats" / "data"  # the templates the formats tests read too


def round_trip(doc: dict, name: str = "example") -> str:
    result = translate(doc, name=name)
    ast.parse(result.module)
    assert compile_source(result.module, name) == doc
    return result.module


def test_ec2_example_imports_to_readable_code_that_compiles_back(tmp_path, monkeypatch) -> None:
    doc, _ = load_template(DATA / "ec2_example.json")
    result = translate(doc, name="ec2_example", source="ec2_example.json")
    code = result.module
    assert "@template(" in code and "def ec2_example(t):" in code
    assert 'description="AWS Advent 2013: one EC2 instance' in code
    assert 't.parameter(\n        "key_name",\n        type="String",' in code
    assert "min_length=" in code and "allowed_pattern=" in code
    assert "with t.resources.ec2_instance as r:" in code
    assert 'r.type = "AWS::EC2::Instance"' in code
    assert "with r.properties as p:" in code
    assert 'p.image_id = ref("ami_id")' in code
    assert 'p.key_name = ref("key_name")' in code
    assert "p.user_data = base64(" in code and "join(" in code and "AWS.stack_name" in code
    assert 't.output(\n        "instance_id",\n        ref("ec2_instance"),' in code
    assert '{"Ref"' not in code and '"Fn::' not in code
    assert code.count("\n") < 90  # shorter than the 90-line JSON
    assert result.notes == []
    # compile it the way users do: through load_target on the written module
    monkeypatch.chdir(tmp_path)
    module = tmp_path / "ec2_example.py"
    module.write_text(code)
    from sparkleform.targets import load_target

    assert load_target(str(module)).template == doc


def test_property_names_follow_the_resource_schema() -> None:
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Db": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {"DBInstanceClass": "db.t3.micro", "Engine": "mysql", "AllocatedStorage": "20"},
            },
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16", "EnableDnsSupport": True}},
            "Group": {
                "Type": "AWS::AutoScaling::AutoScalingGroup",
                "Properties": {"VPCZoneIdentifier": ["subnet-1"], "MinSize": "1", "MaxSize": "2"},
            },
        },
    }
    code = round_trip(doc)
    assert 'p.db_instance_class = "db.t3.micro"' in code
    assert "p.vpc_zone_identifier = " in code
    assert "p.enable_dns_support = True" in code


def test_names_the_rule_cannot_express_use_the_exact_form() -> None:
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"env": {"Type": "String"}},
        "Conditions": {"isprod": {"Fn::Equals": [{"Ref": "env"}, "prod"]}},
        "Resources": {
            "VPC": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "bucket": {"Type": "AWS::S3::Bucket", "Condition": "isprod", "DependsOn": "VPC"},
            "Topic": {"Type": "AWS::SNS::Topic", "DependsOn": ["bucket"]},
            "Custom": {"Type": "Custom::Thing", "Properties": {"ServiceToken": "arn", "lower_key": 1, "x-y": 2}},
        },
        "Outputs": {"Id": {"Value": {"Ref": "VPC"}}, "B": {"Value": {"Fn::GetAtt": ["bucket", "Arn"]}}},
    }
    code = round_trip(doc)
    assert 'with t.resources["VPC"] as r:' in code
    assert '"Ref": "env"' in code  # ref("env") would name "Env"
    assert 't.resources._set(' in code or 't.resources["bucket"]' not in code
    # a key only the exact form can make turns the whole mapping into a literal
    assert 'r.properties = {"ServiceToken": "arn", "lower_key": 1, "x-y": 2}' in code
    assert 'ref("VPC")' in code


@pytest.mark.parametrize(
    ("value", "helper"),
    [
        ({"Ref": "WebServer"}, 'ref("web_server")'),
        ({"Ref": "AWS::Region"}, "AWS.region"),
        ({"Ref": "AWS::NoValue"}, "AWS.no_value"),
        ({"Fn::GetAtt": ["WebServer", "PublicIp"]}, 'get_att("web_server", "PublicIp")'),
        ({"Fn::GetAtt": ["Nested", "Outputs.VpcId"]}, 'get_att("nested", "Outputs.VpcId")'),
        ({"Fn::Join": ["", ["a", "b"]]}, 'join("", ["a", "b"])'),
        ({"Fn::Sub": "${AWS::Region}-x"}, 'sub("${AWS::Region}-x")'),
        ({"Fn::Sub": ["${A}", {"A": "b"}]}, 'sub("${A}", {"A": "b"})'),
        ({"Fn::Select": [0, {"Fn::GetAZs": ""}]}, "select(0, get_azs())"),
        ({"Fn::Split": [",", "a,b"]}, 'split(",", "a,b")'),
        ({"Fn::FindInMap": ["RegionMap", {"Ref": "AWS::Region"}, "Ami"]},
         'find_in_map("region_map", AWS.region, "Ami")'),
        ({"Fn::FindInMap": ["RegionMap", "a", "b", {"DefaultValue": "x"}]},
         'find_in_map("region_map", "a", "b", default="x")'),
        ({"Fn::Base64": "x"}, 'base64("x")'),
        ({"Fn::Cidr": ["10.0.0.0/16", 4, 8]}, 'cidr("10.0.0.0/16", 4, 8)'),
        ({"Fn::ImportValue": "shared"}, 'import_value("shared")'),
        ({"Fn::If": ["IsProd", 1, {"Ref": "AWS::NoValue"}]}, 'if_("is_prod", 1, AWS.no_value)'),
        ({"Fn::GetAZs": {"Ref": "AWS::Region"}}, "get_azs(AWS.region)"),
        ({"Fn::Length": [1, 2]}, "length([1, 2])"),
        ({"Fn::ToJsonString": {"a": 1}}, 'to_json_string({"a": 1})'),
        ({"Fn::Transform": {"Name": "M", "Parameters": {"a": 1}}}, 'transform("M", {"a": 1})'),
    ],
)  # fmt: skip
def test_intrinsics_become_helper_calls(value: dict, helper: str) -> None:
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": value}}},
    }
    code = round_trip(doc)
    assert f"p.queue_name = {helper}" in code


def test_condition_functions() -> None:
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Env": {"Type": "String"}},
        "Conditions": {
            "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
            "Either": {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::And": [{"Condition": "IsDev"}, {"Condition": "IsProd"}]}]},
        },
        "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Condition": "IsProd"}},
    }
    code = round_trip(doc)
    assert 't.condition("is_prod", equals(ref("env"), "prod"))' in code
    assert 't.condition("is_dev", not_(condition("is_prod")))' in code
    assert "or_(condition(\"is_prod\"), and_(" in code
    assert 'r.condition = "is_prod"' in code


def test_helpers_that_would_change_the_value_are_not_used() -> None:
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Q": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "A": {"Fn::GetAtt": ["Custom", "arn"]},  # get_att would camel-case a lower-case attribute
                    "B": {"Fn::GetAtt": "Web.PublicIp"},  # string form
                    "C": {"Fn::If": ["lower", 1, 2]},
                    "D": {"Fn::Join": ["-"]},  # wrong arity: kept as written
                    "E": {"Ref": "AWS::Region", "Extra": 1},
                },
            }
        },
    }
    code = round_trip(doc)
    assert '{"Fn::GetAtt": ["Custom", "arn"]}' in code
    assert '{"Fn::If": ["lower", 1, 2]}' in code


def test_cfn_init_metadata_keeps_its_lower_case_keys() -> None:
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Web": {
                "Type": "AWS::EC2::Instance",
                "Metadata": {
                    "AWS::CloudFormation::Init": {
                        "configSets": {"default": ["setup"]},
                        "setup": {
                            "packages": {"yum": {"httpd": []}},
                            "files": {
                                "/etc/motd": {"content": "hello\nworld\n", "mode": "000644", "owner": "root"},
                            },
                            "services": {"sysvinit": {"httpd": {"enabled": "true", "ensureRunning": "true"}}},
                        },
                    }
                },
                "Properties": {"ImageId": "ami-1"},
            }
        },
    }
    code = round_trip(doc)
    assert 'with r.metadata["AWS::CloudFormation::Init"] as init:' in code
    assert "with init.setup as setup:" in code
    assert 'setup.packages = {"yum": {"httpd": []}}' in code


def test_sections_and_odd_shapes_round_trip() -> None:
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "line one\nline two",
        "Metadata": {"AWS::CloudFormation::Interface": {"ParameterGroups": []}, "Owner": "me"},
        "Transform": ["AWS::Serverless-2016-10-31"],
        "Parameters": {"P": {"Type": "String", "NoEcho": True, "Default": "x"}, "Q": {"Default": "untyped"}},
        "Rules": {"R": {"Assertions": [{"Assert": {"Fn::Equals": ["a", "a"]}}]}},
        "Mappings": {"M": {"us-east-1": {"Ami": "ami-1"}}},
        "Globals": {"Function": {"Timeout": 3}},
        "Resources": {
            "Fn": {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "x"}},
            "Odd": "not a mapping",
            "Empty": {},
        },
        "Outputs": {
            "O": {"Value": 1, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-o"}}, "Condition": "C"},
            "Raw": {"Value": 2, "Export": {"Name": "n", "Other": 1}},
        },
    }
    code = round_trip(doc)
    assert 't.parameter("p", type="String", no_echo=True, default="x")' in code
    assert 'export=sub("${AWS::StackName}-o")' in code
    assert 't["Globals"] = ' in code


def test_template_without_version_compiles_back_without_one() -> None:
    doc = {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}
    result = translate(doc, name="q")
    assert "t.aws_template_format_version = None" in result.module
    assert compile_source(result.module, "q") == doc
    assert not any("AWSTemplateFormatVersion" in note for note in result.notes)


def test_other_version_and_empty_sections() -> None:
    round_trip({"AWSTemplateFormatVersion": "2099-01-01", "Resources": {}, "Outputs": {}, "Mappings": {}})


def test_components_factor_out_parameters() -> None:
    doc, _ = load_template(DATA / "ec2_example.json")
    in_module = translate(doc, name="ec2_example", components=True, component_in_module=True)
    assert "@component\ndef ec2_example_parameters(t):" in in_module.module
    assert 'load=["ec2_example_parameters"]' in in_module.module
    assert compile_source(in_module.module, "ec2_example") == doc
    separate = translate(doc, name="ec2_example", components=True)
    assert separate.component is not None and "t.parameter(" in separate.component
    assert "t.parameter(" not in separate.module
    assert compile_source(separate.module, "ec2_example", extra_sources=(separate.component,)) == doc


@pytest.mark.parametrize(
    ("name", "expected"),
    [("ec2_example", "ec2_example"), ("My-Stack.v2", "my_stack_v2"), ("3tier", "t_3tier"),
     ("ref", "ref_template"), ("class", "class_template"), ("WebServerASG", "web_server_asg")],
)  # fmt: skip
def test_function_names(name: str, expected: str) -> None:
    assert function_name(name) == expected


def test_snake_guess() -> None:
    assert snake_guess("DBInstanceClass") == "db_instance_class"
    assert snake_guess("Ipv6CidrBlock") == "ipv6_cidr_block"
    assert snake_guess("us-east-1") is None


ROWS = [r for r in corpus_rows() if r["parse"] == "ok"]


@pytest.mark.parametrize("row", ROWS, ids=[r["path"] for r in ROWS])
def test_corpus_imports_compile_back_equal(row: dict, corpus_dir: Path) -> None:
    from sparkleform.errors import FormatError

    try:
        doc, _ = load_template(corpus_dir / row["path"])
    except FormatError:
        pytest.skip("not readable (see test_corpus_roundtrip)")
    result = translate(doc, name=Path(row["path"]).stem)
    assert compile_source(result.module, Path(row["path"]).stem) == doc


def test_generated_code_passes_the_projects_ruff_rules(tmp_path: Path, corpus_dir: Path) -> None:
    import shutil
    import subprocess

    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    sources = [DATA / "ec2_example.json"] + [
        corpus_dir / row["path"]
        for row in ROWS
        if row["path"].startswith(("public/widdix/", "public/aws-samples/EC2/", "public/sam/"))
    ][:12]
    for index, source in enumerate(sources):
        doc, _ = load_template(source)
        (tmp_path / f"m{index}.py").write_text(translate(doc, name=source.stem, source=source.name).module)
    config = Path(__file__).resolve().parents[2] / "pyproject.toml"
    done = subprocess.run([ruff, "check", "--config", str(config), str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]


def test_names_one_node_cannot_hold_apart_make_a_literal_section() -> None:
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"MyBucket": {"Type": "AWS::S3::Bucket"}, "Mybucket": {"Type": "AWS::S3::Bucket"}},
    }
    code = round_trip(doc)
    assert 't["Resources"] = {' in code
