"""Creating a stack: validate, insert the stack, create its resources wave by wave, and on
failure roll the create back (also what `recover` does for an interrupted create).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sparkleform.engine.errors import ResourceFailure, StackExists, StackOperationFailed, ValidationError
from sparkleform.engine.handlers import STACK_TYPE
from sparkleform.engine.ids import _owner
from sparkleform.engine.intrinsics import partition_of
from sparkleform.engine.run import _Res, _Run
from sparkleform.engine.store import dumps, now
from sparkleform.errors import SparkleformError
from sparkleform.contract import EventCallback, Stack, StackEvent, StackOptions, StackResource


class CreateMixin:
    """create_stack and its rollback."""

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
        return self._create(name, template, parameters, options, on_event=on_event, parent_id=parent_id).stack_id

    def create_and_describe(
        self,
        name: str,
        template: dict,
        parameters: dict[str, Any],
        options: StackOptions | None = None,
        *,
        on_event: EventCallback | None = None,
    ) -> Stack:
        """create_stack, and the new stack as `describe` gives it. Its resources are the rows
        this create has just committed, which the run holds in the same order: reading
        them back would only return them again."""
        run = self._create(name, template, parameters, options, on_event=on_event)
        resources = [StackResource(r.logical_id, r.physical_id, r.type, r.status, r.reason) for r in run.resources.values()]
        return self._stack_from_row(self._require(run.stack_id, describe=True), resources=resources)

    def _create(
        self,
        name: str,
        template: dict,
        parameters: dict[str, Any],
        options: StackOptions | None,
        *,
        on_event: EventCallback | None,
        parent_id: str | None = None,
    ) -> _Run:
        options = options or StackOptions()
        _check_name(name)
        stack_id = f"arn:{partition_of(self.region)}:cloudformation:{self.region}:{self.account_id}:stack/{name}/{uuid.uuid4()}"
        if self._row(name) is not None:
            raise StackExists(f"Stack [{name}] already exists")
        run = self._prepare(name, stack_id, template, parameters, options)
        run.on_event = on_event
        pending: list[StackEvent] = []
        ts = now()
        submitted = dumps(template)  # without a transform the processed template is the same dict: encoded once
        with self.store.tx() as conn:
            existing = conn.execute(
                "SELECT 1 FROM stacks WHERE region=? AND name=? AND deleted IS NULL", (self.region, name)
            ).fetchone()
            if existing is not None:
                raise StackExists(f"Stack [{name}] already exists")
            inserted = conn.execute(
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
            self._keys[stack_id] = inserted.lastrowid
            conn.execute(
                "INSERT INTO templates(stack_id, version, template, processed, parameters, created)"
                " VALUES (?,?,?,?,?,?)",
                (stack_id, 1, submitted, submitted if run.template is template else dumps(run.template), dumps(run.raw), ts),
            )
            self._event(conn, pending, stack_id, name, name, stack_id, STACK_TYPE, "CREATE_IN_PROGRESS", "User Initiated")
        self._deliver(pending, on_event)
        failed, first_reason = self._run_waves(run, self._create_wave, 0)
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
                return run
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

    def _create_wave(self, run: _Run, wave: list[str], seq0: int) -> list[tuple[str, str]]:
        """Create a wave of independent resources; -> [(logical id, failure reason)]."""
        started = []
        for i, logical in enumerate(wave, start=1):
            decl = run.template["Resources"][logical]
            policy = {k: decl[k] for k in ("DeletionPolicy", "UpdateReplacePolicy") if k in decl}
            res = _Res(logical, decl["Type"], None, "CREATE_IN_PROGRESS", {}, {}, policy, seq0 + i)
            run.resources[logical] = res
            started.append((res, "CREATE_IN_PROGRESS", None, False))
        key = (run.stack_id, run.name)
        staged = self._start_wave(key, started, run.on_event)
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
        self._commit(self._stage(key, finished, staged), run.on_event)
        return failures

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
