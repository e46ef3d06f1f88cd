"""Fuzz: generated and mutated templates never make the checks raise anything but our own
error types (in practice: nothing at all, since findings are data)."""

from __future__ import annotations

import copy
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparkleform.check import run_checks
from sparkleform.check.graph import dependencies, find_cycles
from sparkleform.errors import SparkleformError

FUNCTIONS = ["Ref", "Fn::GetAtt", "Fn::Join", "Fn::Sub", "Fn::Select", "Fn::Split", "Fn::FindInMap", "Fn::GetAZs",
             "Fn::Base64", "Fn::Cidr", "Fn::ImportValue", "Fn::If", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not",
             "Condition", "Fn::Length", "Fn::ToJsonString", "Fn::Transform", "Fn::ForEach::X", "Fn::Nope"]
KEYS = ["Type", "Properties", "DependsOn", "Condition", "DeletionPolicy", "UpdatePolicy", "CreationPolicy", "Metadata",
        "BucketName", "Tags", "Value", "Name", "A", "B", "Q", "Default", "AllowedValues", "Export", "Description"]
TYPES = ["AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::EC2::Instance", "AWS::CloudFront::Distribution", "Custom::X",
         "AWS::CloudFormation::Stack", "AWS::Nope::Thing", "bad type", "AWS::Serverless::Function"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from(["", "A", "B", "Q", "${A}", "${B.Arn}", "${!x}", "${", "AWS::NoValue", "us-east-1"]),
                    st.text(max_size=8))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS + FUNCTIONS), inner, max_size=3),
        st.builds(lambda f, a: {f: a}, st.sampled_from(FUNCTIONS), inner),
    ),
    max_leaves=20,
)
resource = st.fixed_dictionaries(
    {"Type": st.one_of(st.sampled_from(TYPES), scalars)},
    optional={"Properties": values, "DependsOn": values, "Condition": values, "DeletionPolicy": values, "Metadata": values},
)
template = st.fixed_dictionaries(
    {"Resources": st.one_of(st.dictionaries(st.sampled_from(["A", "B", "Q", "bad-id", "Fn::ForEach::L"]), resource, max_size=4), values)},
    optional={
        "Parameters": st.dictionaries(st.sampled_from(["P", "A"]), values, max_size=2),
        "Conditions": st.dictionaries(st.sampled_from(["C", "D"]), values, max_size=2),
        "Mappings": values,
        "Outputs": st.dictionaries(st.sampled_from(["O", "P"]), values, max_size=2),
        "Transform": st.sampled_from(["AWS::LanguageExtensions", "MyMacro", ["X", 1], {"Name": "Y"}]),
        "AWSTemplateFormatVersion": values,
        "Extra": values,
    },
)


def _check(t) -> None:
    try:
        found = run_checks(t)
        assert all(d.severity in ("error", "warning", "info") for d in found)
        find_cycles(dependencies(t))
    except SparkleformError:
        pass


@settings(max_examples=int(os.environ.get("SF_FUZZ_EXAMPLES", "120")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template)
def test_generated_templates(t):
    _check(t)


loop = st.tuples(
    st.one_of(st.sampled_from(["N", "X"]), values),
    st.one_of(st.lists(st.sampled_from(["a", "b", "A-1", ""]), max_size=3), values),
    st.one_of(st.dictionaries(st.sampled_from(["Q${N}", "R&{N}", "Fn::ForEach::Inner", "Q"]), st.one_of(resource, values), max_size=2), values),
).map(list)


@settings(max_examples=int(os.environ.get("SF_FUZZ_EXAMPLES", "120")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["Fn::ForEach::L", "Fn::ForEach::M", "A"]), st.one_of(loop, resource), max_size=3),
       st.dictionaries(st.sampled_from(["Fn::ForEach::O", "O"]), st.one_of(loop, values), max_size=2))
def test_generated_loops(resources, outputs):
    _check({"Transform": "AWS::LanguageExtensions", "Resources": resources, "Outputs": outputs})


GOOD = {
    "Parameters": {"Name": {"Type": "String", "Default": "x"}},
    "Conditions": {"C": {"Fn::Equals": [{"Ref": "Name"}, "x"]}},
    "Resources": {
        "Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Name"}, "DelaySeconds": {"Fn::If": ["C", 1, 2]}}},
        "T": {"Type": "AWS::SNS::Topic", "Properties": {"Subscription": [{"Protocol": "sqs", "Endpoint": {"Fn::GetAtt": ["Q", "Arn"]}}]}},
    },
    "Outputs": {"O": {"Value": {"Fn::Sub": "${Q.Arn}"}, "Export": {"Name": "e"}}},
}


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*path, i))


ALL_PATHS = [p for p in _paths(GOOD) if p]


@settings(max_examples=int(os.environ.get("SF_FUZZ_EXAMPLES", "120")), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ALL_PATHS), values), min_size=1, max_size=4))
def test_mutated_templates(mutations):
    _check(_apply(mutations))


def _apply(mutations) -> dict:
    t = copy.deepcopy(GOOD)
    for path, new in mutations:
        node = t
        try:
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = new
        except (KeyError, IndexError, TypeError):
            continue
    return t


SAM_BASE = {
    "Transform": "AWS::Serverless-2016-10-31",
    "Resources": {
        "Fn": {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "i.h", "Runtime": "python3.12", "CodeUri": "./src",
                                                                   "Events": {"Api": {"Type": "Api", "Properties": {"Path": "/", "Method": "get"}}}}},
    },
}
SAM_PATHS = [p for p in _paths(SAM_BASE) if p]


@settings(max_examples=int(os.environ.get("SF_FUZZ_SAM_EXAMPLES", "25")), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SAM_PATHS), values), min_size=1, max_size=3))
def test_mutated_sam_templates(mutations):
    t = copy.deepcopy(SAM_BASE)
    for path, new in mutations:
        node = t
        try:
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = new
        except (KeyError, IndexError, TypeError):
            continue
    _check(t)
