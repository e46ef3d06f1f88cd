"""Hooks of sparkleform.toml around create / update / destroy (project-wide and per stack),
with the stack name, status and outputs in the environment, and on_failure; through the CLI
on the local engine and through the AWS provider on moto_server."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from e2e_support import AWS_ENV, Cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "providers"))

import _motoserver

TOPIC = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"TopicArn": {"Value": {"Ref": "Topic"}}}}
BROKEN = json.loads((Path(__file__).parent / "data" / "failing.json").read_text())  # fails on the local engine
LOG = 'echo "$SPARKLEFORM_EVENT $SPARKLEFORM_STACK $SPARKLEFORM_STATUS $SPARKLEFORM_OUTPUT_TopicArn" >> hooks.log'

TOML = f"""
[hooks]
after_create = '{LOG}'
after_destroy = '{LOG}'
on_failure = '{LOG}'

[stacks.topic]
template = "topic.json"

[stacks.topic.hooks]
before_update = '{LOG}'
after_update = 'echo "$SPARKLEFORM_OUTPUTS" > outputs.json'

[stacks.guarded]
template = "topic.json"

[stacks.guarded.hooks]
before_create = "exit 3"
"""


@pytest.fixture
def project(tmp_path: Path) -> Cli:
    pytest.importorskip("sparkleform.providers.local")
    (tmp_path / "sparkleform.toml").write_text(TOML)
    (tmp_path / "topic.json").write_text(json.dumps(TOPIC))
    (tmp_path / "broken.json").write_text(json.dumps(BROKEN))
    return Cli(cwd=tmp_path, state=tmp_path / "state" / "state.db")


@pytest.mark.parametrize("where", ["local", "aws"])
def test_hooks_run_around_operations(project, where):
    aws: tuple[str, ...] = ()
    env = None
    if where == "aws":
        pytest.importorskip("boto3")
        server = _motoserver.acquire()
        aws, env = ("--provider", "aws", "--endpoint-url", server.endpoint, "--region", "us-east-1"), AWS_ENV
    try:
        def run(*args, check=0):
            return project.run(*aws, *args, check=check, env=env)

        run("create", "topic")
        run("update", "topic", "--tags", "team=ops", "--yes")
        log = (project.cwd / "hooks.log").read_text().splitlines()
        assert log[0].startswith("after_create topic CREATE_COMPLETE ")
        assert log[1] == "before_update topic  "
        assert "TopicArn" in json.loads((project.cwd / "outputs.json").read_text())
        # a failing before_ hook stops the operation before anything is made
        refused = run("create", "guarded", check=2)
        assert "before_create hook of stack guarded failed (exit 3)" in refused.stderr
        assert "guarded" not in run("list-stacks").stdout
        if where == "local":  # (the failure is injected by a local-engine metadata key)
            failed = run("create", "broken", "broken.json", check=None)
            assert failed.returncode != 0
            assert any(line.startswith("on_failure broken ") for line in (project.cwd / "hooks.log").read_text().splitlines())
        run("destroy", "topic", "--yes")
        assert (project.cwd / "hooks.log").read_text().splitlines()[-1].startswith("after_destroy topic DELETE_COMPLETE")
    finally:
        if where == "aws":
            _motoserver.release()


def test_unknown_hook_is_a_config_error(project):
    (project.cwd / "sparkleform.toml").write_text('[hooks]\nafter_creat = "true"\n')
    bad = project.run("list-stacks", check=2)
    assert "unknown hook(s) after_creat" in bad.stderr


def test_a_packs_python_hook_through_its_entry_point(project, tmp_path):
    """A pack's hook, found through the `sparkleform.hooks` entry point of an installed
    distribution (a dist-info folder on the subprocess's path)."""
    import os

    site = tmp_path / "site"
    (site / "packhooks-0.1.dist-info").mkdir(parents=True)
    (site / "packhooks-0.1.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: packhooks\nVersion: 0.1\n")
    (site / "packhooks-0.1.dist-info" / "entry_points.txt").write_text("[sparkleform.hooks]\nrecord = packhooks:record\n")
    (site / "packhooks.py").write_text(
        "def record(event, stack, status, outputs):\n"
        "    with open('py-hooks.log', 'a') as f:\n"
        "        f.write(f'{event} {stack} {status} {sorted(outputs)}\\n')\n")
    path = os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    project.run("create", "topic", env={"PYTHONPATH": path})
    lines = (project.cwd / "py-hooks.log").read_text().splitlines()
    assert lines == ["before_create topic  []", "after_create topic CREATE_COMPLETE ['TopicArn']"]
