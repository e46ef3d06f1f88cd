"""Deleting resources and stacks: deletion order, deletion policies (Retain, Snapshot),
superseded physical resources, and delete_stack.
"""

from __future__ import annotations

import contextlib
from functools import partial

from sparkleform.contract import EventCallback
from sparkleform.engine.context import OpContext
from sparkleform.engine.errors import ResourceFailure, StackOperationFailed, ValidationError
from sparkleform.engine.faults import inject_failure
from sparkleform.engine.graph import dependencies, order, reverse_waves
from sparkleform.engine.journal import After
from sparkleform.engine.model import Change, ResourceRow
from sparkleform.engine.outputs import write_exports
from sparkleform.engine.params import without_secrets
from sparkleform.engine.provision import Step, Work, run_wave
from sparkleform.engine.store import dumps, loads, now
from sparkleform.errors import SparkleformError


def delete_stack(cx: OpContext, name: str, *, on_event: EventCallback | None = None, force_owner: bool = False) -> None:
    row = cx.store.require(name)
    stack_id, sname = row["stack_id"], row["name"]
    if row["termination_protection"]:
        raise ValidationError(f"Stack [{sname}] cannot be deleted while TerminationProtection is enabled")
    importers = cx.store.importers_of_exports(stack_id)
    if importers:
        first = importers[0]
        raise ValidationError(f"Export {first['export']} cannot be deleted as it is in use by {first['importer']}")
    cx.journal.begin(row, "DELETE_IN_PROGRESS", "User Initiated", on_event, verb="deleted", force=force_owner)
    try:
        finish_delete(cx, stack_id, sname, row["template_version"], on_event)
    except StackOperationFailed:
        raise
    except Exception as exc:  # a fault after the stack was taken: finish as recover would
        from sparkleform.engine.create import abandon  # create imports this module

        abandon(cx, stack_id, sname, "delete", exc, on_event)
        raise


def finish_delete(cx: OpContext, stack_id: str, name: str, version: int, on_event: EventCallback | None) -> None:
    """Delete every resource of a stack taken for deletion, then the stack (also what
    `recover` does for an interrupted delete)."""
    rows = cx.store.resources(stack_id)
    orphans = orphaned_children(cx, stack_id, rows)
    failure = delete_resources(cx, stack_id, name, rows, deletion_waves(cx, stack_id, rows, version), on_event)
    failure = failure or delete_orphaned_children(cx, orphans, on_event)
    if failure:
        cx.journal.stack_status(stack_id, name, "DELETE_FAILED", failure, on_event, extra={"owner": None})
        raise StackOperationFailed(f"Stack {name} failed to delete: {failure} (DELETE_FAILED)", stack_status="DELETE_FAILED")
    row = cx.store.stack_row(stack_id)
    assert row is not None
    # a deleted stack keeps no NoEcho value (nor the snapshot of an update that holds them);
    # parameters it retained keep their values as their own (released while the stack's row
    # still has the values, in the transaction that records the delete)
    purged = without_secrets(loads(row["parameters"], {}), loads(row["no_echo"], []))
    cx.journal.stack_status(
        stack_id,
        name,
        "DELETE_COMPLETE",
        None,
        on_event,
        before=lambda: cx.store.release_parameters(stack_id),
        extra={
            "owner": None,
            "deleted": now(),
            "parameters": dumps(purged),
            "snapshot": None,
            "cleanup": None,
            "secret_ids": "{}",
        },
        after=lambda: write_exports(cx.store, stack_id, [], set()),
    )


def orphaned_children(cx: OpContext, stack_id: str, rows: dict[str, ResourceRow] | None = None) -> list[str]:
    """The stack's live nested stacks that none of its resource rows names (`rows`: the rows
    when the caller has just read them): a child whose create was cut off (kill -9) after
    the child was recorded and before the parent's row took its id. Taken before the
    parent's resources are deleted (a retained child is named until then), deleted after
    them by `delete_orphaned_children`."""
    rows = cx.store.resources(stack_id) if rows is None else rows
    named = {row.physical_id for row in rows.values() if row.physical_id}
    return [child["stack_id"] for child in cx.store.children(stack_id) if child["stack_id"] not in named]


def delete_orphaned_children(cx: OpContext, children: list[str], on_event: EventCallback | None) -> str | None:
    """Delete the `orphaned_children` of a stack being rolled back or deleted; -> the first
    failure reason, or None."""
    for child_id in children:
        try:
            cx.handlers.delete_nested(child_id, on_event)
        except ResourceFailure as exc:
            return exc.reason
    return None


def deletion_waves(cx: OpContext, stack_id: str, rows: dict[str, ResourceRow], version: int) -> list[list[str]]:
    """The order to delete `rows` in: the reverse of their dependency order in template
    `version` (rows the template does not declare first, newest first)."""
    template = cx.store.template(stack_id, version)
    resources = {k: v for k, v in (template.get("Resources") or {}).items() if k in rows}
    try:
        deps = dependencies(resources, set(resources))
        forward = order(deps)
    except SparkleformError:
        deps, forward = {}, sorted(resources, key=lambda k: rows[k].seq)
    leftovers = sorted((k for k in rows if k not in resources), key=lambda k: -rows[k].seq)
    out = reverse_waves(deps, forward)
    return [leftovers, *out] if leftovers else out


def _retained_reason(policy_key: str) -> str:
    return f"{policy_key} Retain: resource kept"


def _deleted_reason(res: ResourceRow, policy_key: str) -> str | None:
    if res.policy.get(policy_key) == "Snapshot":
        return f"{policy_key} Snapshot: a snapshot was taken before deletion"
    return None


def delete_resources(
    cx: OpContext,
    stack_id: str,
    name: str,
    rows: dict[str, ResourceRow],
    groups: list[list[str]],
    on_event: EventCallback | None,
    *,
    rollback: bool = False,
    policy_key: str = "DeletionPolicy",
) -> str | None:
    """Delete resources wave by wave; -> the first failure reason, or None."""
    version_row = cx.store.stack_row(stack_id)
    decls = (cx.store.template(stack_id, version_row["template_version"]).get("Resources") or {}) if version_row else {}
    run_stack = (stack_id, name)

    def act(res: ResourceRow) -> None:
        if not rollback:
            inject_failure((decls.get(res.logical_id) or {}).get("Metadata"), "delete")
        cx.handlers.delete(stack_id, res, on_event)

    step = Step(act, "DELETE_COMPLETE", "DELETE_FAILED", remove=True, reason=partial(_deleted_reason, policy_key=policy_key))
    for wave in groups:
        first: list[Change] = []
        work: Work = []
        for logical in wave:
            res = rows[logical]
            policy = res.policy.get(policy_key)
            if res.status == "DELETE_COMPLETE":
                first.append((res, None, None, True))
            elif res.physical_id is None and res.status in ("CREATE_FAILED", "CREATE_IN_PROGRESS"):
                first.append((res, "DELETE_COMPLETE", None, True))
            elif policy == "Retain":
                first.append((res, "DELETE_SKIPPED", _retained_reason(policy_key), True))
            else:
                first.append((res, "DELETE_IN_PROGRESS", None, False))
                work.append((res, step))
        failures = run_wave(cx, run_stack, first, work, on_event)
        if failures:
            return failures[0][1]
    return None


def delete_old_physical(
    cx: OpContext,
    stack_id: str,
    name: str,
    res: ResourceRow,
    on_event: EventCallback | None,
    *,
    policy_key: str,
    after: After | None = None,
) -> None:
    """Delete a superseded physical resource `res` (its logical id's row now holds another
    one, or none); `after` runs in the transaction that records the outcome."""
    run_stack = (stack_id, name)
    journal = cx.journal
    if res.policy.get(policy_key) == "Retain":
        journal.resource_event(run_stack, res, "DELETE_SKIPPED", _retained_reason(policy_key), on_event, after=after)
        return
    journal.resource_event(run_stack, res, "DELETE_IN_PROGRESS", None, on_event)
    with contextlib.suppress(ResourceFailure):
        cx.handlers.delete(stack_id, res, on_event)
    journal.resource_event(
        run_stack, res, "DELETE_COMPLETE", _deleted_reason(res, policy_key), on_event, after=after, flush=True
    )

