"""Malformed templates and values never crash the engine: every problem is a sparkleform
error, and the state is left readable and stable."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparkleform.errors import SparkleformError
from sparkleform.providers.local import LocalProvider

NAMES = st.sampled_from(["A", "B", "P", "C", "AWS::Region", "AWS::NoValue", "Nope"])
FN = st.sampled_from(
    ["Ref", "Fn::GetAtt", "Fn::Join", "Fn::Sub", "Fn::Select", "Fn::Split", "Fn::If", "Fn::FindInMap",
     "Fn::Base64", "Fn::Cidr", "Fn::GetAZs", "Fn::Length", "Fn::ToJsonString", "Fn::ImportValue",
     "Fn::Equals", "Fn::Not", "Condition", "Fn::Bogus"]
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 300), NAMES, st.text(max_size=8))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(FN, inner, min_size=1, max_size=1),
        st.dictionaries(st.sampled_from(["K", "Name", "Value"]), inner, max_size=3),
    ),
    max_leaves=12,
)
TYPES = st.sampled_from(["AWS::SNS::Topic", "AWS::SQS::Queue", "AWS::EC2::VPC", "AWS::SNS::Topic", "Custom::X", "AWS::Nope::No", 5])


def templates():
    resource = st.fixed_dictionaries(
        {"Type": TYPES},
        optional={"Properties": st.one_of(st.dictionaries(st.sampled_from(["DisplayName", "CidrBlock", "QueueName"]), VALUES, max_size=2), VALUES),
                  "DependsOn": st.one_of(NAMES, st.lists(NAMES, max_size=2)),
                  "Condition": NAMES},
    )
    return st.fixed_dictionaries(
        {"Resources": st.one_of(*[st.dictionaries(st.sampled_from(["A", "B"]), resource, min_size=1, max_size=2)] * 4, VALUES)},
        optional={
            "Parameters": st.dictionaries(st.just("P"), st.fixed_dictionaries({"Type": st.sampled_from(["String", "Number", "CommaDelimitedList", "Bad"])}, optional={"Default": SCALARS, "AllowedValues": st.lists(SCALARS, max_size=2), "AllowedPattern": st.sampled_from(["[a-z]+", "(", ".*"]), "MinValue": st.integers(0, 5)})),
            "Conditions": st.dictionaries(st.just("C"), VALUES, max_size=1),
            "Mappings": st.dictionaries(st.just("M"), VALUES, max_size=1),
            "Outputs": st.dictionaries(st.just("O"), st.one_of(st.fixed_dictionaries({"Value": VALUES}), VALUES), max_size=1),
            "Transform": st.sampled_from(["Bogus", *[["AWS::LanguageExtensions"]] * 5]),
        },
    )


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    p = LocalProvider(state=tmp_path_factory.mktemp("robust") / "state.db")
    yield p
    p.close()


COUNTER = iter(range(10**6))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(template=templates(), value=st.one_of(st.none(), st.text(max_size=5), st.integers(0, 9)))
def test_garbage_never_crashes(shared, template, value):
    name = f"g{next(COUNTER)}"
    params = {} if value is None else {"P": value}
    with contextlib.suppress(SparkleformError):
        shared.create_stack(name, template, params)
    if shared.stack_exists(name):
        status = shared.describe_stack(name).status
        assert not status.endswith("_IN_PROGRESS"), status
        with contextlib.suppress(SparkleformError):
            shared.delete_stack(name)
        if shared.stack_exists(name):
            assert not shared.describe_stack(name).status.endswith("_IN_PROGRESS")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(first=templates(), second=templates())
def test_garbage_updates_never_crash(shared, first, second):
    name = f"u{next(COUNTER)}"
    with contextlib.suppress(SparkleformError):
        shared.create_stack(name, first, {})
    if not shared.stack_exists(name):
        return
    with contextlib.suppress(SparkleformError):
        shared.plan(name, second, {})
    with contextlib.suppress(SparkleformError):
        shared.update_stack(name, second, {})
    assert not shared.describe_stack(name).status.endswith("_IN_PROGRESS")
    with contextlib.suppress(SparkleformError):
        shared.delete_stack(name)


def test_unusable_state_file_is_a_clear_error(tmp_path):
    from sparkleform.engine.errors import StateError

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match=r"cannot use .*junk\.db as the local state") as info:
        LocalProvider(state=junk)
    assert info.value.exit_code == 2
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StateError):
        LocalProvider(state=blocker / "sub" / "state.db")


def test_plan_with_unanswerable_values_does_not_crash(tmp_path):
    """A plan whose new values cannot be computed (a custom attribute the reply lacks, a
    nested template that cannot be found) reports them as changes, not as a crash."""
    from sparkleform.engine import custom

    p = LocalProvider(state=tmp_path / "s.db")
    custom.register_handler("tok", lambda request: {"Data": {"A": "1"}})
    try:
        t = {"Resources": {"C": {"Type": "Custom::C", "Properties": {"ServiceToken": "tok"}},
                           "T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": ["C", "A"]}}}}}
        p.create_stack("s", t, {})
        t2 = {"Resources": {**t["Resources"], "T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": ["C", "Missing"]}}},
                            "N": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "https://nowhere/n.json"}}}}
        plan = p.plan("s", t2, {})
        assert {c.logical_id: c.action for c in plan.changes} == {"T": "Modify", "N": "Add"}
        with pytest.raises(SparkleformError):
            p.update_stack("s", t2, {})
        assert p.describe_stack("s").status == "UPDATE_ROLLBACK_COMPLETE"
    finally:
        custom.unregister_handler("tok")
        p.close()
