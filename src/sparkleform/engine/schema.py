"""The state file's tables, their version, and bringing a file written by an earlier
version up to them.

The version is SQLite's `user_version`. Version 2 keys a stack's resources and events by
an integer (`stacks.stack_key`) instead of repeating the stack's ARN in every row, and
events no longer repeat the stack's name: a create of 500 resources writes 1,500 rows,
and the ARN was most of each. A file of version 1 (user_version 0, the tables already
there) is migrated in one transaction when it is first opened; a file from a newer
sparkleform is refused rather than guessed at.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = 2

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
CREATE INDEX IF NOT EXISTS events_by_stack ON events(stack_key, seq);
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
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (region, name)
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
    old = bool(_columns(conn, "stacks"))
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
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


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
