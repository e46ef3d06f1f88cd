"""At rest, a NoEcho value is kept once: the stack's current value, in its stacks row. The
resources that use it (an SSM parameter's Value, a tag, its base64, a string it is embedded
in, a GetAtt of it), the local parameter store and the snapshot an update keeps hold markers
instead (engine/sealing.py), through create, update, a failed update's rollback and delete;
nothing is left once the stack is deleted, and a parameter the stack retained keeps its value
as its own. Each step searches the whole state file (database and -wal, raw bytes) for the
value, its JSON escape and its base64."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

from reliability_cli import Cli, write_template

from sparkleform.engine.schema import SCHEMA_VERSION

SECRET = 'Pa"ss-w0rd/for-the-db-7733'
SECRET2 = "second-Secret-value-19xq"
SECRET3 = "third-value-that-fails-42"


def forms(secret: str) -> list[bytes]:
    b64 = base64.b64encode(secret.encode()).decode()
    out = {secret, json.dumps(secret)[1:-1], b64, b64.rstrip("=")}
    return [f.encode() for f in out]


def count(cli: Cli, secret: str) -> int:
    """How many times the state's bytes hold `secret` in any of its forms."""
    data = b""
    for suffix in ("", "-wal"):
        path = Path(f"{cli.state}{suffix}")
        if path.exists():
            data += path.read_bytes()
    return sum(data.count(f) for f in forms(secret))


def template(fail: bool = False, retain: bool = False) -> dict:
    resources: dict = {
        "Param": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Ref": "Secret"}}},
        "Encoded": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Fn::Base64": {"Ref": "Secret"}}}},
        "Embedded": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Fn::Sub": "user:${Secret}@db"}}},
        "Tagged": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "k", "Value": {"Ref": "Secret"}}]}},
        "Copied": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": ["Param", "Value"]}}},
    }
    if fail:  # a resource the update adds (its rollback deletes it), then one that fails
        resources["Added"] = {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Sub": "a-${Secret}"}}}
        resources["Broken"] = {"Type": "AWS::SNS::Topic", "DependsOn": ["Copied", "Added"],
                               "Metadata": {"sparkleform:fail": "create"}}
    if retain:
        resources["Kept"] = {
            "Type": "AWS::SSM::Parameter",
            "DeletionPolicy": "Retain",
            "Properties": {"Name": "/kept/secret", "Type": "String", "Value": {"Ref": "Secret"}},
        }
    return {
        "Parameters": {"Secret": {"Type": "String", "NoEcho": True}, "Plain": {"Type": "String", "Default": "p"}},
        "Resources": resources,
    }


def test_a_noecho_value_is_kept_once_through_create_update_rollback_and_delete(tmp_path: Path) -> None:
    cli = Cli(tmp_path, tmp_path / "state" / "state.db")
    t = write_template(tmp_path / "t.json", template())
    failing = write_template(tmp_path / "fail.json", template(fail=True))

    assert cli("create", "app", t, "-p", f"Secret={SECRET}").returncode == 0
    assert count(cli, SECRET) == 1  # the stack's current value

    assert cli("update", "app", t, "-p", f"Secret={SECRET2}", "--yes").returncode == 0
    assert (count(cli, SECRET), count(cli, SECRET2)) == (0, 1)

    # UsePreviousValue: the value is still needed, still once
    assert cli("update", "app", t, "-p", "Plain=q", "--yes").returncode == 0
    assert count(cli, SECRET2) == 1

    failed = cli("update", "app", failing, "-p", f"Secret={SECRET3}", "--yes")
    assert failed.returncode == 1, failed.stderr
    assert cli.status("app") == "UPDATE_ROLLBACK_COMPLETE"
    assert (count(cli, SECRET2), count(cli, SECRET3)) == (1, 0)

    # the resources read their values back: an update that changes nothing else finds nothing to do
    again = cli("update", "app", t, "-p", "Plain=q", "--yes")
    assert again.returncode == 0, again.stderr
    conn = sqlite3.connect(cli.state)
    tags = [json.loads(p) for (p,) in conn.execute("SELECT properties FROM resources WHERE logical_id='Tagged'")]
    conn.close()
    assert tags and "{{sparkleform:NoEcho:" in tags[0]["Tags"][0]["Value"]

    assert cli("destroy", "app", "--yes").returncode == 0
    assert (count(cli, SECRET), count(cli, SECRET2), count(cli, SECRET3)) == (0, 0, 0)


def test_the_engine_uses_the_real_values(tmp_path: Path) -> None:
    """Sealed rows are read back as the values: GetAtt, the parameter store, a changed value."""
    from sparkleform.providers.local import LocalProvider

    provider = LocalProvider(state=tmp_path / "s.db")
    engine = provider.engine
    provider.create_stack("app", template(), {"Secret": SECRET})
    rows = engine.store.resources(engine.store.require("app")["stack_id"])
    assert rows["Copied"].properties["DisplayName"] == SECRET
    assert rows["Encoded"].attributes["Value"] == base64.b64encode(SECRET.encode()).decode()
    assert rows["Embedded"].properties["Value"] == f"user:{SECRET}@db"
    name = rows["Param"].physical_id
    assert engine.ssm_lookup(name) == SECRET
    plan = provider.plan("app", template(), {"Secret": SECRET2})
    assert {c.logical_id for c in plan.changes} >= {"Param", "Encoded", "Embedded", "Tagged"}
    provider.update_stack("app", template(), {"Secret": SECRET2})
    assert engine.ssm_lookup(name) == SECRET2
    rows = engine.store.resources(engine.store.require("app")["stack_id"])
    assert rows["Copied"].properties["DisplayName"] == SECRET2
    provider.close()


def test_a_value_changed_by_another_process_is_read_back_right(tmp_path: Path) -> None:
    """A provider that has read a stack's sealed rows reads them right after another
    connection to the same state (another process) changed the stack's NoEcho value."""
    from sparkleform.providers.local import LocalProvider

    first = LocalProvider(state=tmp_path / "s.db")
    first.create_stack("app", template(), {"Secret": SECRET})
    store = first.engine.store
    name = store.resources(store.require("app")["stack_id"])["Param"].physical_id
    assert first.engine.ssm_lookup(name) == SECRET  # its sealer is cached now
    other = LocalProvider(state=tmp_path / "s.db")
    other.update_stack("app", template(), {"Secret": SECRET2})
    other.close()
    assert first.engine.ssm_lookup(name) == SECRET2
    rows = store.resources(store.require("app")["stack_id"])
    assert rows["Copied"].properties["DisplayName"] == SECRET2
    assert rows["Embedded"].properties["Value"] == f"user:{SECRET2}@db"
    first.close()


def test_a_retained_parameter_keeps_its_value_as_its_own(tmp_path: Path) -> None:
    """When the stack goes, a parameter it retained stops referring to the stack's value and
    holds the value itself (as an SSM parameter on AWS does): the one copy left."""
    from sparkleform.providers.local import LocalProvider

    cli = Cli(tmp_path, tmp_path / "state.db")
    t = write_template(tmp_path / "t.json", template(retain=True))
    assert cli("create", "app", t, "-p", f"Secret={SECRET}").returncode == 0
    assert count(cli, SECRET) == 1
    assert cli("destroy", "app", "--yes").returncode == 0
    assert count(cli, SECRET) == 1
    provider = LocalProvider(state=cli.state)
    assert provider.engine.ssm_lookup("/kept/secret") == SECRET
    provider.close()


def test_a_version_3_state_is_sealed_when_opened(tmp_path: Path) -> None:
    """A file of state version 3 kept the value in every resource row that used it and in the
    parameter store (one row per parameter, no versions): opening it migrates it to version 4,
    leaving the value once, and the stack keeps working."""
    from sparkleform.providers.local import LocalProvider

    path = tmp_path / "s.db"
    provider = LocalProvider(state=path)
    provider.create_stack("app", template(), {"Secret": SECRET})
    provider.close()
    _as_version_3(path)
    cli = Cli(tmp_path, path)
    assert count(cli, SECRET) > 4  # what version 3 kept
    provider = LocalProvider(state=path)
    assert provider.engine.store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    rows4 = provider.engine.store.resources(provider.engine.store.require("app")["stack_id"])
    assert rows4["Copied"].properties["DisplayName"] == SECRET
    assert provider.engine.ssm_lookup(rows4["Param"].physical_id) == SECRET
    provider.close()
    assert count(cli, SECRET) == 1
    assert cli("update", "app", write_template(tmp_path / "t.json", template()), "-p", f"Secret={SECRET2}",
               "--yes").returncode == 0
    assert (count(cli, SECRET), count(cli, SECRET2)) == (0, 1)


def test_a_value_of_any_characters_is_sealed(tmp_path: Path) -> None:
    """Non-ASCII (stored as \\u escapes), and a short value where a whole string equals it."""
    from sparkleform.providers.local import LocalProvider

    cli = Cli(tmp_path, tmp_path / "s.db")
    for i, secret in enumerate(("pässwörd-ünïcode-✓-9", "abc")):
        provider = LocalProvider(state=cli.state)
        provider.create_stack(f"s{i}", template(), {"Secret": secret})
        rows = provider.engine.store.resources(provider.engine.store.require(f"s{i}")["stack_id"])
        assert rows["Param"].properties["Value"] == secret
        provider.close()
        escaped = json.dumps(secret).encode()  # how the state's JSON spells it, as a whole string
        data = Path(cli.state).read_bytes()
        if len(secret) >= 4:
            assert data.count(escaped[1:-1]) + data.count(secret.encode()) == 1, secret
        else:  # a short value is sealed where a whole string equals it ("user:abc@db" keeps it)
            assert data.count(escaped) == 1, secret
        assert cli("destroy", f"s{i}", "--yes").returncode == 0


def test_an_older_version_fed_by_a_changed_noecho_value_is_gone(tmp_path: Path) -> None:
    """The state keeps a NoEcho value only while its stack uses it: the parameter-store version
    written with the value before an update cannot be read back, and says why."""
    import pytest

    from sparkleform.errors import OperationFailed
    from sparkleform.providers.local import LocalProvider

    provider = LocalProvider(state=tmp_path / "s.db")
    provider.create_stack("app", template(), {"Secret": SECRET})
    provider.update_stack("app", template(), {"Secret": SECRET2})
    rows = provider.engine.store.resources(provider.engine.store.require("app")["stack_id"])
    name = rows["Param"].physical_id

    def reader(selector: str) -> dict:
        return {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": f"{{{{resolve:ssm:{selector}}}}}"}}}}

    assert provider.create_stack("latest", reader(f"{name}:2"), {}).status == "CREATE_COMPLETE"
    with pytest.raises(OperationFailed, match="came from a NoEcho parameter whose value has changed since"):
        provider.create_stack("old", reader(f"{name}:1"), {})
    provider.close()


def _as_version_3(path: Path) -> None:
    """Rewrite a state file as version 3 kept it: values in resource rows, the snapshot and
    the parameter store (one row per parameter), no ids."""
    from sparkleform.engine.sealing import Sealer, secret_values

    conn = sqlite3.connect(path)
    params, ids, snapshot = conn.execute("SELECT parameters, secret_ids, snapshot FROM stacks").fetchone()
    values = secret_values(json.loads(params), json.loads(ids))
    if snapshot:
        snap = json.loads(snapshot)
        current = Sealer(values)
        values.update(secret_values(current.unseal(snap["parameters"]), snap.pop("secret_ids")))
        sealer = Sealer(values)
        conn.execute("UPDATE stacks SET snapshot=?", (json.dumps(sealer.unseal(snap)),))
    sealer = Sealer(values)
    for key, logical, props, attrs in conn.execute("SELECT stack_key, logical_id, properties, attributes FROM resources").fetchall():
        conn.execute(
            "UPDATE resources SET properties=?, attributes=? WHERE stack_key=? AND logical_id=?",
            (json.dumps(sealer.unseal(json.loads(props))), json.dumps(sealer.unseal(json.loads(attrs))), key, logical),
        )
    rows = conn.execute(
        "SELECT region, name, type, value FROM ssm_parameters s WHERE version = "
        "(SELECT MAX(version) FROM ssm_parameters WHERE name = s.name)"
    ).fetchall()
    conn.execute("DROP TABLE ssm_parameters")
    conn.execute(
        "CREATE TABLE ssm_parameters (region TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, value TEXT NOT NULL,"
        " version INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (region, name))"
    )
    conn.executemany("INSERT INTO ssm_parameters(region, name, type, value) VALUES (?,?,?,?)",
                     [(r, n, t, sealer.unseal_text(v)) for r, n, t, v in rows])
    conn.execute("ALTER TABLE stacks DROP COLUMN secret_ids")
    conn.execute("ALTER TABLE stacks DROP COLUMN resolved")
    conn.execute("PRAGMA user_version=3")
    conn.commit()
    conn.execute("VACUUM")
    conn.close()


def test_a_version_3_state_with_an_update_left_failed_is_sealed_and_fixed_by_the_next_update(tmp_path: Path) -> None:
    import pytest

    from sparkleform.contract import StackOptions
    from sparkleform.errors import OperationFailed
    from sparkleform.providers.local import LocalProvider

    path = tmp_path / "s.db"
    provider = LocalProvider(state=path)
    provider.create_stack("app", template(), {"Secret": SECRET})
    with pytest.raises(OperationFailed):  # rollback disabled: UPDATE_FAILED, its snapshot kept
        provider.update_stack("app", template(fail=True), {"Secret": SECRET2}, StackOptions(disable_rollback=True))
    provider.close()
    _as_version_3(path)
    cli = Cli(tmp_path, path)
    assert count(cli, SECRET) > 2 and count(cli, SECRET2) > 2
    provider = LocalProvider(state=path)
    store = provider.engine.store
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert provider.describe_stack("app").status == "UPDATE_FAILED"
    provider.close()
    # the new value once (the stack's), the old one once (the snapshot, for a rollback)
    assert (count(cli, SECRET), count(cli, SECRET2)) == (1, 1)
    provider = LocalProvider(state=path)
    provider.update_stack("app", template(), {"Secret": SECRET})
    rows = provider.engine.store.resources(provider.engine.store.require("app")["stack_id"])
    assert rows["Copied"].properties["DisplayName"] == SECRET
    provider.close()
    assert (count(cli, SECRET), count(cli, SECRET2)) == (1, 0)
