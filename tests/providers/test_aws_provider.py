"""The AWS provider against moto_server over HTTP: what is sent, what comes back, errors.

"What is sent" is read back two ways: from moto's own answers (DescribeStacks,
GetStackPolicy, S3) where moto keeps the value, and from moto's request recorder where
moto accepts a parameter but does not store it (OnStackFailure, DisableRollback,
Capabilities of a change set).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sparkleform.contract import NO_CHANGES, NO_ECHO_MASK, StackOptions
from sparkleform.errors import ConfigError, OperationFailed, SparkleformError, TemplateError
from sparkleform.providers.aws_errors import (
    NO_UPDATES,
    AwsCredentialsError,
    AwsError,
    BucketRequired,
    StackAlreadyExists,
    StackNotFound,
    WaitInterrupted,
)


def members(params: dict, name: str) -> list:
    """The values of a query-protocol list (`Name.member.1`, `Name.member.2`, ...)."""
    found = {}
    for key, value in params.items():
        head, _, rest = key.partition(".member.")
        if head == name and rest.isdigit():
            found[int(rest)] = value
    return [found[i] for i in sorted(found)]


def key_values(params: dict, name: str) -> dict:
    out = {}
    i = 1
    while f"{name}.member.{i}.Key" in params:
        out[params[f"{name}.member.{i}.Key"]] = params[f"{name}.member.{i}.Value"]
        i += 1
    return out


def queue_template(queue: str, export: str | None = None) -> dict:
    tpl = {
        "Parameters": {"Secret": {"Type": "String", "NoEcho": True}},
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": queue}}},
        "Outputs": {"QueueName": {"Value": {"Fn::GetAtt": ["Queue", "QueueName"]}}},
    }
    if export:
        tpl["Outputs"]["QueueName"]["Export"] = {"Name": export}
    return tpl


def cf_client(moto_server):
    import boto3

    return boto3.client("cloudformation", endpoint_url=moto_server.endpoint, region_name="us-east-1")


# --------------------------------------------------------------------------- construction
def test_import_does_not_load_boto3():
    code = "import sys, sparkleform.providers.aws as a; a.AwsProvider(region='us-east-1'); print('boto3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_retry_mode_and_region_reach_botocore(make_aws):
    provider = make_aws(retry_mode="adaptive", max_attempts=4, state="ignored", unknown_option=1)
    cfg = provider.cf.meta.config
    assert cfg.retries["mode"] == "adaptive"
    assert cfg.retries["total_max_attempts"] == 4
    assert provider.cf.meta.region_name == "us-east-1"
    assert provider.cf.meta.endpoint_url == provider.endpoint_url


def test_bad_retry_mode_is_refused():
    from sparkleform.providers.aws import AwsProvider

    with pytest.raises(SparkleformError, match="retry_mode"):
        AwsProvider(retry_mode="eager")


def test_unknown_profile_is_a_config_error(make_aws):
    provider = make_aws(profile="no-such-profile-here")
    with pytest.raises(ConfigError, match="no-such-profile-here"):
        provider.list_stacks()


def test_no_credentials_is_one_clear_line(make_aws, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for key in ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(key, raising=False)
    provider = make_aws()
    with pytest.raises(AwsCredentialsError) as info:
        provider.list_stacks()
    text = str(info.value)
    assert "no AWS credentials" in text and "cloudformation:ListStacks" in text and "\n" not in text


def test_unreachable_endpoint(make_aws):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    provider = make_aws()
    provider.endpoint_url = f"http://127.0.0.1:{port}"
    with pytest.raises(AwsError, match="cannot reach the AWS endpoint"):
        provider.exports()


# --------------------------------------------------------------------------- lifecycle
@pytest.mark.parametrize("mode", ["change_sets", "direct"])
def test_create_describe_update_delete(request, mode, unique, moto_server):
    provider = request.getfixturevalue("aws" if mode == "change_sets" else "aws_direct")
    name = f"life-{unique}"
    events = []
    stack = provider.create_stack(
        name, queue_template(f"q-{unique}"), {"Secret": "hunter2"}, on_event=events.append
    )
    assert stack.status == "CREATE_COMPLETE"
    assert [r.logical_id for r in stack.resources] == ["Queue"]
    assert stack.resources[0].physical_id.endswith(f"/q-{unique}")
    secret = next(p for p in stack.parameters if p.key == "Secret")
    assert secret.no_echo and secret.value == NO_ECHO_MASK
    assert [e.status for e in events if e.logical_id == name][-1] == "CREATE_COMPLETE"
    assert events == sorted(events, key=lambda e: e.timestamp)
    assert provider.stack_exists(name)
    assert provider.template_of(name) == queue_template(f"q-{unique}")
    assert name in [s.name for s in provider.list_stacks()]

    # Update without the NoEcho value: it is kept through UsePreviousValue.
    new = queue_template(f"q-{unique}")
    new["Resources"]["Topic"] = {"Type": "AWS::SNS::Topic"}
    updated = provider.update_stack(name, new, {})
    assert updated.status == "UPDATE_COMPLETE"
    assert sorted(r.logical_id for r in updated.resources) == ["Queue", "Topic"]
    raw = cf_client(moto_server).describe_stacks(StackName=name)["Stacks"][0]
    assert {p["ParameterKey"] for p in raw["Parameters"]} == {"Secret"}

    history = provider.events(name)
    statuses = [e.status for e in history if e.logical_id == name]
    assert statuses.index("CREATE_COMPLETE") < statuses.index("UPDATE_COMPLETE")
    later = provider.events(name, since=history[0].event_id)
    assert later == history[1:]

    deleted = []
    provider.delete_stack(name, on_event=deleted.append)
    assert not provider.stack_exists(name)
    assert deleted[-1].status == "DELETE_COMPLETE"
    with pytest.raises(StackNotFound, match=f"stack {name} does not exist"):
        provider.describe_stack(name)


def test_create_of_existing_stack_is_refused(aws, unique):
    name = f"dup-{unique}"
    aws.create_stack(name, {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {})
    with pytest.raises(StackAlreadyExists, match=f"sparkleform update {name}"):
        aws.create_stack(name, {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {})


def test_missing_stack_errors(aws, unique):
    name = f"ghost-{unique}"
    assert not aws.stack_exists(name)
    for call in (aws.describe_stack, aws.delete_stack, aws.events, aws.recover):
        with pytest.raises(StackNotFound, match=f"stack {name} does not exist"):
            call(name)
    with pytest.raises(StackNotFound):
        aws.template_of(name)


def test_no_updates_is_the_contracts_no_updates(aws, unique):
    """Nothing to change: plans say so (no_updates, the change set's reason NO_CHANGES), and update_stack raises the
    contract's NoUpdates as the local engine does, leaving the stack as it was."""
    from sparkleform.contract import NoUpdates

    name = f"same-{unique}"
    tpl = {"Parameters": {"P": {"Type": "String"}}, "Resources": {"T": {"Type": "AWS::SNS::Topic"}}}
    aws.create_stack(name, tpl, {"P": "x"})
    plan = aws.create_change_set(name, tpl, {"P": "x"})
    assert plan.empty and plan.no_updates and plan.reason == NO_CHANGES and plan.change_set_name is None
    with pytest.raises(NoUpdates, match=NO_UPDATES):
        aws.update_stack(name, tpl, {"P": "x"})
    assert aws.describe_stack(name).status == "CREATE_COMPLETE"
    again = aws.plan(name, tpl, {"P": "x"})
    assert again.no_updates and again.reason == NO_CHANGES


# --------------------------------------------------------------------------- plans and change sets
def test_plan_merges_aws_change_set_with_local_diff(aws, unique, moto_server):
    name = f"plan-{unique}"
    old = {
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": f"b-{unique}"}},
            "Old": {"Type": "AWS::SNS::Topic"},
        }
    }
    first = aws.plan(name, old, {})
    assert [(c.action, c.logical_id) for c in first.changes] == [("Add", "Bucket"), ("Add", "Old")]
    assert not aws.stack_exists(name), "a plan for a new stack leaves no stack behind"
    aws.create_stack(name, old, {})
    new = {
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": f"b2-{unique}"}},
            "New": {"Type": "AWS::SQS::Queue"},
        }
    }
    plan = aws.plan(name, new, {})
    rows = {c.logical_id: c for c in plan.changes}
    assert rows["New"].action == "Add"
    assert rows["Old"].action == "Remove"
    bucket = rows["Bucket"]
    assert bucket.action == "Modify" and bucket.replacement == "True" and bucket.causes == ["BucketName"]
    local = [d for d in bucket.details if d["source"] == "local"]
    assert local == [
        {
            "source": "local", "attribute": "Properties", "path": "Properties.BucketName",
            "property": "BucketName", "old": f"b-{unique}", "new": f"b2-{unique}", "replacement": True,
        }
    ]
    assert plan.change_set_name is None
    summaries = cf_client(moto_server).list_change_sets(StackName=name)["Summaries"]
    assert [c for c in summaries if c["StackName"] == name and c["ExecutionStatus"] == "AVAILABLE"] == []


def test_change_set_left_for_review_then_executed(aws, unique, moto_server):
    name = f"review-{unique}"
    tpl = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}
    plan = aws.create_change_set(name, tpl, {}, change_set_name=f"first-{unique}")
    assert plan.change_set_name == f"first-{unique}"
    assert [(c.action, c.logical_id) for c in plan.changes] == [("Add", "T")]
    assert not aws.stack_exists(name)
    cs = cf_client(moto_server).describe_change_set(StackName=name, ChangeSetName=plan.change_set_name)
    assert cs["ExecutionStatus"] == "AVAILABLE"
    stack = aws.execute_change_set(name, plan.change_set_name)
    assert stack.status == "CREATE_COMPLETE" and [r.logical_id for r in stack.resources] == ["T"]


def test_delete_change_set_drops_the_review_stack(aws, unique):
    name = f"drop-{unique}"
    plan = aws.create_change_set(name, {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {})
    aws.delete_change_set(name, plan.change_set_name)
    with pytest.raises(StackNotFound):
        aws.describe_stack(name)


# --------------------------------------------------------------------------- what is sent
def test_direct_create_sends_every_option(aws_direct, unique, moto_server, recorder):
    import boto3

    topic = boto3.client("sns", endpoint_url=moto_server.endpoint, region_name="us-east-1").create_topic(
        Name=f"events-{unique}"
    )["TopicArn"]
    name = f"opts-{unique}"
    policy = {"Statement": [{"Effect": "Deny", "Action": "Update:Replace", "Principal": "*", "Resource": "*"}]}
    options = StackOptions(
        tags={"team": "infra", "cost": "42"},
        notification_arns=[topic],
        role_arn="arn:aws:iam::123456789012:role/cfn",
        timeout_minutes=7,
        termination_protection=True,
        stack_policy=policy,
        on_failure="DELETE",
    )
    tpl = {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {
        "RoleName": f"r-{unique}",
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]}}}}}
    stack = aws_direct.create_stack(name, tpl, {}, options)
    assert stack.tags == {"team": "infra", "cost": "42"}
    assert stack.termination_protection is True
    raw = aws_direct.describe_raw(name)
    assert raw["NotificationARNs"] == [topic]
    assert raw["RoleARN"] == "arn:aws:iam::123456789012:role/cfn"
    assert raw["TimeoutInMinutes"] == 7
    assert aws_direct.stack_policy(name) == policy
    (sent,) = recorder.requests("CreateStack")
    assert sent["params"]["OnFailure"] == "DELETE"
    assert members(sent["params"], "Capabilities") == ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]
    with pytest.raises(AwsError, match="termination protection"):
        aws_direct.delete_stack(name)
    assert aws_direct.stack_exists(name)


def test_change_set_create_sends_what_change_sets_carry(aws, unique, moto_server, recorder):
    import boto3

    topic = boto3.client("sns", endpoint_url=moto_server.endpoint, region_name="us-east-1").create_topic(
        Name=f"cs-events-{unique}"
    )["TopicArn"]
    name = f"csopts-{unique}"
    policy = {"Statement": [{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}
    options = StackOptions(
        tags={"team": "infra"}, notification_arns=[topic], role_arn="arn:aws:iam::123456789012:role/cfn",
        disable_rollback=True, stack_policy=policy,
    )
    stack = aws.create_stack(name, {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {}, options)
    assert stack.tags == {"team": "infra"}
    raw = aws.describe_raw(name)
    assert raw["NotificationARNs"] == [topic]
    assert raw["RoleARN"] == "arn:aws:iam::123456789012:role/cfn"
    assert aws.stack_policy(name) == policy  # SetStackPolicy after the change set ran
    (cs,) = recorder.requests("CreateChangeSet")
    assert cs["params"]["ChangeSetType"] == "CREATE"
    assert cs["params"]["OnStackFailure"] == "DO_NOTHING"
    assert key_values(cs["params"], "Tags") == {"team": "infra"}
    (ex,) = recorder.requests("ExecuteChangeSet")
    assert "DisableRollback" not in ex["params"], "AWS refuses it next to the change set's OnStackFailure"


def test_update_with_disable_rollback_is_sent_on_execute(aws, unique, recorder):
    name = f"norb-{unique}"
    aws.create_stack(name, {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {})
    new = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}, "Q": {"Type": "AWS::SQS::Queue"}}}
    aws.update_stack(name, new, {}, StackOptions(disable_rollback=True))
    _create, update = recorder.requests("CreateChangeSet")
    assert update["params"]["ChangeSetType"] == "UPDATE" and "OnStackFailure" not in update["params"]
    first, second = recorder.requests("ExecuteChangeSet")
    assert "DisableRollback" not in first["params"] and second["params"]["DisableRollback"] == "true"


def test_timeout_makes_a_create_use_create_stack(aws, unique, recorder):
    name = f"timeout-{unique}"
    aws.create_stack(name, {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {}, StackOptions(timeout_minutes=9))
    assert aws.describe_raw(name)["TimeoutInMinutes"] == 9
    assert recorder.requests("CreateChangeSet") == []
    assert recorder.requests("CreateStack")[0]["params"]["TimeoutInMinutes"] == "9"


def test_termination_protection_after_a_change_set_is_requested(aws, unique, recorder):
    """Change sets cannot carry termination protection, so it is set with
    UpdateTerminationProtection afterwards. moto does not implement that call (it answers
    500), so the request is checked on the wire and moto's refusal must surface as a
    clear error rather than a traceback."""
    name = f"protect-{unique}"
    with pytest.raises(AwsError, match="UpdateTerminationProtection"):
        aws.create_stack(name, {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {},
                         StackOptions(termination_protection=True))
    (sent,) = recorder.requests("UpdateTerminationProtection")
    assert sent["params"]["EnableTerminationProtection"] == "true"
    assert aws.describe_stack(name).status == "CREATE_COMPLETE"


def test_explicit_capabilities_win_over_detection(aws_direct, unique, recorder):
    name = f"caps-{unique}"
    aws_direct.create_stack(name, {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {},
                            StackOptions(capabilities=["CAPABILITY_AUTO_EXPAND"]))
    assert members(recorder.requests("CreateStack")[0]["params"], "Capabilities") == ["CAPABILITY_AUTO_EXPAND"]


# --------------------------------------------------------------------------- S3: large and nested
def big_template(n_bytes: int) -> dict:
    tpl = {"Resources": {}, "Outputs": {}}
    i = 0
    while len(json.dumps(tpl, separators=(",", ":"))) < n_bytes - 2_000:
        tpl["Resources"][f"Topic{i}"] = {"Type": "AWS::SNS::Topic", "Metadata": {"Note": "x" * 2_000}}
        i += 1
    size = len(json.dumps(tpl, separators=(",", ":")))
    tpl["Resources"]["Topic0"]["Metadata"]["Pad"] = "y" * (n_bytes - size - 10)
    return tpl


def test_large_template_goes_through_s3(aws, unique, recorder, moto_server, template_bucket):
    import boto3

    tpl = big_template(60_000)
    name = f"large-{unique}"
    stack = aws.create_stack(name, tpl, {})
    assert stack.status == "CREATE_COMPLETE" and len(stack.resources) == len(tpl["Resources"])
    (cs,) = recorder.requests("CreateChangeSet")
    assert "TemplateBody" not in cs["params"]
    url = cs["params"]["TemplateURL"]
    assert url.startswith(f"{moto_server.endpoint}/{template_bucket}/tests/{name}/template-")
    key = url.split(f"/{template_bucket}/", 1)[1]
    body = boto3.client("s3", endpoint_url=moto_server.endpoint, region_name="us-east-1").get_object(
        Bucket=template_bucket, Key=key)["Body"].read()
    assert len(body) > 51_200 and json.loads(body) == tpl
    assert aws.last_uploads == [url]


def test_small_template_stays_inline(aws, unique, recorder):
    aws.create_stack(f"small-{unique}", big_template(50_000), {})
    (cs,) = recorder.requests("CreateChangeSet")
    assert "IncludeNestedStacks" not in cs["params"]
    assert "TemplateURL" not in cs["params"] and len(cs["params"]["TemplateBody"].encode()) <= 51_200


def test_large_template_without_bucket_names_the_setting(make_aws, unique):
    provider = make_aws(bucket=None)
    with pytest.raises(BucketRequired) as info:
        provider.create_stack(f"nobucket-{unique}", big_template(52_000), {})
    text = str(info.value)
    assert "51,200" in text and "--bucket" in text and "sparkleform.toml" in text
    assert not provider.stack_exists(f"nobucket-{unique}")


def test_nested_stacks_are_uploaded_and_followed(aws, unique, moto_server, template_bucket, recorder):
    child = {
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"nested-{unique}"}}},
        "Outputs": {"Name": {"Value": {"Fn::GetAtt": ["Queue", "QueueName"]}}},
    }
    parent = {
        "Resources": {
            "Child": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "child.json"}},
        },
    }
    name = f"parent-{unique}"
    seen = []
    stack = aws.create_stack(name, parent, {}, StackOptions(nested_templates={"child.json": child}), on_event=seen.append)
    assert stack.status == "CREATE_COMPLETE"
    stored = aws.template_of(name)
    url = stored["Resources"]["Child"]["Properties"]["TemplateURL"]
    assert url.startswith(f"{moto_server.endpoint}/{template_bucket}/tests/{name}/child-")
    assert parent["Resources"]["Child"]["Properties"]["TemplateURL"] == "child.json", "input left unchanged"
    nested_id = next(r.physical_id for r in stack.resources if r.logical_id == "Child")
    (cs,) = recorder.requests("CreateChangeSet")
    assert cs["params"]["IncludeNestedStacks"] == "true", "AWS then plans the nested stacks' changes too"
    assert members(cs["params"], "Capabilities") == ["CAPABILITY_AUTO_EXPAND"]
    nested = aws.describe_stack(nested_id)
    assert [r.physical_id.rsplit("/", 1)[-1] for r in nested.resources] == [f"nested-{unique}"]
    # The nested stack's own events were fed to on_event with the parent's, in time order.
    assert {e.stack_name for e in seen} == {name, nested.name}
    assert seen == sorted(seen, key=lambda e: e.timestamp)
    # `events` (what `events --follow` polls) shows the nested stack's events with the parent's.
    history = aws.events(name)
    assert {e.event_id for e in seen} <= {e.event_id for e in history}
    assert {e.stack_name for e in history} == {name, nested.name}


def test_nested_template_without_bucket_or_unknown(make_aws, unique):
    parent = {"Resources": {"Child": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "c.json"}}}}
    with pytest.raises(BucketRequired, match="nested stack Child"):
        make_aws(bucket=None).create_stack(f"nb-{unique}", parent, {},
                                           StackOptions(nested_templates={"c.json": {"Resources": {}}}))
    with pytest.raises(TemplateError, match="neither a URL nor a nested template"):
        make_aws().create_stack(f"nb2-{unique}", parent, {})


# --------------------------------------------------------------------------- failures, errors, waiting
def test_template_error_is_a_template_error(aws, unique):
    bad = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": ["Nope", "Arn"]}}}}}
    with pytest.raises(TemplateError, match="undefined resource Nope") as info:
        aws.create_stack(f"bad-{unique}", bad, {})
    assert info.value.path == "Resources.Q" and str(info.value).endswith("(at Resources.Q)")
    assert not aws.stack_exists(f"bad-{unique}")


def test_ctrl_c_stops_waiting_and_leaves_the_stack_alone(aws, unique, recorder):
    name = f"intr-{unique}"

    def interrupt(event):
        raise KeyboardInterrupt

    with pytest.raises(WaitInterrupted) as info:
        aws.create_stack(name, {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {}, on_event=interrupt)
    assert f"sparkleform events {name} --follow" in str(info.value)
    assert info.value.exit_code == 130
    touched = {r["action"] for r in recorder.requests()} & {"DeleteStack", "CancelUpdateStack", "DeleteChangeSet"}
    assert touched == set()
    assert aws.describe_stack(name).status == "CREATE_COMPLETE"


def test_ctrl_c_while_a_stack_is_in_progress(aws, unique):
    """A stack held in REVIEW_IN_PROGRESS never settles: the watcher keeps polling until
    the (simulated) Ctrl-C arrives in its sleep, then says how to resume."""
    from sparkleform.providers.aws_wait import StackWatcher

    name = f"pending-{unique}"
    plan = aws.create_change_set(name, {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {})
    stack_id = aws.describe_raw(name)["StackId"]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 4:
            raise KeyboardInterrupt

    watcher = StackWatcher(aws.cf, stack_id, name, None, aws.intervals, sleep=sleep)
    with pytest.raises(WaitInterrupted, match=f"sparkleform events {name} --follow"):
        watcher.wait("create")
    assert sleeps == sorted(sleeps) and sleeps[-1] > sleeps[0], "intervals back off"
    assert max(sleeps) <= aws.intervals.longest
    assert aws.describe_raw(name)["StackStatus"] == "REVIEW_IN_PROGRESS"
    assert aws.execute_change_set(name, plan.change_set_name).status == "CREATE_COMPLETE"


def test_recover_stable_and_unfixable_states(aws, unique):
    name = f"rec-{unique}"
    aws.create_stack(name, {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {})
    assert aws.recover(name).status == "CREATE_COMPLETE"
    review = f"rec2-{unique}"
    aws.create_change_set(review, {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {})
    with pytest.raises(AwsError, match="never executed"):
        aws.recover(review)


def test_exports_and_outputs_direct(aws_direct, unique):
    name = f"exp-{unique}"
    stack = aws_direct.create_stack(name, queue_template(f"eq-{unique}", export=f"ex-{unique}"), {"Secret": "s"})
    assert stack.output_map() == {"QueueName": f"eq-{unique}"}
    assert stack.outputs[0].export_name == f"ex-{unique}"
    assert aws_direct.exports()[f"ex-{unique}"] == f"eq-{unique}"


def test_failed_change_set_cleans_up_review_stack(aws, unique):
    """An import of a missing export fails; the provider reports it as an operation failure
    or as AWS's validation error, and never leaves a half-made review stack behind."""
    tpl = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::ImportValue": f"none-{unique}"}}}}}
    with pytest.raises((OperationFailed, AwsError), match=f"No export named none-{unique}"):
        aws.create_stack(f"imp-{unique}", tpl, {})
    with pytest.raises(StackNotFound):
        aws.describe_stack(f"imp-{unique}")


def test_no_wait_returns_at_once_and_still_applies_the_policy(aws, unique, recorder):
    name = f"nowait-{unique}"
    policy = {"Statement": [{"Effect": "Deny", "Action": "Update:Delete", "Principal": "*", "Resource": "*"}]}
    stack = aws.create_stack(name, {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {},
                             StackOptions(stack_policy=policy), wait=False)
    assert stack.name == name and stack.stack_id.startswith("arn:aws:cloudformation:")
    assert recorder.requests("DescribeStackEvents")[1:] == [], "no waiting: only the mark before executing"
    assert aws.stack_policy(name) == policy


# --------------------------------------------------------------------------- IAM enforced by moto
@pytest.fixture
def enforce_auth(moto_server):
    """Turns on moto's IAM enforcement (every request signed by a known key and allowed by
    its policies) for the rest of the test; off again afterwards."""
    yield lambda: moto_server.api("reset-auth", b"0")
    moto_server.api("reset-auth", b"inf")


def test_access_denied_names_the_action_and_bad_keys_are_rejected(make_aws, moto_server, monkeypatch, unique,
                                                                  enforce_auth):
    import boto3

    iam = boto3.client("iam", endpoint_url=moto_server.endpoint, region_name="us-east-1")
    user = f"reader-{unique}"
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["cloudformation:Describe*", "cloudformation:List*"],
                       "Resource": "*"}],
    }))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    enforce_auth()
    monkeypatch.delenv("AWS_SESSION_TOKEN")
    monkeypatch.delenv("AWS_SECURITY_TOKEN")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    reader = make_aws()
    assert isinstance(reader.list_stacks(), list)
    with pytest.raises(AwsError) as info:
        reader.create_stack(f"denied-{unique}", {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {})
    text = str(info.value)
    assert type(info.value).__name__ == "AwsAccessDenied"
    assert text.startswith(f"access denied: cloudformation:CreateChangeSet on stack denied-{unique}")
    assert "\n" not in text

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUNKNOWN000000000")
    with pytest.raises(AwsCredentialsError, match="rejected the credentials for cloudformation:ListStacks"):
        make_aws().list_stacks()


def test_profile_supplies_keys_and_region(make_aws, monkeypatch, tmp_path, unique):
    """boto3's own chain: a named profile in the config/credentials files gives the keys and
    the region; nothing of sparkleform's is involved."""
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("[profile dev]\nregion = eu-west-1\n")
    credentials.write_text("[dev]\naws_access_key_id = devkey\naws_secret_access_key = devsecret\n")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    dev = make_aws(profile="dev", region=None)
    name = f"prof-{unique}"
    stack = dev.create_stack(name, {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {})
    assert dev.region_name == "eu-west-1"
    assert stack.stack_id.startswith("arn:aws:cloudformation:eu-west-1:")
    assert dev.session.get_credentials().access_key == "devkey"
    assert not make_aws(profile="dev", region="us-east-1").stack_exists(name)
