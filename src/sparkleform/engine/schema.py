"""The state file's tables, their version, and bringing a file written by an earlier
version up to them.

The version is SQLite's `user_version`. Version 2 keys a stack's resources and events by
an integer (`stacks.stack_key`) instead of repeating the stack's ARN in every row, and
events no longer repeat the stack's name: a create of 500 resources writes 1,500 rows,
and the ARN was most of each. Version 3 has the same tables and keeps NoEcho values only
where the engine needs them (see docs/security.md): migrating to it masks the copies an
earlier version kept in template versions, change sets, event reasons and deleted stacks.
Version 4 keeps markers (engine/sealing.py) where a resource row or the parameter store held
a live stack's NoEcho value, the ids behind them and SSM parameter types' resolved values in
the stacks row, and every version of a parameter-store entry (one row per version).
Version 5 finds a stack's events through `event_turns` instead of an index entry per event:
a row for each event whose stack differs from the event before it, so a stack's events are
the stretches from each of its turns to the next turn. A 500-resource create writes 1,500
events and one turn; a transaction that continues the stack of the last event writes none.
A file of version 1 (user_version 0, the tables already there), 2, 3 or 4 is migrated in one
transaction when it is first opened; a file from a newer sparkleform is refused rather than
guessed at.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sparkleform.contract import NO_ECHO_MASK
from sparkleform.secrets import Masker

SCHEMA_VERSION = 5

SCHEMA = """
CREATE TABLE IF NOT EXISTS stacks (
    stack_key INTEGER PRIMARY KEY,
    stack_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    region TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    parameters TEXT NOT NULL DEFAULT '{}',
    no_echo TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '{}',
    outputs TEXT NOT NULL DEFAULT '[]',
    termination_protection INTEGER NOT NULL DEFAULT 0,
    stack_policy TEXT,
    description TEXT,
    template_version INTEGER NOT NULL DEFAULT 0,
    options TEXT NOT NULL DEFAULT '{}',
    parent_id TEXT,
    snapshot TEXT,
    cleanup TEXT,
    secret_ids TEXT NOT NULL DEFAULT '{}',
    resolved TEXT NOT NULL DEFAULT '{}',
    owner TEXT,
    created REAL NOT NULL,
    updated REAL,
    deleted REAL
);
CREATE INDEX IF NOT EXISTS stacks_by_name ON stacks(region, name, deleted);
CREATE TABLE IF NOT EXISTS templates (
    stack_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    template TEXT NOT NULL,
    processed TEXT NOT NULL,
    parameters TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (stack_id, version)
);
CREATE TABLE IF NOT EXISTS resources (
    stack_key INTEGER NOT NULL,
    logical_id TEXT NOT NULL,
    physical_id TEXT,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    properties TEXT NOT NULL DEFAULT '{}',
    attributes TEXT NOT NULL DEFAULT '{}',
    policy TEXT NOT NULL DEFAULT '{}',
    seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (stack_key, logical_id)
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    stack_key INTEGER NOT NULL,
    logical_id TEXT NOT NULL,
    physical_id TEXT,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    ts REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS event_turns (
    seq INTEGER PRIMARY KEY,
    stack_key INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS event_turns_by_stack ON event_turns(stack_key);
CREATE TABLE IF NOT EXISTS exports (
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    stack_id TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (region, name)
);
CREATE TABLE IF NOT EXISTS imports (
    stack_id TEXT NOT NULL,
    region TEXT NOT NULL,
    export_name TEXT NOT NULL,
    PRIMARY KEY (stack_id, export_name)
);
CREATE TABLE IF NOT EXISTS change_sets (
    change_set_id TEXT PRIMARY KEY,
    stack_id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    template TEXT NOT NULL,
    parameters TEXT NOT NULL,
    changes TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS ssm_parameters (
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    stack_key INTEGER,
    PRIMARY KEY (region, name, version)
);
"""


_V1_RENAMED = ("stacks", "resources", "events")


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})").fetchall()]


def prepare_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Create the tables of a new file or migrate an old one; inside the caller's write
    transaction (so two processes opening an old file migrate it once, and a process killed
    halfway leaves it as it was)."""
    from sparkleform.engine.errors import StateError

    version = schema_version(conn)  # again, under the write lock
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise StateError(
            f"the local state {path} was written by a newer sparkleform (state version {version}; this one reads "
            f"up to {SCHEMA_VERSION})",
            hint="upgrade sparkleform, or point --state / $SPARKLEFORM_STATE at another file",
        )
    old = version < 2 and bool(_columns(conn, "stacks"))  # version 1: the tables keyed by ARN
    ssm_v3 = bool(_columns(conn, "ssm_parameters")) and "stack_key" not in _columns(conn, "ssm_parameters")
    if ssm_v3:  # up to version 3: one row per parameter (its latest value), no versions
        conn.execute("ALTER TABLE ssm_parameters RENAME TO ssm_parameters_v3")
    if not old and _columns(conn, "stacks") and "secret_ids" not in _columns(conn, "stacks"):
        conn.execute("ALTER TABLE stacks ADD COLUMN secret_ids TEXT NOT NULL DEFAULT '{}'")
        conn.execute("ALTER TABLE stacks ADD COLUMN resolved TEXT NOT NULL DEFAULT '{}'")
    if old:
        conn.execute("DROP INDEX IF EXISTS stacks_by_name")
        conn.execute("DROP INDEX IF EXISTS events_by_stack")
        for table in _V1_RENAMED:
            conn.execute(f"ALTER TABLE {table} RENAME TO {table}_v1")
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    if old:
        _copy_v1(conn)
    if old or version == 2:
        _scrub_secrets(conn)
    if ssm_v3:
        conn.execute(
            "INSERT INTO ssm_parameters(region, name, version, type, value)"
            " SELECT region, name, version, type, value FROM ssm_parameters_v3"
        )
        conn.execute("DROP TABLE ssm_parameters_v3")
    if 0 < version < 4 or old:
        _seal_live_stacks(conn)
    _index_event_turns(conn)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def _index_event_turns(conn: sqlite3.Connection) -> None:
    """Version 5: the events where the stack changes, in place of the per-event index
    (rebuilt from the events, so a file relabelled as older gets them right again)."""
    conn.execute("DELETE FROM event_turns")
    turns: list[tuple[int, int]] = []
    previous = None
    for seq, key in conn.execute("SELECT seq, stack_key FROM events ORDER BY seq"):
        if key != previous:
            turns.append((seq, key))
            previous = key
    conn.executemany("INSERT INTO event_turns(seq, stack_key) VALUES (?, ?)", turns)
    conn.execute("DROP INDEX IF EXISTS events_by_stack")


def _no_echo_of(template_text: str | None) -> set[str]:
    try:
        params = json.loads(template_text or "{}").get("Parameters") or {}
    except (ValueError, AttributeError):
        return set()
    return {k for k, d in params.items() if isinstance(d, dict) and str(d.get("NoEcho", "")).lower() == "true"}


def _masked(text: str | None, names: set[str], found: set[str]) -> str | None:
    """A parameters column with the values of `names` masked (the values added to `found`)."""
    try:
        values = json.loads(text or "{}")
    except ValueError:
        return text
    if not isinstance(values, dict):
        return text
    for name in names & set(values):
        if isinstance(values[name], str) and values[name] != NO_ECHO_MASK:
            found.add(values[name])
            values[name] = NO_ECHO_MASK
    return json.dumps(values, separators=(",", ":"))


def _scrub_secrets(conn: sqlite3.Connection) -> None:
    """Version 3: the NoEcho values earlier versions copied into every template version,
    change set, event reason and deleted stack are masked; a stack's current values stay."""
    stacks = conn.execute("SELECT stack_key, stack_id, parameters, no_echo, deleted FROM stacks").fetchall()
    for key, stack_id, parameters, no_echo, deleted in stacks:
        found: set[str] = set()
        try:
            names = set(json.loads(no_echo or "[]"))
        except ValueError:
            names = set()
        current = _masked(parameters, names, found)
        if deleted is not None:
            conn.execute("UPDATE stacks SET parameters=?, snapshot=NULL WHERE stack_key=?", (current, key))
        for version, processed, params in conn.execute(
            "SELECT version, processed, parameters FROM templates WHERE stack_id=?", (stack_id,)
        ).fetchall():
            conn.execute(
                "UPDATE templates SET parameters=? WHERE stack_id=? AND version=?",
                (_masked(params, _no_echo_of(processed), found), stack_id, version),
            )
        if not found:
            continue
        masker = Masker(found)
        for cs_id, template, params, changes in conn.execute(
            "SELECT change_set_id, template, parameters, changes FROM change_sets WHERE stack_id=?", (stack_id,)
        ).fetchall():
            conn.execute(
                "UPDATE change_sets SET parameters=?, changes=? WHERE change_set_id=?",
                (masker.text(_masked(params, _no_echo_of(template), found) or "{}"), masker.text(changes), cs_id),
            )
        for seq, reason in conn.execute(
            "SELECT seq, reason FROM events WHERE stack_key=? AND reason IS NOT NULL", (key,)
        ).fetchall():
            hidden = masker.text(reason)
            if hidden != reason:
                conn.execute("UPDATE events SET reason=? WHERE seq=?", (hidden, seq))


def _seal_live_stacks(conn: sqlite3.Connection) -> None:
    """Version 4: the NoEcho values a live stack's resource rows and its parameter-store
    entries hold are replaced by markers (engine/sealing.py); the stack's row keeps them once."""
    from sparkleform.engine.sealing import Sealer, ids_for, secret_values

    stacks = conn.execute(
        "SELECT stack_key, parameters, no_echo, snapshot, secret_ids FROM stacks"
        " WHERE deleted IS NULL AND no_echo <> '[]'"
    ).fetchall()
    for key, parameters, no_echo, snapshot, known in stacks:
        try:
            values, names, known_ids = json.loads(parameters or "{}"), json.loads(no_echo or "[]"), json.loads(known or "{}")
        except ValueError:
            continue
        if not isinstance(values, dict) or not isinstance(names, list) or not isinstance(known_ids, dict):
            continue
        if known_ids and snapshot and '"secret_ids"' in snapshot:
            continue  # sealed already (a file relabelled as older): its markers stay valid
        ids = ids_for(values, set(names), known_ids, values)
        sealer = Sealer(secret_values(values, ids))
        conn.execute("UPDATE stacks SET secret_ids=? WHERE stack_key=?", (json.dumps(ids), key))
        if snapshot:  # an update was in progress: its snapshot as version 4 keeps it (engine/update.py)
            snap = json.loads(snapshot)
            before = snap.get("parameters") or {}
            old_ids = ids_for(before, set(snap.get("no_echo") or []), ids, values)
            both = Sealer({**secret_values(before, old_ids), **secret_values(values, ids)})
            snap.update(resources=both.seal(snap.get("resources") or {}), parameters=sealer.seal(before), secret_ids=old_ids)
            conn.execute("UPDATE stacks SET snapshot=? WHERE stack_key=?", (json.dumps(snap), key))
        if not sealer:
            continue
        for logical, props, attrs, rtype, physical in conn.execute(
            "SELECT logical_id, properties, attributes, type, physical_id FROM resources WHERE stack_key=?", (key,)
        ).fetchall():
            if sealer.holds(props) or sealer.holds(attrs):
                conn.execute(
                    "UPDATE resources SET properties=?, attributes=? WHERE stack_key=? AND logical_id=?",
                    (json.dumps(sealer.seal(json.loads(props))), json.dumps(sealer.seal(json.loads(attrs))), key, logical),
                )
            if rtype == "AWS::SSM::Parameter" and physical:
                for version, value in conn.execute(
                    "SELECT version, value FROM ssm_parameters WHERE name=?", (physical,)
                ).fetchall():
                    sealed = sealer.seal_text(value)
                    if sealed != value:
                        conn.execute(
                            "UPDATE ssm_parameters SET value=?, stack_key=? WHERE name=? AND version=?",
                            (sealed, key, physical, version),
                        )


def _copy_v1(conn: sqlite3.Connection) -> None:
    kept = [c for c in _columns(conn, "stacks") if c in set(_columns(conn, "stacks_v1"))]
    names = ", ".join(kept)
    # stacks keep their creation order, so their new keys follow it
    conn.execute(f"INSERT INTO stacks({names}) SELECT {names} FROM stacks_v1 ORDER BY created, rowid")
    conn.execute(
        "INSERT INTO resources(stack_key, logical_id, physical_id, type, status, reason, properties, attributes,"
        " policy, seq) SELECT s.stack_key, r.logical_id, r.physical_id, r.type, r.status, r.reason, r.properties,"
        " r.attributes, r.policy, r.seq FROM resources_v1 r JOIN stacks s ON s.stack_id = r.stack_id"
    )
    conn.execute(
        "INSERT INTO events(seq, event_id, stack_key, logical_id, physical_id, type, status, reason, ts)"
        " SELECT e.seq, e.event_id, s.stack_key, e.logical_id, e.physical_id, e.type, e.status, e.reason, e.ts"
        " FROM events_v1 e JOIN stacks s ON s.stack_id = e.stack_id ORDER BY e.seq"
    )
    for table in _V1_RENAMED:
        conn.execute(f"DROP TABLE {table}_v1")
