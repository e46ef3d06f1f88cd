"""One set of scenarios, run against every provider: what AWS CloudFormation does is the
expected value. Where moto (the AWS stand-in these tests run on) is known to differ from
AWS, KNOWN_DIFFERENCES says so per provider and per check, with the value moto gives;
the check then asserts exactly that value, so a difference that goes away (or changes)
fails the test until the table is updated. Nothing is weakened for anyone else.
"""

from __future__ import annotations

from typing import Any

import pytest

from sparkleform.contract import NO_ECHO_MASK
from sparkleform.errors import OperationFailed, SparkleformError

_MOTO_NO_RESOURCE_EVENTS = "moto records only stack-level events, none per resource"
_MOTO_CS_NO_OUTPUTS = (
    "moto's ExecuteChangeSet neither computes outputs nor registers exports for the stack it runs "
    "(CreateStack/UpdateStack do)"
)
_MOTO_SYNC_FAILURE = (
    "moto fails a create synchronously with the API call's ValidationError and never rolls back; "
    "AWS runs the create, fails the resource and rolls back to ROLLBACK_COMPLETE"
)
_MOTO_STALE_EXPORTS = "moto does not update an export's value when UpdateStack changes it"
_MOTO_NO_IMPORT_GUARD = "moto deletes a stack whose export another stack imports; AWS refuses"
_MOTO_SPURIOUS_MODIFY = "moto's change set marks an unchanged AWS::SNS::Topic as Modify (it compares its own copy)"

# (provider id, check) -> (the value that provider gives, why it differs from AWS)
KNOWN_DIFFERENCES: dict[tuple[str, str], tuple[Any, str]] = {
    ("aws", "resource events"): ([], _MOTO_NO_RESOURCE_EVENTS),
    ("aws-direct", "resource events"): ([], _MOTO_NO_RESOURCE_EVENTS),
    ("aws", "outputs after create"): ({}, _MOTO_CS_NO_OUTPUTS),
    ("aws", "outputs after update"): ({}, _MOTO_CS_NO_OUTPUTS),
    ("aws", "exports after create"): ({}, _MOTO_CS_NO_OUTPUTS),
    ("aws", "failed create error"): ("AwsError", _MOTO_SYNC_FAILURE),
    ("aws-direct", "failed create error"): ("AwsError", _MOTO_SYNC_FAILURE),
    ("aws", "failed create reason"): (False, "moto's S3 says 'The requested bucket name is not available'"),
    ("aws-direct", "failed create reason"): (False, "moto's S3 says 'The requested bucket name is not available'"),
    ("aws", "status after failed create"): (None, _MOTO_SYNC_FAILURE + "; the provider then drops the empty review stack"),
    ("aws-direct", "status after failed create"): ("CREATE_IN_PROGRESS", _MOTO_SYNC_FAILURE),
    ("aws-direct", "failed resource event"): ([], _MOTO_NO_RESOURCE_EVENTS),
    ("aws", "unchanged resource keeps its id"): (False, _MOTO_SPURIOUS_MODIFY + " and replaces it on update"),
    ("aws-direct", "unchanged resource keeps its id"): (False, _MOTO_SPURIOUS_MODIFY + " and replaces it on update"),
    ("aws-direct", "export after update"): ("old", _MOTO_STALE_EXPORTS),
    ("aws-direct", "delete of imported stack refused"): (False, _MOTO_NO_IMPORT_GUARD),
    ("aws", "plan actions"): (
        [("Add", "Queue"), ("Modify", "Bucket"), ("Modify", "Topic"), ("Remove", "Old")],
        _MOTO_SPURIOUS_MODIFY,
    ),
    ("aws-direct", "plan actions"): (
        [("Add", "Queue"), ("Modify", "Bucket"), ("Modify", "Topic"), ("Remove", "Old")],
        _MOTO_SPURIOUS_MODIFY,
    ),
}

# Scenarios a provider cannot run at all (strict xfail: they must fail while listed).
KNOWN_UNSUPPORTED: dict[tuple[str, str], str] = {
    ("aws", "exports and imports"): _MOTO_CS_NO_OUTPUTS + ", so the importing stack finds no export",
    ("aws", "apply-stack wiring"): _MOTO_CS_NO_OUTPUTS + ", so there is nothing to wire",
}


def check(provider_id: str, what: str, actual: Any, aws_value: Any) -> None:
    """Assert `actual` is what AWS gives, or exactly the provider's listed difference."""
    known = KNOWN_DIFFERENCES.get((provider_id, what))
    if known is None:
        assert actual == aws_value, what
    else:
        value, why = known
        assert actual == value, (
            f"{what}: {provider_id} was listed as giving {value!r} ({why}) but gave {actual!r}; "
            "update KNOWN_DIFFERENCES"
        )


def unsupported(request: pytest.FixtureRequest, provider_id: str, scenario: str) -> None:
    why = KNOWN_UNSUPPORTED.get((provider_id, scenario))
    if why:
        request.applymarker(pytest.mark.xfail(strict=True, reason=why))


def bucket_stack(bucket_name: str, export: str | None = None) -> dict:
    tpl: dict = {
        "Parameters": {
            "Env": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]},
            "Token": {"Type": "String", "NoEcho": True},
        },
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket_name}},
            "Topic": {"Type": "AWS::SNS::Topic"},
            "Old": {"Type": "AWS::SQS::Queue"},
        },
        "Outputs": {
            "BucketName": {"Value": {"Ref": "Bucket"}},
            "Env": {"Value": {"Ref": "Env"}},
        },
    }
    if export:
        tpl["Outputs"]["BucketName"]["Export"] = {"Name": export}
    return tpl


def resource_events(provider, name: str) -> list[tuple[str, str]]:
    return [(e.logical_id, e.status) for e in provider.events(name) if e.logical_id != name]


# --------------------------------------------------------------------------- scenarios
def test_create(provider, provider_id, unique):
    name = f"c-{unique}"
    seen = []
    stack = provider.create_stack(name, bucket_stack(f"cb-{unique}"), {"Env": "prod", "Token": "s3cret"},
                                  on_event=seen.append)
    assert stack.name == name and stack.status == "CREATE_COMPLETE"
    assert provider.stack_exists(name)
    assert sorted(r.logical_id for r in stack.resources) == ["Bucket", "Old", "Topic"]
    assert all(r.physical_id and r.status == "CREATE_COMPLETE" for r in stack.resources)
    assert next(r.physical_id for r in stack.resources if r.logical_id == "Bucket") == f"cb-{unique}"
    params = {p.key: (p.value, p.no_echo) for p in stack.parameters}
    assert params == {"Env": ("prod", False), "Token": (NO_ECHO_MASK, True)}
    assert seen and seen[-1].logical_id == name and seen[-1].status == "CREATE_COMPLETE"
    assert seen == sorted(seen, key=lambda e: e.timestamp)
    created = sorted(lid for lid, status in resource_events(provider, name) if status == "CREATE_COMPLETE")
    check(provider_id, "resource events", created, ["Bucket", "Old", "Topic"])
    check(provider_id, "outputs after create", provider.describe_stack(name).output_map(),
          {"BucketName": f"cb-{unique}", "Env": "prod"})
    assert provider.template_of(name) == bucket_stack(f"cb-{unique}")
    assert name in [s.name for s in provider.list_stacks()]


def test_plan(provider, provider_id, unique):
    name = f"p-{unique}"
    provider.create_stack(name, bucket_stack(f"pb-{unique}"), {"Token": "t"})
    new = bucket_stack(f"pb2-{unique}")
    del new["Resources"]["Old"]
    new["Resources"]["Queue"] = {"Type": "AWS::SQS::Queue"}
    plan = provider.plan(name, new, {})
    actions = sorted((c.action, c.logical_id) for c in plan.changes)
    check(provider_id, "plan actions", actions, [("Add", "Queue"), ("Modify", "Bucket"), ("Remove", "Old")])
    bucket = next(c for c in plan.changes if c.logical_id == "Bucket")
    assert bucket.resource_type == "AWS::S3::Bucket"
    assert bucket.replacement == "True"
    assert "BucketName" in bucket.causes
    # A plan changes nothing.
    assert provider.template_of(name) == bucket_stack(f"pb-{unique}")
    assert sorted(r.logical_id for r in provider.describe_stack(name).resources) == ["Bucket", "Old", "Topic"]
    # The same template and parameters: nothing to do.
    same = provider.plan(name, bucket_stack(f"pb-{unique}"), {})
    assert same.empty


def test_update_with_replacement(provider, provider_id, unique):
    name = f"u-{unique}"
    provider.create_stack(name, bucket_stack(f"ub-{unique}"), {"Token": "t"})
    before = {r.logical_id: r.physical_id for r in provider.describe_stack(name).resources}
    stack = provider.update_stack(name, bucket_stack(f"ub2-{unique}"), {"Env": "prod"})
    assert stack.status == "UPDATE_COMPLETE"
    after = {r.logical_id: r.physical_id for r in stack.resources}
    assert before["Bucket"] == f"ub-{unique}" and after["Bucket"] == f"ub2-{unique}"
    check(provider_id, "unchanged resource keeps its id", after["Topic"] == before["Topic"], True)
    params = {p.key: p.value for p in stack.parameters}
    assert params == {"Env": "prod", "Token": NO_ECHO_MASK}, "the NoEcho value is kept, still masked"
    check(provider_id, "outputs after update", provider.describe_stack(name).output_map(),
          {"BucketName": f"ub2-{unique}", "Env": "prod"})


def test_failed_create(provider, provider_id, unique):
    """A resource fails while the stack is created. Two buckets with one name fail on AWS
    (and moto) at the second bucket; the local engine does not model S3's global bucket
    namespace, so the second bucket also carries the engine's documented failure flag
    (Metadata `sparkleform:fail`, which AWS ignores)."""
    name = f"f-{unique}"
    bucket = f"fb-{unique}"
    tpl = {
        "Resources": {
            "First": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}},
            "Second": {
                "Type": "AWS::S3::Bucket",
                "DependsOn": "First",
                "Metadata": {"sparkleform:fail": "create", "sparkleform:fail-reason": f"{bucket} already exists"},
                "Properties": {"BucketName": bucket},
            },
        }
    }
    with pytest.raises(SparkleformError) as info:
        provider.create_stack(name, tpl, {})
    error = info.value
    check(provider_id, "failed create error",
          "OperationFailed" if isinstance(error, OperationFailed) else type(error).__name__, "OperationFailed")
    check(provider_id, "failed create reason", "already exists" in str(error), True)
    status = next((st.status for st in provider.list_stacks() if st.name == name), None)
    check(provider_id, "status after failed create", status, "ROLLBACK_COMPLETE")
    if status is not None:
        failed = [lid for lid, st in resource_events(provider, name) if st == "CREATE_FAILED"]
        check(provider_id, "failed resource event", failed, ["Second"])
        provider.delete_stack(name)
    assert not provider.stack_exists(name)


def test_delete(provider, provider_id, unique):
    name = f"d-{unique}"
    provider.create_stack(name, bucket_stack(f"db-{unique}"), {"Token": "t"})
    seen = []
    provider.delete_stack(name, on_event=seen.append)
    assert seen[-1].logical_id == name and seen[-1].status == "DELETE_COMPLETE"
    assert not provider.stack_exists(name)
    assert name not in [s.name for s in provider.list_stacks()]
    with pytest.raises(SparkleformError, match=name):
        provider.describe_stack(name)
    with pytest.raises(SparkleformError, match=name):
        provider.delete_stack(name)


def test_outputs_and_noecho(provider, provider_id, unique):
    name = f"o-{unique}"
    tpl = {
        "Parameters": {"Secret": {"Type": "String", "NoEcho": True}, "Size": {"Type": "Number", "Default": "3"}},
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {
            "TopicArn": {"Value": {"Ref": "Topic"}, "Description": "the topic"},
            "Size": {"Value": {"Ref": "Size"}},
        },
    }
    stack = provider.create_stack(name, tpl, {"Secret": "x"})
    arn = next(r.physical_id for r in stack.resources if r.logical_id == "Topic")
    assert arn.startswith("arn:aws:sns:us-east-1:")
    check(provider_id, "outputs after create", provider.describe_stack(name).output_map(),
          {"TopicArn": arn, "Size": "3"})
    masked = {p.key: p.value for p in provider.describe_stack(name).parameters}
    assert masked == {"Secret": NO_ECHO_MASK, "Size": "3"}


def test_exports_and_imports(request, provider, provider_id, unique):
    unsupported(request, provider_id, "exports and imports")
    producer, consumer, export = f"ex-{unique}", f"im-{unique}", f"shared-bucket-{unique}"
    provider.create_stack(producer, bucket_stack(f"eb-{unique}", export=export), {"Token": "t"})
    check(provider_id, "exports after create", {k: v for k, v in provider.exports().items() if k == export},
          {export: f"eb-{unique}"})
    importer = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"Imported": {"Value": {"Fn::ImportValue": export}}},
    }
    stack = provider.create_stack(consumer, importer, {})
    assert stack.output_map() == {"Imported": f"eb-{unique}"}
    refused = False
    try:
        provider.delete_stack(producer)
    except SparkleformError as exc:
        refused = True
        assert export in str(exc) and consumer in str(exc)
    check(provider_id, "delete of imported stack refused", refused, True)
    if not refused:
        return
    provider.delete_stack(consumer)
    provider.update_stack(producer, bucket_stack(f"eb2-{unique}", export=export), {})
    value = provider.exports()[export]
    check(provider_id, "export after update", "old" if value == f"eb-{unique}" else value, f"eb2-{unique}")
    provider.delete_stack(producer)
    assert export not in provider.exports()


def test_apply_stack_wiring(request, provider, provider_id, unique):
    """`--apply-stack` through the provider API: stack A's outputs become stack B's parameters."""
    unsupported(request, provider_id, "apply-stack wiring")
    a, b = f"vpc-{unique}", f"app-{unique}"
    provider.create_stack(
        a,
        {
            "Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": f"ab-{unique}"}}},
            "Outputs": {"BucketName": {"Value": {"Ref": "Bucket"}}, "Region": {"Value": {"Ref": "AWS::Region"}}},
        },
        {},
    )
    outputs = provider.describe_stack(a).output_map()
    app = {
        "Parameters": {"BucketName": {"Type": "String"}, "Region": {"Type": "String"}},
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"Where": {"Value": {"Fn::Join": [":", [{"Ref": "Region"}, {"Ref": "BucketName"}]]}}},
    }
    declared = app["Parameters"]
    wired = {k: v for k, v in outputs.items() if k in declared}
    assert wired == {"BucketName": f"ab-{unique}", "Region": "us-east-1"}
    stack = provider.create_stack(b, app, wired)
    assert stack.output_map() == {"Where": f"us-east-1:ab-{unique}"}
    assert {p.key: p.value for p in stack.parameters} == wired


def test_apply_stack_across_providers(tmp_path, moto_server, monkeypatch, unique):
    """Outputs of a stack on the local engine wired into a stack on AWS (and back): what
    `--apply-stack local:NAME` / `--apply-stack aws:REGION:NAME` does, through the API."""
    pytest.importorskip("sparkleform.providers.local")
    import _motoserver

    from sparkleform.providers import get_provider

    _motoserver.set_dummy_credentials(monkeypatch)
    local = get_provider("local", state=str(tmp_path / "state.db"), region="us-east-1")
    aws = get_provider("aws", region="us-east-1", endpoint_url=moto_server.endpoint, change_sets=False,
                       max_attempts=1)
    net = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": f"net-{unique}"}}},
        "Outputs": {"TopicName": {"Value": {"Fn::GetAtt": ["Topic", "TopicName"]}}},
    }
    app = {
        "Parameters": {"TopicName": {"Type": "String"}},
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${TopicName}-q"}}}},
        "Outputs": {"QueueName": {"Value": {"Fn::GetAtt": ["Queue", "QueueName"]}}},
    }
    local.create_stack(f"net-{unique}", net, {})
    wired = local.describe_stack(f"net-{unique}").output_map()
    assert wired == {"TopicName": f"net-{unique}"}
    on_aws = aws.create_stack(f"app-{unique}", app, wired)
    assert on_aws.output_map() == {"QueueName": f"net-{unique}-q"}
    back = local.create_stack(f"app2-{unique}", {**app, "Outputs": {"Q": {"Value": {"Ref": "TopicName"}}}},
                              {"TopicName": on_aws.output_map()["QueueName"]})
    assert back.output_map() == {"Q": f"net-{unique}-q"}
