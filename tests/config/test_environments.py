"""Environments in sparkleform.toml (`--env prod`: [env.prod] over the base, or a file
sparkleform.prod.toml), per-stack options, and `sparkleform config` saying where each value
came from; all through the CLI on the local engine."""

from __future__ import annotations

import json

import pytest

import cli_inprocess

TEMPLATE = {
    "Parameters": {"Env": {"Type": "String"}},
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "web-${Env}"}}}},
    "Outputs": {"Env": {"Value": {"Ref": "Env"}}},
}
CONFIG = """region = "us-east-1"

[stacks.web]
template = "web.json"
parameters = { Env = "dev" }
termination_protection = false

[stacks.edge]
template = "web.json"
parameters = { Env = "edge" }
region = "eu-central-1"
capabilities = ["CAPABILITY_IAM"]

[env.prod]
region = "us-west-2"

[env.prod.stacks.web]
termination_protection = true

[env.prod.stacks.web.parameters]
Env = "prod"
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "web.json").write_text(json.dumps(TEMPLATE))
    (tmp_path / "sparkleform.toml").write_text(CONFIG)
    (tmp_path / "sparkleform.staging.toml").write_text('[stacks.web.parameters]\nEnv = "staging"\n')
    return tmp_path


def sf(cwd, *args, check=0):
    """The real CLI: a subprocess for the first call of each verb in the session, in-process
    after that (tests/cli_inprocess.py)."""
    proc = cli_inprocess.run(args, cwd, check=check)
    assert proc.returncode == check, proc.stdout + proc.stderr
    return proc


def test_env_layer_reaches_the_stack(project):
    sf(project, "--state", "dev.db", "create", "web")
    sf(project, "--env", "prod", "--state", "prod.db", "create", "web")
    sf(project, "--state", "staging.db", "create", "web", "--env", "staging")  # after the verb too
    (project / "sparkleform.dev.toml").write_text("")  # an empty layer: the base as it is
    for state, env, protected in (("dev.db", "dev", False), ("prod.db", "prod", True), ("staging.db", "staging", False)):
        described = json.loads(sf(project, "--env", env, "--state", state, "describe", "web", "--output", "json").stdout)
        assert {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]} == {"Env": env}
        assert described["EnableTerminationProtection"] is protected
        region = "us-west-2" if env == "prod" else "us-east-1"
        assert described["StackId"].startswith(f"arn:aws:cloudformation:{region}:")
    # a stack's own region wins over the configuration's
    sf(project, "--state", "dev.db", "create", "edge")
    edge = json.loads(sf(project, "--state", "dev.db", "describe", "edge", "--output", "json").stdout)
    assert edge["StackId"].startswith("arn:aws:cloudformation:eu-central-1:")
    # termination protection from the prod layer refuses the delete
    refused = sf(project, "--env", "prod", "--state", "prod.db", "destroy", "web", "--yes", check=2)
    assert "termination protection" in refused.stderr.lower() or "TerminationProtection" in refused.stderr


def test_config_says_where_each_value_came_from(project):
    text = sf(project, "--env", "prod", "config").stdout
    lines = {line.split(" = ")[0]: line for line in text.splitlines() if " = " in line}
    assert lines["region"].split("#")[1].strip() == "sparkleform.toml [env.prod]"
    assert lines["stacks.web.parameters.Env"].split("#")[1].strip() == "sparkleform.toml [env.prod]"
    assert lines["stacks.web.template"].split("#")[1].strip() == "sparkleform.toml"
    data = json.loads(sf(project, "--env", "staging", "config", "--output", "json", "--region", "eu-north-1").stdout)
    assert data["Settings"]["stacks.web.parameters.Env"] == {"Value": "staging", "Source": "sparkleform.staging.toml"}
    assert data["Settings"]["region"] == {"Value": "eu-north-1", "Source": "--region"}


def test_an_unknown_environment_names_the_known_ones(project):
    proc = sf(project, "--env", "qa", "config", check=2)
    assert "no environment 'qa'" in proc.stderr and "known environments: prod, staging" in proc.stderr
