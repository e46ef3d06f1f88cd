"""Engine behaviour pinned to what AWS does (issue 13), beside the recorded cases of
tests/fidelity: GetAtt chains in plan and update, intrinsic deletion policies, dependants
deleted first within an update, rollback disabled on update, refusals up front."""

from __future__ import annotations

import json

import pytest

from sparkleform.contract import StackOptions
from sparkleform.errors import SparkleformError

CHAIN = {
    "Resources": {
        "Topic1": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "one"}},
        "Topic2": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": ["Topic1", "DisplayName"]}}},
        "Topic3": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": ["Topic2", "DisplayName"]}}},
        "Topic4": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": ["Topic3", "DisplayName"]}}},
    }
}


def changed(template: dict, value: str) -> dict:
    t = json.loads(json.dumps(template))
    t["Resources"]["Topic1"]["Properties"]["DisplayName"] = value
    return t


def test_a_change_travels_down_a_getatt_chain_in_plan_and_update(provider):
    provider.create_stack("chain", CHAIN, {})
    plan = provider.plan("chain", changed(CHAIN, "two"), {})
    rows = {c.logical_id: (c.action, c.replacement, c.causes) for c in plan.changes}
    assert rows == {f"Topic{i}": ("Modify", "False", ["DisplayName"]) for i in range(1, 5)}
    stack = provider.update_stack("chain", changed(CHAIN, "two"), {})
    props = provider.engine.store.resources(stack.stack_id)
    assert [props[f"Topic{i}"].properties["DisplayName"] for i in range(1, 5)] == ["two"] * 4
    updated = {e.logical_id for e in provider.events("chain") if e.status == "UPDATE_COMPLETE"}
    assert {"Topic1", "Topic2", "Topic3", "Topic4"} <= updated


def test_a_ref_to_an_in_place_change_is_not_a_change(provider):
    template = {
        "Resources": {
            "Topic1": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "one"}},
            "Topic2": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Ref": "Topic1"}}},
        }
    }
    provider.create_stack("ref", template, {})
    plan = provider.plan("ref", changed(template, "two"), {})
    assert [c.logical_id for c in plan.changes] == ["Topic1"]


def test_every_created_resource_has_the_initiated_event(provider):
    provider.create_stack("init", CHAIN, {})
    for logical in CHAIN["Resources"]:
        events = [(e.status, e.reason) for e in provider.events("init") if e.logical_id == logical]
        assert events == [
            ("CREATE_IN_PROGRESS", None),
            ("CREATE_IN_PROGRESS", "Resource creation Initiated"),
            ("CREATE_COMPLETE", None),
        ]


POLICIES = {
    "Parameters": {"Env": {"Type": "String"}, "PolicyType": {"Type": "String", "Default": "Retain"}},
    "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
    "Resources": {
        "ByCondition": {"Type": "AWS::SNS::Topic", "DeletionPolicy": {"Fn::If": ["IsProd", "Retain", "Delete"]}},
        "ByParameter": {"Type": "AWS::SNS::Topic", "DeletionPolicy": {"Ref": "PolicyType"}},
    },
}


@pytest.mark.parametrize(("env", "kept"), [("prod", {"ByCondition", "ByParameter"}), ("dev", {"ByParameter"})])
def test_intrinsic_deletion_policies_are_resolved(provider, env, kept):
    stack = provider.create_stack("pol", POLICIES, {"Env": env})
    provider.delete_stack("pol")
    events = provider.engine.events(stack.stack_id)
    assert {e.logical_id for e in events if e.status == "DELETE_SKIPPED"} == kept
    assert {e.logical_id for e in events if e.status == "DELETE_COMPLETE"} == {"ByCondition", "ByParameter"} - kept | {"pol"}


def test_a_deletion_policy_outside_the_allowed_values_is_refused(provider):
    with pytest.raises(SparkleformError, match="Invalid DeletionPolicy 'Keep'"):
        provider.create_stack("pol", POLICIES, {"Env": "x", "PolicyType": "Keep"})
    assert not provider.stack_exists("pol")


def test_removed_chain_is_deleted_dependants_first(provider):
    chain = {
        "Resources": {
            "Keep": {"Type": "AWS::SNS::Topic"},
            "A": {"Type": "AWS::SNS::Topic"},
            "B": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Ref": "A"}}},
            "C": {"Type": "AWS::SNS::Topic", "DependsOn": "B"},
        }
    }
    provider.create_stack("del", chain, {})
    provider.update_stack("del", {"Resources": {"Keep": {"Type": "AWS::SNS::Topic"}}}, {})
    deleted = [e.logical_id for e in provider.events("del") if e.status == "DELETE_COMPLETE"]
    assert deleted == ["C", "B", "A"]
    starts = [e.logical_id for e in provider.events("del") if e.status in ("DELETE_IN_PROGRESS", "DELETE_COMPLETE")]
    assert starts == ["C", "C", "B", "B", "A", "A"]  # each deletion done before the next starts


def test_update_with_rollback_disabled_stays_failed_and_can_be_fixed(provider):
    good = {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "a"}}}}
    bad = {
        "Resources": {
            "T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "b"}},
            "Broken": {"Type": "AWS::SNS::Topic", "Metadata": {"sparkleform:fail": "create"}},
        }
    }
    provider.create_stack("nr", good, {})
    with pytest.raises(SparkleformError, match="UPDATE_FAILED, rollback disabled"):
        provider.update_stack("nr", bad, {}, StackOptions(disable_rollback=True))
    stack = provider.describe_stack("nr")
    assert stack.status == "UPDATE_FAILED"
    statuses = [e.status for e in provider.events("nr") if e.logical_id == "nr"]
    assert "UPDATE_ROLLBACK_IN_PROGRESS" not in statuses
    # what succeeded stays: the topic has the new value
    assert provider.engine.store.resources(stack.stack_id)["T"].properties["DisplayName"] == "b"
    # AWS lets the next update fix the stack
    assert provider.update_stack("nr", good, {}).status == "UPDATE_COMPLETE"


def test_update_with_rollback_disabled_can_still_be_rolled_back_by_recover(provider):
    good = {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "a"}}}}
    bad = {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "b"}, "Metadata": {"sparkleform:fail": "update"}}}}
    provider.create_stack("nr2", good, {})
    with pytest.raises(SparkleformError):
        provider.update_stack("nr2", bad, {}, StackOptions(disable_rollback=True))
    assert provider.recover("nr2").status == "UPDATE_ROLLBACK_COMPLETE"


@pytest.mark.parametrize(
    ("template", "params", "message"),
    [
        (
            {
                "Parameters": {"On": {"Type": "String"}},
                "Conditions": {"Yes": {"Fn::Equals": [{"Ref": "On"}, "yes"]}},
                "Resources": {
                    "MyTopic": {"Type": "AWS::SNS::Topic", "Condition": "Yes"},
                    "P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Ref": "MyTopic"}}},
                },
            },
            {"On": "no"},
            "Template format error: Unresolved resource dependencies [MyTopic] in the Resources block of the template",
        ),
        (
            {
                "Mappings": {"M": {"A": {"K": "v"}}},
                "Parameters": {"Key": {"Type": "String"}},
                "Resources": {
                    "P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Fn::FindInMap": ["M", {"Ref": "Key"}, "K"]}}}
                },
            },
            {"Key": "B"},
            "Template error: Unable to get mapping for M::B::K",
        ),
        (
            {"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Fn::Select": [5, ["a"]]}}}}},
            {},
            "Template error: Fn::Select requires a list argument with two elements: an integer index and a list",
        ),
        (
            {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Invalid": 10}}},
            {},
            "Invalid template resource property 'Invalid'",
        ),
        (
            {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"O": {"Value": None}}},
            {},
            "[/Outputs/O/Value] 'null' values are not allowed in templates",
        ),
    ],
    ids=["ref-to-skipped", "findinmap-missing-key", "select-out-of-range", "unknown-attribute", "null-output"],
)
def test_refused_up_front_with_aws_text(provider, template, params, message):
    with pytest.raises(SparkleformError) as exc:
        provider.create_stack("refused", template, params)
    assert getattr(exc.value, "message", str(exc.value)) == message
    assert not provider.stack_exists("refused")


def test_select_over_a_resource_attribute_is_not_refused(provider):
    template = {
        "Resources": {
            "T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "x"}},
            "P": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Type": "String", "Value": {"Fn::Select": [0, [{"Fn::GetAtt": ["T", "DisplayName"]}]]}},
            },
        }
    }
    assert provider.create_stack("ok", template, {}).status == "CREATE_COMPLETE"


# -- parameters as UpdateStack has them -------------------------------------------------------
NAMED = {
    "Parameters": {"TopicName": {"Type": "String", "Default": "first"}, "Size": {"Type": "String"}},
    "Resources": {"Foo": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "TopicName"}, "DisplayName": {"Ref": "Size"}}}},
}


def with_default(value: str) -> dict:
    t = json.loads(json.dumps(NAMED))
    t["Parameters"]["TopicName"]["Default"] = value
    return t


def test_engine_api_left_out_takes_the_default_and_use_previous_keeps(provider):
    from sparkleform.engine.params import USE_PREVIOUS_VALUE

    engine = provider.engine
    engine.create_stack("api", NAMED, {"TopicName": "chosen", "Size": "s"})
    # left out: the (new) Default, which replaces the topic (TopicName is immutable)
    plan = engine.plan("api", with_default("second"), {"Size": USE_PREVIOUS_VALUE})
    assert [(c.logical_id, c.replacement) for c in plan.changes] == [("Foo", "True")]
    engine.update_stack("api", with_default("second"), {"Size": USE_PREVIOUS_VALUE})
    assert {p.key: p.value for p in engine.describe("api").parameters} == {"TopicName": "second", "Size": "s"}
    # UsePreviousValue keeps the old value even though the Default changed again
    with pytest.raises(SparkleformError, match=r"No updates are to be performed\."):
        engine.update_stack("api", with_default("third"), {"TopicName": USE_PREVIOUS_VALUE, "Size": USE_PREVIOUS_VALUE})
    # left out without a Default: AWS refuses
    with pytest.raises(SparkleformError, match=r"Parameters: \[Size\] must have values"):
        engine.update_stack("api", NAMED, {})


def test_use_previous_value_of_a_parameter_the_stack_did_not_have_is_refused(provider):
    from sparkleform.engine.params import USE_PREVIOUS_VALUE

    provider.engine.create_stack("api", {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {})
    t = {"Parameters": {"New": {"Type": "String"}}, "Resources": {"T": {"Type": "AWS::SNS::Topic"}}}
    with pytest.raises(SparkleformError, match="Cannot specify usePreviousValue as true for a parameter key not in the previous template"):
        provider.engine.update_stack("api", t, {"New": USE_PREVIOUS_VALUE})


def test_provider_keeps_a_left_out_noecho_value_even_with_a_default(provider):
    t = {
        "Parameters": {"Secret": {"Type": "String", "NoEcho": True, "Default": "dflt"}, "Plain": {"Type": "String", "Default": "p"}},
        "Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Ref": "Secret"}}}},
    }
    stack = provider.create_stack("ne", t, {"Secret": "s3cret", "Plain": "given"})
    t2 = json.loads(json.dumps(t))
    t2["Resources"]["T2"] = {"Type": "AWS::SNS::Topic"}
    provider.update_stack("ne", t2, {})
    assert provider.engine.store.resources(stack.stack_id)["T"].properties["DisplayName"] == "s3cret"
    # a left-out plain parameter with a Default follows the Default (as the AWS provider sends it)
    assert provider.engine.store.stack("ne")["parameters"].count("given") == 0


def test_list_of_strings_parameter(provider):
    t = {
        "Parameters": {"Names": {"Type": "List<String>"}},
        "Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Join": ["+", {"Ref": "Names"}]}}}},
        "Outputs": {"Second": {"Value": {"Fn::Select": [1, {"Ref": "Names"}]}}},
    }
    stack = provider.create_stack("ls", t, {"Names": "a,b,c"})
    assert stack.output_map() == {"Second": "b"}
    assert provider.engine.store.resources(stack.stack_id)["T"].properties["DisplayName"] == "a+b+c"


def test_a_depends_on_only_edit_changes_nothing(provider):
    t = {"Resources": {"A": {"Type": "AWS::SNS::Topic"}, "B": {"Type": "AWS::SNS::Topic"}}}
    provider.create_stack("dep", t, {})
    t2 = json.loads(json.dumps(t))
    t2["Resources"]["B"]["DependsOn"] = "A"
    plan = provider.plan("dep", t2, {})
    assert plan.changes == [] and plan.no_updates
    with pytest.raises(SparkleformError, match=r"No updates are to be performed\."):
        provider.update_stack("dep", t2, {})


JAVA_PATTERN = {
    "Parameters": {"Name": {"Type": "String", "AllowedPattern": "[\\p{Alnum}]+"}},
    "Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Ref": "Name"}}}},
}


def test_java_allowed_pattern_is_enforced_by_the_engine(provider):
    with pytest.raises(SparkleformError, match=r"Parameter 'Name' must match pattern \[\\p\{Alnum\}\]\+"):
        provider.create_stack("jp", JAVA_PATTERN, {"Name": "not-alnum"})
    assert provider.create_stack("jp", JAVA_PATTERN, {"Name": "Alnum42"}).status == "CREATE_COMPLETE"


@pytest.mark.parametrize(("default", "reported"), [("not-alnum", True), ("Alnum42", False)])
def test_java_allowed_pattern_is_checked_by_validate(default, reported):
    from sparkleform.check import run_checks

    template = json.loads(json.dumps(JAVA_PATTERN))
    template["Parameters"]["Name"]["Default"] = default
    codes = {d.rule for d in run_checks(template)}
    assert ("SF1103" in codes) is reported


def test_an_import_of_an_export_not_there_yet_is_planned_and_fails_when_executed(provider):
    """AWS creates the change set (Add P) and its execution fails and rolls back
    (LocalStack's test_change_set_exports_imports.snapshot.json, ..._import_non_existent_export)."""
    from sparkleform.errors import OperationFailed

    template = {"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Fn::ImportValue": "later"}}}}}
    plan = provider.plan("imp", template, {})
    assert [(c.action, c.logical_id) for c in plan.changes] == [("Add", "P")]
    with pytest.raises(OperationFailed, match="No export named later found"):
        provider.create_stack("imp", template, {})
    assert provider.describe_stack("imp").status == "ROLLBACK_COMPLETE"
    failed = [(e.logical_id, e.status, e.reason) for e in provider.events("imp") if e.status == "CREATE_FAILED"]
    assert failed == [("P", "CREATE_FAILED", "No export named later found.")]


def test_an_output_getatt_of_a_missing_attribute_starts_the_create_and_rolls_back(provider):
    """AWS's events: the stack's CREATE_IN_PROGRESS, ROLLBACK_IN_PROGRESS with the reason, and
    ROLLBACK_COMPLETE; no resource is made (LocalStack's engine/test_attributes.snapshot.json,
    test_invalid_getatt_fails). An update with it rolls back the same way."""
    from sparkleform.errors import OperationFailed

    base = {"Resources": {"MyResource": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "unimportant"}}}}
    bad = dict(base, Outputs={"InvalidOutput": {"Value": {"Fn::GetAtt": "MyResource.Invalid"}}})
    assert [c.action for c in provider.plan("att", bad, {}).changes] == ["Add"]
    with pytest.raises(OperationFailed, match=r"does not support attribute \{Invalid\}"):
        provider.create_stack("att", bad, {})
    events = [(e.logical_id, e.status, e.reason) for e in provider.events("att")]
    assert events == [
        ("att", "CREATE_IN_PROGRESS", "User Initiated"),
        ("att", "ROLLBACK_IN_PROGRESS", "[Error] /Outputs/InvalidOutput/Value/Fn::GetAtt: Resource type "
         "AWS::SSM::Parameter does not support attribute {Invalid}. Rollback requested by user."),
        ("att", "ROLLBACK_COMPLETE", None),
    ]
    provider.create_stack("att2", base, {})
    with pytest.raises(OperationFailed, match=r"does not support attribute \{Invalid\}"):
        provider.update_stack("att2", bad, {})
    assert provider.describe_stack("att2").status == "UPDATE_ROLLBACK_COMPLETE"
    assert provider.describe_stack("att2").outputs == []
    # in Resources it is still refused up front, as AWS does
    in_resources = dict(base, Resources=dict(base["Resources"], T={"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": "MyResource.Invalid"}}}))
    with pytest.raises(SparkleformError, match="does not support attribute type Invalid"):
        provider.create_stack("att3", in_resources, {})
    assert not provider.stack_exists("att3")
