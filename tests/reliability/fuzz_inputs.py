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
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def _toml_value(value) -> str:
    """A value in TOML's syntax: an inline table for a dict, JSON's spelling for the rest."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)


toml_value = st.one_of(st.integers(-3, 3), st.booleans(), st.text(max_size=6), st.sampled_from(["q.yaml", "t.json"]),
                       st.lists(st.integers(-3, 3), max_size=2), st.dictionaries(st.sampled_from(["A", "a"]),
                                                                                 st.integers(), max_size=2),
                       st.lists(st.text(max_size=4), max_size=2), st.dictionaries(st.sampled_from(["A", "B"]),
                                                                                   st.text(max_size=4), max_size=2))
configs = st.one_of(
    st.builds(
        _toml,
        st.dictionaries(st.sampled_from(["a", "b"]), st.builds(
            lambda template, rest: {"template": template, **rest} if template is not None else rest,
            st.one_of(st.sampled_from(["q.yaml", "t.json", "q.yaml", None]), toml_value),
            st.dictionaries(st.sampled_from(
                ["parameters", "tags", "apply_stacks", "apply_mappings", "parameters_file", "compile_parameters",
                 "nope", "region", "profile", "role_arn", "capabilities", "termination_protection", "stack_policy",
                 "hooks"]), toml_value, max_size=3)), max_size=2),
        st.sampled_from(["", 'provider = "local"', 'provider = "moon"', "packs = 3", 'collection = "../.."',
                         "region = 1", "[stacks]\nx = 1", "packs = [1]", "profile = 2", "bucket = []", "prefix = 1",
                         "state = 1", 'schemas = "nope"', "apply_nesting = 1", "validate = 1",
                         "[validate]\nignore = [1]", "[hooks]\nafter_create = 1", "change_sets = 'y'",
                         "[env.x]\nregion = 1"]),
    ),
    st.binary(max_size=40),
)


# Python (DSL) templates: a well-formed @template module whose statements hand the DSL
# generated values (as Python literals) and intrinsic helpers called with generated
# arguments; sometimes its bytes are mutated (syntax errors, bad encodings).
HELPERS = ["ref", "get_att", "join", "sub", "select", "split", "find_in_map", "get_azs", "base64", "cidr",
           "import_value", "if_", "equals", "and_", "or_", "not_", "condition", "length", "to_json_string",
           "transform"]
py_names = st.one_of(st.sampled_from(["web", "Q", "queue_a", "B", "x" * 70, "", "a-b", "1x", "é", "\udfff"]),
                     st.text(max_size=8))
py_values = st.recursive(
    values,
    lambda inner: st.builds(lambda h, args: f"{h}({', '.join(args)})", st.sampled_from(HELPERS),
                            st.lists(inner.map(lambda v: v if isinstance(v, str) and v[:1] == "@" else repr(v)),
                                     max_size=3)).map(lambda call: "@" + call),
    max_leaves=4,
)


def _literal(value) -> str:
    """A generated value as Python source: helper calls (marked '@') stay calls."""
    if isinstance(value, str) and value.startswith("@"):
        return value[1:]
    return repr(value)


DSL_STATEMENTS = [
    "t.resources[{n}].type = {v}",
    "t.resources[{n}].properties = {v}",
    "t.resources[{n}].depends_on = {v}",
    "t.resource({n}, {v})",
    "t.resource({n}, 'AWS::SQS::Queue', delay_seconds={v})",
    "t.resource({n}, 'AWS::S3::Bucket', bucket_name={v}, tags={v})",
    "t.parameter({n}, default={v})",
    "t.parameter({n}, type={v}, allowed_pattern={v})",
    "t.output({n}, {v})",
    "t.outputs[{n}].value = {v}",
    "t.condition({n}, {v})",
    "t.mapping({n}, {v})",
    "t.root._set({n}, {v})",
    "t.description = {v}",
    "t.transform = {v}",
    "t.nest({n}, {v})",
    "t.resources._merge({v})",
    "t.aws_template_format_version = {v}",
]
dsl_statement = st.builds(
    lambda form, n, vs: form.format(n=repr(n), v=_literal(vs)), st.sampled_from(DSL_STATEMENTS), py_names, py_values)


def _dsl_module(statements: list[str]) -> str:
    body = "\n".join(f"    {s}" for s in statements) or "    pass"
    return ("from sparkleform import template\nfrom sparkleform.dsl.fn import *  # noqa\n\n\n"
            f"@template\ndef fuzzed(t):\n    t.resources.q.type = 'AWS::SQS::Queue'\n{body}\n")


dsl_source = st.lists(dsl_statement, min_size=1, max_size=6).map(_dsl_module)
dsl_templates = st.one_of(
    st.builds(_encode, dsl_source, st.just("utf-8")),
    st.builds(_encode, dsl_source, st.just("utf-8")),
    st.builds(_mutate, st.builds(_encode, dsl_source, st.just("utf-8")),
              st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=3)), max_size=2)),
    st.binary(max_size=64),
)
