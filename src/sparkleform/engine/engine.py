"""The Engine: stack operations (create, plan, update, delete, recover) over the SQLite state.

Each operation validates everything it can before touching the state, then moves the
stack and its resources through CloudFormation's statuses, one transaction per change,
delivering each event to `on_event` right after it is committed. Rollbacks and `recover`
work from the state alone (the snapshot stored when an update starts), so a process that
was killed can be rolled back by the next one.

This module assembles `Engine` from one mixin per part (create, plan, update,
update_finish, delete, recover, queries, preflight, provision, outputs) and holds what
they all share: stack and resource lookups, events, batched status transactions, and
taking a stack for an operation (`_begin`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sparkleform.engine.attributes import SimContext
from sparkleform.engine.changes import _hash as _hash  # importable from here as before the split
from sparkleform.engine.create import CreateMixin
from sparkleform.engine.delete import DeleteMixin
from sparkleform.engine.errors import StackBusy, StackNotFound
from sparkleform.engine.graph import waves
from sparkleform.engine.handlers import STACK_TYPE, Handlers, acts_outside
from sparkleform.engine.ids import _event_id, _event_ids, _owner
from sparkleform.engine.outputs import OutputsMixin
from sparkleform.engine.plan import PlanMixin
from sparkleform.engine.preflight import PreflightMixin
from sparkleform.engine.provision import ProvisionMixin
from sparkleform.engine.queries import QueryMixin
from sparkleform.engine.recover import RecoverMixin
from sparkleform.engine.run import _Res, _Run
from sparkleform.engine.store import Store, dumps, insert_rows, loads, now
from sparkleform.engine.update import UpdateMixin
from sparkleform.engine.update_finish import UpdateFinishMixin
from sparkleform.contract import EventCallback, StackEvent

Change = tuple[_Res, "str | None", "str | None", bool]  # (row, new status or None, reason, remove the row)


@dataclass
class _Staged:
    """Row writes and events staged for one transaction (see Engine._stage)."""

    run_stack: tuple[str, str]
    rows: dict[str, tuple[_Res, bool]] = field(default_factory=dict)  # logical id -> (row, remove it)
    events: list[tuple] = field(default_factory=list)
    delivered: list[StackEvent] = field(default_factory=list)


class Engine(
    CreateMixin,
    PlanMixin,
    UpdateMixin,
    UpdateFinishMixin,
    DeleteMixin,
    RecoverMixin,
    QueryMixin,
    PreflightMixin,
    ProvisionMixin,
    OutputsMixin,
):
    """The embedded CloudFormation. One instance per process and state file."""

    def __init__(self, state: str | Path, region: str = "us-east-1", account_id: str = "123456789012") -> None:
        self.store = Store(state)
        self.region = region
        self.account_id = account_id
        self.handlers = Handlers(self)
        self._templates: dict[tuple[str, int, bool], dict] = {}
        self._keys: dict[str, int] = {}  # stack id -> stacks.stack_key (never changes)
        self._ctx_key: tuple[str, str] | None = None
        self._ctx: SimContext | None = None

    # -- lookups ----------------------------------------------------------------------
    def _row(self, name: str, *, include_deleted: bool = False) -> Any:
        if name.startswith("arn:"):
            row = self.store.one("SELECT * FROM stacks WHERE stack_id=?", (name,))
            if row is not None and (include_deleted or row["deleted"] is None):
                return row
            return None
        return self.store.one(
            "SELECT * FROM stacks WHERE region=? AND name=? AND deleted IS NULL ORDER BY created DESC LIMIT 1",
            (self.region, name),
        )

    def _require(self, name: str, *, describe: bool = False) -> Any:
        row = self._row(name, include_deleted=describe)
        if row is None:
            if describe:
                raise StackNotFound(f"Stack with id {name} does not exist")
            raise StackNotFound(f"Stack [{name}] does not exist")
        return row

    def stack_exists(self, name: str) -> bool:
        return self._row(name) is not None

    def _template(self, stack_id: str, version: int, *, processed: bool = True) -> dict:
        # versions are immutable, so they are cached; callers must not modify the dict
        key = (stack_id, version, processed)
        cached = self._templates.get(key)
        if cached is not None:
            return cached
        row = self.store.one("SELECT * FROM templates WHERE stack_id=? AND version=?", (stack_id, version))
        if row is None:
            return {"Resources": {}}
        value = loads(row["processed" if processed else "template"])
        if len(self._templates) > 256:
            self._templates.clear()
        self._templates[key] = value
        return value

    def _stack_key(self, stack_id: str) -> int:
        """The integer that keys a stack's resources and events."""
        key = self._keys.get(stack_id)
        if key is None:
            row = self.store.one("SELECT stack_key FROM stacks WHERE stack_id=?", (stack_id,))
            if row is None:
                raise StackNotFound(f"Stack with id {stack_id} does not exist")
            key = self._keys[stack_id] = row["stack_key"]
        return key

    def _resources(self, stack_id: str) -> dict[str, _Res]:
        out = {}
        for logical_id, rtype, physical_id, status, properties, attributes, policy, seq, reason in self.store.tuples(
            "SELECT logical_id, type, physical_id, status, properties, attributes, policy, seq, reason"
            " FROM resources WHERE stack_key=? ORDER BY seq",
            (self._stack_key(stack_id),),
        ):
            out[logical_id] = _Res(
                logical_id,
                rtype,
                physical_id,
                status,
                loads(properties, {}),
                loads(attributes, {}),
                loads(policy, {}),
                seq,
                reason,
                properties,
                attributes,
            )
        return out

    # -- events & transactions --------------------------------------------------------
    def _event(
        self,
        conn: Any,
        pending: list[StackEvent],
        stack_id: str,
        stack_name: str,
        logical_id: str,
        physical_id: str | None,
        rtype: str,
        status: str,
        reason: str | None,
    ) -> None:
        ts = now()
        event_id = _event_id()
        conn.execute(
            "INSERT INTO events(event_id, stack_key, logical_id, physical_id, type, status, reason, ts)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (event_id, self._stack_key(stack_id), logical_id, physical_id, rtype, status, reason, ts),
        )
        pending.append(
            StackEvent(
                event_id,
                stack_name,
                logical_id,
                physical_id,
                rtype,
                status,
                reason,
                datetime.fromtimestamp(ts, UTC),
            )
        )

    def _deliver(self, pending: list[StackEvent], on_event: EventCallback | None) -> None:
        if on_event is not None:
            for ev in pending:
                on_event(ev)

    def _stack_status(
        self,
        stack_id: str,
        name: str,
        status: str,
        reason: str | None,
        on_event: EventCallback | None,
        *,
        extra: dict[str, Any] | None = None,
        after: Callable[[Any], None] | None = None,
    ) -> None:
        pending: list[StackEvent] = []
        with self.store.tx() as conn:
            sets = {"status": status, "reason": reason, **(extra or {})}
            cols = ", ".join(f"{k}=?" for k in sets)
            conn.execute(f"UPDATE stacks SET {cols} WHERE stack_id=?", (*sets.values(), stack_id))
            if after is not None:
                after(conn)
            self._flush(conn)
            self._event(conn, pending, stack_id, name, name, stack_id, STACK_TYPE, status, reason)
        self._deliver(pending, on_event)

    def _resource_status(
        self,
        run_stack: tuple[str, str],
        res: _Res,
        status: str,
        reason: str | None,
        on_event: EventCallback | None,
        *,
        remove: bool = False,
    ) -> None:
        self._batch(run_stack, [(res, status, reason, remove)], on_event)

    def _flush(self, conn: Any) -> None:
        """Run the parameter-store writes handlers made, inside the caller's transaction."""
        groups: dict[str, list[tuple]] = {}
        for sql, args in self.handlers.drain():
            groups.setdefault(sql, []).append(args)
        for sql, rows in groups.items():  # writes to different names commute, so grouping is safe
            conn.executemany(sql, rows)

    def _batch(
        self,
        run_stack: tuple[str, str],
        changes: list[Change],
        on_event: EventCallback | None,
    ) -> None:
        """Resources moving to new statuses together: one transaction, one event each.

        A change with status None removes the row without an event.
        """
        self._commit(self._stage(run_stack, changes), on_event)

    def _stage(self, run_stack: tuple[str, str], changes: list[Change], staged: _Staged | None = None) -> _Staged:
        """Apply `changes` to their rows in memory and record their events (stamped now) and
        row writes in `staged`, for `_commit` to write in one transaction."""
        staged = staged if staged is not None else _Staged(run_stack)
        stack_id, name = run_stack
        key = self._stack_key(stack_id)
        ts = now()
        stamp = datetime.fromtimestamp(ts, UTC)
        ids = iter(_event_ids(sum(1 for change in changes if change[1] is not None)))
        rows, events, delivered = staged.rows, staged.events, staged.delivered
        for res, status, reason, remove in changes:
            logical = res.logical_id
            rows.pop(logical, None)  # a later change of a row replaces an earlier one (dict order: last)
            rows[logical] = (res, remove)
            if status is not None:
                res.status = status
                res.reason = reason
                event_id = next(ids)
                physical, rtype = res.physical_id, res.type
                events.append((event_id, key, logical, physical, rtype, status, reason, ts))
                delivered.append(StackEvent(event_id, name, logical, physical, rtype, status, reason, stamp))
        return staged

    def _run_waves(
        self, run: _Run, step: Callable[[_Run, list[str], int], list[tuple[str, str]]], seq: int
    ) -> tuple[list[str], str]:
        """Run `step(run, wave, seq)` on the run's waves in order (`seq`: the last resource
        sequence number so far), stopping after the first wave with failures.
        -> (the failed logical ids, the first failure's reason), or ([], "")."""
        for wave in waves(run.deps, run.active):
            failures = step(run, wave, seq)
            seq += len(wave)
            if failures:
                return [lid for lid, _ in failures], failures[0][1]
        return [], ""

    def _start_wave(
        self, run_stack: tuple[str, str], started: list[Change], on_event: EventCallback | None
    ) -> _Staged | None:
        """The IN_PROGRESS changes of a wave. They are committed before the wave runs only when
        one of its resources acts outside this transaction (a nested stack commits its own
        state, a custom resource runs the user's code): a crash after such an effect must find
        the resource recorded. Otherwise they are staged and committed with the wave's results,
        one transaction per wave: a crash before it loses nothing that happened."""
        staged = self._stage(run_stack, started)
        if any(acts_outside(rtype) for rtype in {res.type for res, *_ in started}):
            self._commit(staged, on_event)
            return None
        return staged

    def _commit(self, staged: _Staged, on_event: EventCallback | None) -> None:
        if not staged.rows and not staged.events:
            if self.handlers.pending:
                with self.store.tx() as conn:
                    self._flush(conn)
            return
        key = self._stack_key(staged.run_stack[0])
        removes = []
        upserts = []
        for logical, (res, remove) in staged.rows.items():
            if remove:
                removes.append((key, logical))
                continue
            props, attrs, policy = res.properties, res.attributes, res.policy
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
        with self.store.tx() as conn:
            self._flush(conn)
            if removes:
                conn.executemany("DELETE FROM resources WHERE stack_key=? AND logical_id=?", removes)
            insert_rows(
                conn,
                "INSERT OR REPLACE INTO resources(stack_key, logical_id, physical_id, type, status, reason,"
                " properties, attributes, policy, seq) VALUES ",
                upserts,
            )
            insert_rows(
                conn,
                "INSERT INTO events(event_id, stack_key, logical_id, physical_id, type, status, reason, ts)"
                " VALUES ",
                staged.events,
            )
        self._deliver(staged.delivered, on_event)

    def _begin(
        self,
        row: Any,
        status: str,
        reason: str,
        on_event: EventCallback | None,
        *,
        verb: str = "updated",
        allowed: set[str] | None = None,
        extra: dict[str, Any] | None = None,
        force: bool = False,
        after: Callable[[Any], None] | None = None,
        unchanged: bool = False,
    ) -> None:
        """Take the stack for an operation: refused while another one runs on it, and (with
        `unchanged`) when another process changed the stack since `row` was read."""
        pending: list[StackEvent] = []
        stack_id, name = row["stack_id"], row["name"]
        with self.store.tx() as conn:
            current = conn.execute(
                "SELECT status, owner, template_version, updated FROM stacks WHERE stack_id=?", (stack_id,)
            ).fetchone()
            cur = current["status"]
            busy = cur.endswith("_IN_PROGRESS") and not force
            if busy or (allowed is not None and cur not in allowed):
                raise StackBusy(f"Stack:{stack_id} is in {cur} state and can not be {verb}.")
            if unchanged and (
                current["template_version"] != row["template_version"] or current["updated"] != row["updated"]
            ):
                raise StackBusy(
                    f"Stack:{stack_id} was changed by another operation while this one was being prepared; run it again."
                )
            sets = {"status": status, "reason": reason, "owner": _owner(), **(extra or {})}
            cols = ", ".join(f"{k}=?" for k in sets)
            conn.execute(f"UPDATE stacks SET {cols} WHERE stack_id=?", (*sets.values(), stack_id))
            if after is not None:
                after(conn)
            self._event(conn, pending, stack_id, name, name, stack_id, STACK_TYPE, status, reason)
        self._deliver(pending, on_event)

    # -- the parameter store, settings, closing ---------------------------------------
    def ssm_lookup(self, name: str) -> str | None:
        row = self.store.one("SELECT value FROM ssm_parameters WHERE region=? AND name=?", (self.region, name))
        return None if row is None else row["value"]

    def set_termination_protection(self, name: str, enabled: bool) -> None:
        row = self._require(name)
        with self.store.tx() as conn:
            conn.execute("UPDATE stacks SET termination_protection=? WHERE stack_id=?", (1 if enabled else 0, row["stack_id"]))

    def put_parameter(self, name: str, value: str, type: str = "String") -> None:
        with self.store.tx() as conn:
            conn.execute(
                "INSERT INTO ssm_parameters(region, name, type, value, version) VALUES (?,?,?,?,1)"
                " ON CONFLICT(region, name) DO UPDATE SET value=excluded.value, type=excluded.type, version=version+1",
                (self.region, name, type, value),
            )

    def close(self) -> None:
        self.store.close()
