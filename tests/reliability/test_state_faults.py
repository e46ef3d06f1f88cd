"""The state file under faults: a full disk (a small tmpfs, `ulimit -f`), a read-only file
and a damaged one. A write that fails leaves the last committed state intact, `recover`
reaches a stable status once there is room, and every verb says what is wrong in a line
or two (exit 2), never with a sqlite3 traceback."""

from __future__ import annotations

import contextlib
import resource
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
from reliability_cli import Cli, assert_clean_error, cli_env, write_template

STABLE = {"CREATE_COMPLETE", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED"}


def _big_template(n: int = 300, size: int = 3000) -> dict:
    value = "x" * size
    return {
        "Resources": {f"R{i}": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": value}} for i in range(n)}
    }


@contextlib.contextmanager
def tmpfs(where: Path, size: str):
    where.mkdir(parents=True, exist_ok=True)
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


@pytest.mark.parametrize("size", ["1500k", "2000k", "2500k"])
def test_a_full_disk_leaves_a_recoverable_state(tmp_path: Path, size: str) -> None:
    """Sizes where the stack is recorded and then a wave (or the rollback) does not fit."""
    t = write_template(tmp_path / "t.json", _big_template())
    with tmpfs(tmp_path / "small", size) as small:
        cli = Cli(tmp_path, small / "state.db")
        out = cli("create", "big", t)
        assert out.returncode in (1, 2), out.stderr
        assert "Traceback" not in out.stderr and "no transaction is active" not in out.stderr
        assert "disk is full" in out.stderr
        status = cli.status("big")  # the state is readable after it
        if status is not None and status not in STABLE:
            # left in progress: recover either finishes it or says how much room it needs
            rec = cli("recover", "big")
            if rec.returncode != 0:
                assert_clean_error(rec, 2)
                assert "free at least" in rec.stderr
                subprocess.run(["mount", "-o", "remount,size=20m", str(small)], check=True)
                rec = cli("recover", "big")
            assert rec.returncode in (0, 1), rec.stderr
            status = cli.status("big")
        assert status is None or status in STABLE
        if status is not None:
            gone = cli("destroy", "big", "--yes")  # on the full disk: done, or a clear error
            if gone.returncode != 0:
                assert_clean_error(gone, 2)
                subprocess.run(["mount", "-o", "remount,size=20m", str(small)], check=True)
                if cli.status("big") not in (None, *STABLE):
                    assert cli("recover", "big").returncode == 0
                if cli.status("big") is not None:
                    assert cli("destroy", "big", "--yes").returncode == 0
            assert cli.status("big") is None


def _limited(limit: int):
    def setup() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return setup


def test_a_file_size_limit_leaves_a_recoverable_state(tmp_path: Path) -> None:
    t = write_template(tmp_path / "t.json", _big_template())
    cli = Cli(tmp_path, tmp_path / "state.db")
    assert cli("list-stacks").returncode == 0  # the state exists before the limit applies
    out = subprocess.run(
        cli.argv("create", "big", t), cwd=tmp_path, env=cli_env(), capture_output=True, text=True,
        preexec_fn=_limited(600_000), timeout=120,
    )
    assert out.returncode in (1, 2), out.stderr
    assert "Traceback" not in out.stderr and "no transaction is active" not in out.stderr, out.stderr
    status = cli.status("big")
    if status is not None and status not in STABLE:
        assert cli("recover", "big").returncode in (0, 1)
        status = cli.status("big")
    assert status is None or status in STABLE


def _one_stack(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path, tmp_path / "state.db")
    t = write_template(tmp_path / "t.json", _big_template(3, 10))
    assert cli("create", "one", t).returncode == 0
    return cli


def _damage(cli: Cli, how: str) -> None:
    conn = sqlite3.connect(cli.state)
    if how == "dropped table":
        conn.execute("DROP TABLE resources")
    elif how == "invalid JSON":
        conn.execute("UPDATE stacks SET parameters='{not json', outputs='[' WHERE name='one'")
        conn.execute("UPDATE resources SET properties='{\"a\":' ")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    if how == "malformed":
        data = bytearray(cli.state.read_bytes())
        for page in range(1, len(data) // 4096):  # every page but the header's: garbage
            data[page * 4096 + 8 : page * 4096 + 4000] = bytes((i * 7919) % 251 for i in range(3992))
        cli.state.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["malformed", "dropped table", "invalid JSON"])
def test_a_damaged_state_is_a_clear_error_for_every_verb(tmp_path: Path, how: str) -> None:
    cli = _one_stack(tmp_path)
    _damage(cli, how)
    t = write_template(tmp_path / "t2.json", _big_template(2, 10))
    for args in (["describe", "one"], ["list-stacks"], ["events", "one"], ["outputs", "one"],
                 ["create", "two", t], ["destroy", "one", "--yes"], ["update", "one", t, "--yes"],
                 ["plan", "one", t], ["recover", "one"]):
        out = cli(*args)
        if out.returncode == 0:
            continue  # what this damage leaves readable
        assert_clean_error(out, 2)
        assert "local state" in out.stderr, (args, out.stderr)
        assert "sqlite3" not in out.stderr


def test_a_read_only_state_is_a_clear_error(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "4m") as ro:
        cli = Cli(tmp_path, ro / "state.db")
        t = write_template(tmp_path / "t.json", _big_template(3, 10))
        assert cli("create", "one", t).returncode == 0
        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        for args in (["describe", "one"], ["list-stacks"], ["create", "two", t], ["destroy", "one", "--yes"]):
            out = cli(*args)
            if out.returncode == 0:
                assert args[0] in ("describe", "list-stacks")
                continue
            assert_clean_error(out, 2)
            assert "local state" in out.stderr
        subprocess.run(["mount", "-o", "remount,rw", str(ro)], check=True)
        assert cli.status("one") == "CREATE_COMPLETE"  # nothing was half-written


def test_a_write_that_fails_keeps_the_last_committed_state(tmp_path: Path) -> None:
    """The store's transaction after SQLite ended it itself (a full disk does): the error is
    the StateError, the state is the last committed one."""
    from sparkleform.engine import Engine
    from sparkleform.engine.errors import StateError

    engine = Engine(tmp_path / "s.db")
    engine.create_stack("s", _big_template(2, 10), {})
    with pytest.raises(StateError, match="could not be written"), engine.store.tx() as conn:
        conn.execute("UPDATE stacks SET status='X'")
        conn.execute("ROLLBACK")  # what SQLite does on SQLITE_FULL
        conn.execute("INSERT INTO nosuch VALUES (1)")
    assert engine.describe("s").status == "CREATE_COMPLETE"
    assert not engine.store.conn.in_transaction
    engine.close()
