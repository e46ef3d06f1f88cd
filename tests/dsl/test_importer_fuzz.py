"""Property test: any template-shaped dict imports to code that compiles back to it."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparkleform.dsl.importer import compile_source, translate

NAMES = st.sampled_from(
    ["Web", "WebServer", "Webserver", "VPC", "DBInstance", "bucket", "my_res", "EC2Instance", "A1", "Ipv6Thing", "x"]
)
KEYS = st.one_of(
    NAMES,
    st.sampled_from(["ImageId", "DBInstanceClass", "Tags", "Key", "Value", "config", "files", "lower",
                     "us-east-1", "/etc/x", "AWS::CloudFormation::Init", "Name", "name", "Fn::Other", "_x",
                     "class", "if", "Type", "Properties"]),
    st.text(min_size=1, max_size=6),
)  # fmt: skip
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=12), st.just("a\nb\n"))


def intrinsics(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.builds(lambda n: {"Ref": n}, st.one_of(NAMES, st.just("AWS::Region"))),
        st.builds(lambda n, a: {"Fn::GetAtt": [n, a]}, NAMES, st.sampled_from(["Arn", "arn", "Outputs.X"])),
        st.builds(lambda s: {"Fn::Sub": s}, st.text(max_size=10)),
        st.builds(lambda d, v: {"Fn::Join": [d, v]}, st.text(max_size=2), st.lists(inner, max_size=3)),
        st.builds(lambda c, a, b: {"Fn::If": [c, a, b]}, NAMES, inner, inner),
        st.builds(lambda v: {"Fn::Base64": v}, inner),
        st.builds(lambda m, k: {"Fn::FindInMap": [m, k, "v"]}, NAMES, inner),
        st.builds(lambda c: {"Fn::Not": [{"Condition": c}]}, NAMES),
    )


VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=4), intrinsics(inner)
    ),
    max_leaves=12,
)
RESOURCES = st.dictionaries(
    NAMES,
    st.fixed_dictionaries(
        {"Type": st.sampled_from(["AWS::EC2::Instance", "AWS::RDS::DBInstance", "Custom::X", "AWS::S3::Bucket"])},
        optional={
            "Properties": st.dictionaries(KEYS, VALUES, max_size=4),
            "Metadata": st.dictionaries(KEYS, VALUES, max_size=3),
            "DependsOn": st.one_of(NAMES, st.lists(NAMES, max_size=2)),
            "Condition": NAMES,
            "DeletionPolicy": st.just("Retain"),
        },
    ),
    max_size=3,
)
TEMPLATES = st.fixed_dictionaries(
    {"AWSTemplateFormatVersion": st.just("2010-09-09"), "Resources": RESOURCES},
    optional={
        "Description": st.text(max_size=20),
        "Parameters": st.dictionaries(NAMES, st.dictionaries(KEYS, VALUES, max_size=3), max_size=2),
        "Conditions": st.dictionaries(NAMES, intrinsics(SCALARS), max_size=2),
        "Mappings": st.dictionaries(NAMES, st.dictionaries(KEYS, st.dictionaries(KEYS, SCALARS, max_size=2), max_size=2), max_size=2),
        "Outputs": st.dictionaries(NAMES, st.fixed_dictionaries({"Value": VALUES}, optional={"Description": SCALARS}), max_size=2),
        "Metadata": st.dictionaries(KEYS, VALUES, max_size=2),
    },
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEMPLATES)
def test_any_template_imports_and_compiles_back(doc: dict) -> None:
    result = translate(doc, name="fuzz")
    assert compile_source(result.module, "fuzz") == doc
