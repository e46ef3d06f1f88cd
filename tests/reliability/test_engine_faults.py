"""A fault inside the engine (a resource's simulation raising, text the state cannot hold, an
event callback that breaks, a dead owner whose PID was reused) fails the resource and rolls
the stack back like any other failure: never a traceback, never a stack left in progress."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
from pathlib import Path

import pytest
from reliability_cli import Cli, assert_clean_error, cli_env, write_template

from sparkleform.engine import Engine
from sparkleform.engine.errors import StackBusy, StackOperationFailed
from sparkleform.engine.ids import owner, owner_alive, start_time


def test_a_simulation_that_raises_fails_the_resource_and_rolls_back(cli: Cli, tmp_path: Path) -> None:
    t = write_template(
        tmp_path / "t.json",
        {
            "Resources": {
                "Ok": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "v"}},
                "S": {"Type": "AWS::SecretsManager::Secret", "Properties": {"GenerateSecretString": "yes"}},
            }
        },
    )
    out = cli("create", "gen", t, "--no-check")  # past the template checks, into the engine
    assert_clean_error(out, 1)
    assert "S (AWS::SecretsManager::Secret) CREATE_FAILED" in out.stderr
    assert cli.status("gen") == "ROLLBACK_COMPLETE"
    events = cli("events", "gen", "--output", "json")
    statuses = {(e["LogicalResourceId"], e["ResourceStatus"]) for e in json.loads(events.stdout)}
    assert ("Ok", "DELETE_COMPLETE") in statuses or ("Ok", "CREATE_COMPLETE") not in statuses
    assert cli("destroy", "gen", "--yes").returncode == 0


def test_a_lone_surrogate_in_a_logical_id_is_an_input_error(cli: Cli, tmp_path: Path) -> None:
    t = tmp_path / "t.json"
    t.write_text('{"Resources": {"B\\udfff": {"Type": "AWS::S3::Bucket"}}}')
    out = cli("create", "sur", str(t), "--no-check")
    assert_clean_error(out, 2)
    assert "lone surrogate" in out.stderr
    assert cli.status("sur") is None


def test_a_lone_surrogate_in_a_physical_id_fails_the_resource(cli: Cli, tmp_path: Path) -> None:
    # The CLI's input reader refuses the file before the engine sees it (exit 2, nothing stored) ...
    t = tmp_path / "t.json"
    t.write_text('{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "a\\udfffb"}}}}')
    out = cli("create", "sur", str(t), "--no-check")
    assert_clean_error(out, 2)
    assert "lone surrogate" in out.stderr
    assert cli("describe", "sur").returncode == 2  # no stack was created
    # ... and the engine itself, given such a template from Python, fails the resource and rolls back.
    engine = Engine(tmp_path / "py.db")
    template = {"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "a\udfffb"}}}}
    with pytest.raises(StackOperationFailed):
        engine.create_stack("sur", template, {})
    assert engine.describe("sur").status == "ROLLBACK_COMPLETE"
    engine.close()


def test_an_event_callback_that_raises_never_aborts_the_operation(tmp_path: Path) -> None:
    engine = Engine(tmp_path / "s.db")
    calls = []

    def broken(event) -> None:
        calls.append(event)
        raise BrokenPipeError(32, "Broken pipe")

    template = {"Resources": {f"P{i}": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "v"}} for i in range(5)}}
    engine.create_stack("s", template, {}, on_event=broken)
    assert engine.describe("s").status == "CREATE_COMPLETE"
    assert len(calls) == 1  # a broken callback is not called again
    engine.delete_stack("s", on_event=broken)
    assert not engine.stack_exists("s")
    engine.close()


def test_stdout_closed_early_lets_the_create_finish(cli: Cli, tmp_path: Path) -> None:
    """`sparkleform create big t.json | head -2`: more output than a pipe holds, so the
    writes after head is gone fail with EPIPE; the create still ends CREATE_COMPLETE."""
    # 500 resources (CloudFormation's limit) with long names: ~100 KB of event lines
    resources = {
        f"ParameterWithALongLogicalIdSoTheLinesFillThePipe{i}": {
            "Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "v"}
        }
        for i in range(500)
    }
    t = write_template(tmp_path / "t.json", {"Resources": resources})
    proc = subprocess.Popen(
        cli.argv("create", "big", t, "--no-check"), cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.readline()
    proc.stdout.close()  # what head does after its lines
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert "Traceback" not in err, err
    assert "stdout was closed" in err
    assert code == 0
    assert cli.status("big") == "CREATE_COMPLETE"


def _in_progress(engine: Engine, name: str, who: str) -> None:
    engine.create_stack(name, {"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "v"}}}}, {})
    with engine.store.tx() as conn:
        conn.execute("UPDATE stacks SET status='CREATE_IN_PROGRESS', owner=? WHERE name=?", (who, name))


def test_recover_is_not_fooled_by_a_reused_pid(tmp_path: Path) -> None:
    engine = Engine(tmp_path / "s.db")
    other = subprocess.Popen(["sleep", "60"])
    try:
        host = socket.gethostname()
        started = start_time(other.pid)
        assert started is not None
        # the process that owns the operation is alive: recover refuses
        _in_progress(engine, "live", f"{host}:{other.pid}:{started}")
        with pytest.raises(StackBusy, match=f"process {other.pid} is still working"):
            engine.recover("live")
        # the owner died and its PID went to another process (another start time)
        _in_progress(engine, "reused", f"{host}:{other.pid}:{int(started) - 1}")
        assert engine.recover("reused") == "ROLLBACK_COMPLETE"
    finally:
        other.kill()
        other.wait()
    engine.close()


def test_the_owner_records_the_process_start() -> None:
    host, pid, started = owner().split(":")
    assert host == socket.gethostname() and started == start_time(int(pid))
    assert not owner_alive(owner())  # this process never waits for itself
    assert not owner_alive(f"{host}:{pid}:{int(started) + 1}")


@pytest.mark.parametrize("operation", ["create", "update"])
def test_a_fault_outside_any_resource_rolls_the_operation_back(tmp_path: Path, monkeypatch, operation: str) -> None:
    """A fault after the stack is taken and outside the resources' simulation (here the
    outputs' evaluation, hooked to raise) rolls the operation back as `recover` would."""
    from sparkleform.engine import create, update
    from sparkleform.engine.errors import StackOperationFailed

    engine = Engine(tmp_path / "s.db")
    template = {"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "v"}}}}
    if operation == "update":
        engine.create_stack("s", template, {})
        template = {"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "w"}}}}

    def broken(run):
        raise RuntimeError("an engine fault")

    monkeypatch.setattr(create if operation == "create" else update, "evaluate_outputs", broken)
    with pytest.raises(StackOperationFailed, match="RuntimeError: an engine fault"):
        if operation == "create":
            engine.create_stack("s", template, {})
        else:
            engine.update_stack("s", template, {})
    expected = "ROLLBACK_COMPLETE" if operation == "create" else "UPDATE_ROLLBACK_COMPLETE"
    assert engine.describe("s").status == expected
    engine.close()


def test_a_stranded_stack_suggests_recover(cli: Cli, tmp_path: Path) -> None:
    t = write_template(tmp_path / "t.json", {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})
    assert cli("create", "s", t).returncode == 0
    conn = sqlite3.connect(cli.state)
    conn.execute("UPDATE stacks SET status='CREATE_IN_PROGRESS', owner=? WHERE name='s'", (f"{socket.gethostname()}:999999999",))
    conn.commit()
    conn.close()
    out = cli("destroy", "s", "--yes")
    assert_clean_error(out, 2)
    assert "sparkleform recover s" in out.stderr
    assert cli("recover", "s").returncode == 0
    assert cli.status("s") == "ROLLBACK_COMPLETE"
