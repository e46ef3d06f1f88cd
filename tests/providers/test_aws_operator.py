"""AWS path details through the CLI and the provider on moto_server: create and update without
change sets (`--no-change-sets`, `change_sets = false`), which moto needs for outputs and
`--apply-stack`; and a failed cleanup reported after the error that caused it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import cli_inprocess
from sparkleform.contract import StackOptions
from sparkleform.providers import aws_errors

BASE = {
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    "Outputs": {"TopicArn": {"Value": {"Ref": "Topic"}}},
}
APP = {
    "Parameters": {"TopicArn": {"Type": "String"}},
    "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
    "Outputs": {"UsedTopic": {"Value": {"Ref": "TopicArn"}}},
}


def sf(cwd, endpoint, *args, check=0):
    """`sparkleform --provider aws ... ARGS` on moto: a real subprocess for the first call of each
    verb in the session, the same entry point in-process after that (tests/cli_inprocess.py)."""
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    proc = cli_inprocess.run(["--provider", "aws", "--endpoint-url", endpoint, "--region", "us-east-1", *args],
                             cwd, env, check=check)
    assert proc.returncode == check, proc.stdout + proc.stderr
    return proc


@pytest.fixture
def folder(tmp_path, moto_server):
    (tmp_path / "base.json").write_text(json.dumps(BASE))
    (tmp_path / "app.json").write_text(json.dumps(APP))
    return tmp_path


def test_no_change_sets_gives_outputs_for_apply_stack(folder, moto_server, unique):
    ep = moto_server.endpoint
    base, app = f"base-{unique}", f"app-{unique}"
    # through change sets moto registers no outputs: --apply-stack has nothing to wire
    sf(folder, ep, "create", f"{base}-cs", "base.json")
    assert json.loads(sf(folder, ep, "outputs", f"{base}-cs", "--output", "json").stdout) == {}
    # without change sets (the flag, after the verb too) the outputs are there
    sf(folder, ep, "create", base, "base.json", "--no-change-sets")
    arn = json.loads(sf(folder, ep, "outputs", base, "--output", "json").stdout)["TopicArn"]
    assert arn.startswith("arn:aws:sns:us-east-1:")
    made = sf(folder, ep, "--no-change-sets", "create", app, "app.json", "--apply-stack", base)
    assert f"parameter TopicArn = {arn}  (from output TopicArn of stack {base})" in made.stdout
    assert json.loads(sf(folder, ep, "outputs", app, "--output", "json", "--no-change-sets").stdout) == {
        "UsedTopic": arn}
    # and from sparkleform.toml, for update (plan, ask, UpdateStack)
    (folder / "sparkleform.toml").write_text("change_sets = false\n")
    template = {**APP, "Outputs": {**APP["Outputs"], "Again": {"Value": {"Ref": "TopicArn"}}},
                "Resources": {**APP["Resources"], "Dlq": {"Type": "AWS::SQS::Queue"}}}
    (folder / "app2.json").write_text(json.dumps(template))
    updated = sf(folder, ep, "update", app, "app2.json", "--yes")
    assert "+ Add     Dlq" in updated.stdout and "UPDATE_COMPLETE" in updated.stdout
    assert json.loads(sf(folder, ep, "outputs", app, "--output", "json").stdout) == {"UsedTopic": arn, "Again": arn}


def test_a_failed_cleanup_is_reported_after_the_original_error(make_aws, unique):
    """Fault injection on top of moto_server: ExecuteChangeSet refused, then the DeleteStack
    of the empty REVIEW_IN_PROGRESS stack refused (moto raises neither on its own)."""
    provider = make_aws()
    real_call = provider._call

    def call(operation, *args, **kwargs):
        if operation == "ExecuteChangeSet":
            raise aws_errors.StackStateRefused("ExecuteChangeSet refused: the role cannot be assumed (injected)")
        if operation == "DeleteStack":
            raise aws_errors.AwsError("DependencyViolation: resource sg-1 has a dependent object (injected)")
        return real_call(operation, *args, **kwargs)

    provider._call = call
    with pytest.raises(aws_errors.StackStateRefused) as caught:
        provider.create_stack(f"clean-{unique}", BASE, {}, StackOptions())
    text = str(caught.value)
    assert text.splitlines()[0] == "ExecuteChangeSet refused: the role cannot be assumed (injected)"
    assert "cleaning up the empty stack" in text and "DependencyViolation" in text
    assert text.index("ExecuteChangeSet refused") < text.index("DependencyViolation")


def test_drift_on_moto_server_and_locally(folder, moto_server, unique, tmp_path):
    ep = moto_server.endpoint
    name = f"drift-{unique}"
    sf(folder, ep, "create", name, "base.json", "--no-change-sets")
    # moto_server does not implement DetectStackDrift (an HTML 500): a clear error, no traceback
    refused = sf(folder, ep, "drift", name, check=2)
    assert "DetectStackDrift" in refused.stderr and "may not implement this operation" in refused.stderr
    assert "Traceback" not in refused.stderr
    # the local engine: one line
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPARKLEFORM_")}
    local = [sys.executable, "-m", "sparkleform.cli.main", "--state", str(tmp_path / "s.db")]
    subprocess.run([*local, "create", "web", str(folder / "base.json")], check=True, capture_output=True, env=env)
    out = subprocess.run([*local, "drift", "web"], capture_output=True, text=True, env=env, check=True).stdout
    assert out == "the local engine has no drift: it is the only writer of the resources it keeps\n"
    missing = subprocess.run([*local, "drift", "nope"], capture_output=True, text=True, env=env)
    assert missing.returncode == 2 and "nope" in missing.stderr
