"""Semantics of each intrinsic function, condition function and pseudo parameter."""

from __future__ import annotations

import base64
import json

import pytest

from sparkleform.engine.cidr import cidr
from sparkleform.engine.errors import TemplateFormatError
from sparkleform.engine.intrinsics import NO_VALUE, Evaluator, get_azs

PSEUDO = {
    "AWS::Region": "eu-west-1",
    "AWS::AccountId": "111122223333",
    "AWS::StackName": "s",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}


def ev(template=None, params=None):
    t = {"Resources": {}, **(template or {})}
    return Evaluator(t, params or {}, PSEUDO, region="eu-west-1")


def test_join_and_split_round_trip():
    e = ev(params={"L": ["a", "b", "c"]})
    assert e.resolve({"Fn::Join": ["-", {"Ref": "L"}]}) == "a-b-c"
    assert e.resolve({"Fn::Split": [",", "x,y,,z"]}) == ["x", "y", "", "z"]
    assert e.resolve({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3"]]}) == "arn:aws:s3"


def test_sub_string_map_and_escape():
    e = ev(params={"Env": "prod"})
    assert e.resolve({"Fn::Sub": "${AWS::Region}-${Env}"}) == "eu-west-1-prod"
    assert e.resolve({"Fn::Sub": "${!Literal}-${Env}"}) == "${Literal}-prod"
    assert e.resolve({"Fn::Sub": ["${A}/${Env}", {"A": {"Fn::Join": [".", ["x", "y"]]}}]}) == "x.y/prod"
    with pytest.raises(TemplateFormatError, match="Unresolved resource dependencies \\[Nope\\]"):
        e.resolve({"Fn::Sub": "${Nope}"})


def test_select_and_out_of_range():
    e = ev()
    assert e.resolve({"Fn::Select": ["1", ["a", "b"]]}) == "b"
    with pytest.raises(TemplateFormatError, match="nonexistent value at index 2"):
        e.resolve({"Fn::Select": [2, ["a", "b"]]})


def test_getazs_uses_region():
    e = ev()
    assert e.resolve({"Fn::GetAZs": ""}) == get_azs("eu-west-1")
    assert e.resolve({"Fn::GetAZs": {"Ref": "AWS::Region"}})[0] == "eu-west-1a"
    assert len(get_azs("us-east-1")) == 6


def test_base64():
    assert ev().resolve({"Fn::Base64": "hello"}) == base64.b64encode(b"hello").decode()


@pytest.mark.parametrize(
    ("block", "count", "bits", "expected"),
    [
        ("10.0.0.0/16", 3, 8, ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]),
        ("192.168.0.0/24", 6, 5, ["192.168.0.0/27", "192.168.0.32/27", "192.168.0.64/27", "192.168.0.96/27",
                                   "192.168.0.128/27", "192.168.0.160/27"]),
        ("10.0.0.5/16", 1, 12, ["10.0.0.0/20"]),
        ("2001:db8::/56", 2, 64, ["2001:db8::/64", "2001:db8:0:1::/64"]),
    ],
)
def test_cidr_exact(block, count, bits, expected):
    assert cidr(block, count, bits) == expected
    assert ev().resolve({"Fn::Cidr": [block, str(count), str(bits)]}) == expected


def test_cidr_errors():
    with pytest.raises(TemplateFormatError):
        cidr("10.0.0.0/24", 2, 8)  # /24 subnets: only one fits
    with pytest.raises(TemplateFormatError):
        cidr("10.0.0.0/24", 1, 9)  # larger than the block
    with pytest.raises(TemplateFormatError):
        cidr("not-an-ip", 1, 8)


def test_length_and_to_json_string():
    e = ev(params={"L": ["a", "b"]})
    assert e.resolve({"Fn::Length": {"Ref": "L"}}) == 2
    assert e.resolve({"Fn::ToJsonString": {"k": {"Ref": "AWS::Region"}, "n": [1, 2]}}) == '{"k":"eu-west-1","n":[1,2]}'
    assert json.loads(e.resolve({"Fn::ToJsonString": [{"Ref": "L"}]})) == [["a", "b"]]


def test_find_in_map_with_default():
    t = {"Mappings": {"M": {"eu-west-1": {"Ami": "ami-1"}}}}
    e = ev(t)
    assert e.resolve({"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "Ami"]}) == "ami-1"
    assert e.resolve({"Fn::FindInMap": ["M", "us-east-1", "Ami", {"DefaultValue": "ami-0"}]}) == "ami-0"
    with pytest.raises(TemplateFormatError, match="Unable to get mapping for M::us-east-1::Ami"):
        e.resolve({"Fn::FindInMap": ["M", "us-east-1", "Ami"]})


def test_conditions_if_and_novalue():
    t = {
        "Conditions": {
            "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
            "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Equals": ["a", "a"]}]},
            "Either": {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "NotProd"}]},
        }
    }
    e = ev(t, {"Env": "dev"})
    assert e.all_conditions() == {"IsProd": False, "NotProd": True, "Both": False, "Either": True}
    out = e.resolve({"A": {"Fn::If": ["IsProd", "x", {"Ref": "AWS::NoValue"}]}, "B": [1, {"Fn::If": ["NotProd", {"Ref": "AWS::NoValue"}, 2]}]})
    assert out == {"B": [1]}
    assert e.resolve({"Ref": "AWS::NoValue"}) is NO_VALUE


def test_condition_loop_is_an_error():
    t = {"Conditions": {"A": {"Condition": "B"}, "B": {"Fn::Not": [{"Condition": "A"}]}}}
    with pytest.raises(TemplateFormatError, match="Circular"):
        ev(t).all_conditions()


def test_unknown_function_refused_by_name():
    with pytest.raises(TemplateFormatError, match="Fn::ForEach"):
        ev().resolve({"Fn::ForEach": []})
