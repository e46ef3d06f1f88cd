"""The engine's SQLite state: `StackStore` owns the connection, its transactions and every
SQL statement the engine runs on the state's rows (the tables themselves are in `schema`).
Nothing else in the engine writes SQL: operations ask the store by name.

WAL mode with `synchronous=NORMAL`: every committed transaction survives the process
being killed; readers never block the writer. Each state change (a resource moving to a
new status together with its event, a stack status change) is one `BEGIN IMMEDIATE`
transaction, so a crash leaves the last committed state and nothing half-written.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any

from sparkleform import secrets
from sparkleform.engine.errors import ParameterUnavailable, StackNotFound, StateError
from sparkleform.engine.model import ResourceRow
from sparkleform.engine.schema import SCHEMA_VERSION, prepare_schema, schema_version
from sparkleform.engine.sealing import PREFIX, Sealer, secret_values

_encoder = json.JSONEncoder(separators=(",", ":"), default=str)
_encode = _encoder.encode  # one encoder: json.dumps builds one per call
# JSONEncoder.encode builds a new C encoder on every call; state rows are encoded a few
# thousand times per large operation, so build it once. It runs without the circular-
# reference check (state values are trees); a cycle ends in RecursionError, and then the
# checking encoder is asked again so the error is the same as before.
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)  # absent on Pythons without the C speedups
_c_encode = (
    _c_make_encoder(None, str, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True)
    if _c_make_encoder is not None
    else None
)


def dumps(value: Any) -> str:
    if _c_encode is None or isinstance(value, str):
        return _encode(value)
    try:
        return "".join(_c_encode(value, 0))
    except RecursionError:
        return _encode(value)


# The sqlite3 module binds a None parameter only after looking for an adapter for it (a
# missed dict lookup and two attribute lookups, each time): a third of the cost of binding a
# batch of events, whose reasons are mostly None. Registering None's own adapter (None as it
# is) makes that one dict hit; the value bound is NULL as before.
sqlite3.register_adapter(type(None), lambda value: value)

BUSY_SECONDS = 30.0  # how long a write waits for another process's transaction

_ROWS_PER_INSERT = 90  # x 10 columns stays under SQLite's oldest limit of 999 parameters


def insert_rows(conn: sqlite3.Connection, head: str, rows: list[tuple]) -> int | None:
    """`head` ("INSERT ... INTO t(a, b) VALUES ") for each row, in order, as multi-row
    INSERTs: the same rows as executemany, with a fraction of its per-row statement steps.
    -> the rowid of the last row inserted (None for no rows)."""
    if not rows:
        return None
    one = "(" + ",".join("?" * len(rows[0])) + ")"
    last = None
    for i in range(0, len(rows), _ROWS_PER_INSERT):
        part = rows[i : i + _ROWS_PER_INSERT]
        last = conn.execute(head + ",".join([one] * len(part)), list(chain.from_iterable(part))).lastrowid
    return last


_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # what json.loads runs, without its per-call wrapping


def loads(text: str | None, default: Any = None) -> Any:
    if text is None:
        return default
    if type(text) is str:
        # state columns hold compact JSON that dumps wrote: one scan reads it all; anything
        # else (surrounding whitespace, invalid text) goes to json.loads, for its result or error
        try:
            value, end = _scan(text, 0)
        except (StopIteration, ValueError):
            return _slow_loads(text)
        if end == len(text):
            return value
    return _slow_loads(text)


def _slow_loads(text: Any) -> Any:
    try:
        return json.loads(text)
    except (ValueError, TypeError) as exc:
        raise StateError(
            f"the local state holds a damaged value (not JSON: {exc})",
            hint="restore the state file from a copy, or point --state / $SPARKLEFORM_STATE at a new file",
        ) from None


class StackStore:
    """The state file of one engine (one connection per engine, per process), seen from one
    region: stacks, their template versions, resources, events, exports and imports, change
    sets and the local parameter store.

    Reads run on the connection as they are asked; writes are made inside `tx()` (the
    methods that write say so), so an operation decides what one transaction holds.
    """

    def __init__(self, path: str | Path, region: str = "us-east-1") -> None:
        self.path = Path(path)
        self.region = region
        self._templates: dict[tuple[str, int, bool], dict] = {}
        self._keys: dict[str, int] = {}  # stack id -> stacks.stack_key (never changes)
        self._parameter_writes: list[tuple] = []  # (name, type, value, stack key) puts, (name,) deletes; see defer_parameter
        # stack id -> its NoEcho values' sealer, valid while no other connection has committed
        # (PRAGMA data_version, `_seen_version`) and this one has not changed the stack's values
        self._sealers: dict[str, Sealer | None] = {}
        self._seen_version: int | None = None
        self._tail: tuple[int, int] | None = None  # (seq, stack key) of the last event this connection wrote
        self.commits = 0  # transactions this connection has committed
        self._owners: tuple[Any, dict[tuple[str, str], list[tuple[int, str]]]] | None = None  # see physical_id_owner
        deadline = time.monotonic() + BUSY_SECONDS
        delay = 0.001
        while True:
            try:
                if str(path) != ":memory:":
                    private_file(self.path)
                self._open()
                return
            except StateError:  # e.g. a file from a newer sparkleform: left as it is, and closed
                self.close()
                raise
            except (sqlite3.Error, OSError) as exc:
                self.close()
                # Switching a new file to WAL while another process sets it up or writes it
                # can fail at once with "database is locked": that step does not wait for the
                # busy timeout. So the opening is tried again, for as long as a write would wait.
                locked = isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)
                if locked and time.monotonic() < deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, 0.05)
                    continue
                raise StateError(
                    f"cannot use {self.path} as the local state: {exc}",
                    hint="point --state / $SPARKLEFORM_STATE at a sparkleform state file or a new path",
                ) from None

    def _open(self) -> None:
        self.conn = sqlite3.connect(str(self.path), timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=OFF")
        # deleted rows are overwritten, not left in free space: a destroyed stack's NoEcho values go
        self.conn.execute("PRAGMA secure_delete=ON")
        if schema_version(self.conn) != SCHEMA_VERSION:
            with self.tx():
                prepare_schema(self.conn, self.path)

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: takes the write lock up front). A write that
        fails (a full disk, a read-only or damaged file) leaves the last committed state as it
        was and raises StateError."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:  # e.g. locked longer than the busy timeout, a read-only file
            raise self.failure("is unavailable", exc) from None
        try:
            yield self.conn
        except BaseException as exc:
            self.rollback()
            if isinstance(exc, sqlite3.Error):
                raise self.failure("could not be written", exc) from None
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self.rollback()
                raise self.failure("could not be written", exc) from None
            self.commits += 1

    def rollback(self) -> None:
        """End an open transaction without its changes (nothing when none is open)."""
        self._sealers.clear()  # they may have been built from what the transaction wrote
        self._tail = None
        # SQLite ends the transaction itself on some errors (a full disk, an I/O error)
        if self.conn is not None and self.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    def failure(self, what: str, exc: BaseException) -> StateError:
        """The StateError for `exc` met while using the state ("the local state X {what}: ...")."""
        return state_failure(self.path, what, exc)

    def one(self, sql: str, args: tuple = ()) -> sqlite3.Row | None:
        try:
            return self.conn.execute(sql, args).fetchone()
        except sqlite3.Error as exc:
            raise self.failure("cannot be read", exc) from None

    def all(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        try:
            return self.conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise self.failure("cannot be read", exc) from None

    def tuples(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Like `all`, as plain tuples in the SELECT's column order (no Row per row: for the
        queries that read every resource of a stack)."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        try:
            return cursor.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise self.failure("cannot be read", exc) from None

    def close(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()
            self.conn = None  # type: ignore[assignment]

    # -- stacks -----------------------------------------------------------------------
    def stack_row(self, stack_id: str) -> sqlite3.Row | None:
        """The stacks row of a stack id, deleted or not."""
        return _seen(self.one("SELECT * FROM stacks WHERE stack_id=?", (stack_id,)))

    def stack(self, name: str, *, include_deleted: bool = False) -> sqlite3.Row | None:
        """The stacks row a name or stack id names: the live stack of that name in this region,
        or the stack of that id (deleted ones only with `include_deleted`)."""
        if name.startswith("arn:"):
            row = self.stack_row(name)
            if row is not None and (include_deleted or row["deleted"] is None):
                return row
            return None
        return _seen(
            self.one(
                "SELECT * FROM stacks WHERE region=? AND name=? AND deleted IS NULL ORDER BY created DESC LIMIT 1",
                (self.region, name),
            )
        )

    def require(self, name: str, *, describe: bool = False) -> sqlite3.Row:
        """`stack(name)`, or StackNotFound in CloudFormation's words (`describe`: as
        DescribeStacks says it, and deleted stacks are found by id)."""
        row = self.stack(name, include_deleted=describe)
        if row is None:
            if describe:
                raise StackNotFound(f"Stack with id {name} does not exist")
            raise StackNotFound(f"Stack [{name}] does not exist")
        return row

    def list_stacks(self) -> list[sqlite3.Row]:
        rows = self.all("SELECT * FROM stacks WHERE region=? AND deleted IS NULL ORDER BY created", (self.region,))
        for row in rows:
            _seen(row)
        return rows

    def children(self, stack_id: str) -> list[sqlite3.Row]:
        """The live nested stacks of a stack."""
        return self.all("SELECT name, stack_id FROM stacks WHERE parent_id=? AND deleted IS NULL", (stack_id,))

    def stack_key(self, stack_id: str) -> int:
        """The integer that keys a stack's resources and events."""
        key = self._keys.get(stack_id)
        if key is None:
            row = self.one("SELECT stack_key FROM stacks WHERE stack_id=?", (stack_id,))
            if row is None:
                    raise StackNotFound(f"Stack with id {stack_id} does not exist")
            key = self._keys[stack_id] = row["stack_key"]
        return key

    def insert_stack(self, columns: dict[str, Any]) -> None:
        """A new stacks row (inside `tx`)."""
        names = ", ".join(columns)
        inserted = self.conn.execute(
            f"INSERT INTO stacks({names}) VALUES ({','.join('?' * len(columns))})", tuple(columns.values())
        )
        assert inserted.lastrowid is not None
        self._keys[columns["stack_id"]] = inserted.lastrowid
        if columns.get("secret_ids", "{}") == "{}" and not columns.get("snapshot"):
            self._sealers[columns["stack_id"]] = None  # no NoEcho values: nothing to seal
        else:
            self._sealers.pop(columns["stack_id"], None)

    def set_stack(self, stack_id: str, columns: dict[str, Any]) -> None:
        """Set columns of a stack's row (inside `tx`)."""
        if not _SEALED_BY.isdisjoint(columns):
            self._sealers.pop(stack_id, None)
        cols = ", ".join(f"{k}=?" for k in columns)
        self.conn.execute(f"UPDATE stacks SET {cols} WHERE stack_id=?", (*columns.values(), stack_id))

    def set_stack_policy(self, stack_id: str, policy: dict | None) -> None:
        """Set (or, with None, drop) a stack's policy, in a transaction of its own."""
        with self.tx():
            self.set_stack(stack_id, {"stack_policy": dumps(policy) if policy is not None else None})

    def set_termination_protection(self, stack_id: str, enabled: bool) -> None:
        """Turn a stack's termination protection on or off, in a transaction of its own."""
        with self.tx():
            self.set_stack(stack_id, {"termination_protection": 1 if enabled else 0})

    # -- NoEcho values at rest (engine/sealing.py) -------------------------------------
    def sealer(self, stack_id: str) -> Sealer | None:
        """What seals and unseals the NoEcho values of a stack's rows: its current values, and
        during an update also the values before it (kept in the snapshot); None when it has none."""
        # Another process may have changed the stack since its sealer was cached: SQLite's
        # data_version moves when another connection commits (this one's own changes of the
        # values drop the entry in set_stack, a rollback drops them all).
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._seen_version:
            self._sealers.clear()
            self._seen_version = version
        if stack_id in self._sealers:
            return self._sealers[stack_id]
        row = self.one("SELECT parameters, secret_ids, snapshot FROM stacks WHERE stack_id=?", (stack_id,))
        sealer = None
        if row is not None and (row["secret_ids"] not in ("{}", "", None) or row["snapshot"]):
            ids = loads(row["secret_ids"], {}) or {}
            values = secret_values(loads(row["parameters"], {}), ids) if ids else {}
            snap_text = row["snapshot"]
            if snap_text and ('"secret_ids":{"' in snap_text or '"secret_ids": {"' in snap_text):
                snap = loads(snap_text, {}) or {}
                old = Sealer(values).unseal(snap.get("parameters") or {})
                values = {**secret_values(old, snap.get("secret_ids") or {}), **values}
                failed = snap.get("rolled_back") or {}  # an update being rolled back: its values
                values.update(secret_values(failed.get("parameters") or {}, failed.get("secret_ids") or {}))
            sealer = Sealer(values) if values else None
        self._sealers[stack_id] = sealer
        return sealer

    def seal(self, stack_id: str, node: Any) -> Any:
        """`node` with the stack's NoEcho values replaced by markers, to be written."""
        sealer = self.sealer(stack_id)
        return sealer.seal(node) if sealer else node

    def unseal(self, stack_id: str, node: Any) -> Any:
        """`node` as read, with the markers of the stack's NoEcho values replaced by the values."""
        sealer = self.sealer(stack_id)
        return sealer.unseal(node) if sealer else node

    # -- templates --------------------------------------------------------------------
    def template(self, stack_id: str, version: int, *, processed: bool = True) -> dict:
        """A version of a stack's template, as submitted or processed (transforms applied);
        versions never change, so they are cached: callers must not modify the dict."""
        key = (stack_id, version, processed)
        cached = self._templates.get(key)
        if cached is not None:
            return cached
        row = self.one("SELECT * FROM templates WHERE stack_id=? AND version=?", (stack_id, version))
        if row is None:
            return {"Resources": {}}
        value = loads(row["processed" if processed else "template"])
        if len(self._templates) > 256:
            self._templates.clear()
        self._templates[key] = value
        return value

    def template_parameters(self, stack_id: str, version: int) -> dict[str, str]:
        row = self.one("SELECT parameters FROM templates WHERE stack_id=? AND version=?", (stack_id, version))
        return loads(row["parameters"], {}) if row else {}

    def template_versions(self, stack_id: str) -> list[sqlite3.Row]:
        return self.all("SELECT version, parameters, created FROM templates WHERE stack_id=? ORDER BY version", (stack_id,))

    def next_template_version(self, stack_id: str) -> int:
        row = self.one("SELECT MAX(version) AS v FROM templates WHERE stack_id=?", (stack_id,))
        return (row["v"] if row is not None and row["v"] else 0) + 1

    def add_template(
        self, stack_id: str, version: int, submitted: dict, processed: dict, parameters: dict[str, str], created: float,
        encoded: str | None = None,
    ) -> None:
        """A new template version: as submitted (`encoded`: already encoded), as processed
        (transforms applied), and its parameter values (inside `tx`)."""
        text = encoded if encoded is not None else dumps(submitted)  # without a transform the processed template is the same dict: encoded once
        self.conn.execute(
            "INSERT INTO templates(stack_id, version, template, processed, parameters, created) VALUES (?,?,?,?,?,?)",
            (stack_id, version, text, text if processed is submitted else dumps(processed), dumps(parameters), created),
        )

    # -- resources and events ---------------------------------------------------------
    def resources(self, stack_id: str) -> dict[str, ResourceRow]:
        """A stack's resource rows by logical id, in creation order."""
        out = {}
        sealer = self.sealer(stack_id)
        for logical_id, rtype, physical_id, status, properties, attributes, policy, seq, reason in self.tuples(
            "SELECT logical_id, type, physical_id, status, properties, attributes, policy, seq, reason"
            " FROM resources WHERE stack_key=? ORDER BY seq",
            (self.stack_key(stack_id),),
        ):
            props, attrs = loads(properties, {}), loads(attributes, {})
            if sealer is not None:
                if PREFIX in properties:
                    props = sealer.unseal(props)
                if PREFIX in attributes:
                    attrs = sealer.unseal(attrs)
            out[logical_id] = ResourceRow(
                logical_id,
                rtype,
                physical_id,
                status,
                props,
                attrs,
                loads(policy, {}),
                seq,
                reason,
                properties,
                attributes,
            )
        return out

    def resource_summaries(self, stack_key: int) -> list[tuple]:
        """(logical id, physical id, type, status, reason) of a stack's resources, in order."""
        return self.tuples(
            "SELECT logical_id, physical_id, type, status, reason FROM resources WHERE stack_key=? ORDER BY seq",
            (stack_key,),
        )

    def subnet_cidr(self, stack_id: str, physical_id: str) -> str | None:
        """The CidrBlock of a subnet of the stack, by physical id (None when unknown)."""
        row = self.one(
            "SELECT properties FROM resources WHERE stack_key=? AND physical_id=? AND type='AWS::EC2::Subnet'",
            (self.stack_key(stack_id), physical_id),
        )
        if row is None:
            return None
        value = loads(row["properties"], {}).get("CidrBlock")
        return value if isinstance(value, str) else None

    def physical_id_owner(self, rtype: str, physical_id: str, stack_id: str, types: Iterable[str] = ()) -> str | None:
        """The id of another stack with a live resource of type `rtype` and `physical_id` (a
        named bucket, role, queue ... exists only once), or None. The live resources of
        `types` (with `rtype`) are read in one query and kept until this connection commits
        (a wave's results; a nested stack's create between two of its parent's resources),
        not read again per resource: another process's resources are seen from the next wave
        on (two creates racing for one name on AWS are told apart by the service alone)."""
        wanted = frozenset((rtype, *types))
        stamp = (self.commits, wanted)
        if self._owners is None or self._owners[0] != stamp:
            owners: dict[tuple[str, str], list[tuple[int, str]]] = {}
            types = sorted(wanted)
            for i in range(0, len(types), 500):
                part = types[i : i + 500]
                for row in self.conn.execute(
                    "SELECT r.type, r.physical_id, r.stack_key, s.stack_id FROM resources r JOIN stacks s"
                    f" ON s.stack_key = r.stack_key WHERE r.type IN ({','.join('?' * len(part))})"
                    " AND r.physical_id IS NOT NULL AND r.status NOT IN ('DELETE_COMPLETE', 'DELETE_SKIPPED', 'CREATE_FAILED')",
                    part,
                ):
                    owners.setdefault((row[0], row[1]), []).append((row[2], row[3]))
            self._owners = (stamp, owners)
        key = self.stack_key(stack_id)
        for other_key, other_id in self._owners[1].get((rtype, physical_id), ()):
            if other_key != key:
                return other_id
        return None

    def write_resources(self, stack_id: str, rows: dict[str, tuple[ResourceRow, bool]]) -> None:
        """Write resource rows, or remove those marked so (inside `tx`)."""
        key = self.stack_key(stack_id)
        removes = []
        upserts = []
        sealer = self.sealer(stack_id)
        for logical, (res, remove) in rows.items():
            if remove:
                removes.append((key, logical))
                continue
            props, attrs, policy = res.properties, res.attributes, res.policy
            if sealer is not None:
                props_json = res.props_json or (dumps(props) if props else "{}")
                attrs_json = res.attrs_json or (dumps(attrs) if attrs else "{}")
                res.props_json = dumps(sealer.seal(props)) if sealer.holds(props_json) else props_json
                res.attrs_json = dumps(sealer.seal(attrs)) if sealer.holds(attrs_json) else attrs_json
            upserts.append(
                (
                    key,
                    logical,
                    res.physical_id,
                    res.type,
                    res.status,
                    res.reason,
                    res.props_json or (dumps(props) if props else "{}"),
                    res.attrs_json or (dumps(attrs) if attrs else "{}"),
                    dumps(policy) if policy else "{}",
                    res.seq,
                )
            )
        if removes:
            self.conn.executemany("DELETE FROM resources WHERE stack_key=? AND logical_id=?", removes)
        insert_rows(
            self.conn,
            "INSERT OR REPLACE INTO resources(stack_key, logical_id, physical_id, type, status, reason,"
            " properties, attributes, policy, seq) VALUES ",
            upserts,
        )

    def insert_events(self, events: list[tuple]) -> None:
        """Events as (event id, stack key, logical id, physical id, type, status, reason,
        timestamp) tuples, in order (inside `tx`). Their seqs are consecutive (rowids one past
        the largest, under the write lock); an event whose stack differs from the event's
        before it is recorded as a turn (see schema.py)."""
        if not events:
            return
        last = insert_rows(
            self.conn,
            "INSERT INTO events(event_id, stack_key, logical_id, physical_id, type, status, reason, ts) VALUES ",
            events,
        )
        assert last is not None
        seq = last - len(events) + 1
        before: int | None
        if self._tail is not None and self._tail[0] == seq - 1:
            before = self._tail[1]  # this connection wrote the event before (a rollback forgets it)
        else:
            row = self.conn.execute("SELECT stack_key FROM events WHERE seq=?", (seq - 1,)).fetchone()
            before = None if row is None else row[0]
        turns = []
        for event in events:
            if event[1] != before:
                turns.append((seq, event[1]))
                before = event[1]
            seq += 1
        insert_rows(self.conn, "INSERT INTO event_turns(seq, stack_key) VALUES ", turns)
        self._tail = (last, events[-1][1])

    def events(self, stack_key: int, since: str | None = None) -> list[sqlite3.Row]:
        """A stack's events, oldest first; with `since`, only those after that event."""
        start = 0
        if since:
            found = self.one(f"SELECT e.seq {_STACK_EVENTS} AND e.event_id=?", (stack_key, since))
            start = found["seq"] if found else 0
        return self.all(f"SELECT e.* {_STACK_EVENTS} AND e.seq>? ORDER BY e.seq", (stack_key, start))

    # -- exports and imports ----------------------------------------------------------
    def export_value(self, name: str) -> str | None:
        row = self.one("SELECT value FROM exports WHERE region=? AND name=?", (self.region, name))
        return None if row is None else row["value"]

    def exporter(self, name: str) -> sqlite3.Row | None:
        """(name, stack_id) of the stack that exports `name`."""
        return self.one(
            "SELECT s.name, s.stack_id FROM exports e JOIN stacks s ON s.stack_id=e.stack_id WHERE e.region=? AND e.name=?",
            (self.region, name),
        )

    def exports(self) -> list[sqlite3.Row]:
        """(name, value) of every export in the region, by name."""
        return self.all("SELECT name, value FROM exports WHERE region=? ORDER BY name", (self.region,))

    def exports_of(self, stack_id: str) -> list[sqlite3.Row]:
        return self.all("SELECT name, value FROM exports WHERE stack_id=?", (stack_id,))

    def imports_of(self, stack_id: str) -> list[str]:
        """The export names a stack imports."""
        return [r["export_name"] for r in self.all("SELECT export_name FROM imports WHERE stack_id=?", (stack_id,))]

    def importer(self, export: str, stack_id: str) -> str | None:
        """The name of a live stack other than `stack_id` that imports `export`."""
        row = self.one(
            "SELECT s.name FROM imports i JOIN stacks s ON s.stack_id=i.stack_id"
            " WHERE i.export_name=? AND i.region=? AND i.stack_id<>? AND s.deleted IS NULL",
            (export, self.region, stack_id),
        )
        return None if row is None else row["name"]

    def importers_of_exports(self, stack_id: str) -> list[sqlite3.Row]:
        """(export, importer): the stack's exports that other live stacks import."""
        return self.all(
            "SELECT e.name AS export, s.name AS importer FROM exports e JOIN imports i"
            " ON i.export_name=e.name AND i.region=e.region JOIN stacks s ON s.stack_id=i.stack_id"
            " WHERE e.stack_id=? AND i.stack_id<>? AND s.deleted IS NULL",
            (stack_id, stack_id),
        )

    def write_exports(
        self, stack_id: str, exports: list[tuple[str, str]], imports: list[str] | set[str], *, take_back: bool = False
    ) -> None:
        """Replace a stack's exports (name, value) and imports (inside `tx`). With `take_back`
        (a rollback restoring them) an export another stack took meanwhile is taken back."""
        self.conn.execute("DELETE FROM exports WHERE stack_id=?", (stack_id,))
        self.conn.execute("DELETE FROM imports WHERE stack_id=?", (stack_id,))
        verb = "INSERT OR REPLACE" if take_back else "INSERT"
        for name, value in exports:
            self.conn.execute(
                f"{verb} INTO exports(region, name, stack_id, value) VALUES (?,?,?,?)", (self.region, name, stack_id, value)
            )
        for name in imports:
            self.conn.execute(
                "INSERT OR IGNORE INTO imports(stack_id, region, export_name) VALUES (?,?,?)", (stack_id, self.region, name)
            )

    # -- change sets ------------------------------------------------------------------
    def add_change_set(self, stack_id: str, name: str, template: str, parameters: str, changes: str) -> None:
        """A plan, kept as a change set (inside `tx`)."""
        self.conn.execute(
            "INSERT INTO change_sets(change_set_id, stack_id, name, status, template, parameters, changes, created)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (f"{stack_id}/changeSet/{name}", stack_id, name, "CREATE_COMPLETE", template, parameters, changes, now()),
        )

    # -- the parameter store ----------------------------------------------------------
    def ssm_lookup(self, name: str, version: int | None = None) -> str | None:
        """A parameter's value (its latest version, or `version`); None when there is no such
        parameter or version. A value that came from a stack's NoEcho parameter is read back
        through the stack's current value (ParameterUnavailable once that value has changed)."""
        if version is None:
            row = self.one(
                "SELECT value, stack_key FROM ssm_parameters WHERE region=? AND name=? ORDER BY version DESC LIMIT 1",
                (self.region, name),
            )
        else:
            row = self.one(
                "SELECT value, stack_key FROM ssm_parameters WHERE region=? AND name=? AND version=?",
                (self.region, name, version),
            )
        if row is None:
            return None
        value = row["value"]
        if row["stack_key"] is not None and PREFIX in value:
            owner = self.one("SELECT stack_id FROM stacks WHERE stack_key=?", (row["stack_key"],))
            sealer = self.sealer(owner["stack_id"]) if owner is not None else None
            value = sealer.unseal_text(value) if sealer is not None else value
            if PREFIX in value:
                raise ParameterUnavailable(
                    f"Version {version or 'latest'} of parameter {name} came from a NoEcho parameter whose value has "
                    "changed since: the local state keeps a NoEcho value only while its stack uses it"
                )
        return value

    def put_parameter(self, name: str, value: str, type: str = "String") -> int:
        """Write a parameter now, in a transaction of its own; -> its new version (1 for a new
        parameter, then one more per put, as PutParameter answers)."""
        with self.tx():
            self.conn.execute(_PUT_PARAMETER, (self.region, name, type, value, None, self.region, name))
            self.conn.execute(_TRIM_VERSIONS, (self.region, name, self.region, name))
            row = self.conn.execute(
                "SELECT MAX(version) FROM ssm_parameters WHERE region=? AND name=?", (self.region, name)
            ).fetchone()
        return int(row[0])

    def defer_parameter(self, name: str, value: str | None, type: str = "String", *, stack_id: str | None = None) -> None:
        """Write a new version of (or with value None, delete) a parameter in the next
        transaction that `flush_parameters`: a resource's side effect is committed with the
        resource. With `stack_id`, the stack's NoEcho values in `value` are kept as markers."""
        if value is None:
            self._parameter_writes.append((name,))
            return
        key = None
        if stack_id is not None:
            sealed = self.seal(stack_id, value)
            if sealed != value:
                value, key = sealed, self.stack_key(stack_id)
        self._parameter_writes.append((name, type, value, key))

    @property
    def parameters_pending(self) -> bool:
        return bool(self._parameter_writes)

    def flush_parameters(self) -> None:
        """Run the deferred parameter writes, in order (inside `tx`): each run of puts reads
        the latest versions of its names in one query and inserts its rows together; a delete
        ends a run. Only names past the 100 versions Parameter Store keeps are trimmed."""
        if not self._parameter_writes:
            return
        writes, self._parameter_writes = self._parameter_writes, []
        start = 0
        for i, write in enumerate(writes):
            if len(write) == 1:
                self._put_parameters(writes[start:i])
                self.conn.execute(_DELETE_PARAMETER, (self.region, write[0]))
                start = i + 1
        self._put_parameters(writes[start:])

    def _put_parameters(self, puts: list[tuple]) -> None:
        """Insert a run of puts, each name's version one past its latest (inside `tx`)."""
        if not puts:
            return
        region = self.region
        names = list(dict.fromkeys(put[0] for put in puts))
        latest: dict[str, int] = {}
        for i in range(0, len(names), 500):
            part = names[i : i + 500]
            latest.update(
                self.conn.execute(
                    f"SELECT name, MAX(version) FROM ssm_parameters WHERE region=? AND name IN ({','.join('?' * len(part))})"
                    " GROUP BY name",
                    (region, *part),
                ).fetchall()
            )
        rows = []
        for name, type, value, key in puts:
            version = latest[name] = latest.get(name, 0) + 1
            rows.append((region, name, type, value, key, version))
        insert_rows(self.conn, "INSERT INTO ssm_parameters(region, name, type, value, stack_key, version) VALUES ", rows)
        over = [(region, name, latest[name] - MAX_VERSIONS) for name in names if latest[name] > MAX_VERSIONS]
        if over:
            self.conn.executemany("DELETE FROM ssm_parameters WHERE region=? AND name=? AND version<=?", over)

    def release_parameters(self, stack_id: str) -> None:
        """A stack is going away: the parameter-store entries that still refer to its NoEcho
        values (parameters it retained) get the values themselves, as the parameters' own
        (inside `tx`). Versions whose value the stack no longer knows are dropped."""
        key = self.stack_key(stack_id)
        sealer = self.sealer(stack_id)
        for row in self.all("SELECT region, name, version, value FROM ssm_parameters WHERE stack_key=?", (key,)):
            value = sealer.unseal_text(row["value"]) if sealer is not None else row["value"]
            if PREFIX in value:
                self.conn.execute(
                    "DELETE FROM ssm_parameters WHERE region=? AND name=? AND version=?",
                    (row["region"], row["name"], row["version"]),
                )
            else:
                self.conn.execute(
                    "UPDATE ssm_parameters SET value=?, stack_key=NULL WHERE region=? AND name=? AND version=?",
                    (value, row["region"], row["name"], row["version"]),
                )


# a stack's events: from each of its turns up to the next turn (of any stack). CROSS JOIN keeps
# the turns as SQLite's outer loop: with a plain JOIN and ORDER BY e.seq it walked every event.
_STACK_EVENTS = (
    "FROM event_turns t CROSS JOIN events e ON e.seq >= t.seq AND e.seq < COALESCE("
    "(SELECT n.seq FROM event_turns n WHERE n.seq > t.seq ORDER BY n.seq LIMIT 1), 9223372036854775807)"
    " WHERE t.stack_key=?"
)
_SEALED_BY = frozenset({"parameters", "secret_ids", "snapshot"})  # the stacks columns a sealer is built from

MAX_VERSIONS = 100  # Parameter Store keeps the latest 100 versions of a parameter

_PUT_PARAMETER = (
    "INSERT INTO ssm_parameters(region, name, type, value, stack_key, version)"
    " SELECT ?, ?, ?, ?, ?, COALESCE(MAX(version), 0) + 1 FROM ssm_parameters WHERE region=? AND name=?"
)
_TRIM_VERSIONS = (
    "DELETE FROM ssm_parameters WHERE region=? AND name=? AND version <="
    f" (SELECT MAX(version) - {MAX_VERSIONS} FROM ssm_parameters WHERE region=? AND name=?)"
)
_DELETE_PARAMETER = "DELETE FROM ssm_parameters WHERE region=? AND name=?"


_warned: set[str] = set()


def private_file(path: Path) -> None:
    """Make sure the state file exists, readable by its owner alone: a new one is created 0600
    (its -wal and -shm logs get the same mode from SQLite) in a folder created 0700. An
    existing file or folder that others can read is left as it is, with a warning on stderr:
    the state holds NoEcho parameter values."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077 and str(path) not in _warned:
            _warned.add(str(path))
            sys.stderr.write(
                f"warning: the local state {path} can be read by others (mode {mode:04o}) and may hold "
                f"NoEcho values: chmod 600 {path}\n"
            )
    else:
        os.close(fd)


def _seen(row: sqlite3.Row | None) -> sqlite3.Row | None:
    """A stacks row, after registering its NoEcho values for masking (whatever this process
    prints about the stack from now on has them masked)."""
    if row is not None and row["no_echo"] not in (None, "[]"):
        names = loads(row["no_echo"], [])
        values = loads(row["parameters"], {})
        secrets.register(values[n] for n in names if isinstance(values.get(n), str))
    return row


def state_failure(path: Path, what: str, exc: BaseException) -> StateError:
    """A StateError saying what went wrong with the state file at `path`, and what to do:
    for a full disk, how much space the state needs."""
    text = str(exc)
    low = text.lower()
    hint = None
    if "full" in low or "disk i/o" in low or (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG)):
        need = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
        hint = (
            f"free at least {max(need, 1 << 20):,} bytes where {path} is (the state and its log, or 1 MB), "
            "or raise the file size limit (ulimit -f); the last committed state is intact, and "
            "`sparkleform recover STACK` finishes any stack left in progress"
        )
    elif "readonly" in low or "read-only" in low or "permission" in low:
        hint = f"make {path} and its folder writable, or point --state / $SPARKLEFORM_STATE elsewhere"
    elif "malformed" in low or "not a database" in low or "no such table" in low or "no such column" in low:
        hint = f"{path} is damaged: restore it from a copy, or point --state / $SPARKLEFORM_STATE at a new file"
    return StateError(f"the local state {path} {what}: {text}", hint=hint)


def now() -> float:
    return time.time()
