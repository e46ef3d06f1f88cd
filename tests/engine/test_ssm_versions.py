"""The local parameter store keeps versions as Parameter Store does (1 for a new parameter,
one more per put, the latest 100), `{{resolve:ssm:name:N}}` and SSM parameter types read
version N (`name:N`), a version that does not exist fails with Systems Manager's
ParameterVersionNotFound text, and DescribeStacks' ResolvedValue shows what an SSM parameter
type resolved to (masked for NoEcho)."""

from __future__ import annotations

import json

import pytest

from sparkleform.contract import NO_ECHO_MASK
from sparkleform.errors import OperationFailed, ParameterError
from sparkleform.providers.local import LocalProvider


@pytest.fixture
def provider(tmp_path):
    p = LocalProvider(state=tmp_path / "state.db")
    yield p
    p.close()


def topic(display: str) -> dict:
    return {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": display}}}}


def ssm_typed(default: str, *, no_echo: bool = False) -> dict:
    decl = {"Type": "AWS::SSM::Parameter::Value<String>", "Default": default}
    if no_echo:
        decl["NoEcho"] = True
    return {
        "Parameters": {"Ami": decl, "Plain": {"Type": "String", "Default": "p"}},
        "Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Ref": "Ami"}}}},
        "Outputs": {"Ami": {"Value": {"Ref": "Ami"}}},
    }


def test_each_put_is_a_new_version_and_each_version_can_be_read(provider) -> None:
    assert [provider.put_parameter("/app/ami", v) for v in ("ami-1", "ami-2", "ami-3")] == [1, 2, 3]
    engine = provider.engine
    assert engine.ssm_lookup("/app/ami") == "ami-3"
    assert [engine.ssm_lookup(f"/app/ami:{n}") for n in (1, 2, 3)] == ["ami-1", "ami-2", "ami-3"]
    assert engine.ssm_lookup("/app/ami:4") is None


def test_the_store_keeps_the_latest_100_versions(provider) -> None:
    for n in range(1, 102):
        provider.put_parameter("/many", f"v{n}")
    assert provider.engine.ssm_lookup("/many:1") is None
    assert provider.engine.ssm_lookup("/many:2") == "v2"
    assert provider.engine.ssm_lookup("/many:101") == "v101"
    # a resource's write (committed with the resource) trims the same way
    provider.create_stack("app", {"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Name": "/many", "Type": "String", "Value": "from-stack"}}}}, {})
    assert provider.engine.ssm_lookup("/many:2") is None
    assert (provider.engine.ssm_lookup("/many:3"), provider.engine.ssm_lookup("/many")) == ("v3", "from-stack")


def test_deferred_writes_keep_their_order_within_one_transaction(provider) -> None:
    """Puts and deletes deferred for one transaction run in the order given: two puts of a
    name are two versions, a delete in between starts the name again at version 1."""
    provider.put_parameter("/b", "old")
    store = provider.engine.store
    for name, value in [("/a", "a1"), ("/a", "a2"), ("/b", None), ("/b", "b1"), ("/a", "a3")]:
        store.defer_parameter(name, value)
    with store.tx():
        store.flush_parameters()
    engine = provider.engine
    assert [engine.ssm_lookup(f"/a:{n}") for n in (1, 2, 3)] == ["a1", "a2", "a3"]
    assert (engine.ssm_lookup("/b:1"), engine.ssm_lookup("/b:2")) == ("b1", None)


def test_a_dynamic_reference_to_a_missing_version_fails_with_aws_text(provider) -> None:
    provider.put_parameter("/app/name", "one")
    provider.put_parameter("/app/name", "two")
    assert provider.create_stack("ok", topic("{{resolve:ssm:/app/name:1}}"), {}).status == "CREATE_COMPLETE"
    with pytest.raises(OperationFailed) as failed:
        provider.create_stack("bad", topic("{{resolve:ssm:/app/name:3}}"), {})
    assert "Systems Manager could not find version 3 of /app/name. Verify the version and try again." in str(failed.value)
    reasons = [e.reason for e in provider.events("bad") if e.status == "CREATE_FAILED"]
    assert any("could not find version 3 of /app/name" in (r or "") for r in reasons), reasons
    # ssm-secure takes the same selector
    assert provider.create_stack("sec", topic("{{resolve:ssm-secure:/app/name:2}}"), {}).status == "CREATE_COMPLETE"


def test_an_ssm_parameter_type_reads_the_version_it_names_and_shows_its_resolved_value(provider) -> None:
    provider.put_parameter("/app/ami", "ami-1")
    provider.put_parameter("/app/ami", "ami-2")
    latest = provider.create_stack("latest", ssm_typed("/app/ami"), {})
    assert latest.output_map() == {"Ami": "ami-2"}
    pinned = provider.create_stack("pinned", ssm_typed("/app/ami:1"), {})
    assert pinned.output_map() == {"Ami": "ami-1"}
    param = {p.key: p for p in provider.describe_stack("pinned").parameters}
    assert (param["Ami"].value, param["Ami"].resolved_value) == ("/app/ami:1", "ami-1")
    assert param["Plain"].resolved_value is None  # only SSM parameter types have one
    with pytest.raises(ParameterError, match="could not find version 7 of /app/ami"):
        provider.create_stack("missing", ssm_typed("/app/ami:7"), {})


def test_resolved_value_is_what_the_last_operation_used(provider) -> None:
    """AWS: the values are set when the stack is created or updated, so they may differ
    from the latest values in Parameter Store."""
    provider.put_parameter("/app/ami", "ami-1")
    provider.create_stack("app", ssm_typed("/app/ami"), {})
    provider.put_parameter("/app/ami", "ami-2")
    assert {p.key: p.resolved_value for p in provider.describe_stack("app").parameters}["Ami"] == "ami-1"
    provider.update_stack("app", ssm_typed("/app/ami"), {"Plain": "q"})
    stack = provider.describe_stack("app")
    assert {p.key: p.resolved_value for p in stack.parameters}["Ami"] == "ami-2"
    assert stack.output_map() == {"Ami": "ami-2"}


def test_a_noecho_ssm_parameter_type_never_shows_its_resolved_value(provider) -> None:
    provider.put_parameter("/app/key", "s3cr3t-value-from-the-store")
    provider.create_stack("app", ssm_typed("/app/key", no_echo=True), {})
    param = {p.key: p for p in provider.describe_stack("app").parameters}["Ami"]
    assert (param.value, param.resolved_value) == (NO_ECHO_MASK, NO_ECHO_MASK)


def test_an_ssm_parameter_resource_bumps_the_version_on_update_and_on_rollback(provider) -> None:
    def tpl(value: str, fail: bool = False) -> dict:
        res: dict = {
            "P": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/app/flag", "Type": "String", "Value": value}},
        }
        if fail:
            res["Bad"] = {"Type": "AWS::SNS::Topic", "DependsOn": "P", "Metadata": {"sparkleform:fail": "create"}}
        return {"Resources": res}

    provider.create_stack("app", tpl("a"), {})
    provider.update_stack("app", tpl("b"), {})
    engine = provider.engine
    assert (engine.ssm_lookup("/app/flag:1"), engine.ssm_lookup("/app/flag:2")) == ("a", "b")
    with pytest.raises(OperationFailed):
        provider.update_stack("app", tpl("c", fail=True), {})
    # the update put version 3, its rollback put the value back as version 4
    assert [engine.ssm_lookup(f"/app/flag:{n}") for n in (3, 4)] == ["c", "b"]
    assert engine.ssm_lookup("/app/flag") == "b"
    provider.delete_stack("app")
    assert engine.ssm_lookup("/app/flag") is None and engine.ssm_lookup("/app/flag:1") is None


def test_describe_shows_the_resolved_value_in_text_and_json(tmp_path) -> None:
    """Through the CLI: one stack writes the parameter, another reads it by type."""
    from click.testing import CliRunner

    from sparkleform.cli.main import cli

    writer = tmp_path / "writer.json"
    writer.write_text(json.dumps({"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Name": "/app/ami", "Type": "String", "Value": "ami-0abc"}}}}))
    reader = tmp_path / "reader.json"
    reader.write_text(json.dumps(ssm_typed("/app/ami")))
    state = str(tmp_path / "state.db")
    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(cli, ["--state", state, "--provider", "local", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    run("create", "writer", str(writer))
    run("create", "reader", str(reader))
    text = run("describe", "reader")
    assert "RESOLVED VALUE" in text.upper()
    line = next(line for line in text.splitlines() if line.strip().startswith("Ami"))
    assert "/app/ami" in line and "ami-0abc" in line
    body = json.loads(run("--output", "json", "describe", "reader"))
    ami = next(p for p in body["Parameters"] if p["ParameterKey"] == "Ami")
    assert (ami["ParameterValue"], ami["ResolvedValue"]) == ("/app/ami", "ami-0abc")
    plain = next(p for p in body["Parameters"] if p["ParameterKey"] == "Plain")
    assert "ResolvedValue" not in plain
