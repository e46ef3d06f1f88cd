"""Creating a stack: validate, insert the stack, create its resources wave by wave, and on
failure roll the create back (also what `recover` does for an interrupted create).
"""

from __future__ import annotations

import contextlib
import re
from functools import partial
from typing import Any

from sparkleform.contract import EventCallback, StackEvent, StackOptions
from sparkleform.engine.context import OpContext
from sparkleform.engine.delete import (
    delete_orphaned_children,
    delete_resources,
    delete_stack,
    deletion_waves,
    orphaned_children,
)
from sparkleform.engine.errors import (
    ResourceFailure,
    StackExists,
    StackOperationFailed,
    StateError,
    ValidationError,
)
from sparkleform.engine.ids import owner
from sparkleform.engine.journal import deliver
from sparkleform.engine.model import Change, ResourceRow, Run, policies_of
from sparkleform.engine.outputs import check_exports, evaluate_outputs, write_exports
from sparkleform.engine.params import resolved_values, without_secrets
from sparkleform.engine.preflight import prepare_run
from sparkleform.engine.provision import Failures, Step, Work, provision, run_wave, run_waves
from sparkleform.engine.sealing import ids_for
from sparkleform.engine.store import dumps, loads, now
from sparkleform.errors import SparkleformError


def create_stack(
    cx: OpContext,
    name: str,
    template: dict,
    parameters: dict[str, Any],
    options: StackOptions | None,
    *,
    on_event: EventCallback | None,
    parent_id: str | None = None,
) -> Run:
    """Create the stack; -> its finished run (its resources are the rows just committed).
    A failed create is rolled back (or left, or deleted, as `options` ask) and raises
    StackOperationFailed."""
    options = options or StackOptions()
    _check_name(name)
    stack_id = cx.new_stack_id(name)
    store = cx.store
    if store.stack(name) is not None:
        raise StackExists(f"Stack [{name}] already exists")
    run = prepare_run(cx, name, stack_id, template, parameters, options)
    run.on_event = on_event
    pending: list[StackEvent] = []
    ts = now()
    with store.tx():
        if store.stack(name) is not None:
            raise StackExists(f"Stack [{name}] already exists")
        store.insert_stack(
            {
                "stack_id": stack_id,
                "name": name,
                "region": cx.region,
                "status": "CREATE_IN_PROGRESS",
                "reason": "User Initiated",
                "parameters": dumps(run.raw),
                "no_echo": dumps(sorted(run.no_echo)),
                "secret_ids": dumps(ids_for(run.raw, run.no_echo)),
                "resolved": dumps(resolved_values(run.template.get("Parameters") or {}, run.values, run.no_echo)),
                "tags": dumps(options.tags or {}),
                "termination_protection": 1 if options.termination_protection else 0,
                "stack_policy": dumps(options.stack_policy) if options.stack_policy else None,
                "description": run.template.get("Description"),
                "template_version": 1,
                "options": dumps(_options_json(options)),
                "parent_id": parent_id,
                "owner": owner(),
                "created": ts,
            }
        )
        store.add_template(
            stack_id, 1, template, run.template, without_secrets(run.raw, run.no_echo), ts, run.submitted_json
        )
        cx.journal.stack_event(pending, stack_id, name, "CREATE_IN_PROGRESS", "User Initiated")
    deliver(pending, on_event)
    try:
        return _provision_stack(cx, run, options, on_event)
    except StackOperationFailed:
        raise
    except Exception as exc:  # a fault after the stack was recorded: roll back what was made
        abandon(cx, stack_id, name, "create", exc, on_event)
        raise  # abandon always raises; this line only tells the type checker


def _provision_stack(cx: OpContext, run: Run, options: StackOptions, on_event: EventCallback | None) -> Run:
    """Create a recorded stack's resources and finish it (or roll it back)."""
    store, stack_id, name = cx.store, run.stack_id, run.name
    failed: list[str]
    if run.late_errors:  # AWS fails the stack before it makes any resource
        failed, first_reason = [], run.late_errors[0]
    else:
        failed, first_reason = run_waves(cx, run, create_wave, 0)
    if not failed and not run.late_errors:
        try:
            outputs = evaluate_outputs(run)
            check_exports(store, stack_id, outputs)
        except (ResourceFailure, SparkleformError) as exc:
            failed.append(name)
            first_reason = getattr(exc, "reason", None) or str(exc)
        else:
            cx.journal.stack_status(
                stack_id,
                name,
                "CREATE_COMPLETE",
                None,
                on_event,
                extra={"outputs": dumps(outputs), "owner": None},
                after=lambda: write_exports(store, stack_id, outputs, run.imports),
            )
            return run
    # failure path
    reason = f"The following resource(s) failed to create: [{', '.join(failed)}]. "
    if run.late_errors:
        reason = first_reason + ". "
    if options.disable_rollback or options.on_failure == "DO_NOTHING":
        cx.journal.stack_status(stack_id, name, "CREATE_FAILED", reason, on_event, extra={"owner": None})
        raise StackOperationFailed(
            f"Stack {name} failed to create: {first_reason} (CREATE_FAILED, rollback disabled)",
            stack_status="CREATE_FAILED",
        )
    rollback_create(cx, stack_id, name, reason + "Rollback requested by user.", on_event)
    if options.on_failure == "DELETE":
        delete_stack(cx, stack_id, on_event=on_event)
        raise StackOperationFailed(f"Stack {name} failed to create: {first_reason} (deleted)", stack_status="DELETE_COMPLETE")
    raise StackOperationFailed(
        f"Stack {name} failed to create: {first_reason} (ROLLBACK_COMPLETE)", stack_status="ROLLBACK_COMPLETE"
    )


def abandon(cx: OpContext, stack_id: str, name: str, operation: str, exc: BaseException, on_event: EventCallback | None) -> None:
    """An operation on a recorded stack met `exc` (an engine fault, the state unwritable):
    roll it back as `recover` would, and raise what happened. When even that cannot be
    written, the stack stays in progress for `recover`, and the error says so."""
    from sparkleform.engine.recover import recover

    what = _message(exc)
    with contextlib.suppress(Exception):  # the fault may have left a transaction open
        cx.store.rollback()
    try:
        status = recover(cx, stack_id, on_event=on_event)
    except Exception as again:
        raise StateError(
            f"the {operation} of stack {name} stopped: {what}; and rolling it back failed too: {_message(again)}",
            hint=f"the stack stays in progress; once the cause is fixed (e.g. disk space), run `sparkleform recover {name}`",
        ) from None
    raise StackOperationFailed(f"Stack {name} failed to {operation}: {what} ({status})", stack_status=status) from None


def _message(exc: BaseException) -> str:
    return exc.message if isinstance(exc, SparkleformError) else f"{type(exc).__name__}: {exc}"


def create_wave(cx: OpContext, run: Run, wave: list[str], seq0: int) -> Failures:
    """Create a wave of independent resources; -> [(logical id, failure reason)]."""
    started: list[Change] = []
    work: Work = []
    step = creating(cx, run, "create")
    for i, logical in enumerate(wave, start=1):
        decl = run.template["Resources"][logical]
        res = ResourceRow(logical, decl["Type"], None, "CREATE_IN_PROGRESS", {}, {}, policies_of(decl), seq0 + i)
        run.resources[logical] = res
        started.append((res, "CREATE_IN_PROGRESS", None, False))
        work.append((res, step))
    return run_wave(cx, run.key, started, work, run.on_event)


def creating(cx: OpContext, run: Run, action: str) -> Step:
    """The step that provisions new resources of the run (failing on `action`, see faults)."""
    return Step(partial(provision, cx, run, action), "CREATE_COMPLETE", "CREATE_FAILED")


def rollback_create(cx: OpContext, stack_id: str, name: str, reason: str, on_event: EventCallback | None) -> str:
    """Delete what a create made, back to ROLLBACK_COMPLETE (or ROLLBACK_FAILED)."""
    cx.journal.stack_status(stack_id, name, "ROLLBACK_IN_PROGRESS", reason, on_event)
    rows = cx.store.resources(stack_id)
    row = cx.store.stack_row(stack_id)
    assert row is not None
    groups = deletion_waves(cx, stack_id, rows, row["template_version"])
    orphans = orphaned_children(cx, stack_id, rows)
    failure = delete_resources(cx, stack_id, name, rows, groups, on_event, rollback=True)
    failure = failure or delete_orphaned_children(cx, orphans, on_event)
    status = "ROLLBACK_FAILED" if failure else "ROLLBACK_COMPLETE"
    extra = {"owner": None, "outputs": "[]"}
    if not failure:  # a rolled-back create can only be deleted: its NoEcho values are not needed
        extra["parameters"] = dumps(without_secrets(loads(row["parameters"], {}), loads(row["no_echo"], [])))
        extra["secret_ids"] = "{}"
        with cx.store.tx():  # parameters it retained keep their values as their own
            cx.store.release_parameters(stack_id)
    cx.journal.stack_status(
        stack_id,
        name,
        status,
        failure,
        on_event,
        extra=extra,
        after=lambda: write_exports(cx.store, stack_id, [], set()),
    )
    return status


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]{0,127}", name):
        raise ValidationError(
            f"1 validation error detected: Value '{name}' at 'stackName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*"
        )  # AWS's text (LocalStack's api/test_stacks snapshot, test_stack_name_creation)


def _options_json(options: StackOptions) -> dict:
    return {
        "disable_rollback": options.disable_rollback,
        "capabilities": options.capabilities,
        "notification_arns": options.notification_arns,
        "role_arn": options.role_arn,
        "timeout_minutes": options.timeout_minutes,
        "on_failure": options.on_failure,
    }
