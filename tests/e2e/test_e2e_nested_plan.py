"""`plan` shows what changes inside nested stacks: on the local engine each modified nested
stack is planned from its new template and the parameters the parent resolved, against its
current state (AWS does the same with IncludeNestedStacks); its rows follow the parent's,
their logical ids prefixed with the nested stack's path (`Tuning/Tuned/Queue`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from e2e_support import AWS_ENV, Cli, project_copy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "providers"))

import _motoserver

from sparkleform.contract import NO_CHANGES


@pytest.fixture
def project(tmp_path: Path) -> Cli:
    pytest.importorskip("sparkleform.providers.local")
    return project_copy("tuning", tmp_path)


def test_plan_shows_the_changes_inside_nested_stacks(project):
    # before the stack exists: what each nested stack would add, at any depth
    added = project.json("plan", "tn", "deep_tuning", "-p", "Delay=1")
    assert [(c["Action"], c["LogicalResourceId"]) for c in added["Changes"]] == [
        ("Add", "Tuning"), ("Add", "Tuning/Tuned"), ("Add", "Tuning/Tuned/Queue"), ("Add", "Tuning/Tuned/Topic"),
        ("Add", "Tuning/Log")]
    assert project.json("list-stacks") == []
    project.run("create", "tn", "deep_tuning", "-p", "Delay=1")
    text = project.run("plan", "tn", "deep_tuning", "-p", "Delay=5").stdout
    lines = [line.split() for line in text.splitlines()]
    rows = [(w[1], w[2]) for w in lines if w[:1] == ["~"]]
    # the parent's row first, then each child's, then the grandchild's
    assert rows == [("Modify", "Tuning"), ("Modify", "Tuning/Tuned"), ("Modify", "Tuning/Tuned/Queue")]
    assert "DelaySeconds: 1 → 5" in text
    planned = project.json("plan", "tn", "deep_tuning", "-p", "Delay=5")
    queue = next(c for c in planned["Changes"] if c["LogicalResourceId"] == "Tuning/Tuned/Queue")
    assert queue["ResourceType"] == "AWS::SQS::Queue" and queue["Causes"] == ["DelaySeconds"]
    assert "-Tuned-" in queue["PhysicalResourceId"]
    assert planned["Review"]["Properties"]["Tuning/Tuned/Queue"][0]["After"] == "5"
    # the Topic beside the queue does not change, and nothing was applied
    assert not any(c["LogicalResourceId"].endswith("/Topic") for c in planned["Changes"])
    again = project.json("plan", "tn", "deep_tuning", "-p", "Delay=1")
    assert again["Changes"] == [] and again["StatusReason"] == NO_CHANGES
    # what the plan showed is what the update does inside
    project.run("update", "tn", "deep_tuning", "-p", "Delay=5", "--yes")
    listed = [s["StackName"] for s in project.json("list-stacks")]
    tuned = next(n for n in listed if "-Tuned-" in n)
    described = project.json("describe", tuned)
    assert {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]}["Delay"] == "5"


def test_the_group_plan_lists_what_nested_stacks_add(project):
    (project.cwd / "sparkleform.toml").write_text('[stacks.tn]\ntemplate = "deep_tuning"\nparameters = { Delay = "1" }\n')
    (planned,) = project.json("plan", "--group")
    assert [c["LogicalResourceId"] for c in planned["Plan"]["Changes"]] == [
        "Tuning", "Tuning/Tuned", "Tuning/Tuned/Queue", "Tuning/Tuned/Topic", "Tuning/Log"]
    project.run("up")
    (again,) = project.json("plan", "--group")
    assert again["Action"] == "update" and again["Plan"]["Changes"] == []


def test_plan_through_the_aws_provider_asks_for_the_nested_change_sets(project):
    pytest.importorskip("boto3")
    server = _motoserver.acquire()
    try:
        _motoserver.ensure_bucket(server, "nesting-templates")
        aws = ("--provider", "aws", "--endpoint-url", server.endpoint, "--region", "us-east-1")
        project.run(*aws, "create", "tn-aws", "deep_tuning", "-p", "Delay=1", "--bucket", "nesting-templates",
                    env=AWS_ENV)
        server.start_recording()
        try:
            project.run(*aws, "plan", "tn-aws", "deep_tuning", "-p", "Delay=5", "--bucket", "nesting-templates",
                        env=AWS_ENV)
        finally:
            recorded = server.stop_recording()
        (made,) = [r for r in recorded if r["action"] == "CreateChangeSet"]
        assert made["params"]["IncludeNestedStacks"] == "true"
        # moto_server makes no nested change sets (AWS does; the provider then reads each one and
        # shows its rows as `Tuning/Tuned/Queue`): the plan is left for the parent's own rows
        json.loads(project.run(*aws, "plan", "tn-aws", "deep_tuning", "-p", "Delay=5", "--bucket",
                               "nesting-templates", "--output", "json", env=AWS_ENV).stdout)
    finally:
        _motoserver.release()
