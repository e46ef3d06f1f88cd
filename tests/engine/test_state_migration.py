"""A state file written before state version 2 opens, is migrated once, and keeps every
stack, resource, event, export and template; a file from a newer sparkleform is refused."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from sparkleform.engine.errors import StateError
from sparkleform.engine.schema import SCHEMA_VERSION
from sparkleform.engine.store import StackStore
from sparkleform.providers.local import LocalProvider

DUMP = Path(__file__).parent / "data" / "state_v1.sql"


@pytest.fixture
def v1_state(tmp_path) -> Path:
    path = tmp_path / "state.db"
    conn = sqlite3.connect(path)
    conn.executescript(DUMP.read_text())
    conn.close()
    return path


def _v1_view(path: Path) -> dict:
    """What the version-1 tables say, read with version-1 SQL."""
    conn = sqlite3.connect(path)
    try:
        out = {}
        for stack_id, name, status, outputs in conn.execute("SELECT stack_id, name, status, outputs FROM stacks"):
            out[stack_id] = {
                "name": name,
                "status": status,
                "outputs": outputs,
                "resources": conn.execute(
                    "SELECT logical_id, physical_id, type, status FROM resources WHERE stack_id=? ORDER BY seq",
                    (stack_id,),
                ).fetchall(),
                "events": conn.execute(
                    "SELECT event_id, stack_name, logical_id, physical_id, type, status, reason FROM events"
                    " WHERE stack_id=? ORDER BY seq",
                    (stack_id,),
                ).fetchall(),
            }
        return out
    finally:
        conn.close()


def test_a_version_1_file_keeps_everything(v1_state: Path) -> None:
    before = _v1_view(v1_state)
    assert {v["name"] for v in before.values()} == {"net", "app", "gone"}
    provider = LocalProvider(state=v1_state)
    try:
        for stack_id, old in before.items():
            stack = provider.describe_stack(stack_id)
            assert (stack.name, stack.status) == (old["name"], old["status"])
            assert [(r.logical_id, r.physical_id, r.resource_type, r.status) for r in stack.resources] == old["resources"]
            events = provider.events(stack_id)
            assert [
                (e.event_id, e.stack_name, e.logical_id, e.physical_id, e.resource_type, e.status, e.reason) for e in events
            ] == old["events"]
            assert len(events) == len(old["events"]) > 0
        assert provider.exports() == {"net-vpc": provider.describe_stack("net").output_map()["VpcId"]}
        assert provider.describe_stack("app").output_map()["QueueUrl"].startswith("https://sqs.")
        # events --since still answers from the middle of a migrated log
        app = provider.describe_stack("app")
        app_events = provider.events("app")
        assert provider.events("app", app_events[2].event_id) == app_events[3:]
        # and the stacks still work: update, the export guard, delete
        updated = provider.update_stack("app", None, {"Size": "4"})
        assert updated.status == "UPDATE_COMPLETE"
        with pytest.raises(Exception, match="net-vpc"):
            provider.delete_stack("net")
        provider.delete_stack("app")
        provider.delete_stack("net")
        assert [s.name for s in provider.list_stacks()] == []
        assert provider.describe_stack(app.stack_id).status == "DELETE_COMPLETE"
    finally:
        provider.close()
    conn = sqlite3.connect(v1_state)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert not any(t.endswith("_v1") for t in tables)
    finally:
        conn.close()


def test_two_processes_opening_an_old_file_migrate_it_once(v1_state: Path) -> None:
    before = _v1_view(v1_state)
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def open_it() -> None:
        try:
            barrier.wait()
            StackStore(v1_state).close()
        except BaseException as exc:  # reported below, in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    provider = LocalProvider(state=v1_state)
    try:
        assert sorted(len(provider.events(sid)) for sid in before) == sorted(len(v["events"]) for v in before.values())
    finally:
        provider.close()


def test_a_file_from_a_newer_sparkleform_is_refused_untouched(tmp_path) -> None:
    path = tmp_path / "state.db"
    StackStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StateError, match="newer sparkleform") as info:
        StackStore(path)
    assert info.value.exit_code == 2
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    conn.close()


def test_a_new_file_starts_at_the_current_version(tmp_path) -> None:
    path = tmp_path / "fresh.db"
    StackStore(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_commands_starting_together_on_a_new_state_file_all_work(tmp_path) -> None:
    """Two commands started at once on a state file that does not exist yet, each opening it
    and writing: SQLite's switch to WAL, which every opening asks for, fails at once with
    "database is locked" (it does not wait for the busy timeout) while the other process is
    in the middle of it. Before the opening retried, about one process in twelve failed here."""
    failures = 0
    for attempt in range(40):
        path = tmp_path / f"fresh{attempt}.db"
        pids = []
        for k in range(2):
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    store = StackStore(path)
                    for i in range(30):
                        with store.tx() as conn:
                            conn.execute(
                                "INSERT INTO ssm_parameters(region, name, type, value) VALUES ('r', ?, 'String', 'v')",
                                (f"p{k}-{i}",),
                            )
                    store.close()
                    code = 0
                finally:
                    os._exit(code)
            pids.append(pid)
        for pid in pids:
            _, status = os.waitpid(pid, 0)
            failures += os.waitstatus_to_exitcode(status) != 0
    assert failures == 0


def test_events_of_stacks_written_together_are_read_back_per_stack(tmp_path) -> None:
    """One batch may hold events of several stacks (a nested stack's and its parent's):
    each stack reads back its own, in order, and `since` counts within the stack."""
    store = StackStore(tmp_path / "state.db")
    try:
        rows = [(f"id{i}", 1 + (i // 3) % 2, f"R{i}", None, "AWS::SNS::Topic", "CREATE_COMPLETE", None, float(i))
                for i in range(12)]  # stack 1: 0-2, 6-8; stack 2: 3-5, 9-11
        with store.tx():
            store.insert_events(rows[:7])
        with store.tx():
            store.insert_events(rows[7:])
        for key in (1, 2):
            mine = [r[0] for r in rows if r[1] == key]
            assert [e["event_id"] for e in store.events(key)] == mine
            assert [e["event_id"] for e in store.events(key, mine[1])] == mine[2:]
        assert store.events(3) == []
    finally:
        store.close()


def test_a_version_4_file_finds_its_events_after_the_migration(tmp_path) -> None:
    """Version 4 found events through an index; version 5 through event turns, built from
    the events when the file is first opened."""
    path = tmp_path / "state.db"
    provider = LocalProvider(state=path)
    topic = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}, "U": {"Type": "AWS::SNS::Topic"}}}
    provider.create_stack("one", topic, {})
    provider.create_stack("two", topic, {})
    provider.update_stack("one", {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}, {})
    before = {name: provider.events(name) for name in ("one", "two")}
    provider.close()
    conn = sqlite3.connect(path)  # what version 4 had: the index, no runs
    conn.execute("DROP TABLE event_turns")  # (its index goes with it)
    conn.execute("CREATE INDEX events_by_stack ON events(stack_key, seq)")
    conn.execute("PRAGMA user_version=4")
    conn.commit()
    conn.close()
    provider = LocalProvider(state=path)
    try:
        assert {name: provider.events(name) for name in ("one", "two")} == before
        middle = before["one"][3].event_id
        assert provider.events("one", middle) == before["one"][4:]
        two = provider.describe_stack("two").stack_id
        provider.delete_stack("two")  # and new events join the migrated ones
        after = provider.events(two)
        assert after[: len(before["two"])] == before["two"] and after[-1].status == "DELETE_COMPLETE"
    finally:
        provider.close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name='events_by_stack'").fetchone()[0] == 0
    finally:
        conn.close()


def test_events_after_a_rolled_back_write_and_another_connections_write_stay_apart(tmp_path) -> None:
    """This connection's memory of the last event it wrote (to skip a turn when it goes on
    with the same stack) is forgotten when its transaction rolls back: the seqs it used are
    taken by another connection's events of another stack."""
    one, two = StackStore(tmp_path / "state.db"), StackStore(tmp_path / "state.db")
    try:
        def event(i: int, key: int) -> tuple:
            return (f"id{i}", key, f"R{i}", None, "AWS::SNS::Topic", "CREATE_COMPLETE", None, float(i))

        with one.tx():
            one.insert_events([event(0, 1)])
        with pytest.raises(RuntimeError), one.tx():
            one.insert_events([event(1, 1)])
            raise RuntimeError("rolled back")
        with two.tx():
            two.insert_events([event(2, 2)])  # takes the seq the rolled-back event had
        with one.tx():
            one.insert_events([event(3, 1)])
        for store in (one, two):
            assert [e["event_id"] for e in store.events(1)] == ["id0", "id3"]
            assert [e["event_id"] for e in store.events(2)] == ["id2"]
    finally:
        one.close()
        two.close()


def test_reading_a_stacks_events_does_not_walk_the_other_stacks_events(tmp_path) -> None:
    """The work of reading one stack's events (SQLite's VM steps, counted by its progress
    handler) does not grow with the events of the other stacks in the file."""
    store = StackStore(tmp_path / "state.db")
    try:
        def event(i: int, key: int) -> tuple:
            return (f"id{i}", key, f"R{i}", None, "AWS::SNS::Topic", "CREATE_COMPLETE", None, float(i))

        with store.tx():
            store.insert_events([event(i, 1) for i in range(5)])

        def steps() -> int:
            count = 0

            def tick() -> int:
                nonlocal count
                count += 1
                return 0

            store.conn.set_progress_handler(tick, 1)
            try:
                assert len(store.events(1)) == len(store.events(1, "id1")) + 2
            finally:
                store.conn.set_progress_handler(None, 1)
            return count

        few = steps()
        with store.tx():
            store.insert_events([event(100 + i, 2) for i in range(20_000)])
        assert steps() < few * 2
    finally:
        store.close()
