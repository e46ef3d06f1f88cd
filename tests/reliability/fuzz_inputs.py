"""Hypothesis strategies for the CLI fuzz suite: templates, parameters files, sparkleform.toml,
IAM policies and raw bytes, each as the bytes a user could hand sparkleform."""

from __future__ import annotations

import json

from hypothesis import strategies as st

FUNCTIONS = ["Ref", "Fn::GetAtt", "Fn::Join", "Fn::Sub", "Fn::Select", "Fn::Split", "Fn::FindInMap", "Fn::GetAZs",
             "Fn::Base64", "Fn::Cidr", "Fn::ImportValue", "Fn::If", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not",
             "Condition", "Fn::Length", "Fn::ToJsonString", "Fn::Transform", "Fn::ForEach::X", "Fn::Nope"]
KEYS = ["Type", "Properties", "DependsOn", "Condition", "DeletionPolicy", "Metadata", "BucketName", "Tags", "Key",
        "Value", "QueueName", "DelaySeconds", "A", "B", "Q", "Default", "AllowedValues", "AllowedPattern",
        "Export", "Description", "TemplateURL", "GenerateSecretString", "NoEcho", "Outputs", "\udfff", "é"]
TYPES = ["AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::IAM::Role", "AWS::CloudFormation::Stack",
         "AWS::SecretsManager::Secret", "Custom::X", "AWS::Nope::Thing", "bad type", "AWS::Serverless::Function"]
PATTERNS = ["(a+)+$", "(a|aa)+$", "[a-z]+", "[", "\\d{2,}", ".*"]

text = st.one_of(
    st.sampled_from(["", "A", "Q", "B", "${A}", "${Q.Arn}", "${!x}", "${", "AWS::NoValue", "AWS::Region", "..",
                     "../x", "/etc/passwd", "a" * 64, "\udfff", "\x00", "😀"]),
    st.text(max_size=12),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.integers(), text,
                    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(PATTERNS))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS + FUNCTIONS), inner, max_size=3),
        st.builds(lambda f, a: {f: a}, st.sampled_from(FUNCTIONS), inner),
    ),
    max_leaves=16,
)
resource = st.fixed_dictionaries(
    {"Type": st.one_of(st.sampled_from(TYPES), scalars)},
    optional={"Properties": values, "DependsOn": values, "Condition": values, "Metadata": values},
)
parameter = st.fixed_dictionaries(
    {"Type": st.sampled_from(["String", "Number", "CommaDelimitedList", "List<Number>", "Nope"])},
    optional={"Default": scalars, "AllowedPattern": st.sampled_from(PATTERNS), "AllowedValues": values,
              "NoEcho": st.booleans(), "MinLength": scalars},
)
names = st.sampled_from(["Q", "B", "A", "Web", "Role", "Q\udfff"])
template_doc = st.fixed_dictionaries(
    {"Resources": st.one_of(st.dictionaries(names, resource, max_size=3), values)},
    optional={
        "AWSTemplateFormatVersion": st.sampled_from(["2010-09-09", "2011", 1]),
        "Parameters": st.one_of(st.dictionaries(st.sampled_from(["A", "P", "Secret"]), parameter, max_size=2), values),
        "Conditions": st.dictionaries(st.sampled_from(["C", "D"]), values, max_size=2),
        "Outputs": st.dictionaries(st.sampled_from(["O", "Out"]), values, max_size=2),
        "Mappings": values,
        "Transform": st.sampled_from(["AWS::Serverless-2016-10-31", "Nope", 3]),
    },
)


def _yaml(doc) -> str:
    import yaml

    try:
        return yaml.safe_dump(doc, allow_unicode=True)
    except yaml.YAMLError:  # PyYAML refuses some characters: the JSON form is YAML too
        return json.dumps(doc)


def serialized(docs) -> st.SearchStrategy[bytes]:
    """A document as JSON or YAML bytes, in one of several encodings, sometimes mutated."""
    as_text = st.one_of(
        docs.map(lambda d: json.dumps(d)),
        docs.map(lambda d: json.dumps(d, ensure_ascii=False)),
        docs.map(_yaml),
    )
    encode = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"])
    as_bytes = st.builds(_encode, as_text, encode)
    mutated = st.builds(_mutate, as_bytes, st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=3)), max_size=3))
    deep = st.builds(_deep, st.sampled_from(["[", "{\"a\":", "- ", "!Base64 "]), st.integers(90, 400))
    return st.one_of(as_bytes, as_bytes, mutated, st.binary(max_size=64), deep)


def _encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding, "surrogatepass")  # lone surrogates become invalid UTF-8 bytes
    except UnicodeEncodeError:
        return text.encode(encoding, "replace")


def _mutate(data: bytes, edits) -> bytes:
    out = bytearray(data)
    for at, piece in edits:
        if out:
            i = at % len(out)
            out[i : i + len(piece)] = piece
    return bytes(out)


def _deep(opener: str, depth: int) -> bytes:
    closer = {"[": "]", '{"a":': "}", "- ": "", "!Base64 ": ""}[opener]
    inner = "1" if opener != "- " else "x"
    if opener == "- ":
        return ("Resources:\n" + "".join("  " * i + "- \n" for i in range(depth)) + "  " * depth + "x\n").encode()
    return (opener * depth + inner + closer * depth).encode()


templates = serialized(template_doc)
parameters_doc = st.one_of(
    st.dictionaries(st.sampled_from(["A", "P", "Secret", "\udfff"]), scalars, max_size=3),
    st.lists(st.fixed_dictionaries({"ParameterKey": scalars}, optional={"ParameterValue": values,
                                                                        "UsePreviousValue": scalars}), max_size=3),
    values,
)
parameters_files = serialized(parameters_doc)
statement = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny", "Maybe"]), "Action": st.one_of(st.sampled_from(["s3:*", "*", "s3:Get*"]), values)},
    optional={"Resource": values, "NotAction": values, "Condition": values, "Principal": values},
)
policy_doc = st.fixed_dictionaries(
    {"Statement": st.one_of(st.lists(statement, max_size=3), statement, values)},
    optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17", 3])},
)
policies = serialized(policy_doc)


def _toml(stacks: dict, extra: str) -> bytes:
    lines = [extra]
    for name, body in stacks.items():
        lines.append(f"[stacks.{name}]")
        for key, value in body.items():
            lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines).encode("utf-8", "surrogatepass")


toml_value = st.one_of(st.integers(-3, 3), st.text(max_size=6), st.sampled_from(["q.yaml", "t.json"]),
                       st.lists(st.text(max_size=4), max_size=2), st.dictionaries(st.sampled_from(["A", "B"]),
                                                                                   st.text(max_size=4), max_size=2))
configs = st.one_of(
    st.builds(
        _toml,
        st.dictionaries(st.sampled_from(["a", "b"]), st.dictionaries(
            st.sampled_from(["template", "parameters", "tags", "apply_stacks", "apply_mappings", "parameters_file",
                             "compile_parameters", "nope"]), toml_value, max_size=4), max_size=2),
        st.sampled_from(["", 'provider = "local"', 'provider = "moon"', "packs = 3", 'collection = "../.."',
                         "region = 1", "[stacks]\nx = 1"]),
    ),
    st.binary(max_size=40),
)
