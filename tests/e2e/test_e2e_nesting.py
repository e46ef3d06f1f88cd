"""Nested stacks wired as SparkleFormation's deep nesting does it, through the CLI, on the
local engine and through the AWS provider against moto_server.

The project (data/nesting): root -> infrastructure -> networking (output Subnet) and
root -> applications -> moneymaker (parameters Subnet, Environment); networking also takes
Environment. Nothing in the templates wires a parameter by hand.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from e2e_support import AWS_ENV, Cli, project_copy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "providers"))

import _motoserver


@pytest.fixture
def project(tmp_path: Path) -> Cli:
    pytest.importorskip("sparkleform.providers.local")
    return project_copy("nesting", tmp_path)


@pytest.fixture(scope="module")
def moto():
    pytest.importorskip("boto3")
    server = _motoserver.acquire()
    yield server
    _motoserver.release()


def _compiled(cli: Cli, *extra: str) -> dict[str, dict]:
    cli.run(*extra, "compile", "root", "-o", "out/root.json")
    out = cli.cwd / "out"
    return {p.name: json.loads(p.read_text()) for p in out.iterdir()}


def test_deep_nesting_wires_across_branches(project):
    files = _compiled(project)
    root = files["root.json"]
    apps = root["Resources"]["Applications"]["Properties"]["Parameters"]
    # the output climbs out of infrastructure and is passed down into applications
    assert apps["Subnet"] == {"Fn::GetAtt": ["Infrastructure", "Outputs.Subnet"]}
    infra = files["root-Infrastructure.template"]
    assert infra["Outputs"]["Subnet"]["Value"] == {"Fn::GetAtt": ["Networking", "Outputs.Subnet"]}
    applications = files["root-Applications.template"]
    assert applications["Resources"]["Moneymaker"]["Properties"]["Parameters"]["Subnet"] == {"Ref": "Subnet"}
    assert "Subnet" in applications["Parameters"]
    # Environment is output by nobody: it bubbles to the root, which passes it to both branches
    assert list(root["Parameters"]) == ["Environment"]
    assert infra["Resources"]["Networking"]["Properties"]["Parameters"] == {"Environment": {"Ref": "Environment"}}


def test_shallow_and_none_modes(project):
    shallow = _compiled(project, "--apply-nesting", "shallow")["root.json"]
    # no cross-branch outputs: Subnet becomes a root parameter
    assert sorted(shallow["Parameters"]) == ["Environment", "Subnet"]
    assert shallow["Resources"]["Applications"]["Properties"]["Parameters"]["Subnet"] == {"Ref": "Subnet"}
    (project.cwd / "sparkleform.toml").write_text('apply_nesting = "none"\n')
    shutil.rmtree(project.cwd / "out")
    none = _compiled(project)["root.json"]
    # as t.nest wrote it: each level bubbles its children's parameters, nothing crosses branches
    assert none["Resources"]["Applications"]["Properties"]["Parameters"]["Subnet"] == {"Ref": "Subnet"}
    # the flag beats the file
    shutil.rmtree(project.cwd / "out")
    deep = _compiled(project, "--apply-nesting", "deep")["root.json"]
    assert deep["Resources"]["Applications"]["Properties"]["Parameters"]["Subnet"] == {
        "Fn::GetAtt": ["Infrastructure", "Outputs.Subnet"]}
    (project.cwd / "sparkleform.toml").write_text('apply_nesting = "sideways"\n')
    bad = project.run("compile", "root", check=2)
    assert "apply_nesting must be deep, shallow or none" in bad.stderr


def _nested_outputs(cli: Cli, *aws: str, env=None, prefix: str = "") -> dict[str, dict]:
    """{stack name: {output: value}} of every stack the provider lists whose name starts with
    `prefix` (moto_server is shared by the session: it lists every other test's stacks too)."""
    listed = json.loads(cli.run(*aws, "list-stacks", "--output", "json", env=env).stdout)
    return {
        s["StackName"]: json.loads(cli.run(*aws, "outputs", s["StackName"], "--output", "json", env=env).stdout)
        for s in listed if s["StackName"].startswith(prefix)
    }


def _check_created(outputs: dict[str, dict]) -> None:
    networking = next(v for k, v in outputs.items() if "-Networking-" in k)
    moneymaker = next(v for k, v in outputs.items() if "-Moneymaker-" in k)
    assert networking["Subnet"].startswith("subnet-")
    assert moneymaker["QueueSubnet"] == networking["Subnet"]


def test_validate_and_create_on_the_local_engine(project):
    checked = project.run("validate", "root")
    assert "0 errors" in checked.stdout
    created = project.run("create", "app", "root", "-p", "Environment=dev")
    assert "CREATE_COMPLETE" in created.stdout
    _check_created(_nested_outputs(project))
    _check_tree_in_describe_and_events(project)
    _check_inspect_walks_the_tree(project)
    _check_layer_on_nested_outputs(project)


def _check_inspect_walks_the_tree(cli: Cli, name: str = "app", *aws: str, env=None) -> None:
    """`inspect` lists the nested stacks' resources by path, holds each nested stack's
    document under its resource, and `--attribute` reaches through them."""
    text = cli.run(*aws, "inspect", name, env=env).stdout
    assert "Infrastructure/Networking/Subnet" in text and "Applications/Moneymaker/" in text
    document = json.loads(cli.run(*aws, "inspect", name, "--output", "json", env=env).stdout)
    networking = document["Resources"]["Infrastructure"]["Stack"]["Resources"]["Networking"]["Stack"]
    subnet = networking["Resources"]["Subnet"]
    assert subnet["Type"] == "AWS::EC2::Subnet" and subnet["PhysicalResourceId"].startswith("subnet-")
    vpc = networking["Resources"]["Vpc"]["PhysicalResourceId"]
    assert cli.run(*aws, "inspect", name, "-a", "Infrastructure.Networking.Subnet.VpcId", env=env).stdout.strip() == vpc
    assert cli.run(*aws, "inspect", name, "-a", "Infrastructure.Networking.Vpc", "--output", "json",
                   env=env).stdout.count(vpc) >= 1
    missing = cli.run(*aws, "inspect", name, "-a", "Infrastructure.Nothing.X", check=2, env=env)
    assert "resources of its nested stack: Networking" in missing.stderr and "Traceback" not in missing.stderr


def _check_tree_in_describe_and_events(cli: Cli) -> None:
    text = cli.run("describe", "app").stdout
    for path in ("Infrastructure", "Infrastructure/Networking", "Applications", "Applications/Moneymaker"):
        assert f"== nested stack {path}\n" in text
    only_outputs = cli.run("describe", "app", "--outputs").stdout
    assert "QueueSubnet" in only_outputs and "RESOURCE" not in only_outputs and "PARAMETER" not in only_outputs
    tree = json.loads(cli.run("describe", "app", "--resources", "--output", "json").stdout)
    assert [n["Path"] for n in tree["NestedStacks"]] == [
        "Infrastructure", "Infrastructure/Networking", "Applications", "Applications/Moneymaker"]
    assert "Outputs" not in tree["NestedStacks"][1]
    assert {r["LogicalResourceId"] for r in tree["NestedStacks"][1]["Resources"]} == {"Vpc", "Subnet"}
    events = json.loads(cli.run("events", "app", "--output", "json").stdout)
    rows = cli.run("events", "app").stdout.splitlines()
    # the nested stacks' events are merged in, in the order they happened, as child-stack/LogicalId
    assert any("-Networking-" in line and "/Subnet " in line for line in rows)
    assert "CREATE_COMPLETE" in rows[-1] and " app " in rows[-1]
    assert len(events) == len(rows)


def test_create_through_the_aws_provider(project, moto):
    _motoserver.ensure_bucket(moto, "nesting-templates")
    aws = ("--provider", "aws", "--endpoint-url", moto.endpoint, "--region", "us-east-1")
    created = project.run(*aws, "create", "deep-app", "root", "-p", "Environment=dev",
                          "--bucket", "nesting-templates", env=AWS_ENV)
    assert "CREATE_COMPLETE" in created.stdout
    mine = _nested_outputs(project, *aws, env=AWS_ENV, prefix="deep-app")
    _check_created(mine)
    _check_inspect_walks_the_tree(project, "deep-app", *aws, env=AWS_ENV)
    _check_layer_on_nested_outputs(project, "deep-app", *aws, env=AWS_ENV)


def _check_layer_on_nested_outputs(cli: Cli, lower: str = "app", *aws: str, env=None) -> None:
    """A layer applied on the nested project: Subnet exists only as an output of the nested
    stack networking (two levels down), and --apply-stack finds it there."""
    outputs = _nested_outputs(cli, *aws, env=env, prefix=lower)
    subnet = next(v for k, v in outputs.items() if "-Networking-" in k)["Subnet"]
    layer = f"{lower}-consumer"
    created = cli.run(*aws, "create", layer, "consumer", "--apply-stack", lower, env=env)
    assert "CREATE_COMPLETE" in created.stdout
    described = json.loads(cli.run(*aws, "describe", layer, "--output", "json", env=env).stdout)
    params = {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]}
    assert params["Subnet"] == subnet


def test_validate_name_runs_the_nested_parameter_check(project):
    """`validate NAME` reports SF2011 as `validate FILE` of the same compiled template does
    (with the wiring off, a nested stack written by hand on a compiled nested template has no
    parameters)."""
    by_name = project.run("--apply-nesting", "none", "validate", "twice", check=1)
    assert "Resources.Spare.Properties" in by_name.stdout
    assert "needs the parameter(s) Environment" in by_name.stdout and "[SF2011]" in by_name.stdout
    project.run("--apply-nesting", "none", "compile", "twice", "-o", "out/twice.json")
    by_file = project.run("validate", "out/twice.json", check=1)
    assert "[SF2011]" in by_file.stdout and "needs the parameter(s) Environment" in by_file.stdout
    # wired deep, the hand-written stack gets its parameter too
    assert "0 errors" in project.run("validate", "twice").stdout


@pytest.mark.parametrize("where", ["local", "aws"])
def test_compile_time_parameters_are_kept_with_the_stack(project, where, request):
    aws: tuple[str, ...] = ()
    env = None
    if where == "aws":
        moto = request.getfixturevalue("moto")
        aws, env = ("--provider", "aws", "--endpoint-url", moto.endpoint, "--region", "us-east-1"), AWS_ENV
    name = f"ctps-{where}"

    def run(*args, check=0):
        return project.run(*aws, *args, check=check, env=env)

    run("create", name, "ctp", "--set", "number_of_nodes=3")
    # no --set: the plan starts from what the stack was built with, so nothing changes
    assert "The submitted information didn't contain changes." in run("plan", name, "ctp").stdout
    described = run("describe", name).stdout
    assert "COMPILE PARAMETER" in described and "number_of_nodes    3" in described
    # --set overrides, and the new value is what the stack keeps from then on
    planned = run("plan", name, "ctp", "--set", "number_of_nodes=2").stdout
    removed = [line.split()[2] for line in planned.splitlines() if line.startswith("- Remove")]
    assert removed == ["Node2"]  # (moto's change sets also list the kept queues as Modify)
    run("update", name, "ctp", "--set", "number_of_nodes=2", "--yes")
    kept = json.loads(run("describe", name, "--output", "json").stdout)
    assert kept["CompileParameters"] == {"number_of_nodes": "2"}
    assert sorted(r["LogicalResourceId"] for r in kept["Resources"]) == ["Node0", "Node1"]
    assert "The submitted information didn't contain changes." in run("plan", name, "ctp").stdout


@pytest.mark.parametrize("where", ["local", "aws"])
def test_tag_only_and_policy_only_updates_are_applied(project, where, request):
    aws: tuple[str, ...] = ()
    env = None
    if where == "aws":
        moto = request.getfixturevalue("moto")
        aws, env = ("--provider", "aws", "--endpoint-url", moto.endpoint, "--region", "us-east-1"), AWS_ENV
    name = f"tagged-{where}"

    def run(*args, check=0):
        return project.run(*aws, *args, check=check, env=env)

    run("create", name, "ctp", "--tags", "team=dev", "--set", "number_of_nodes=2")
    updated = run("update", name, "--tags", "team=ops", "--yes").stdout
    assert "No updates are to be performed." not in updated and "tags" in updated
    assert json.loads(run("describe", name, "--output", "json").stdout)["Tags"] == [{"Key": "team", "Value": "ops"}]
    # the same tags again: nothing to do
    assert "No updates are to be performed." in run("update", name, "--tags", "team=ops", "--yes").stdout
    policy = project.cwd / "policy.json"
    policy.write_text(json.dumps({"Statement": [{"Effect": "Deny", "Action": "Update:*", "Principal": "*",
                                                 "Resource": "LogicalResourceId/Node1"}]}))
    run("update", name, "--stack-policy", str(policy), "--yes")
    # the policy took effect: an update that would delete Node1 is refused
    if where == "local":
        refused = run("update", name, "ctp", "--set", "number_of_nodes=1", "--yes", check=None)
        assert refused.returncode != 0 and "policy" in (refused.stdout + refused.stderr).lower()
    else:
        import boto3

        cf = boto3.client("cloudformation", endpoint_url=moto.endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
        kept = json.loads(cf.get_stack_policy(StackName=name)["StackPolicyBody"])
        assert kept["Statement"][0]["Resource"] == "LogicalResourceId/Node1"


def test_sfn_verbs_destroy_globs_list_status_validate_all(project):
    project.run("create", "app", "root", "-p", "Environment=dev")
    project.run("create", "app-ctp", "ctp", "--set", "number_of_nodes=2")
    project.run("create", "other", "ctp")
    project.run("update", "other", "--tags", "a=b", "--yes")
    updated = project.json("list-stacks", "--status", "update_complete")
    assert [s["StackName"] for s in updated] == ["other"]
    created = project.json("list-stacks", "--status", "CREATE_*,ROLLBACK_COMPLETE")
    assert "app" in {s["StackName"] for s in created} and "other" not in {s["StackName"] for s in created}
    # several stacks and a glob: listed and confirmed once; without a terminal nor --yes, refused
    refused = project.run("destroy", "app*", "other", check=None)
    assert refused.returncode != 0 and "  app-ctp\n" in refused.stderr and "  other\n" in refused.stderr
    assert len(project.json("list-stacks")) == 7
    done = project.run("destroy", "app*", "other", "--yes").stdout
    # the nested stacks matched by the glob go with their root, not on their own
    assert [line for line in done.splitlines() if line.endswith(": deleted")] == [
        "app: deleted", "app-ctp: deleted", "other: deleted"]
    assert project.json("list-stacks") == []
    assert "no stack matches nothing-*" in project.run("destroy", "nothing-*", "--yes", check=2).stderr
    # validate several templates, and --all (the project's own templates, not the packs')
    # (one report for all of them, as a CI gate wants: "0 errors, 0 warnings in ctp, consumer")
    both = project.run("validate", "ctp", "consumer").stdout
    assert "0 errors, 0 warnings in ctp, consumer" in both
    every = project.run("validate", "--all").stdout
    summary = next(line for line in every.splitlines() if " errors, " in line)
    names = sorted(summary.split(" in ", 1)[1].split(", "))
    assert names == ["applications", "consumer", "ctp", "guarded", "infrastructure", "moneymaker", "networking",
                     "root", "twice", "worker", "workers"]
    project.run("--apply-nesting", "none", "validate", "ctp", "twice", check=1)


@pytest.mark.parametrize("where", ["local", "aws"])
def test_parameter_extensions_and_ignore_parameters(project, where, request):
    aws: tuple[str, ...] = ()
    env = None
    if where == "aws":
        moto = request.getfixturevalue("moto")
        _motoserver.ensure_bucket(moto, "nesting-templates")
        aws = ("--provider", "aws", "--endpoint-url", moto.endpoint, "--region", "us-east-1",)
        env = AWS_ENV

    def run(*args, check=0):
        return project.run(*aws, *args, check=check, env=env)

    bucket = ("--bucket", "nesting-templates") if aws else ()
    # StackUnique: each nested worker gets a root parameter of its own
    run("create", f"ws-{where}", "workers", "-p", "FirstName=a", "-p", "SecondName=b", *bucket)
    outputs = _nested_outputs(project, *aws, env=env, prefix=f"ws-{where}-")
    assert sorted(v["QueueName"] for v in outputs.values()) == ["a", "b"]
    # ... and the extension keys never reach the provider
    kept = json.loads(run("describe", f"ws-{where}", "--output", "json").stdout)
    assert [p["ParameterKey"] for p in kept["Parameters"]] == ["FirstName", "SecondName"]
    lower = f"lower-{where}"
    if where == "aws":
        # moto computes no outputs for a stack made through a change set (what the CLI does),
        # so the lower layer is made with CreateStack
        import boto3

        boto3.client("cloudformation", endpoint_url=moto.endpoint, region_name="us-east-1",
                     aws_access_key_id="testing", aws_secret_access_key="testing").create_stack(
            StackName=lower, TemplateBody=(project.cwd / "lower.json").read_text())
    else:
        run("create", lower, "lower.json")
    # DisableApply: Subnet keeps its Default though the applied stack outputs one
    run("create", f"g-{where}", "guarded", "--apply-stack", lower)
    params = {p["ParameterKey"]: p["ParameterValue"] for p in json.loads(
        run("describe", f"g-{where}", "--output", "json").stdout)["Parameters"]}
    assert params == {"Subnet": "none", "VpcId": "vpc-lower"}
    # --ignore-parameters: VpcId is not taken from the applied stack either
    refused = run("create", f"g2-{where}", "guarded", "--apply-stack", lower, "--ignore-parameters", "VpcId", check=2)
    assert "VpcId" in refused.stderr
