"""A NoEcho value never reaches output: every verb's stdout and stderr (text and JSON, errors,
`-v` tracebacks, a failure reason, a plan's details, the graph), in its direct form or the
forms a template derives cheaply (Fn::Base64, the pieces of an Fn::Split joined back); at
rest the state keeps it only as the stack's current value (markers in the resources that use
it: test_secrets_at_rest.py), masks it everywhere else, and purges it with the stack."""

from __future__ import annotations

import base64
import json
import os
import pty
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from reliability_cli import Cli, cli_env, write_template

from ptywait import readable
from sparkleform.engine.params import USE_PREVIOUS_VALUE
from sparkleform.engine.schema import SCHEMA_VERSION

SECRET = "hunter2xsupersecretvalue"
SECRET2 = "correcthorsexbatterystaple"
TEMPLATE = {
    "Parameters": {"Secret": {"Type": "String", "NoEcho": True}, "Plain": {"Type": "String", "Default": "p"}},
    "Resources": {
        "Encoded": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Fn::Base64": {"Ref": "Secret"}}}},
        "Pieces": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {"Type": "String", "Value": {"Fn::Join": ["-", {"Fn::Split": ["x", {"Ref": "Secret"}]}]}},
        },
        "Tagged": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "k", "Value": {"Ref": "Secret"}}]}},
        "Subbed": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Fn::Sub": "user:${Secret}@db"}}},
    },
    "Outputs": {"Name": {"Value": {"Ref": "Encoded"}}},
}
# a failure whose reason quotes the secret (a dynamic reference named by it)
FAILING = {
    "Parameters": {"Secret": {"Type": "String", "NoEcho": True}},
    "Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": "{{resolve:ssm:${Secret}}}"}}}},
}


def leaks(text: str | bytes, secret: str) -> list[str]:
    """The forms of `secret` found in `text`."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    b64 = base64.b64encode(secret.encode()).decode()
    forms = [secret, b64, b64.rstrip("="), *[p for p in secret.split("x") if len(p) >= 8]]
    return [f for f in forms if f in text]


def check(proc: subprocess.CompletedProcess, *secrets: str) -> subprocess.CompletedProcess:
    for secret in secrets or (SECRET, SECRET2):
        found = leaks(proc.stdout + proc.stderr, secret)
        assert not found, (proc.args[-6:], found, proc.stdout[-1500:], proc.stderr[-1500:])
    assert "Traceback" not in proc.stderr or "-v" in proc.args, proc.stderr
    return proc


def _state_bytes(cli: Cli) -> bytes:
    data = b""
    for suffix in ("", "-wal"):
        path = Path(f"{cli.state}{suffix}")
        if path.exists():
            data += path.read_bytes()
    return data


def test_no_verb_prints_a_noecho_value_and_the_state_keeps_it_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    cli = Cli(tmp_path, tmp_path / "state" / "state.db")
    t = write_template(tmp_path / "t.json", TEMPLATE)
    bad = write_template(tmp_path / "bad.json", FAILING)

    out = check(cli("plan", "app", t, "-p", f"Secret={SECRET}", "--output", "json"))
    assert out.returncode == 0, out.stderr
    assert check(cli("plan", "app", t, "-p", f"Secret={SECRET}")).returncode == 0
    assert check(cli("create", "app", t, "-p", f"Secret={SECRET}")).returncode == 0
    assert check(cli("create", "app2", t, "-p", f"Secret={SECRET}", "--output", "json")).returncode == 0
    for args in (["describe", "app"], ["describe", "app", "--output", "json"], ["events", "app"],
                 ["events", "app", "--output", "json"], ["outputs", "app"], ["list-stacks"],
                 ["graph", t], ["graph", t, "--format", "html", "-o", str(tmp_path / "g.html")]):
        assert check(cli(*args)).returncode == 0, args
    assert not leaks((tmp_path / "g.html").read_text(), SECRET)

    # a plan and an update to a new value: both the old and the new value are masked
    plan = check(cli("plan", "app", t, "-p", f"Secret={SECRET2}", "--output", "json"))
    assert plan.returncode == 0, plan.stderr
    assert "****" in plan.stdout  # the changed values are shown, masked
    assert check(cli("plan", "app", t, "-p", f"Secret={SECRET2}")).returncode == 0
    assert check(cli("update", "app", t, "-p", f"Secret={SECRET2}", "--yes")).returncode == 0
    assert check(cli("update", "app", t, "-p", "Plain=q", "--yes")).returncode == 0  # UsePreviousValue

    # failures and errors
    failed = check(cli("create", "broken", bad, "-p", f"Secret={SECRET}"))
    assert failed.returncode == 1 and "****" in failed.stderr
    assert check(cli("events", "broken")).returncode == 0
    assert check(cli("-v", "create", "broken2", bad, "-p", f"Secret={SECRET}")).returncode == 1
    no_key = check(cli("create", "nokey", t, "-p", SECRET))
    assert no_key.returncode == 2

    # at rest, while the stacks live: template versions, change sets, events and the
    # stacks rows of deleted stacks hold no copy; the stack's current value is kept once
    conn = sqlite3.connect(cli.state)
    for table, column in (("templates", "parameters"), ("change_sets", "parameters"), ("change_sets", "changes"),
                          ("events", "reason"), ("stacks", "snapshot")):
        for (text,) in conn.execute(f"SELECT {column} FROM {table}"):
            assert not leaks(text or "", SECRET) and not leaks(text or "", SECRET2), (table, column, text)
    current = {n: json.loads(p)["Secret"] for n, p in conn.execute("SELECT name, parameters FROM stacks")}
    # app (updated) and app2 keep their current values; the rolled-back creates keep none
    assert current == {"app": SECRET2, "app2": SECRET, "broken": "****", "broken2": "****"}
    conn.close()
    assert os.stat(cli.state).st_mode & 0o777 == 0o600
    assert os.stat(cli.state.parent).st_mode & 0o777 == 0o700

    for stack in ("app", "app2", "broken", "broken2"):
        gone = check(cli("destroy", stack, "--yes"))
        assert gone.returncode == 0, gone.stderr
    data = _state_bytes(cli)
    assert data and not leaks(data, SECRET) and not leaks(data, SECRET2)
    # nor any other file the runs wrote (the working folder, HOME)
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix != ".json":
            assert not leaks(path.read_bytes(), SECRET), path


def test_a_value_typed_at_a_hidden_prompt_is_never_printed(tmp_path: Path) -> None:
    cli = Cli(tmp_path, tmp_path / "state.db")
    t = write_template(tmp_path / "t.json", {"Parameters": TEMPLATE["Parameters"], "Resources": {"Tagged": TEMPLATE["Resources"]["Tagged"]}})
    leader, follower = pty.openpty()
    proc = subprocess.Popen(cli.argv("create", "typed", t), cwd=tmp_path, env=cli_env(), stdin=follower,
                            stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    seen = b""
    sent = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready = readable(leader, 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not sent and b"Secret:" in seen:
            os.write(leader, SECRET.encode() + b"\n")
            sent = True
        if proc.poll() is not None and not ready:
            break
    proc.wait(timeout=30)
    os.close(leader)
    assert sent, seen
    assert proc.returncode == 0, seen.decode(errors="replace")
    assert b"from prompt" in seen  # the prompted parameter is named...
    assert not leaks(seen, SECRET), seen.decode(errors="replace")  # ...with its value masked


def test_a_version_2_state_keeps_working_and_loses_its_copies(tmp_path: Path) -> None:
    """A file written by state version 2 kept a NoEcho value in every template version,
    change set and event reason: opening it migrates it (copies masked, to version 4), and
    the stack keeps its value for UsePreviousValue."""
    from sparkleform.engine import Engine

    path = tmp_path / "s.db"
    engine = Engine(path)
    engine.create_stack("app", TEMPLATE, {"Secret": SECRET})
    engine.close()
    conn = sqlite3.connect(path)  # what version 2 wrote
    conn.execute("UPDATE templates SET parameters=?", (json.dumps({"Secret": SECRET, "Plain": "p"}),))
    conn.execute("UPDATE events SET reason=? WHERE logical_id='Tagged'", (f"failed with {SECRET}",))
    conn.execute("PRAGMA user_version=2")
    conn.commit()
    conn.close()
    engine = Engine(path)
    assert engine.store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert engine.template_versions("app")[0]["parameters"]["Secret"] == "****"
    rows = engine.store.resources(engine.store.require("app")["stack_id"])  # the resources still read the value
    assert rows["Tagged"].properties["Tags"][0]["Value"] == SECRET
    assert not any(SECRET in (e.reason or "") for e in engine.events("app"))
    engine.update_stack("app", TEMPLATE, {"Plain": "q", "Secret": USE_PREVIOUS_VALUE})  # as UpdateStack's UsePreviousValue
    assert engine.describe("app").status == "UPDATE_COMPLETE"
    engine.close()
    conn = sqlite3.connect(path)
    assert json.loads(conn.execute("SELECT parameters FROM stacks").fetchone()[0])["Secret"] == SECRET
    conn.close()


def test_a_looser_existing_state_gets_a_warning(tmp_path: Path) -> None:
    cli = Cli(tmp_path, tmp_path / "state.db")
    assert cli("list-stacks").returncode == 0
    os.chmod(cli.state, 0o644)
    out = cli("list-stacks")
    assert out.returncode == 0 and "can be read by others (mode 0644)" in out.stderr


@pytest.mark.parametrize("text", [SECRET, base64.b64encode(SECRET.encode()).decode(), "hunter2-supersecretvalue",
                                  json.dumps(SECRET), f"a {SECRET} b"])
def test_the_masker_covers_the_cheap_forms(text: str) -> None:
    from sparkleform.secrets import Masker

    assert not leaks(Masker([SECRET]).text(text), SECRET)
    assert Masker([SECRET]).text("nothing here") == "nothing here"
