"""The engine's SQLite state: the connection, its settings and one-transaction helpers (the
tables are in `schema`).

WAL mode with `synchronous=NORMAL`: every committed transaction survives the process
being killed; readers never block the writer. Each state change (a resource moving to a
new status together with its event, a stack status change) is one `BEGIN IMMEDIATE`
transaction, so a crash leaves the last committed state and nothing half-written.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any

from sparkleform.engine.schema import SCHEMA_VERSION, prepare_schema, schema_version

_encoder = json.JSONEncoder(separators=(",", ":"), default=str)
_encode = _encoder.encode  # one encoder: json.dumps builds one per call
# JSONEncoder.encode builds a new C encoder on every call; state rows are encoded a few
# thousand times per large operation, so build it once. It runs without the circular-
# reference check (state values are trees); a cycle ends in RecursionError, and then the
# checking encoder is asked again so the error is the same as before.
_c_encode = (
    json.encoder.c_make_encoder(None, str, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True)
    if json.encoder.c_make_encoder is not None
    else None
)


def dumps(value: Any) -> str:
    if _c_encode is None or isinstance(value, str):
        return _encode(value)
    try:
        return "".join(_c_encode(value, 0))
    except RecursionError:
        return _encode(value)


BUSY_SECONDS = 30.0  # how long a write waits for another process's transaction

_ROWS_PER_INSERT = 90  # x 10 columns stays under SQLite's oldest limit of 999 parameters


def insert_rows(conn: sqlite3.Connection, head: str, rows: list[tuple]) -> None:
    """`head` ("INSERT ... INTO t(a, b) VALUES ") for each row, in order, as multi-row
    INSERTs: the same rows as executemany, with a fraction of its per-row statement steps."""
    if not rows:
        return
    one = "(" + ",".join("?" * len(rows[0])) + ")"
    for i in range(0, len(rows), _ROWS_PER_INSERT):
        part = rows[i : i + _ROWS_PER_INSERT]
        conn.execute(head + ",".join([one] * len(part)), list(chain.from_iterable(part)))


_scan = json.JSONDecoder().scan_once  # what json.loads runs, without its per-call wrapping


def loads(text: str | None, default: Any = None) -> Any:
    if text is None:
        return default
    if type(text) is str:
        # state columns hold compact JSON that dumps wrote: one scan reads it all; anything
        # else (surrounding whitespace, invalid text) goes to json.loads, for its result or error
        try:
            value, end = _scan(text, 0)
        except (StopIteration, ValueError):
            return json.loads(text)
        if end == len(text):
            return value
    return json.loads(text)


class Store:
    """One connection to the state file (one per engine, per process)."""

    def __init__(self, path: str | Path) -> None:
        from sparkleform.engine.errors import StateError

        self.path = Path(path)
        deadline = time.monotonic() + BUSY_SECONDS
        delay = 0.001
        while True:
            try:
                if str(path) != ":memory:":
                    self.path.parent.mkdir(parents=True, exist_ok=True)
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
        if schema_version(self.conn) != SCHEMA_VERSION:
            with self.tx():
                prepare_schema(self.conn, self.path)

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: takes the write lock up front)."""
        from sparkleform.engine.errors import StateError

        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # e.g. locked longer than the busy timeout
            raise StateError(f"the local state {self.path} is unavailable: {exc}") from None
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self.conn.execute("ROLLBACK")
                raise StateError(f"the local state {self.path} could not be written: {exc}") from None

    def one(self, sql: str, args: tuple = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, args).fetchone()

    def all(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, args).fetchall()

    def tuples(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Like `all`, as plain tuples in the SELECT's column order (no Row per row: for the
        queries that read every resource of a stack)."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, args).fetchall()

    def close(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()
            self.conn = None  # type: ignore[assignment]


def now() -> float:
    return time.time()
