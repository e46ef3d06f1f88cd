"""More lifecycle paths: UpdateReplacePolicy, exports in use on update, NoEcho in plans,
capabilities, nested stack update and rollback, custom resource updates, recover of an
interrupted update, template history."""

from __future__ import annotations

import pytest

from sparkleform.contract import StackOptions
from sparkleform.engine import custom
from sparkleform.engine.errors import StackOperationFailed, ValidationError


def test_update_replace_policy_retain(provider):
    t1 = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "UpdateReplacePolicy": "Retain", "Properties": {"QueueName": "one"}}}}
    t2 = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "UpdateReplacePolicy": "Retain", "Properties": {"QueueName": "two"}}}}
    old = provider.create_stack("s", t1, {}).resources[0].physical_id
    new = provider.update_stack("s", t2, {}).resources[0].physical_id
    assert old.endswith("/one") and new.endswith("/two")
    skipped = [e for e in provider.events("s") if e.status == "DELETE_SKIPPED"]
    assert [(e.logical_id, e.physical_id) for e in skipped] == [("Q", old)]
    assert "UpdateReplacePolicy" in skipped[0].reason


def test_export_in_use_blocks_update_that_changes_it(provider):
    t = {"Parameters": {"V": {"Type": "String"}}, "Resources": {"T": {"Type": "AWS::SNS::Topic"}},
         "Outputs": {"O": {"Value": {"Ref": "V"}, "Export": {"Name": "shared"}}}}
    provider.create_stack("prod", t, {"V": "1"})
    provider.create_stack("cons", {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::ImportValue": "shared"}}}}}, {})
    with pytest.raises(StackOperationFailed, match="Cannot update export shared as it is in use by cons"):
        provider.update_stack("prod", t, {"V": "2"})
    assert provider.describe_stack("prod").status == "UPDATE_ROLLBACK_COMPLETE"
    assert provider.exports() == {"shared": "1"}
    removed = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}
    with pytest.raises(StackOperationFailed, match="Cannot remove export shared as it is in use by cons"):
        provider.update_stack("prod", removed, {})
    assert provider.exports() == {"shared": "1"}


def test_no_echo_masked_in_plans_and_describe(provider):
    t = {"Parameters": {"Pw": {"Type": "String", "NoEcho": True}},
         "Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Sub": "pw=${Pw}"}}}}}
    provider.create_stack("s", t, {"Pw": "hunter2"})
    plan = provider.plan("s", t, {"Pw": "swordfish"})
    (change,) = plan.changes
    assert change.details[0]["property"] == "DisplayName"
    assert change.details[0]["before"] == "pw=****" and change.details[0]["after"] == "pw=****"
    assert "swordfish" not in str(plan) and "hunter2" not in str(plan)
    assert all(p.value == "****" for p in provider.describe_stack("s").parameters)


def test_capabilities_required_when_given(provider):
    t = {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}}}}
    with pytest.raises(ValidationError, match=r"Requires capabilities : \[CAPABILITY_NAMED_IAM\]"):
        provider.create_stack("s", t, {}, StackOptions(capabilities=["CAPABILITY_IAM"]))
    assert provider.create_stack("s", t, {}, StackOptions(capabilities=["CAPABILITY_NAMED_IAM"])).status == "CREATE_COMPLETE"


CHILD1 = {"Parameters": {"N": {"Type": "String"}}, "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": {"Ref": "N"}}}},
          "Outputs": {"N": {"Value": {"Ref": "N"}}}}
CHILD2 = {**CHILD1, "Resources": {**CHILD1["Resources"], "T": {"Type": "AWS::SNS::Topic"}}}


def _parent(n: str, fail: bool = False) -> dict:
    t = {"Resources": {"Kid": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "kid.json", "Parameters": {"N": n}}}},
         "Outputs": {"N": {"Value": {"Fn::GetAtt": ["Kid", "Outputs.N"]}}}}
    if fail:
        t["Resources"]["Bad"] = {"Type": "AWS::SNS::Topic", "DependsOn": "Kid", "Metadata": {"sparkleform:fail": "create"}}
    return t


def test_nested_update_and_rollback(provider):
    s = provider.create_stack("p", _parent("1"), {}, StackOptions(nested_templates={"kid.json": CHILD1}))
    assert s.output_map() == {"N": "1"}
    kid = next(x.name for x in provider.list_stacks() if x.name.startswith("p-Kid-"))
    s = provider.update_stack("p", _parent("2"), {}, StackOptions(nested_templates={"kid.json": CHILD2}))
    assert s.output_map() == {"N": "2"}
    assert {r.logical_id for r in provider.describe_stack(kid).resources} == {"Q", "T"}
    # a failure later in the parent's update rolls the child back too
    with pytest.raises(StackOperationFailed):
        provider.update_stack("p", _parent("3", fail=True), {}, StackOptions(nested_templates={"kid.json": CHILD1}))
    assert provider.describe_stack("p").output_map() == {"N": "2"}
    child = provider.describe_stack(kid)
    assert child.output_map() == {"N": "2"} and {r.logical_id for r in child.resources} == {"Q", "T"}


def test_custom_resource_update_and_replacement(provider):
    seen = []

    def handler(request):
        seen.append((request["RequestType"], request.get("OldResourceProperties", {}) and request["OldResourceProperties"].get("V")))
        return {"Data": {"V": request["ResourceProperties"]["V"]}}

    custom.register_handler("Custom::Thing", handler)
    try:
        t = lambda v: {"Resources": {"C": {"Type": "Custom::Thing", "Properties": {"ServiceToken": "arn:x", "V": v}}},  # noqa: E731
                       "Outputs": {"V": {"Value": {"Fn::GetAtt": ["C", "V"]}}}}
        provider.create_stack("s", t("1"), {})
        assert provider.update_stack("s", t("2"), {}).output_map() == {"V": "2"}
        assert seen == [("Create", None), ("Update", "1")]
    finally:
        custom.unregister_handler("Custom::Thing")


def test_recover_interrupted_update_restores_values(provider, monkeypatch):
    t1 = {"Parameters": {"N": {"Type": "String"}}, "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "N"}}}},
          "Outputs": {"Q": {"Value": {"Ref": "Q"}}}}
    before = provider.create_stack("s", t1, {"N": "a"})
    # an update that dies after its first wave (simulated: stop the engine mid-way)
    from sparkleform.engine import update

    engine = provider.engine
    real = update.update_wave
    calls = []

    def die(cx, run, wave, seq):
        calls.append(wave)
        real(cx, run, wave, seq)
        raise KeyboardInterrupt  # the process is gone: nothing after this point runs

    monkeypatch.setattr(update, "update_wave", die)
    with pytest.raises(KeyboardInterrupt):
        provider.update_stack("s", t1, {"N": "b"})
    monkeypatch.undo()
    mid = provider.describe_stack("s")
    assert mid.status == "UPDATE_IN_PROGRESS"
    with engine.store.tx() as conn:  # the owner process is gone
        conn.execute("UPDATE stacks SET owner='elsewhere:1' WHERE name='s'")
    s = provider.recover("s")
    assert s.status == "UPDATE_ROLLBACK_COMPLETE"
    assert s.output_map() == before.output_map()
    assert [r.physical_id for r in s.resources] == [r.physical_id for r in before.resources]
    assert [(p.key, p.value) for p in s.parameters] == [("N", "a")]
    assert provider.update_stack("s", t1, {"N": "c"}).status == "UPDATE_COMPLETE"


def test_template_history(provider):
    t1 = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}
    t2 = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}, "U": {"Type": "AWS::SNS::Topic"}}}
    provider.create_stack("s", t1, {})
    provider.update_stack("s", t2, {})
    assert [v["version"] for v in provider.template_versions("s")] == [1, 2]
    assert provider.template_version("s", 1) == t1 and provider.template_of("s") == t2


def test_on_failure_delete(provider):
    t = {"Resources": {"B": {"Type": "AWS::SNS::Topic", "Metadata": {"sparkleform:fail": "create"}}}}
    with pytest.raises(StackOperationFailed):
        provider.create_stack("s", t, {}, StackOptions(on_failure="DELETE"))
    assert not provider.stack_exists("s")


def test_delete_failure_injected(provider):
    t = {"Resources": {"B": {"Type": "AWS::SNS::Topic", "Metadata": {"sparkleform:fail": "delete"}}}}
    provider.create_stack("s", t, {})
    with pytest.raises(StackOperationFailed, match="DELETE_FAILED"):
        provider.delete_stack("s")
    assert provider.describe_stack("s").status == "DELETE_FAILED"


def test_update_refused_when_stack_changed_while_planning(tmp_path, monkeypatch):
    from sparkleform.engine import update
    from sparkleform.engine.errors import StackBusy
    from sparkleform.providers.local import LocalProvider

    state = tmp_path / "state.db"
    mine, other = LocalProvider(state=state), LocalProvider(state=state)
    t = lambda n: {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": n}}}}  # noqa: E731
    mine.create_stack("s", t(1), {})
    real = update.plan_update

    def plan_then_interleave(*args, **kwargs):
        result = real(*args, **kwargs)
        monkeypatch.setattr(update, "plan_update", real)  # once: `other` plans as usual
        other.update_stack("s", t(3), {})  # another process updates in between
        return result

    monkeypatch.setattr(update, "plan_update", plan_then_interleave)
    with pytest.raises(StackBusy, match="changed by another operation"):
        mine.update_stack("s", t(2), {})
    monkeypatch.undo()
    assert mine.describe_stack("s").status == "UPDATE_COMPLETE"
    assert mine.update_stack("s", t(2), {}).status == "UPDATE_COMPLETE"


POLICY = {
    "Statement": [
        {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["Update:Replace", "Update:Delete"], "Principal": "*", "Resource": "LogicalResourceId/Db*"},
    ]
}


def _db(name: str, days: int, extra: bool = True) -> dict:
    t = {"Resources": {"DbQueue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": name, "MessageRetentionPeriod": days}}}}
    if extra:
        t["Resources"]["Other"] = {"Type": "AWS::SNS::Topic"}
    return t


def test_stack_policy_enforced(provider):
    provider.create_stack("s", _db("a", 60), {}, StackOptions(stack_policy=POLICY))
    # an in-place modification is allowed
    assert provider.update_stack("s", _db("a", 120), {}).status == "UPDATE_COMPLETE"
    # a replacement of a protected resource is not
    with pytest.raises(StackOperationFailed, match=r"Statement \[#2\] does not allow \[Update:Replace\] for resource \[LogicalResourceId/DbQueue\]"):
        provider.update_stack("s", _db("b", 120), {})
    assert provider.describe_stack("s").status == "UPDATE_ROLLBACK_COMPLETE"
    # nor is removing it; removing an unprotected resource is fine
    with pytest.raises(StackOperationFailed, match=r"\[Update:Delete\]"):
        provider.update_stack("s", {"Resources": {"Other": {"Type": "AWS::SNS::Topic"}}}, {})
    assert provider.update_stack("s", _db("a", 120, extra=False), {}).status == "UPDATE_COMPLETE"


def test_stack_policy_default_deny():
    from sparkleform.engine.policy import denial

    only_other = {"Statement": [{"Effect": "Allow", "Action": "Update:Modify", "Resource": "LogicalResourceId/Other"}]}
    assert denial(only_other, "Other", "AWS::SNS::Topic", "Update:Modify") is None
    assert "no statement allows [Update:Replace]" in denial(only_other, "Other", "AWS::SNS::Topic", "Update:Replace")
    assert "no statement allows" in denial(only_other, "Db", "AWS::RDS::DBInstance", "Update:Modify")
    by_type = {"Statement": [{"Effect": "Allow", "Action": "Update:*", "Resource": "*",
                              "Condition": {"StringEquals": {"ResourceType": ["AWS::SNS::Topic"]}}}]}
    assert denial(by_type, "T", "AWS::SNS::Topic", "Update:Replace") is None
    assert denial(by_type, "Q", "AWS::SQS::Queue", "Update:Replace") is not None
    assert denial(None, "Q", "AWS::SQS::Queue", "Update:Delete") is None


def test_ssm_parameter_resources_write_the_store_and_roll_back(provider):
    t = lambda v, fail=False: {"Resources": {  # noqa: E731
        "P": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/app/v", "Type": "String", "Value": v}},
        "T": {"Type": "AWS::SNS::Topic", "DependsOn": "P", "Properties": {"DisplayName": v},
              **({"Metadata": {"sparkleform:fail": "update"}} if fail else {})},
        "U": {"Type": "AWS::SNS::Topic", "DependsOn": "T", "Properties": {"DisplayName": "{{resolve:ssm:/app/v}}"}}}}
    provider.create_stack("s", t("one"), {})
    assert provider.engine.ssm_lookup("/app/v") == "one"
    with pytest.raises(StackOperationFailed):
        provider.update_stack("s", t("two", fail=True), {})
    assert provider.engine.ssm_lookup("/app/v") == "one"
    provider.update_stack("s", t("three"), {})
    assert provider.engine.ssm_lookup("/app/v") == "three"
    provider.delete_stack("s")
    assert provider.engine.ssm_lookup("/app/v") is None


def test_an_object_attribute_is_derived_as_an_object_of_its_members(provider):
    """A read-only attribute the schema types as an object (a subnet's BlockPublicAccessStates)
    is an object of its members, and GetAtt of a member gives that member's value."""
    template = {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.9.0.0/16"}},
            "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
                "VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.9.1.0/24",
                "PrivateDnsNameOptionsOnLaunch": {"HostnameType": "resource-name"}}},
        },
        "Outputs": {
            "Mode": {"Value": {"Fn::GetAtt": ["Subnet", "BlockPublicAccessStates.InternetGatewayBlockMode"]}},
            "Hostnames": {"Value": {"Fn::GetAtt": ["Subnet", "PrivateDnsNameOptionsOnLaunch.HostnameType"]}},
        },
    }
    stack = provider.create_stack("bpa", template, {})
    states = provider.resource_attributes("bpa")["Subnet"]["BlockPublicAccessStates"]
    assert isinstance(states, dict) and set(states) == {"InternetGatewayBlockMode"}
    assert stack.output_map()["Mode"] == states["InternetGatewayBlockMode"]
    # a member of an object property the template gave is the given value
    assert stack.output_map()["Hostnames"] == "resource-name"
    # a member the schema does not have is refused as AWS refuses it (cfn-lint E1010)
    template["Outputs"] = {"Bad": {"Value": {"Fn::GetAtt": ["Subnet", "BlockPublicAccessStates.Nope"]}}}
    with pytest.raises(StackOperationFailed, match=r"does not support attribute \{BlockPublicAccessStates.Nope\}"):
        provider.create_stack("bpa2", template, {})
