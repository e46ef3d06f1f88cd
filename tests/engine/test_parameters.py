"""Each parameter type and constraint, with CloudFormation's error texts; Rules."""

from __future__ import annotations

import pytest

from sparkleform.engine.errors import StackParameterError, ValidationError
from sparkleform.errors import SparkleformError


def tmpl(decl, rules=None):
    t = {"Parameters": {"P": decl}, "Resources": {"T": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"O": {"Value": {"Fn::Join": ["|", [{"Fn::Join": [",", {"Fn::If": ["IsList", {"Ref": "P"}, [{"Ref": "P"}]]}]}]]}}}}
    t["Conditions"] = {"IsList": {"Fn::Equals": [str(decl["Type"]).startswith("List") or decl["Type"] == "CommaDelimitedList", True]}}
    if rules:
        t["Rules"] = rules
    return t


@pytest.mark.parametrize(
    ("decl", "value", "message"),
    [
        ({"Type": "String", "AllowedValues": ["a", "b"]}, "c", "Parameter 'P' must be one of AllowedValues"),
        ({"Type": "String", "AllowedPattern": "[a-z]+"}, "A1", "Parameter 'P' must match pattern [a-z]+"),
        ({"Type": "String", "MinLength": 3}, "ab", "Parameter 'P' must contain at least 3 characters"),
        ({"Type": "String", "MaxLength": 2}, "abc", "Parameter 'P' must contain at most 2 characters"),
        ({"Type": "Number"}, "x", "Parameter 'P' must be a number."),
        ({"Type": "Number", "MinValue": 2}, "1", "Parameter 'P' must be a number not less than 2"),
        ({"Type": "Number", "MaxValue": 5}, "6", "Parameter 'P' must be a number not greater than 5"),
        ({"Type": "List<Number>"}, "1,x", "Parameter 'P' must be a number."),
        ({"Type": "CommaDelimitedList", "AllowedValues": ["a", "b"]}, "a,c", "Parameter 'P' must be one of AllowedValues"),
        (
            {"Type": "String", "AllowedPattern": "[0-9]+", "ConstraintDescription": "digits only"},
            "x",
            "Parameter 'P' failed to satisfy constraint: digits only",
        ),
    ],
)
def test_constraint_errors(provider, decl, value, message):
    with pytest.raises(StackParameterError) as info:
        provider.create_stack("s", tmpl(decl), {"P": value})
    assert str(info.value) == message
    assert info.value.exit_code == 2
    assert not provider.stack_exists("s")


@pytest.mark.parametrize(
    ("decl", "value", "expected"),
    [
        ({"Type": "String", "AllowedValues": ["a", "b"]}, "b", "b"),
        ({"Type": "Number", "MinValue": 1, "MaxValue": 10}, "10", "10"),
        ({"Type": "List<Number>"}, "1, 2", "1,2"),
        ({"Type": "CommaDelimitedList"}, "x,y", "x,y"),
        ({"Type": "AWS::EC2::KeyPair::KeyName"}, "my-key", "my-key"),
        ({"Type": "List<AWS::EC2::Subnet::Id>"}, "subnet-1,subnet-2", "subnet-1,subnet-2"),
    ],
)
def test_accepted_values(provider, decl, value, expected):
    s = provider.create_stack("s", tmpl(decl), {"P": value})
    assert s.output_map()["O"] == expected


def test_missing_and_unknown(provider):
    with pytest.raises(StackParameterError, match=r"^Parameters: \[P\] must have values$"):
        provider.create_stack("s", tmpl({"Type": "String"}), {})
    with pytest.raises(StackParameterError, match=r"^Parameters: \[Q\] do not exist in the template$"):
        provider.create_stack("s", tmpl({"Type": "String", "Default": "x"}), {"Q": "1"})


def test_unknown_type(provider):
    with pytest.raises(SparkleformError, match="Unrecognized parameter type: Strng"):
        provider.create_stack("s", tmpl({"Type": "Strng"}), {"P": "x"})


def test_ssm_parameter_type_reads_store(provider):
    provider.put_parameter("/app/ami", "ami-123")
    s = provider.create_stack("s", tmpl({"Type": "AWS::SSM::Parameter::Value<String>"}), {"P": "/app/ami"})
    assert s.output_map()["O"] == "ami-123"
    with pytest.raises(StackParameterError, match="/app/none"):
        provider.create_stack("t", tmpl({"Type": "AWS::SSM::Parameter::Value<String>"}), {"P": "/app/none"})


def test_no_echo_masked(provider):
    s = provider.create_stack("s", tmpl({"Type": "String", "NoEcho": True}), {"P": "secret"})
    assert [(p.key, p.value, p.no_echo) for p in s.parameters] == [("P", "****", True)]
    assert all("secret" not in str(e.reason or "") for e in provider.events("s"))


def test_rules_assertion(provider):
    rules = {
        "ProdNeedsBig": {
            "RuleCondition": {"Fn::Equals": [{"Ref": "P"}, "prod"]},
            "Assertions": [{"Assert": {"Fn::Contains": [["big"], "small"]}, "AssertDescription": "prod needs big"}],
        }
    }
    with pytest.raises(ValidationError, match=r"^prod needs big$"):
        provider.create_stack("s", tmpl({"Type": "String"}, rules), {"P": "prod"})
    assert provider.create_stack("s", tmpl({"Type": "String"}, rules), {"P": "dev"}).status == "CREATE_COMPLETE"
