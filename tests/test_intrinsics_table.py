"""The table of intrinsic functions is the one place each function is described.

Each reader (the checks, the YAML reader and writer, dsl/fn's helpers, the importer, the
engine's evaluator) is asked what it knows, through its real code, and compared with the
table both ways: a function added to a reader but not to the table fails here, and so does
a row that promises a tag, a helper or an evaluation the reader does not deliver.
"""

from __future__ import annotations

import inspect

import pytest

from sparkleform import intrinsics as table
from sparkleform.check import intrinsics as check_intrinsics
from sparkleform.check import run_checks
from sparkleform.check.functions import check_functions
from sparkleform.dsl import fn
from sparkleform.dsl.importer import compile_source, translate
from sparkleform.engine.errors import TemplateFormatError
from sparkleform.engine.intrinsics import Evaluator
from sparkleform.formats import dump_yaml, loads_template, tags

ROWS = list(table.FUNCTIONS.values())

# A valid argument for each function, as a template would hold it.
SAMPLES = {
    "Ref": "Queue",
    "Condition": "IsProd",
    "Fn::GetAtt": ["Queue", "Arn"],
    "Fn::Join": ["-", ["a", "b"]],
    "Fn::Sub": "${AWS::StackName}-x",
    "Fn::Select": [0, ["a", "b"]],
    "Fn::Split": [",", "a,b"],
    "Fn::FindInMap": ["Map", "Top", "Key"],
    "Fn::GetAZs": "",
    "Fn::Base64": "text",
    "Fn::Cidr": ["10.0.0.0/16", 4, 8],
    "Fn::ImportValue": "shared-vpc",
    "Fn::GetStackOutput": {"StackName": "network", "OutputName": "VpcId"},
    "Fn::If": ["IsProd", "a", "b"],
    "Fn::Equals": ["a", "b"],
    "Fn::And": [{"Condition": "IsProd"}, {"Fn::Equals": ["a", "a"]}],
    "Fn::Or": [{"Condition": "IsProd"}, {"Fn::Equals": ["a", "a"]}],
    "Fn::Not": [{"Condition": "IsProd"}],
    "Fn::Length": ["a", "b"],
    "Fn::ToJsonString": {"a": 1},
    "Fn::ForEach": ["Name", ["A", "B"], {"Queue${Name}": {"Type": "AWS::SQS::Queue"}}],
    "Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}},
    "Fn::Contains": [["a"], "a"],
    "Fn::EachMemberEquals": [["a"], "a"],
    "Fn::EachMemberIn": [["a"], ["a"]],
    "Fn::ValueOf": ["Param", "Tags"],
    "Fn::ValueOfAll": ["AWS::EC2::VPC::Id", "Tags"],
    "Fn::RefAll": "AWS::EC2::VPC::Id",
}


def test_every_row_has_a_sample_and_its_sample_has_the_shape() -> None:
    assert set(SAMPLES) == set(table.FUNCTIONS)
    for row in ROWS:
        assert table.shape_problem(row.name, SAMPLES[row.name], language_extensions=True) is None, row.name


def test_the_checks_know_exactly_the_table() -> None:
    known = check_intrinsics.FUNCTIONS | check_intrinsics.RULE_FUNCTIONS | {"Condition"}
    assert known == set(table.FUNCTIONS)
    # and through the real rule: no table function is reported unknown; one outside it is
    for row in ROWS:
        if row.key_prefix or row.name == "Condition":
            continue
        section = "Rules" if row.placement == table.RULES_ONLY else "Outputs"
        codes = _function_codes({section: {"X": {"Value": {row.name: SAMPLES[row.name]}}}})
        assert "SF4002" not in codes, row.name
    assert "SF4002" in _function_codes({"Outputs": {"X": {"Value": {"Fn::GetStackOutputs": "x"}}}})


def _function_codes(template: dict) -> set[str]:
    from sparkleform.check.context import CheckContext

    ctx = CheckContext(template)
    check_functions(ctx)
    return {d.rule for d in ctx.diagnostics}


def test_a_wrong_shape_is_reported_with_the_rows_message() -> None:
    found = run_checks({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Join": "x"}}}}})
    assert any(d.rule == "SF4001" and d.message == table.FUNCTIONS["Fn::Join"].message for d in found)


def test_every_yaml_tag_is_a_row_and_reads_back_as_its_function() -> None:
    assert set(tags.SHAPES) <= set(table.BY_TAG)
    assert {"Ref", "Condition"} == tags.UNPREFIXED
    assert {"GetAtt"} == tags.DOTTED
    for row in ROWS:
        if row.tag is None:
            assert row.key_prefix, f"{row.name} has no short form and is not a key prefix"
            continue
        sample = SAMPLES[row.name]
        doc = {"Outputs": {"X": {"Value": {row.name: sample}}}}
        if row.context == table.VALUES and row.name == "Condition":
            doc = {"Conditions": {"C": {"Fn::Not": [{row.name: sample}]}}}
        text = dump_yaml(doc)
        assert f"!{row.tag}" in text, (row.name, text)
        back, _ = loads_template(text)
        assert back == doc, row.name
        assert tags.long_name(row.tag) == row.name and tags.short_name(row.name) == row.tag


def test_getatt_dotted_short_form_is_read_from_the_table() -> None:
    doc, _ = loads_template("Outputs:\n  X:\n    Value: !GetAtt Queue.Arn\n")
    assert doc["Outputs"]["X"]["Value"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert "!GetAtt Queue.Arn" in dump_yaml(doc)


def test_dsl_helpers_are_exactly_the_tables() -> None:
    helpers = {name for name in fn.__all__ if name != "AWS"}
    assert helpers == set(table.BY_HELPER)
    for name, row in table.BY_HELPER.items():
        helper = getattr(fn, name)
        required = [
            p for p in inspect.signature(helper).parameters.values()
            if p.default is p.empty and p.kind is not p.VAR_POSITIONAL
        ]
        made = helper(*["x"] * len(required))
        assert list(made) == [row.name], name


def test_the_importer_writes_each_helper_and_compiles_back() -> None:
    for row in ROWS:
        if row.helper is None or row.name == "Condition":
            continue
        value = {row.name: SAMPLES[row.name]}
        doc = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}},
            "Outputs": {"X": {"Value": value}},
        }
        module = translate(doc, name="t").module
        assert f"{row.helper}(" in module, (row.name, module)
        assert compile_source(module, "t") == doc, row.name
    # functions without a helper stay literal
    doc = {"AWSTemplateFormatVersion": "2010-09-09", "Outputs": {"X": {"Value": {"Fn::GetStackOutput": SAMPLES["Fn::GetStackOutput"]}}}}
    module = translate(doc, name="t").module
    assert '"Fn::GetStackOutput"' in module and compile_source(module, "t") == doc


def _evaluator() -> Evaluator:
    template = {
        "Conditions": {"IsProd": {"Fn::Equals": ["a", "a"]}},
        "Mappings": {"Map": {"Top": {"Key": "v"}}},
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
    }
    return Evaluator(template, {}, {"AWS::StackName": "s", "AWS::Region": "us-east-1"})


def test_the_engine_evaluates_exactly_the_rows_marked_engine() -> None:
    marked = {row.name for row in ROWS if row.engine}
    evaluator = _evaluator()
    assert set(evaluator._fns) | {"Ref"} == marked
    for row in ROWS:
        if row.key_prefix or row.name == "Condition" or row.placement == table.RULES_ONLY:
            continue
        value = {row.name: SAMPLES[row.name]}
        if row.engine:
            evaluator.resolve(value)  # evaluates without "unrecognized function"
        else:
            with pytest.raises(TemplateFormatError, match="Unrecognized function"):
                evaluator.resolve(value)


def test_one_walker_finds_what_each_function_names() -> None:
    names = {"Queue", "Topic"}
    value = {
        "A": {"Ref": "Queue"},
        "B": {"Fn::Sub": ["${Topic.Arn}-${Local}-${!Queue}", {"Local": {"Fn::GetAtt": ["Queue", "Arn"]}}]},
        "C": {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, {"Fn::Join": ["", [{"Ref": "Param"}]]}]},
    }
    assert table.references(value, names) == {"Queue", "Topic"}
    assert table.references({"Fn::Sub": "${!Queue} ${Topic}"}, names) == {"Topic"}
    assert table.call_targets("Fn::FindInMap", ["Map", "a", "b"]) == [(table.MAPPING, "Map")]
    assert table.call_targets("Fn::If", ["IsProd", 1, 2]) == [(table.CONDITION, "IsProd")]
    assert table.call_targets("Fn::Sub", "${A} ${B.Arn}") == [(table.REF, "A"), (table.RESOURCE, "B")]
    for row in ROWS:
        if row.refers:
            assert table.call_targets(row.name, SAMPLES[row.name]), row.name
        else:
            assert table.call_targets(row.name, SAMPLES[row.name]) == [], row.name
