"""The Engine: stack operations (create, plan, update, delete, recover) over the SQLite state.

Each operation validates everything it can before touching the state, then moves the
stack and its resources through CloudFormation's statuses, one transaction per change,
delivering each event to `on_event` right after it is committed. Rollbacks and `recover`
work from the state alone (the snapshot stored when an update starts), so a process that
was killed can be rolled back by the next one.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import os
import random
import re
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sparkleform.engine import prepare
from sparkleform.engine.attributes import SEED, SimContext, attribute_value, token
from sparkleform.engine.custom import is_custom
from sparkleform.engine.dynamic import check_dynamic_references
from sparkleform.engine.errors import (
    NoUpdates,
    ResourceFailure,
    StackBusy,
    StackExists,
    StackNotFound,
    StackOperationFailed,
    TemplateFormatError,
    ValidationError,
)
from sparkleform.engine.graph import dependencies, order, reverse_waves, waves
from sparkleform.engine.handlers import Handlers
from sparkleform.engine.intrinsics import (
    NO_VALUE,
    UNKNOWN,
    Evaluator,
    contains_unknown,
    partition_of,
    to_text,
    url_suffix,
)
from sparkleform.engine.params import no_echo_names, resolve_parameters
from sparkleform.engine.policy import denial
from sparkleform.engine.rules import check_rules
from sparkleform.engine.store import Store, dumps, loads, now
from sparkleform.errors import SparkleformError
from sparkleform.providers.base import (
    NO_ECHO_MASK,
    EventCallback,
    Plan,
    ResourceChange,
    Stack,
    StackEvent,
    StackOptions,
    StackOutput,
    StackParameter,
    StackResource,
)
from sparkleform.spec import get_schema

STABLE = {
    "CREATE_COMPLETE",
    "CREATE_FAILED",
    "ROLLBACK_COMPLETE",
    "ROLLBACK_FAILED",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_FAILED",
    "DELETE_COMPLETE",
    "DELETE_FAILED",
    "IMPORT_COMPLETE",
}
UPDATABLE = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"}
FAIL_KEY = "sparkleform:fail"
FAIL_REASON_KEY = "sparkleform:fail-reason"
STACK_TYPE = "AWS::CloudFormation::Stack"


_id_rng = random.Random()
# a forked child must not repeat its parent's ids
os.register_at_fork(after_in_child=_id_rng.seed)


def _event_id() -> str:
    """A uuid4-shaped event id (cheaper than uuid.uuid4, unique enough for an event log)."""
    h = f"{_id_rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_alive(owner: str | None) -> bool:
    if not owner:
        return False
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (killed, not yet reaped) is not alive for our purposes
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as fh:
        if fh.read().split(") ", 1)[1].startswith("Z"):
            return False
    return True


def _fail_on(metadata: Any, action: str) -> str | None:
    """The injected failure reason when Metadata asks this resource to fail on `action`."""
    if not isinstance(metadata, dict) or FAIL_KEY not in metadata:
        return None
    flag = metadata[FAIL_KEY]
    if flag is True:
        actions = {"create", "update"}
    elif isinstance(flag, str):
        actions = {flag.lower()}
    elif isinstance(flag, list):
        actions = {str(a).lower() for a in flag}
    else:
        actions = set()
    if action not in actions:
        return None
    return str(metadata.get(FAIL_REASON_KEY) or f"Injected failure on {action} (Metadata {FAIL_KEY})")


def _hash(value: Any) -> str:
    return hashlib.sha256(dumps(value).encode()).hexdigest()[:16]


@dataclass
class _Res:
    logical_id: str
    type: str
    physical_id: str | None
    status: str
    properties: dict
    attributes: dict
    policy: dict
    seq: int
    reason: str | None = None
    props_json: str | None = None  # `properties` serialized, when already known
    attrs_json: str | None = None  # `attributes` serialized, when already known (never modified in place)


@dataclass
class _Run:
    """One operation on one stack: its template, values and the live resource table."""

    stack_id: str
    name: str
    template: dict
    values: dict[str, Any]
    raw: dict[str, str]
    no_echo: set[str]
    options: StackOptions
    on_event: EventCallback | None
    resources: dict[str, _Res] = field(default_factory=dict)
    evaluator: Evaluator | None = None
    active: list[str] = field(default_factory=list)
    imports: set[str] = field(default_factory=set)
    planning_unknown: set[str] = field(default_factory=set)
    old_decls: dict[str, Any] = field(default_factory=dict)
    deps: dict[str, set[str]] = field(default_factory=dict)
    current: dict[str, _Res] = field(default_factory=dict)  # resources before an update
    planned: dict[str, dict] = field(default_factory=dict)  # properties the plan evaluated
    changed_ids: set[str] = field(default_factory=set)
    policy: dict | None = None  # the stack policy updates are checked against


class Engine:
    """The embedded CloudFormation. One instance per process and state file."""

    def __init__(self, state: str | Path, region: str = "us-east-1", account_id: str = "123456789012") -> None:
        self.store = Store(state)
        self.region = region
        self.account_id = account_id
        self.handlers = Handlers(self)
        self._templates: dict[tuple[str, int, bool], dict] = {}
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

    def _resources(self, stack_id: str) -> dict[str, _Res]:
        out = {}
        for r in self.store.all("SELECT * FROM resources WHERE stack_id=? ORDER BY seq", (stack_id,)):
            out[r["logical_id"]] = _Res(
                r["logical_id"],
                r["type"],
                r["physical_id"],
                r["status"],
                loads(r["properties"], {}),
                loads(r["attributes"], {}),
                loads(r["policy"], {}),
                r["seq"],
                r["reason"],
                r["properties"],
                r["attributes"],
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
            "INSERT INTO events(event_id, stack_id, stack_name, logical_id, physical_id, type, status, reason, ts)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (event_id, stack_id, stack_name, logical_id, physical_id, rtype, status, reason, ts),
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
        changes: list[tuple[_Res, str | None, str | None, bool]],
        on_event: EventCallback | None,
    ) -> None:
        """Resources moving to new statuses together: one transaction, one event each.

        A change with status None removes the row without an event.
        """
        if not changes:
            if self.handlers.pending:
                with self.store.tx() as conn:
                    self._flush(conn)
            return
        stack_id, name = run_stack
        removes = []
        upserts = []
        events = []
        pending: list[StackEvent] = []
        ts = now()
        stamp = datetime.fromtimestamp(ts, UTC)
        for res, status, reason, remove in changes:
            if status is not None:
                res.status = status
                res.reason = reason
            if remove:
                removes.append((stack_id, res.logical_id))
            else:
                upserts.append(
                    (
                        stack_id,
                        res.logical_id,
                        res.physical_id,
                        res.type,
                        res.status,
                        res.reason,
                        res.props_json or (dumps(res.properties) if res.properties else "{}"),
                        res.attrs_json or (dumps(res.attributes) if res.attributes else "{}"),
                        dumps(res.policy) if res.policy else "{}",
                        res.seq,
                    )
                )
            if status is not None:
                event_id = _event_id()
                events.append((event_id, stack_id, name, res.logical_id, res.physical_id, res.type, status, reason, ts))
                pending.append(
                    StackEvent(event_id, name, res.logical_id, res.physical_id, res.type, status, reason, stamp)
                )
        with self.store.tx() as conn:
            self._flush(conn)
            if removes:
                conn.executemany("DELETE FROM resources WHERE stack_id=? AND logical_id=?", removes)
            if upserts:
                conn.executemany(
                    "INSERT OR REPLACE INTO resources(stack_id, logical_id, physical_id, type, status, reason,"
                    " properties, attributes, policy, seq) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    upserts,
                )
            if events:
                conn.executemany(
                    "INSERT INTO events(event_id, stack_id, stack_name, logical_id, physical_id, type, status,"
                    " reason, ts) VALUES (?,?,?,?,?,?,?,?,?)",
                    events,
                )
        self._deliver(pending, on_event)

    # -- preparing a template ---------------------------------------------------------
    def _pseudo(self, name: str, stack_id: str, options: StackOptions) -> dict[str, Any]:
        return {
            "AWS::AccountId": self.account_id,
            "AWS::Region": self.region,
            "AWS::StackName": name,
            "AWS::StackId": stack_id,
            "AWS::Partition": partition_of(self.region),
            "AWS::URLSuffix": url_suffix(self.region),
            "AWS::NotificationARNs": list(options.notification_arns or []),
        }

    def ssm_lookup(self, name: str) -> str | None:
        row = self.store.one("SELECT value FROM ssm_parameters WHERE region=? AND name=?", (self.region, name))
        return None if row is None else row["value"]

    def _prepare(
        self,
        name: str,
        stack_id: str,
        original: dict,
        parameters: dict[str, Any],
        options: StackOptions,
        previous: dict[str, str] | None = None,
    ) -> _Run:
        try:
            return self._prepare_checked(name, stack_id, original, parameters, options, previous)
        except SparkleformError:
            raise
        except ResourceFailure as exc:
            raise ValidationError(exc.reason) from None
        except Exception as exc:  # a template shape no check caught: refuse it before any state changes
            raise TemplateFormatError(f"Template format error: {type(exc).__name__}: {exc}") from None

    def _prepare_checked(
        self,
        name: str,
        stack_id: str,
        original: dict,
        parameters: dict[str, Any],
        options: StackOptions,
        previous: dict[str, str] | None,
    ) -> _Run:
        if not isinstance(original, dict):
            raise TemplateFormatError("Template format error: the template must be a JSON or YAML object")
        given = {k: v for k, v in (parameters or {}).items()}
        template = prepare.expand(original, region=self.region, account_id=self.account_id, parameters=given)
        prepare.check_structure(template)
        prepare.check_capabilities(template, options.capabilities, original)
        values, raw = resolve_parameters(
            template.get("Parameters") or {}, given, previous=previous, ssm_lookup=self.ssm_lookup
        )
        pseudo = self._pseudo(name, stack_id, options)
        check_rules(template, values, pseudo, self.region)
        uses_imports = prepare.check_references(template)
        run = _Run(stack_id, name, template, values, raw, no_echo_names(template.get("Parameters")), options, None)
        ev = Evaluator(template, values, pseudo, _RunResolver(self, run), region=self.region)
        run.evaluator = ev
        ev.all_conditions()
        resources = template["Resources"]
        active = {lid for lid, res in resources.items() if res.get("Condition") is None or ev.condition(res["Condition"])}
        deps = dependencies(resources, active)
        run.active = order(deps)
        run.deps = deps
        if uses_imports:
            self._check_imports(run)
        return run

    def _check_imports(self, run: _Run) -> None:
        """Fn::ImportValue names must exist when the operation starts, as CloudFormation checks."""
        names: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if len(node) == 1 and "Fn::If" in node:
                    args = node["Fn::If"]
                    if isinstance(args, list) and len(args) == 3 and isinstance(args[0], str):
                        with contextlib.suppress(SparkleformError):
                            walk(args[1] if run.evaluator.condition(args[0]) else args[2])
                        return
                if len(node) == 1 and "Fn::ImportValue" in node:
                    with contextlib.suppress(SparkleformError):
                        value = Evaluator(run.template, run.values, run.evaluator.pseudo, None).resolve(
                            node["Fn::ImportValue"]
                        )
                        if isinstance(value, str):
                            names.add(value)
                    return
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        resources = run.template["Resources"]
        walk([resources[lid] for lid in run.active])
        for out in (run.template.get("Outputs") or {}).values():
            cond = out.get("Condition") if isinstance(out, dict) else None
            if cond is None or run.evaluator.condition(cond):
                walk(out)
        for name in sorted(names):
            row = self.store.one("SELECT 1 FROM exports WHERE region=? AND name=?", (self.region, name))
            if row is None:
                raise ValidationError(f"No export named {name} found.")
        run.imports = names

    # -- create -----------------------------------------------------------------------
    def create_stack(
        self,
        name: str,
        template: dict,
        parameters: dict[str, Any],
        options: StackOptions | None = None,
        *,
        on_event: EventCallback | None = None,
        parent_id: str | None = None,
    ) -> str:
        options = options or StackOptions()
        _check_name(name)
        stack_id = f"arn:{partition_of(self.region)}:cloudformation:{self.region}:{self.account_id}:stack/{name}/{uuid.uuid4()}"
        if self._row(name) is not None:
            raise StackExists(f"Stack [{name}] already exists")
        run = self._prepare(name, stack_id, template, parameters, options)
        run.on_event = on_event
        pending: list[StackEvent] = []
        ts = now()
        with self.store.tx() as conn:
            existing = conn.execute(
                "SELECT 1 FROM stacks WHERE region=? AND name=? AND deleted IS NULL", (self.region, name)
            ).fetchone()
            if existing is not None:
                raise StackExists(f"Stack [{name}] already exists")
            conn.execute(
                "INSERT INTO stacks(stack_id, name, region, status, reason, parameters, no_echo, tags,"
                " termination_protection, stack_policy, description, template_version, options, parent_id,"
                " owner, created) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    stack_id,
                    name,
                    self.region,
                    "CREATE_IN_PROGRESS",
                    "User Initiated",
                    dumps(run.raw),
                    dumps(sorted(run.no_echo)),
                    dumps(options.tags or {}),
                    1 if options.termination_protection else 0,
                    dumps(options.stack_policy) if options.stack_policy else None,
                    run.template.get("Description"),
                    1,
                    dumps(_options_json(options)),
                    parent_id,
                    _owner(),
                    ts,
                ),
            )
            conn.execute(
                "INSERT INTO templates(stack_id, version, template, processed, parameters, created)"
                " VALUES (?,?,?,?,?,?)",
                (stack_id, 1, dumps(template), dumps(run.template), dumps(run.raw), ts),
            )
            self._event(conn, pending, stack_id, name, name, stack_id, STACK_TYPE, "CREATE_IN_PROGRESS", "User Initiated")
        self._deliver(pending, on_event)
        failed: list[str] = []
        first_reason = ""
        seq = 0
        for wave in waves(run.deps, run.active):
            failures = self._create_wave(run, wave, seq)
            seq += len(wave)
            if failures:
                failed = [lid for lid, _ in failures]
                first_reason = failures[0][1]
                break
        if not failed:
            try:
                outputs = self._outputs(run)
                self._check_exports(stack_id, outputs)
            except (ResourceFailure, SparkleformError) as exc:
                failed.append(name)
                first_reason = getattr(exc, "reason", None) or str(exc)
            else:
                self._stack_status(
                    stack_id,
                    name,
                    "CREATE_COMPLETE",
                    None,
                    on_event,
                    extra={"outputs": dumps(outputs), "owner": None},
                    after=lambda conn: self._write_exports(conn, stack_id, outputs, run.imports),
                )
                return stack_id
        # failure path
        reason = f"The following resource(s) failed to create: [{', '.join(failed)}]. "
        if options.disable_rollback or options.on_failure == "DO_NOTHING":
            self._stack_status(stack_id, name, "CREATE_FAILED", reason, on_event, extra={"owner": None})
            raise StackOperationFailed(
                f"Stack {name} failed to create: {first_reason} (CREATE_FAILED, rollback disabled)",
                stack_status="CREATE_FAILED",
            )
        self._rollback_create(stack_id, name, reason + "Rollback requested by user.", on_event)
        if options.on_failure == "DELETE":
            self.delete_stack(stack_id, on_event=on_event)
            raise StackOperationFailed(f"Stack {name} failed to create: {first_reason} (deleted)", stack_status="DELETE_COMPLETE")
        raise StackOperationFailed(
            f"Stack {name} failed to create: {first_reason} (ROLLBACK_COMPLETE)", stack_status="ROLLBACK_COMPLETE"
        )

    def _eval_properties(self, run: _Run, logical: str) -> dict:
        res = run.template["Resources"][logical]
        try:
            props = run.evaluator.resolve(res.get("Properties") or {})
        except SparkleformError as exc:
            raise ResourceFailure(exc.message) from None
        except ResourceFailure:
            raise
        except Exception as exc:  # a template shape no check caught: fail the resource, keep the state sound
            raise ResourceFailure(f"Template error: cannot evaluate the properties of {logical}: {exc}") from None
        if props is NO_VALUE or props is None:
            props = {}
        if not isinstance(props, dict):
            raise ResourceFailure("Properties must be an object")
        return props

    def _create_wave(self, run: _Run, wave: list[str], seq0: int) -> list[tuple[str, str]]:
        """Create a wave of independent resources; -> [(logical id, failure reason)]."""
        started = []
        for i, logical in enumerate(wave, start=1):
            decl = run.template["Resources"][logical]
            policy = {k: decl[k] for k in ("DeletionPolicy", "UpdateReplacePolicy") if k in decl}
            res = _Res(logical, decl["Type"], None, "CREATE_IN_PROGRESS", {}, {}, policy, seq0 + i)
            run.resources[logical] = res
            started.append((res, "CREATE_IN_PROGRESS", None, False))
        self._batch((run.stack_id, run.name), started, run.on_event)
        finished = []
        failures = []
        for res, *_ in started:
            try:
                self._provision(run, res, "create")
            except ResourceFailure as exc:
                finished.append((res, "CREATE_FAILED", exc.reason, False))
                failures.append((res.logical_id, exc.reason))
            else:
                finished.append((res, "CREATE_COMPLETE", None, False))
        self._batch((run.stack_id, run.name), finished, run.on_event)
        return failures

    def _provision(self, run: _Run, res: _Res, action: str) -> None:
        """Evaluate a new resource's properties and create it (sets physical id and attributes)."""
        decl = run.template["Resources"][res.logical_id]
        res.properties = self._eval_properties(run, res.logical_id)
        res.props_json = dumps(res.properties)
        injected = _fail_on(decl.get("Metadata"), action)
        if injected:
            raise ResourceFailure(injected)
        if "{{resolve:" in res.props_json:
            check_dynamic_references(self, res.properties)
        res.physical_id, res.attributes = self.handlers.create(run, res, decl)
        res.attrs_json = None

    def _sim_context(self, name: str, stack_id: str) -> SimContext:
        key = (name, stack_id)
        if self._ctx_key != key:
            self._ctx_key, self._ctx = key, self._make_sim_context(name, stack_id)
        return self._ctx

    def _make_sim_context(self, name: str, stack_id: str) -> SimContext:
        def cidr_of(physical: str) -> str | None:
            row = self.store.one(
                "SELECT properties FROM resources WHERE stack_id=? AND physical_id=? AND type='AWS::EC2::Subnet'",
                (stack_id, physical),
            )
            if row is None:
                return None
            value = loads(row["properties"], {}).get("CidrBlock")
            return value if isinstance(value, str) else None

        return SimContext(name, self.region, self.account_id, cidr_of)

    def _outputs(self, run: _Run) -> list[dict]:
        out = []
        ev = run.evaluator
        for key, decl in (run.template.get("Outputs") or {}).items():
            cond = decl.get("Condition")
            if cond is not None and not ev.condition(cond):
                continue
            try:
                value = ev.resolve(decl.get("Value"))
                export = decl.get("Export")
                export_name = ev.resolve(export.get("Name")) if isinstance(export, dict) else None
                description = ev.resolve(decl.get("Description")) if decl.get("Description") is not None else None
            except SparkleformError as exc:
                raise ResourceFailure(f"Output {key}: {exc.message}") from None
            except ResourceFailure as exc:
                raise ResourceFailure(f"Output {key}: {exc.reason}") from None
            except Exception as exc:  # a value shape no check caught
                raise ResourceFailure(f"Output {key}: cannot evaluate: {exc}") from None
            if value is NO_VALUE:
                continue
            if isinstance(value, list):
                value = ",".join(to_text(v) for v in value)
            elif isinstance(value, dict):
                raise ResourceFailure(f"Template error: every Outputs value must be a string (output {key})")
            out.append(
                {
                    "key": key,
                    "value": to_text(value),
                    "description": description,
                    "export_name": None if export_name is None else to_text(export_name),
                }
            )
        return out

    def _check_exports(self, stack_id: str, outputs: list[dict]) -> None:
        seen: set[str] = set()
        for o in outputs:
            name = o["export_name"]
            if name is None:
                continue
            if name in seen:
                raise ResourceFailure(f"Template error: duplicate export name {name}")
            seen.add(name)
            row = self.store.one(
                "SELECT s.name, s.stack_id FROM exports e JOIN stacks s ON s.stack_id=e.stack_id"
                " WHERE e.region=? AND e.name=?",
                (self.region, name),
            )
            if row is not None and row["stack_id"] != stack_id:
                raise ResourceFailure(f"Export with name {name} is already exported by stack {row['name']}")

    def _write_exports(self, conn: Any, stack_id: str, outputs: list[dict], imports: set[str]) -> None:
        conn.execute("DELETE FROM exports WHERE stack_id=?", (stack_id,))
        conn.execute("DELETE FROM imports WHERE stack_id=?", (stack_id,))
        for o in outputs:
            if o["export_name"] is not None:
                conn.execute(
                    "INSERT INTO exports(region, name, stack_id, value) VALUES (?,?,?,?)",
                    (self.region, o["export_name"], stack_id, o["value"]),
                )
        for name in imports:
            conn.execute(
                "INSERT OR IGNORE INTO imports(stack_id, region, export_name) VALUES (?,?,?)",
                (stack_id, self.region, name),
            )

    # -- rollback of a create / delete ------------------------------------------------
    def _deletion_waves(self, stack_id: str, rows: dict[str, _Res], version: int) -> list[list[str]]:
        template = self._template(stack_id, version)
        resources = {k: v for k, v in (template.get("Resources") or {}).items() if k in rows}
        try:
            deps = dependencies(resources, set(resources))
            forward = order(deps)
        except SparkleformError:
            deps, forward = {}, sorted(resources, key=lambda k: rows[k].seq)
        leftovers = sorted((k for k in rows if k not in resources), key=lambda k: -rows[k].seq)
        out = reverse_waves(deps, forward)
        return [leftovers, *out] if leftovers else out

    def _delete_resources(
        self,
        stack_id: str,
        name: str,
        rows: dict[str, _Res],
        groups: list[list[str]],
        on_event: EventCallback | None,
        *,
        rollback: bool = False,
        policy_key: str = "DeletionPolicy",
    ) -> str | None:
        """Delete resources wave by wave; -> the first failure reason, or None."""
        version_row = self.store.one("SELECT template_version FROM stacks WHERE stack_id=?", (stack_id,))
        decls = (
            (self._template(stack_id, version_row["template_version"]).get("Resources") or {}) if version_row else {}
        )
        for wave in groups:
            first: list[tuple[_Res, str | None, str | None, bool]] = []
            working: list[_Res] = []
            for logical in wave:
                res = rows[logical]
                policy = res.policy.get(policy_key)
                if res.status == "DELETE_COMPLETE":
                    first.append((res, None, None, True))
                elif res.physical_id is None and res.status in ("CREATE_FAILED", "CREATE_IN_PROGRESS"):
                    first.append((res, "DELETE_COMPLETE", None, True))
                elif policy == "Retain":
                    first.append((res, "DELETE_SKIPPED", f"{policy_key} Retain: resource kept", True))
                else:
                    first.append((res, "DELETE_IN_PROGRESS", None, False))
                    working.append(res)
            self._batch((stack_id, name), first, on_event)
            done: list[tuple[_Res, str | None, str | None, bool]] = []
            failure = None
            for res in working:
                try:
                    meta = (decls.get(res.logical_id) or {}).get("Metadata")
                    injected = None if rollback else _fail_on(meta, "delete")
                    if injected:
                        raise ResourceFailure(injected)
                    self.handlers.delete(stack_id, name, res, on_event)
                except ResourceFailure as exc:
                    done.append((res, "DELETE_FAILED", exc.reason, False))
                    failure = failure or exc.reason
                    continue
                policy = res.policy.get(policy_key)
                reason = f"{policy_key} Snapshot: a snapshot was taken before deletion" if policy == "Snapshot" else None
                done.append((res, "DELETE_COMPLETE", reason, True))
            self._batch((stack_id, name), done, on_event)
            if failure:
                return failure
        return None

    def _rollback_create(self, stack_id: str, name: str, reason: str, on_event: EventCallback | None) -> str:
        self._stack_status(stack_id, name, "ROLLBACK_IN_PROGRESS", reason, on_event)
        rows = self._resources(stack_id)
        row = self.store.one("SELECT template_version FROM stacks WHERE stack_id=?", (stack_id,))
        groups = self._deletion_waves(stack_id, rows, row["template_version"])
        failure = self._delete_resources(stack_id, name, rows, groups, on_event, rollback=True)
        status = "ROLLBACK_FAILED" if failure else "ROLLBACK_COMPLETE"
        self._stack_status(
            stack_id,
            name,
            status,
            failure,
            on_event,
            extra={"owner": None, "outputs": "[]"},
            after=lambda conn: self._write_exports(conn, stack_id, [], set()),
        )
        return status

    # -- delete -----------------------------------------------------------------------
    def delete_stack(self, name: str, *, on_event: EventCallback | None = None, force_owner: bool = False) -> None:
        row = self._require(name)
        stack_id, sname = row["stack_id"], row["name"]
        if row["termination_protection"]:
            raise ValidationError(f"Stack [{sname}] cannot be deleted while TerminationProtection is enabled")
        importers = self.store.all(
            "SELECT e.name AS export, s.name AS importer FROM exports e JOIN imports i"
            " ON i.export_name=e.name AND i.region=e.region JOIN stacks s ON s.stack_id=i.stack_id"
            " WHERE e.stack_id=? AND i.stack_id<>? AND s.deleted IS NULL",
            (stack_id, stack_id),
        )
        if importers:
            first = importers[0]
            raise ValidationError(f"Export {first['export']} cannot be deleted as it is in use by {first['importer']}")
        self._begin(row, "DELETE_IN_PROGRESS", "User Initiated", on_event, verb="deleted", force=force_owner)
        self._finish_delete(stack_id, sname, row["template_version"], on_event)

    def _finish_delete(self, stack_id: str, name: str, version: int, on_event: EventCallback | None) -> None:
        rows = self._resources(stack_id)
        failure = self._delete_resources(stack_id, name, rows, self._deletion_waves(stack_id, rows, version), on_event)
        if failure:
            self._stack_status(stack_id, name, "DELETE_FAILED", failure, on_event, extra={"owner": None})
            raise StackOperationFailed(f"Stack {name} failed to delete: {failure} (DELETE_FAILED)", stack_status="DELETE_FAILED")
        self._stack_status(
            stack_id,
            name,
            "DELETE_COMPLETE",
            None,
            on_event,
            extra={"owner": None, "deleted": now()},
            after=lambda conn: self._write_exports(conn, stack_id, [], set()),
        )

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

    # -- plan & update ----------------------------------------------------------------
    def plan(
        self, name: str, template: dict | None, parameters: dict[str, Any], options: StackOptions | None = None
    ) -> Plan:
        options = options or StackOptions()
        row = self._row(name)
        if row is None:
            if template is None:
                raise StackNotFound(f"Stack [{name}] does not exist")
            stack_id = f"arn:{partition_of(self.region)}:cloudformation:{self.region}:{self.account_id}:stack/{name}/{uuid.uuid4()}"
            run = self._prepare(name, stack_id, template, parameters, options)
            changes = [
                ResourceChange("Add", lid, run.template["Resources"][lid]["Type"]) for lid in run.active
            ]
            return Plan(name, changes, f"plan-{token(8).lower()}", "CREATE_COMPLETE", None)
        run, changes, _ = self._plan_update(row, template, parameters, options)
        plan_name = f"plan-{token(8).lower()}"
        with self.store.tx() as conn:
            conn.execute(
                "INSERT INTO change_sets(change_set_id, stack_id, name, status, template, parameters, changes, created)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (
                    f"{row['stack_id']}/changeSet/{plan_name}",
                    row["stack_id"],
                    plan_name,
                    "CREATE_COMPLETE",
                    dumps(template if template is not None else self._template(row["stack_id"], row["template_version"], processed=False)),
                    dumps(run.raw),
                    dumps([_change_json(c) for c in changes]),
                    now(),
                ),
            )
        reason = None if changes else "No updates are to be performed."
        return Plan(row["name"], changes, plan_name, "CREATE_COMPLETE", reason)

    def _plan_update(
        self, row: Any, template: dict | None, parameters: dict[str, Any], options: StackOptions
    ) -> tuple[_Run, list[ResourceChange], dict[str, str]]:
        stack_id = row["stack_id"]
        original = template if template is not None else self._template(stack_id, row["template_version"], processed=False)
        previous = loads(row["parameters"], {})
        run = self._prepare(row["name"], stack_id, original, parameters, options, previous=previous)
        current = self._resources(stack_id)
        planner = _Run(stack_id, row["name"], run.template, run.values, run.raw, run.no_echo, options, None)
        planner.resources = {k: copy.copy(v) for k, v in current.items()}
        ev = Evaluator(run.template, run.values, run.evaluator.pseudo, _RunResolver(self, planner, planning=True), region=self.region)
        planner.evaluator = ev
        changes: list[ResourceChange] = []
        decls = run.template["Resources"]
        old_template = self._template(stack_id, row["template_version"])
        old_decls = old_template.get("Resources") or {}
        masks = {run.raw[n] for n in run.no_echo if run.raw.get(n)}
        masks |= {previous[n] for n in loads(row["no_echo"], []) if previous.get(n)}
        for logical in run.active:
            decl = decls[logical]
            old = current.get(logical)
            if old is None or old.type != decl["Type"]:
                if old is not None:
                    raise ValidationError(
                        f"Update of resource type is not permitted. The new template modifies resource type of resource {logical}."
                    )
                planner.planning_unknown.add(logical)
                changes.append(ResourceChange("Add", logical, decl["Type"]))
                continue
            try:
                props = ev.resolve(decl.get("Properties") or {})
            except (SparkleformError, ResourceFailure):
                props = UNKNOWN
            if not isinstance(props, dict):
                props = {"*": UNKNOWN}
            elif not contains_unknown(props):
                run.planned[logical] = props
            changed = _changed_properties(old.properties, props)
            old_decl = old_decls.get(logical) or {}
            other = [k for k in ("Metadata", "DeletionPolicy", "UpdateReplacePolicy", "DependsOn") if decl.get(k) != old_decl.get(k)]
            nested_changed = False
            if decl["Type"] == STACK_TYPE and not changed:
                child_hash = None
                if not contains_unknown(props):
                    with contextlib.suppress(ResourceFailure):
                        child_hash = _hash(self.handlers.nested_template(run, props, decl))
                nested_changed = child_hash is None or child_hash != old.attributes.get("TemplateHash")
            if not changed and not other and not nested_changed:
                continue
            replacement, causes = _replacement(decl["Type"], changed, props, old.properties)
            if replacement in ("True", "Conditional"):
                planner.planning_unknown.add(logical)
            details = [
                {
                    "property": p,
                    "before": _mask(old.properties.get(p), masks),
                    "after": _mask(props.get(p), masks) if props.get(p) is not UNKNOWN else "{{known after apply}}",
                    "requires_recreation": "Always" if p in causes and replacement == "True" else ("Conditionally" if p in causes else "Never"),
                }
                for p in changed
            ]
            details += [{"attribute": k} for k in other]
            if nested_changed:
                details.append({"property": "TemplateURL", "reason": "nested template changed"})
            # What causes the change: the replacing properties, or (in place) everything that changed.
            shown = sorted(causes) if causes else [*changed, *other] + (["TemplateURL"] if nested_changed else [])
            changes.append(ResourceChange("Modify", logical, decl["Type"], old.physical_id, replacement, shown, details))
        active = set(run.active)
        for logical, old in sorted(current.items(), key=lambda kv: -kv[1].seq):
            if logical not in active:
                changes.append(ResourceChange("Remove", logical, old.type, old.physical_id))
        run.current = current
        run.changed_ids = {c.logical_id for c in changes if c.action != "Remove"}
        return run, changes, previous

    def update_stack(
        self,
        name: str,
        template: dict | None,
        parameters: dict[str, Any],
        options: StackOptions | None = None,
        *,
        on_event: EventCallback | None = None,
    ) -> str:
        options = options or StackOptions()
        row = self._require(name)
        stack_id, sname = row["stack_id"], row["name"]
        if row["status"].endswith("_IN_PROGRESS") or row["status"] not in UPDATABLE:
            raise StackBusy(f"Stack:{stack_id} is in {row['status']} state and can not be updated.")
        run, changes, previous = self._plan_update(row, template, parameters, options)
        run.on_event = on_event
        outputs_now = loads(row["outputs"], [])
        new_outputs_preview = None
        if not changes:
            with contextlib.suppress(SparkleformError):
                new_outputs_preview = self._outputs_preview(run)
        tags_same = options.tags is None or options.tags == {} or options.tags == loads(row["tags"], {})
        tp_same = options.termination_protection is None or bool(options.termination_protection) == bool(row["termination_protection"])
        if (
            not changes
            and run.raw == previous
            and tags_same
            and new_outputs_preview is not None
            and _outputs_equal(new_outputs_preview, outputs_now)
            and run.template.get("Description") == row["description"]
        ):
            if not tp_same:
                self.set_termination_protection(sname, bool(options.termination_protection))
                return stack_id
            raise NoUpdates("No updates are to be performed.")
        snapshot = {
            "resources": {
                k: {
                    "physical_id": r.physical_id,
                    "type": r.type,
                    "status": r.status,
                    "properties": r.properties,
                    "attributes": r.attributes,
                    "policy": r.policy,
                    "seq": r.seq,
                }
                for k, r in run.current.items()
            },
            "outputs": outputs_now,
            "parameters": previous,
            "no_echo": loads(row["no_echo"], []),
            "template_version": row["template_version"],
            "tags": loads(row["tags"], {}),
            "description": row["description"],
            "imports": [r["export_name"] for r in self.store.all("SELECT export_name FROM imports WHERE stack_id=?", (stack_id,))],
        }
        version = (self.store.one("SELECT MAX(version) AS v FROM templates WHERE stack_id=?", (stack_id,))["v"] or 0) + 1
        original = template if template is not None else self._template(stack_id, row["template_version"], processed=False)
        extra: dict[str, Any] = {
            "snapshot": dumps(snapshot),
            "template_version": version,
            "parameters": dumps(run.raw),
            "no_echo": dumps(sorted(run.no_echo)),
            "description": run.template.get("Description"),
            "updated": now(),
        }
        if options.tags:
            extra["tags"] = dumps(options.tags)
        if options.termination_protection is not None:
            extra["termination_protection"] = 1 if options.termination_protection else 0
        if options.stack_policy is not None:
            extra["stack_policy"] = dumps(options.stack_policy)

        def add_template(conn: Any) -> None:
            conn.execute(
                "INSERT INTO templates(stack_id, version, template, processed, parameters, created) VALUES (?,?,?,?,?,?)",
                (stack_id, version, dumps(original), dumps(run.template), dumps(run.raw), now()),
            )

        self._begin(
            row,
            "UPDATE_IN_PROGRESS",
            "User Initiated",
            on_event,
            allowed=UPDATABLE,
            extra=extra,
            after=add_template,
            unchanged=True,
        )
        run.resources = {k: copy.copy(r) for k, r in run.current.items()}
        run.old_decls = self._template(stack_id, row["template_version"]).get("Resources") or {}
        max_seq = max((r.seq for r in run.resources.values()), default=0)
        failed: list[str] = []
        first_reason = ""
        run.policy = loads(row["stack_policy"], None)
        for change in changes:
            reason = (
                denial(run.policy, change.logical_id, change.resource_type, "Update:Delete")
                if change.action == "Remove"
                else None
            )
            if reason:
                res = run.resources[change.logical_id]
                self._resource_status((stack_id, sname), res, "UPDATE_FAILED", reason, on_event)
                failed, first_reason = [change.logical_id], reason
                break
        for wave in waves(run.deps, run.active) if not failed else []:
            failures = self._update_wave(run, wave, max_seq)
            max_seq += len(wave)
            if failures:
                failed = [lid for lid, _ in failures]
                first_reason = failures[0][1]
                break
        if not failed:
            try:
                outputs = self._outputs(run)
                self._check_exports(stack_id, outputs)
                self._check_exports_in_use(stack_id, outputs)
            except ResourceFailure as exc:
                failed.append(sname)
                first_reason = exc.reason
            else:
                self._stack_status(
                    stack_id,
                    sname,
                    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
                    None,
                    on_event,
                    extra={"outputs": dumps(outputs)},
                    after=lambda conn: self._write_exports(conn, stack_id, outputs, run.imports),
                )
                self._cleanup_after_update(
                    stack_id,
                    sname,
                    on_event,
                    old_rows=run.current,
                    current=run.resources,
                    active=set(run.active),
                    old_version=row["template_version"],
                )
                return stack_id
        reason = f"The following resource(s) failed to update: [{', '.join(failed)}]. "
        self._rollback_update(stack_id, sname, reason, on_event)
        raise StackOperationFailed(
            f"Stack {sname} failed to update: {first_reason} (UPDATE_ROLLBACK_COMPLETE)",
            stack_status="UPDATE_ROLLBACK_COMPLETE",
        )

    def _outputs_preview(self, run: _Run) -> list[dict] | None:
        """The new outputs if they can be computed from current values (None when not)."""
        current = run.current
        probe = _Run(run.stack_id, run.name, run.template, run.values, run.raw, run.no_echo, run.options, None)
        probe.resources = current
        probe.evaluator = Evaluator(run.template, run.values, run.evaluator.pseudo, _RunResolver(self, probe), region=self.region)
        try:
            return self._outputs(probe)
        except ResourceFailure:
            return None

    def _check_exports_in_use(self, stack_id: str, outputs: list[dict]) -> None:
        new = {o["export_name"]: o["value"] for o in outputs if o["export_name"]}
        for r in self.store.all("SELECT name, value FROM exports WHERE stack_id=?", (stack_id,)):
            if new.get(r["name"]) == r["value"]:
                continue
            user = self.store.one(
                "SELECT s.name FROM imports i JOIN stacks s ON s.stack_id=i.stack_id"
                " WHERE i.export_name=? AND i.region=? AND i.stack_id<>? AND s.deleted IS NULL",
                (r["name"], self.region, stack_id),
            )
            if user is not None:
                verb = "updated" if r["name"] in new else "removed"
                raise ResourceFailure(f"Cannot {verb[:-1]} export {r['name']} as it is in use by {user['name']}")

    def _update_wave(self, run: _Run, wave: list[str], max_seq: int) -> list[tuple[str, str]]:
        """Add, replace or modify a wave of independent resources; -> [(logical id, reason)]."""
        key = (run.stack_id, run.name)
        started: list[tuple[_Res, str | None, str | None, bool]] = []
        work: list[tuple[str, _Res, _Res | None, str | None]] = []  # (kind, new, old, early failure)
        for logical in wave:
            decl = run.template["Resources"][logical]
            policy = {k: decl[k] for k in ("DeletionPolicy", "UpdateReplacePolicy") if k in decl}
            old = run.resources.get(logical)
            if old is None:
                max_seq += 1
                res = _Res(logical, decl["Type"], None, "CREATE_IN_PROGRESS", {}, {}, policy, max_seq)
                run.resources[logical] = res
                started.append((res, "CREATE_IN_PROGRESS", None, False))
                work.append(("create", res, None, None))
                continue
            try:
                planned = run.planned.get(logical)
                reuse = planned is not None and not (run.deps.get(logical, set()) & run.changed_ids)
                props = planned if reuse else self._eval_properties(run, logical)
            except ResourceFailure as exc:
                res = _Res(logical, old.type, old.physical_id, "UPDATE_IN_PROGRESS", old.properties, old.attributes, policy, old.seq)
                started.append((res, "UPDATE_IN_PROGRESS", None, False))
                work.append(("fail", res, old, exc.reason))
                continue
            changed = _changed_properties(old.properties, props)
            old_decl = run.old_decls.get(logical) or {}
            meta_changed = decl.get("Metadata") != old_decl.get("Metadata") or policy != old.policy
            nested_changed = False
            if decl["Type"] == STACK_TYPE:
                try:
                    template = self.handlers.nested_template(run, props, decl)
                    nested_changed = _hash(template) != old.attributes.get("TemplateHash")
                except ResourceFailure:
                    nested_changed = True
            if not changed and not meta_changed and not nested_changed:
                continue
            replacement, _ = _replacement(decl["Type"], changed, props, old.properties)
            refused = denial(
                run.policy, logical, old.type, "Update:Replace" if replacement == "True" else "Update:Modify"
            )
            if refused:
                res = _Res(logical, old.type, old.physical_id, "UPDATE_IN_PROGRESS", old.properties, old.attributes, policy, old.seq)
                started.append((res, "UPDATE_IN_PROGRESS", None, False))
                work.append(("fail", res, old, refused))
                continue
            if replacement == "True":
                res = _Res(logical, old.type, None, "UPDATE_IN_PROGRESS", props, {}, policy, old.seq)
                run.resources[logical] = res
                started.append(
                    (
                        res,
                        "UPDATE_IN_PROGRESS",
                        "Requested update requires the creation of a new physical resource; hence creating one.",
                        False,
                    )
                )
                work.append(("replace", res, old, None))
            else:
                res = _Res(logical, old.type, old.physical_id, "UPDATE_IN_PROGRESS", props, dict(old.attributes), policy, old.seq)
                run.resources[logical] = res
                started.append((res, "UPDATE_IN_PROGRESS", None, False))
                work.append(("update", res, old, None))
        self._batch(key, started, run.on_event)
        finished: list[tuple[_Res, str | None, str | None, bool]] = []
        failures: list[tuple[str, str]] = []
        for kind, res, old, early in work:
            try:
                if early:
                    raise ResourceFailure(early)
                if kind == "create":
                    self._provision(run, res, "create")
                elif kind == "replace":
                    self._provision(run, res, "update")
                else:
                    decl = run.template["Resources"][res.logical_id]
                    injected = _fail_on(decl.get("Metadata"), "update")
                    if injected:
                        raise ResourceFailure(injected)
                    check_dynamic_references(self, res.properties)
                    res.attributes = self.handlers.update(run, res, old, decl)
                    res.attrs_json = None
            except ResourceFailure as exc:
                failures.append((res.logical_id, exc.reason))
                if kind == "create":
                    finished.append((res, "CREATE_FAILED", exc.reason, False))
                elif kind == "replace" and old is not None:
                    # the old resource stays in place; the failure is recorded against it
                    run.resources[res.logical_id] = old
                    finished.append((old, "UPDATE_FAILED", exc.reason, False))
                else:
                    finished.append((res, "UPDATE_FAILED", exc.reason, False))
                continue
            finished.append((res, "CREATE_COMPLETE" if kind == "create" else "UPDATE_COMPLETE", None, False))
        self._batch(key, finished, run.on_event)
        return failures

    def _snapshot_rows(self, stack_id: str) -> tuple[dict, dict[str, _Res]]:
        row = self.store.one("SELECT snapshot FROM stacks WHERE stack_id=?", (stack_id,))
        snap = loads(row["snapshot"], None) if row else None
        if not snap:
            return {}, {}
        rows = {
            k: _Res(k, v["type"], v["physical_id"], v["status"], v["properties"], v["attributes"], v["policy"], v["seq"])
            for k, v in snap["resources"].items()
        }
        return snap, rows

    def _cleanup_after_update(
        self,
        stack_id: str,
        name: str,
        on_event: EventCallback | None,
        *,
        old_rows: dict[str, _Res] | None = None,
        current: dict[str, _Res] | None = None,
        active: set[str] | None = None,
        old_version: int | None = None,
    ) -> None:
        """UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: remove replaced and removed resources, then complete.

        Works from the state alone (recover) or from the finished run's resources."""
        row = self.store.one("SELECT template_version, snapshot FROM stacks WHERE stack_id=?", (stack_id,))
        if old_rows is None or current is None or active is None:
            snap, old_rows = self._snapshot_rows(stack_id)
            current = self._resources(stack_id)
            active = set(self._active_of(stack_id, self._template(stack_id, row["template_version"])))
        else:
            snap = {"template_version": old_version}
        # replaced: same logical id, different physical id -> delete the old physical resource
        replaced = {
            k: r for k, r in old_rows.items() if k in current and current[k].physical_id != r.physical_id and r.physical_id
        }
        for logical in sorted(replaced, key=lambda k: -replaced[k].seq):
            old = replaced[logical]
            temp = {logical: old}
            self._delete_old_physical(stack_id, name, temp, logical, on_event, policy_key="UpdateReplacePolicy")
        removed = {k: r for k, r in current.items() if k not in active}
        if removed:
            version = snap.get("template_version", row["template_version"]) if snap else row["template_version"]
            groups = [[k for k in w if k in removed] for w in self._deletion_waves(stack_id, removed, version)]
            # CloudFormation completes the update even when a cleanup deletion fails
            self._delete_resources(stack_id, name, removed, groups, on_event)
        self._stack_status(stack_id, name, "UPDATE_COMPLETE", None, on_event, extra={"owner": None, "snapshot": None})

    def _active_of(self, stack_id: str, template: dict) -> list[str]:
        row = self.store.one("SELECT name, parameters FROM stacks WHERE stack_id=?", (stack_id,))
        params = loads(row["parameters"], {})
        decls = template.get("Parameters") or {}
        try:
            values, _ = resolve_parameters(decls, {k: v for k, v in params.items() if k in decls}, ssm_lookup=self.ssm_lookup)
        except SparkleformError:
            return list((template.get("Resources") or {}).keys())
        ev = Evaluator(template, values, self._pseudo(row["name"], stack_id, StackOptions()), None, region=self.region)
        out = []
        for lid, res in (template.get("Resources") or {}).items():
            cond = res.get("Condition")
            if cond is None or ev.condition(cond):
                out.append(lid)
        return out

    def _delete_old_physical(
        self, stack_id: str, name: str, rows: dict[str, _Res], logical: str, on_event: EventCallback | None, *, policy_key: str
    ) -> None:
        """Delete a superseded physical resource (the row of `logical` now holds the new one)."""
        res = rows[logical]
        pending: list[StackEvent] = []
        if res.policy.get(policy_key) == "Retain":
            with self.store.tx() as conn:
                self._event(conn, pending, stack_id, name, logical, res.physical_id, res.type, "DELETE_SKIPPED", f"{policy_key} Retain: resource kept")
            self._deliver(pending, on_event)
            return
        with self.store.tx() as conn:
            self._event(conn, pending, stack_id, name, logical, res.physical_id, res.type, "DELETE_IN_PROGRESS", None)
        self._deliver(pending, on_event)
        with contextlib.suppress(ResourceFailure):
            self.handlers.delete(stack_id, name, res, on_event)
        pending = []
        reason = f"{policy_key} Snapshot: a snapshot was taken before deletion" if res.policy.get(policy_key) == "Snapshot" else None
        with self.store.tx() as conn:
            self._flush(conn)
            self._event(conn, pending, stack_id, name, logical, res.physical_id, res.type, "DELETE_COMPLETE", reason)
        self._deliver(pending, on_event)

    def _rollback_update(self, stack_id: str, name: str, reason: str, on_event: EventCallback | None) -> None:
        """Bring the stack back to the snapshot taken when the update began (state-driven)."""
        snap, old_rows = self._snapshot_rows(stack_id)
        row = self.store.one("SELECT status FROM stacks WHERE stack_id=?", (stack_id,))
        if row["status"] != "UPDATE_ROLLBACK_IN_PROGRESS":
            self._stack_status(stack_id, name, "UPDATE_ROLLBACK_IN_PROGRESS", reason, on_event)
        current = self._resources(stack_id)
        to_remove: dict[str, _Res] = {}
        for logical in sorted(old_rows, key=lambda k: -old_rows[k].seq):
            old = old_rows[logical]
            cur = current.get(logical)
            if cur is not None and cur.physical_id == old.physical_id and cur.properties == old.properties and cur.status == old.status:
                continue
            if cur is not None and cur.physical_id != old.physical_id and cur.physical_id:
                to_remove[logical + "\x00new"] = cur
            restored = _Res(logical, old.type, old.physical_id, old.status, old.properties, old.attributes, old.policy, old.seq)
            if old.type == "AWS::SSM::Parameter" and old.physical_id and "Value" in old.properties:
                self.handlers.restore_parameter(old.physical_id, old.properties)
            if old.type == STACK_TYPE and cur is not None and cur.physical_id == old.physical_id:
                with contextlib.suppress(SparkleformError):
                    self.handlers.rollback_nested(stack_id, restored, on_event)
            self._resource_status((stack_id, name), restored, "UPDATE_IN_PROGRESS", None, on_event)
            self._resource_status((stack_id, name), restored, "UPDATE_COMPLETE", None, on_event)
        for logical, cur in current.items():
            if logical not in old_rows:
                to_remove[logical] = cur

        def restore(conn: Any) -> None:
            conn.execute("DELETE FROM exports WHERE stack_id=?", (stack_id,))
            conn.execute("DELETE FROM imports WHERE stack_id=?", (stack_id,))
            for o in snap.get("outputs", []):
                if o.get("export_name"):
                    conn.execute(
                        "INSERT OR REPLACE INTO exports(region, name, stack_id, value) VALUES (?,?,?,?)",
                        (self.region, o["export_name"], stack_id, o["value"]),
                    )
            for imp in snap.get("imports", []):
                conn.execute(
                    "INSERT OR IGNORE INTO imports(stack_id, region, export_name) VALUES (?,?,?)", (stack_id, self.region, imp)
                )

        self._stack_status(
            stack_id,
            name,
            "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
            None,
            on_event,
            extra={
                "outputs": dumps(snap.get("outputs", [])),
                "parameters": dumps(snap.get("parameters", {})),
                "no_echo": dumps(snap.get("no_echo", [])),
                "template_version": snap.get("template_version", 1),
                "tags": dumps(snap.get("tags", {})),
                "description": snap.get("description"),
            },
            after=restore,
        )
        self._finish_update_rollback(stack_id, name, to_remove, on_event)

    def _finish_update_rollback(
        self, stack_id: str, name: str, to_remove: dict[str, _Res] | None, on_event: EventCallback | None
    ) -> None:
        _, old_rows = self._snapshot_rows(stack_id)
        if to_remove is None:
            # recovering: anything in the table that is not in the snapshot goes
            current = self._resources(stack_id)
            to_remove = {k: r for k, r in current.items() if k not in old_rows}
        for key in sorted(to_remove, key=lambda k: -to_remove[k].seq):
            res = to_remove[key]
            logical = res.logical_id
            if key.endswith("\x00new"):
                self._delete_old_physical(stack_id, name, {logical: res}, logical, on_event, policy_key="_none")
            else:
                self._delete_resources(stack_id, name, {logical: res}, [[logical]], on_event, rollback=True)
        self._stack_status(stack_id, name, "UPDATE_ROLLBACK_COMPLETE", None, on_event, extra={"owner": None, "snapshot": None})

    # -- recover ----------------------------------------------------------------------
    def recover(self, name: str, *, on_event: EventCallback | None = None) -> str:
        row = self._require(name)
        stack_id, sname, status = row["stack_id"], row["name"], row["status"]
        if status in STABLE and status not in ("UPDATE_ROLLBACK_FAILED", "ROLLBACK_FAILED"):
            return status
        if _owner_alive(row["owner"]):
            raise StackBusy(
                f"Stack:{stack_id} is in {status} state and can not be recovered: process "
                f"{row['owner'].rpartition(':')[2]} is still working on it."
            )
        for child in self.store.all("SELECT name, stack_id FROM stacks WHERE parent_id=? AND deleted IS NULL", (stack_id,)):
            with contextlib.suppress(SparkleformError):
                self.recover(child["stack_id"], on_event=on_event)
        reason = "Operation interrupted; recovered by sparkleform recover"
        with self.store.tx() as conn:
            conn.execute("UPDATE stacks SET owner=? WHERE stack_id=?", (_owner(), stack_id))
        if status in ("CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED", "REVIEW_IN_PROGRESS"):
            return self._rollback_create(stack_id, sname, reason, on_event)
        if status in ("UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_FAILED"):
            self._rollback_update(stack_id, sname, reason, on_event)
            return "UPDATE_ROLLBACK_COMPLETE"
        if status == "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS":
            self._finish_update_rollback(stack_id, sname, None, on_event)
            return "UPDATE_ROLLBACK_COMPLETE"
        if status == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS":
            self._cleanup_after_update(stack_id, sname, on_event)
            return "UPDATE_COMPLETE"
        if status == "DELETE_IN_PROGRESS":
            self._finish_delete(stack_id, sname, row["template_version"], on_event)
            return "DELETE_COMPLETE"
        return status

    # -- reading ----------------------------------------------------------------------
    def describe(self, name: str) -> Stack:
        row = self._require(name, describe=True)
        return self._stack_from_row(row, with_resources=True)

    def _stack_from_row(self, row: Any, *, with_resources: bool) -> Stack:
        no_echo = set(loads(row["no_echo"], []))
        params = [
            StackParameter(k, NO_ECHO_MASK if k in no_echo else v, k in no_echo)
            for k, v in loads(row["parameters"], {}).items()
        ]
        outputs = [StackOutput(o["key"], o["value"], o.get("description"), o.get("export_name")) for o in loads(row["outputs"], [])]
        resources = []
        if with_resources:
            resources = [
                StackResource(r["logical_id"], r["physical_id"], r["type"], r["status"], r["reason"])
                for r in self.store.all(
                    "SELECT logical_id, physical_id, type, status, reason FROM resources WHERE stack_id=? ORDER BY seq",
                    (row["stack_id"],),
                )
            ]
        return Stack(
            name=row["name"],
            stack_id=row["stack_id"],
            status=row["status"],
            reason=row["reason"],
            parameters=params,
            outputs=outputs,
            resources=resources,
            tags=loads(row["tags"], {}),
            termination_protection=bool(row["termination_protection"]),
            created=datetime.fromtimestamp(row["created"], UTC),
            updated=datetime.fromtimestamp(row["updated"], UTC) if row["updated"] else None,
            description=row["description"],
        )

    def list_stacks(self) -> list[Stack]:
        rows = self.store.all("SELECT * FROM stacks WHERE region=? AND deleted IS NULL ORDER BY created", (self.region,))
        return [self._stack_from_row(r, with_resources=False) for r in rows]

    def events(self, name: str, since: str | None = None) -> list[StackEvent]:
        row = self._require(name, describe=True)
        start = 0
        if since:
            found = self.store.one("SELECT seq FROM events WHERE event_id=?", (since,))
            start = found["seq"] if found else 0
        return [
            StackEvent(
                r["event_id"],
                r["stack_name"],
                r["logical_id"],
                r["physical_id"],
                r["type"],
                r["status"],
                r["reason"],
                datetime.fromtimestamp(r["ts"], UTC),
            )
            for r in self.store.all("SELECT * FROM events WHERE stack_id=? AND seq>? ORDER BY seq", (row["stack_id"], start))
        ]

    def exports(self) -> dict[str, str]:
        return {r["name"]: r["value"] for r in self.store.all("SELECT name, value FROM exports WHERE region=? ORDER BY name", (self.region,))}

    def template_of(self, name: str, version: int | None = None, *, processed: bool = False) -> dict:
        row = self._require(name, describe=True)
        return copy.deepcopy(self._template(row["stack_id"], version or row["template_version"], processed=processed))

    def template_versions(self, name: str) -> list[dict[str, Any]]:
        row = self._require(name, describe=True)
        return [
            {"version": r["version"], "parameters": loads(r["parameters"], {}), "created": r["created"]}
            for r in self.store.all("SELECT version, parameters, created FROM templates WHERE stack_id=? ORDER BY version", (row["stack_id"],))
        ]

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


class _RunResolver:
    """Ref/GetAtt/ImportValue for an evaluator, from a run's live resources."""

    def __init__(self, engine: Engine, run: _Run, *, planning: bool = False) -> None:
        self.engine = engine
        self.run = run
        self.planning = planning

    def ref(self, logical_id: str) -> Any:
        if self.planning and logical_id in self.run.planning_unknown:
            return UNKNOWN
        res = self.run.resources.get(logical_id)
        if res is None or res.physical_id is None:
            if self.planning:
                return UNKNOWN
            raise TemplateFormatError(
                f"Template format error: Unresolved resource dependencies [{logical_id}] in the Resources block of the template"
            )
        return res.physical_id

    def get_att(self, logical_id: str, attribute: str) -> Any:
        if self.planning and logical_id in self.run.planning_unknown:
            return UNKNOWN
        res = self.run.resources.get(logical_id)
        if res is None or res.physical_id is None:
            if self.planning:
                return UNKNOWN
            raise TemplateFormatError(
                f"Template format error: Unresolved resource dependencies [{logical_id}] in the Resources block of the template"
            )
        if attribute in res.attributes:
            return res.attributes[attribute]
        if is_custom(res.type):
            raise ResourceFailure(
                f"CustomResource attribute error: Vendor response doesn't contain {attribute} key in object "
                f"{res.physical_id}"
            )
        if res.type == STACK_TYPE:
            raise ResourceFailure(f"Template error: stack {res.physical_id} has no output {attribute.removeprefix('Outputs.')}")
        ctx = self.engine._sim_context(self.run.name, self.run.stack_id)
        return attribute_value(
            ctx, res.type, logical_id, attribute, res.properties, res.physical_id, res.attributes.get(SEED)
        )

    def import_value(self, name: str) -> Any:
        row = self.engine.store.one("SELECT value FROM exports WHERE region=? AND name=?", (self.engine.region, name))
        if row is None:
            raise ResourceFailure(f"No export named {name} found.")
        self.run.imports.add(name)
        return row["value"]


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]{0,127}", name):
        raise ValidationError(
            f"1 validation error detected: Value '{name}' at 'stackName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*"
        )


def _options_json(options: StackOptions) -> dict:
    return {
        "disable_rollback": options.disable_rollback,
        "capabilities": options.capabilities,
        "notification_arns": options.notification_arns,
        "role_arn": options.role_arn,
        "timeout_minutes": options.timeout_minutes,
        "on_failure": options.on_failure,
    }


def _changed_properties(old: dict, new: dict) -> list[str]:
    keys = list(dict.fromkeys([*old.keys(), *new.keys()]))
    return [k for k in keys if contains_unknown(new.get(k)) or old.get(k) != new.get(k)]


def _replacement(rtype: str, changed: list[str], new: dict, old: dict) -> tuple[str, list[str]]:
    """-> ("True" | "Conditional" | "False", the properties that cause replacement)."""
    if not changed:
        return "False", []
    if is_custom(rtype):
        create_only = {"ServiceToken"}
    else:
        schema = get_schema(rtype)
        create_only = {c.split(".")[0] for c in (schema.create_only if schema else [])}
    causes_true = [p for p in changed if p in create_only and not contains_unknown(new.get(p))]
    causes_cond = [p for p in changed if p in create_only and contains_unknown(new.get(p))]
    if causes_true:
        return "True", causes_true + causes_cond
    if causes_cond:
        return "Conditional", causes_cond
    return "False", []


def _mask(value: Any, masks: set[str]) -> Any:
    if not masks:
        return value
    if isinstance(value, str):
        for m in masks:
            if m and m in value:
                value = value.replace(m, NO_ECHO_MASK)
        return value
    if isinstance(value, list):
        return [_mask(v, masks) for v in value]
    if isinstance(value, dict):
        return {k: _mask(v, masks) for k, v in value.items()}
    return value


def _outputs_equal(a: list[dict], b: list[dict]) -> bool:
    def norm(items: list[dict]) -> list:
        return sorted((o["key"], o["value"], o.get("export_name"), o.get("description")) for o in items)

    return norm(a) == norm(b)


def _change_json(c: ResourceChange) -> dict:
    return {
        "action": c.action,
        "logical_id": c.logical_id,
        "resource_type": c.resource_type,
        "physical_id": c.physical_id,
        "replacement": c.replacement,
        "causes": c.causes,
        "details": c.details,
    }

