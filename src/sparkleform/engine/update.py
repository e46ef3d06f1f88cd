"""Updating a stack: take it with a snapshot of its state, then add, replace or modify its
resources wave by wave; cleanup or rollback finish the update (`update_finish`).
"""

from __future__ import annotations

import contextlib
from functools import partial
from typing import Any

from sparkleform.contract import EventCallback, StackOptions
from sparkleform.engine.changes import changed_properties, content_hash, replacement_of
from sparkleform.engine.context import OpContext
from sparkleform.engine.create import abandon, creating
from sparkleform.engine.dynamic import check_dynamic_references
from sparkleform.engine.errors import NoUpdates, ResourceFailure, StackBusy, StackOperationFailed
from sparkleform.engine.faults import inject_failure
from sparkleform.engine.handlers import STACK_TYPE
from sparkleform.engine.journal import busy_error
from sparkleform.engine.model import Change, ResourceRow, Run, policies_of
from sparkleform.engine.outputs import (
    check_exports,
    check_exports_in_use,
    evaluate_outputs,
    outputs_equal,
    write_exports,
)
from sparkleform.engine.params import resolved_values, without_secrets
from sparkleform.engine.plan import plan_update
from sparkleform.engine.policy import denial
from sparkleform.engine.preflight import evaluate_over
from sparkleform.engine.provision import (
    Failures,
    Step,
    Work,
    check_resource,
    eval_properties,
    provision,
    run_wave,
    run_waves,
)
from sparkleform.engine.sealing import Sealer, ids_for, secret_values
from sparkleform.engine.store import dumps, loads, now
from sparkleform.engine.update_finish import cleanup_after_update, rollback_update
from sparkleform.errors import SparkleformError

# UPDATE_FAILED: an update that ran with rollback disabled (AWS lets the next update fix it)
UPDATABLE = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "UPDATE_FAILED"}


def update_stack(
    cx: OpContext,
    name: str,
    template: dict | None,
    parameters: dict[str, Any],
    options: StackOptions | None = None,
    *,
    on_event: EventCallback | None = None,
) -> str:
    """Update the stack (template None: keep its template); -> its stack id. NoUpdates when
    nothing would change; a failed update is rolled back and raises StackOperationFailed."""
    options = options or StackOptions()
    store = cx.store
    row = store.stack(name)
    if row is None and name.startswith("arn:"):
        gone = store.stack(name, include_deleted=True)
        if gone is not None:  # AWS's answer to an update of a deleted stack named by its id
            raise StackBusy(f"Stack:{gone['stack_id']} is in {gone['status']} state and can not be updated.")
    row = row if row is not None else store.require(name)
    stack_id, sname = row["stack_id"], row["name"]
    if row["status"].endswith("_IN_PROGRESS") or row["status"] not in UPDATABLE:
        raise busy_error(row, "updated")
    run, changes, previous = plan_update(cx, row, template, parameters, options)
    run.on_event = on_event
    outputs_now = loads(row["outputs"], [])
    new_outputs_preview = None
    if not changes:
        with contextlib.suppress(SparkleformError):
            new_outputs_preview = _outputs_preview(cx, run)
    tags_same = options.tags is None or options.tags == {} or options.tags == loads(row["tags"], {})
    policy_same = options.stack_policy is None or options.stack_policy == loads(row["stack_policy"], None)
    tp_same = options.termination_protection is None or bool(options.termination_protection) == bool(row["termination_protection"])
    if (
        not changes
        and run.raw == previous
        and tags_same
        and policy_same
        and new_outputs_preview is not None
        and outputs_equal(new_outputs_preview, outputs_now)
        and run.template.get("Description") == row["description"]
    ):
        if not tp_same:
            store.set_termination_protection(stack_id, bool(options.termination_protection))
            return stack_id
        raise NoUpdates("No updates are to be performed.")
    # NoEcho values at rest (engine/sealing.py): the rows keep markers; the snapshot keeps a
    # value from before the update only when the update changes it (its rollback needs it)
    old_ids = loads(row["secret_ids"], {}) or {}
    new_ids = ids_for(run.raw, run.no_echo, old_ids, previous)
    both = Sealer({**secret_values(previous, old_ids), **secret_values(run.raw, new_ids)})
    current = Sealer(secret_values(run.raw, new_ids))
    rows = {k: r.to_state() for k, r in run.current.items()}
    snapshot = {
        "resources": both.seal(rows) if both else rows,
        "outputs": outputs_now,
        "parameters": current.seal(previous) if current else previous,
        "secret_ids": old_ids,
        "resolved": loads(row["resolved"], {}),
        "no_echo": loads(row["no_echo"], []),
        "template_version": row["template_version"],
        "tags": loads(row["tags"], {}),
        "description": row["description"],
        "imports": store.imports_of(stack_id),
    }
    version = store.next_template_version(stack_id)
    original = template if template is not None else store.template(stack_id, row["template_version"], processed=False)
    extra: dict[str, Any] = {
        "snapshot": dumps(snapshot),
        "template_version": version,
        "parameters": dumps(run.raw),
        "no_echo": dumps(sorted(run.no_echo)),
        "secret_ids": dumps(new_ids),
        "resolved": dumps(resolved_values(run.template.get("Parameters") or {}, run.values, run.no_echo)),
        "description": run.template.get("Description"),
        "updated": now(),
    }
    if options.tags:
        extra["tags"] = dumps(options.tags)
    if options.termination_protection is not None:
        extra["termination_protection"] = 1 if options.termination_protection else 0
    if options.stack_policy is not None:
        extra["stack_policy"] = dumps(options.stack_policy)

    cx.journal.begin(
        row,
        "UPDATE_IN_PROGRESS",
        "User Initiated",
        on_event,
        allowed=UPDATABLE,
        extra=extra,
        after=lambda: store.add_template(
            stack_id, version, original, run.template, without_secrets(run.raw, run.no_echo), now()
        ),
        unchanged=True,
    )
    try:
        return _apply_update(cx, run, row, changes, on_event)
    except StackOperationFailed:
        raise
    except Exception as exc:  # a fault after the stack was taken: roll back as recover would
        abandon(cx, stack_id, sname, "update", exc, on_event)
        raise  # abandon always raises


def _apply_update(cx: OpContext, run: Run, row: Any, changes: list, on_event: EventCallback | None) -> str:
    """Update a taken stack's resources and finish it (cleanup) or roll it back."""
    store, stack_id, sname = cx.store, row["stack_id"], row["name"]
    run.resources = {k: r.clone() for k, r in run.current.items()}
    run.old_decls = store.template(stack_id, row["template_version"]).get("Resources") or {}
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
            cx.journal.resource_status(run.key, res, "UPDATE_FAILED", reason, on_event)
            failed, first_reason = [change.logical_id], reason
            break
    if not failed and run.late_errors:  # AWS fails the update before it changes any resource
        first_reason = run.late_errors[0]
    elif not failed:
        failed, first_reason = run_waves(cx, run, update_wave, max_seq)
    if not failed and not run.late_errors:
        try:
            outputs = evaluate_outputs(run)
            check_exports(store, stack_id, outputs)
            check_exports_in_use(store, stack_id, outputs)
        except ResourceFailure as exc:
            failed.append(sname)
            first_reason = exc.reason
        else:
            cx.journal.stack_status(
                stack_id,
                sname,
                "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
                None,
                on_event,
                extra={"outputs": dumps(outputs)},
                after=lambda: write_exports(store, stack_id, outputs, run.imports),
            )
            cleanup_after_update(
                cx,
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
    if run.late_errors:
        reason = first_reason + ". Rollback requested by user."
    if run.options.disable_rollback:
        # DisableRollback: leave what was done; the snapshot stays, so `recover` can still roll back
        cx.journal.stack_status(stack_id, sname, "UPDATE_FAILED", reason, on_event, extra={"owner": None})
        raise StackOperationFailed(
            f"Stack {sname} failed to update: {first_reason} (UPDATE_FAILED, rollback disabled)",
            stack_status="UPDATE_FAILED",
        )
    rollback_update(cx, stack_id, sname, reason, on_event)
    raise StackOperationFailed(
        f"Stack {sname} failed to update: {first_reason} (UPDATE_ROLLBACK_COMPLETE)",
        stack_status="UPDATE_ROLLBACK_COMPLETE",
    )


def _outputs_preview(cx: OpContext, run: Run) -> list[dict] | None:
    """The new outputs if they can be computed from current values (None when not)."""
    try:
        return evaluate_outputs(evaluate_over(cx, run, run.current))
    except ResourceFailure:
        return None


def update_wave(cx: OpContext, run: Run, wave: list[str], max_seq: int) -> Failures:
    """Add, replace or modify a wave of independent resources; -> [(logical id, reason)]."""
    started: list[Change] = []
    work: Work = []
    steps = _UpdateSteps(cx, run)
    for logical in wave:
        decl = run.template["Resources"][logical]
        policy = policies_of(decl)
        old = run.resources.get(logical)
        if old is None:
            max_seq += 1
            res = ResourceRow(logical, decl["Type"], None, "CREATE_IN_PROGRESS", {}, {}, policy, max_seq)
            run.resources[logical] = res
            started.append((res, "CREATE_IN_PROGRESS", None, False))
            work.append((res, steps.create))
            continue
        try:
            planned = run.planned.get(logical)
            reuse = planned is not None and not (run.deps.get(logical, set()) & run.changed_ids)
            props = planned if planned is not None and reuse else eval_properties(run, logical)
        except ResourceFailure as exc:
            refused: str | None = exc.reason
        else:
            changed = changed_properties(old.properties, props)
            old_decl = run.old_decls.get(logical) or {}
            meta_changed = decl.get("Metadata") != old_decl.get("Metadata") or policy != old.policy
            nested_changed = False
            if decl["Type"] == STACK_TYPE:
                try:
                    template = cx.handlers.nested_template(run, props, decl)
                    nested_changed = content_hash(template) != old.attributes.get("TemplateHash")
                except ResourceFailure:
                    nested_changed = True
            if not changed and not meta_changed and not nested_changed:
                continue
            replacement, _ = replacement_of(decl["Type"], changed, props, old.properties)
            refused = denial(run.policy, logical, old.type, "Update:Replace" if replacement == "True" else "Update:Modify")
            if not refused:
                steps.olds[logical] = old
                if replacement == "True":
                    res = ResourceRow(logical, old.type, None, "UPDATE_IN_PROGRESS", props, {}, policy, old.seq)
                    reason: str | None = "Requested update requires the creation of a new physical resource; hence creating one."
                    step = steps.replace
                else:
                    res = ResourceRow(logical, old.type, old.physical_id, "UPDATE_IN_PROGRESS", props, dict(old.attributes), policy, old.seq)
                    reason = None
                    step = steps.modify
                run.resources[logical] = res
                # its dependants re-evaluate what they use of it, however many hops away
                run.changed_ids.add(logical)
                started.append((res, "UPDATE_IN_PROGRESS", reason, False))
                work.append((res, step))
                continue
        # the resource fails when the wave runs: its properties cannot be evaluated, or the stack policy refuses
        res = ResourceRow(logical, old.type, old.physical_id, "UPDATE_IN_PROGRESS", old.properties, old.attributes, policy, old.seq)
        steps.refusals[logical] = refused or ""
        started.append((res, "UPDATE_IN_PROGRESS", None, False))
        work.append((res, steps.refuse))
    return run_wave(cx, run.key, started, work, run.on_event)


class _UpdateSteps:
    """The steps of an update wave: create an added resource, replace one (when the
    replacement fails the old resource stays in place and the failure is recorded against
    it), modify one in place, or fail one found failing while the wave was set up."""

    def __init__(self, cx: OpContext, run: Run) -> None:
        self.cx = cx
        self.run = run
        self.olds: dict[str, ResourceRow] = {}  # logical id -> the row being replaced or modified
        self.refusals: dict[str, str] = {}  # logical id -> why it fails
        self.create = creating(cx, run, "create")
        self.replace = Step(partial(provision, cx, run, "update"), "UPDATE_COMPLETE", "UPDATE_FAILED", on_failure=self._keep_old)
        self.modify = Step(self._modify, "UPDATE_COMPLETE", "UPDATE_FAILED")
        self.refuse = Step(self._refuse, "UPDATE_COMPLETE", "UPDATE_FAILED")

    def _keep_old(self, res: ResourceRow, reason: str) -> Change:
        old = self.olds[res.logical_id]
        self.run.resources[res.logical_id] = old
        return (old, "UPDATE_FAILED", reason, False)

    def _modify(self, res: ResourceRow) -> None:
        decl = self.run.template["Resources"][res.logical_id]
        check_resource(self.run, res)  # properties validation and service rules, as on a create
        inject_failure(decl.get("Metadata"), "update")
        check_dynamic_references(self.cx.store, res.properties)
        res.attributes = self.cx.handlers.update(self.run, res, self.olds[res.logical_id], decl)
        res.attrs_json = None

    def _refuse(self, res: ResourceRow) -> None:
        raise ResourceFailure(self.refusals[res.logical_id])
