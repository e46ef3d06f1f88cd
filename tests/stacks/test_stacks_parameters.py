"""Parameter resolution: precedence, apply-stack matching, mappings, update semantics."""

from __future__ import annotations

import pytest

from sparkleform.contract import NO_ECHO_MASK, StackParameter
from sparkleform.errors import ParameterError
from sparkleform.stacks.parameters import (
    AppliedStack,
    ParameterInputs,
    PreviousParameters,
    match_key,
    previous_from_stack,
    resolve_parameters,
)

ASG = {
    "Parameters": {
        "ElbName": {"Type": "String", "Description": "the load balancer"},
        "ElbSecurityGroup": {"Type": "String"},
        "Size": {"Type": "Number", "Default": "2"},
    },
    "Resources": {},
}
ELB = AppliedStack("coolapp-elb", {"ElbName": "coolapp-elb-123", "ElbSecurityGroup": "sg-0abc", "ElbDns": "x.elb"})


def test_apply_stack_fills_same_named_parameters():
    res = resolve_parameters(ASG, ParameterInputs(applied=[ELB]))
    assert res.values == {"ElbName": "coolapp-elb-123", "ElbSecurityGroup": "sg-0abc"}
    assert res.origins["ElbName"] == "output ElbName of stack coolapp-elb"
    assert res.origins["Size"] == "default"
    assert res.missing == []


def test_matching_ignores_case_underscores_and_dashes():
    assert match_key("Elb_Name") == match_key("elbname") == match_key("ELB-NAME")
    applied = AppliedStack("elb", {"elb_name": "n1", "ELBSECURITYGROUP": "sg-1"})
    res = resolve_parameters(ASG, ParameterInputs(applied=[applied]))
    assert res.values == {"ElbName": "n1", "ElbSecurityGroup": "sg-1"}


def test_explicit_values_win_over_every_other_source():
    inputs = ParameterInputs(
        explicit={"ElbName": "cli"},
        file_values={"ElbName": "file", "ElbSecurityGroup": "file-sg"},
        config_values={"ElbName": "toml", "ElbSecurityGroup": "toml-sg", "Size": "5"},
        applied=[ELB],
    )
    res = resolve_parameters(ASG, inputs)
    assert res.values == {"ElbName": "cli", "ElbSecurityGroup": "file-sg", "Size": "5"}
    assert res.origins == {"ElbName": "-p", "ElbSecurityGroup": "parameters file", "Size": "sparkleform.toml"}


def test_later_applied_stack_wins():
    second = AppliedStack("other", {"ElbName": "second"})
    res = resolve_parameters(ASG, ParameterInputs(applied=[ELB, second]))
    assert res.values["ElbName"] == "second"
    assert res.values["ElbSecurityGroup"] == "sg-0abc"


def test_apply_mapping_fills_differently_named_parameter_and_beats_name_match():
    applied = AppliedStack("elb", {"ElbName": "auto", "LoadBalancer": "mapped", "Group": "sg-9"})
    inputs = ParameterInputs(applied=[applied], mappings=[(None, "LoadBalancer", "ElbName"), ("elb", "group", "ElbSecurityGroup")])
    res = resolve_parameters(ASG, inputs)
    assert res.values == {"ElbName": "mapped", "ElbSecurityGroup": "sg-9"}
    assert "--apply-mapping" in res.origins["ElbName"]


def test_apply_mapping_errors_name_what_is_wrong():
    with pytest.raises(ParameterError, match="no output named 'Nope'"):
        resolve_parameters(ASG, ParameterInputs(applied=[ELB], mappings=[(None, "Nope", "ElbName")]))
    with pytest.raises(ParameterError, match="no parameter 'Missing'"):
        resolve_parameters(ASG, ParameterInputs(applied=[ELB], mappings=[(None, "ElbName", "Missing")]))
    with pytest.raises(ParameterError, match="not given with --apply-stack"):
        resolve_parameters(ASG, ParameterInputs(applied=[ELB], mappings=[("vpc", "ElbName", "ElbName")]))


def test_unknown_explicit_parameter_is_refused_with_aws_wording():
    with pytest.raises(ParameterError) as info:
        resolve_parameters(ASG, ParameterInputs(explicit={"Nope": "1"}))
    assert info.value.message == "Parameters: [Nope] do not exist in the template"
    assert info.value.exit_code == 2


def test_outputs_never_fill_undeclared_parameters():
    res = resolve_parameters(ASG, ParameterInputs(applied=[ELB]))
    assert "ElbDns" not in res.values


def test_missing_required_parameters_are_listed_in_template_order():
    res = resolve_parameters(ASG, ParameterInputs())
    assert res.missing == ["ElbName", "ElbSecurityGroup"]


def test_update_keeps_previous_values_and_fills_parameters_new_in_the_template():
    # sfn #310: a parameter that only the NEW template has must be filled by apply-stack too.
    new_template = {"Parameters": {**ASG["Parameters"], "ElbDns": {"Type": "String"}}}
    previous = PreviousParameters(values={"ElbName": "old-elb", "ElbSecurityGroup": "sg-old", "Size": "4"})
    only_dns = AppliedStack("coolapp-elb", {"ElbDns": "new.elb"})
    res = resolve_parameters(new_template, ParameterInputs(applied=[only_dns], previous=previous))
    assert res.values == {"ElbName": "old-elb", "ElbSecurityGroup": "sg-old", "Size": "4", "ElbDns": "new.elb"}
    assert res.origins["ElbName"] == "previous value"
    assert res.missing == []


def test_update_apply_stack_beats_previous_value():
    previous = PreviousParameters(values={"ElbName": "old", "ElbSecurityGroup": "sg-old"})
    res = resolve_parameters(ASG, ParameterInputs(applied=[ELB], previous=previous))
    assert res.values["ElbName"] == "coolapp-elb-123"


def test_a_previous_value_that_was_only_the_old_default_follows_the_new_default():
    previous = PreviousParameters(values={"ElbName": "a", "ElbSecurityGroup": "b", "Size": "2"}, defaults={"Size": "2"})
    res = resolve_parameters(ASG, ParameterInputs(previous=previous))
    assert "Size" not in res.values and res.origins["Size"] == "default"
    chosen = PreviousParameters(values={"ElbName": "a", "ElbSecurityGroup": "b", "Size": "7"}, defaults={"Size": "2"})
    assert resolve_parameters(ASG, ParameterInputs(previous=chosen)).values["Size"] == "7"


def test_no_echo_previous_values_are_kept_not_copied():
    template = {"Parameters": {"Password": {"Type": "String", "NoEcho": True}}}
    prev = previous_from_stack([StackParameter("Password", NO_ECHO_MASK, no_echo=True)], template)
    res = resolve_parameters(template, ParameterInputs(previous=prev))
    assert res.use_previous == {"Password"}
    assert "Password" not in res.values and res.missing == []


def test_previous_from_stack_reads_old_defaults_including_lists():
    old = {"Parameters": {"Azs": {"Type": "CommaDelimitedList", "Default": ["a", "b"]}, "N": {"Default": 3}}}
    prev = previous_from_stack([StackParameter("Azs", "a,b"), StackParameter("N", "3")], old)
    assert prev.defaults == {"Azs": "a,b", "N": "3"}
    assert prev.values == {"Azs": "a,b", "N": "3"}


def test_parameters_file_use_previous_value():
    previous = PreviousParameters(values={"ElbName": "keep", "ElbSecurityGroup": "sg"})
    res = resolve_parameters(
        ASG, ParameterInputs(file_use_previous={"ElbName"}, applied=[ELB], previous=previous)
    )
    assert res.values["ElbName"] == "keep"  # UsePreviousValue in the file beats apply-stack
