"""How an update ends, from the state alone (so `recover` can finish it too): cleanup after
success (replaced and removed resources) or rollback to the snapshot taken when it began.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sparkleform.contract import EventCallback, StackOptions
from sparkleform.engine.context import OpContext
from sparkleform.engine.delete import (
    delete_old_physical,
    delete_orphaned_children,
    delete_resources,
    deletion_waves,
    orphaned_children,
)
from sparkleform.engine.handlers import STACK_TYPE
from sparkleform.engine.intrinsics import Evaluator
from sparkleform.engine.journal import After
from sparkleform.engine.model import ResourceRow
from sparkleform.engine.outputs import write_exports
from sparkleform.engine.params import resolve_parameters
from sparkleform.engine.preflight import pseudo_parameters
from sparkleform.engine.store import StackStore, dumps, loads
from sparkleform.errors import SparkleformError

NEW = "\x00new"  # suffix of a cleanup key that names the replacement of a resource, not the resource


def _snapshot_rows(store: StackStore, stack_id: str) -> tuple[dict, dict[str, ResourceRow]]:
    """The snapshot taken when the update began, and its resource rows."""
    row = store.stack_row(stack_id)
    snap = loads(row["snapshot"], None) if row else None
    if not snap:
        return {}, {}
    snap = store.unseal(stack_id, snap)  # its NoEcho markers (engine/sealing.py), read back
    return snap, {k: ResourceRow.from_state(k, v) for k, v in snap["resources"].items()}


def _replacements_to_remove(store: StackStore, stack_id: str) -> dict[str, ResourceRow]:
    """The replacement resources a rollback has yet to delete, as it recorded them before
    putting the replaced rows back (after that, the rows no longer name them)."""
    row = store.stack_row(stack_id)
    pending = store.unseal(stack_id, loads(row["cleanup"], None) if row else None)
    return {key: ResourceRow.from_state(key.partition(NEW)[0], v) for key, v in (pending or {}).items()}


def _forget_replacement(store: StackStore, stack_id: str, key: str) -> After:
    """A transaction step that drops `key` from the recorded replacements (run with the
    deletion's own event, so a deleted replacement is never deleted again)."""

    def forget() -> None:
        row = store.stack_row(stack_id)
        pending = loads(row["cleanup"], None) if row else None
        if pending and key in pending:
            del pending[key]
            store.set_stack(stack_id, {"cleanup": dumps(pending) if pending else None})

    return forget


def cleanup_after_update(
    cx: OpContext,
    stack_id: str,
    name: str,
    on_event: EventCallback | None,
    *,
    old_rows: dict[str, ResourceRow] | None = None,
    current: dict[str, ResourceRow] | None = None,
    active: set[str] | None = None,
    old_version: int | None = None,
) -> None:
    """UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: remove replaced and removed resources, then complete.

    Works from the state alone (recover) or from the finished run's resources."""
    store = cx.store
    row = store.stack_row(stack_id)
    assert row is not None
    snap: dict[str, Any]
    if old_rows is None or current is None or active is None:
        snap, old_rows = _snapshot_rows(store, stack_id)
        current = store.resources(stack_id)
        active = set(_active_of(cx, stack_id, store.template(stack_id, row["template_version"])))
    else:
        snap = {"template_version": old_version}
    # replaced: same logical id, different physical id -> delete the old physical resource
    replaced = {
        k: r for k, r in old_rows.items() if k in current and current[k].physical_id != r.physical_id and r.physical_id
    }
    for logical in sorted(replaced, key=lambda k: -replaced[k].seq):
        delete_old_physical(cx, stack_id, name, replaced[logical], on_event, policy_key="UpdateReplacePolicy")
    removed = {k: r for k, r in current.items() if k not in active}
    if removed:
        version = snap.get("template_version", row["template_version"]) if snap else row["template_version"]
        groups = [[k for k in w if k in removed] for w in deletion_waves(cx, stack_id, removed, version)]
        # CloudFormation completes the update even when a cleanup deletion fails
        delete_resources(cx, stack_id, name, removed, groups, on_event)
    cx.journal.stack_status(stack_id, name, "UPDATE_COMPLETE", None, on_event, extra={"owner": None, "snapshot": None})


def _active_of(cx: OpContext, stack_id: str, template: dict) -> list[str]:
    """The resources of `template` whose conditions hold with the stack's parameter values."""
    row = cx.store.stack_row(stack_id)
    assert row is not None
    params = loads(row["parameters"], {})
    decls = template.get("Parameters") or {}
    try:
        values, _ = resolve_parameters(
            decls, {k: v for k, v in params.items() if k in decls}, ssm_lookup=cx.store.ssm_lookup
        )
    except SparkleformError:
        return list((template.get("Resources") or {}).keys())
    pseudo = pseudo_parameters(cx, row["name"], stack_id, StackOptions())
    ev = Evaluator(template, values, pseudo, None, region=cx.region)
    out = []
    for lid, res in (template.get("Resources") or {}).items():
        cond = res.get("Condition")
        if cond is None or ev.condition(cond):
            out.append(lid)
    return out


def rollback_update(cx: OpContext, stack_id: str, name: str, reason: str, on_event: EventCallback | None) -> None:
    """Bring the stack back to the snapshot taken when the update began (state-driven)."""
    store, journal = cx.store, cx.journal
    snap, old_rows = _snapshot_rows(store, stack_id)
    current = store.resources(stack_id)
    # replacements first, recorded before any replaced row is put back: a rollback killed
    # after that would otherwise find no trace of them (an earlier, interrupted attempt
    # may have recorded some already)
    replacements = _replacements_to_remove(store, stack_id)
    for logical, old in old_rows.items():
        cur = current.get(logical)
        if cur is not None and cur.physical_id != old.physical_id and cur.physical_id:
            replacements[logical + NEW] = cur
    recorded = {
        "cleanup": dumps(store.seal(stack_id, {k: r.to_state() for k, r in replacements.items()})) if replacements else None
    }
    row = store.stack_row(stack_id)
    assert row is not None
    if row["status"] != "UPDATE_ROLLBACK_IN_PROGRESS":
        journal.stack_status(stack_id, name, "UPDATE_ROLLBACK_IN_PROGRESS", reason, on_event, extra=recorded)
    else:
        with store.tx():
            store.set_stack(stack_id, recorded)
    to_remove: dict[str, ResourceRow] = dict(replacements)
    for logical in sorted(old_rows, key=lambda k: -old_rows[k].seq):
        old = old_rows[logical]
        cur = current.get(logical)
        if cur is not None and cur.physical_id == old.physical_id and cur.properties == old.properties and cur.status == old.status:
            continue
        restored = ResourceRow(logical, old.type, old.physical_id, old.status, old.properties, old.attributes, old.policy, old.seq)
        if old.type == "AWS::SSM::Parameter" and old.physical_id and "Value" in old.properties:
            cx.handlers.restore_parameter(stack_id, old.physical_id, old.properties)
        if old.type == STACK_TYPE and cur is not None and cur.physical_id == old.physical_id:
            with contextlib.suppress(SparkleformError):
                cx.handlers.rollback_nested(restored)
        journal.resource_status((stack_id, name), restored, "UPDATE_IN_PROGRESS", None, on_event)
        journal.resource_status((stack_id, name), restored, "UPDATE_COMPLETE", None, on_event)
    for logical, cur in current.items():
        if logical not in old_rows:
            to_remove[logical] = cur

    # the values the failed update brought stay readable (in the snapshot) until what it
    # added is deleted: its rows hold markers of them
    row = store.stack_row(stack_id)
    assert row is not None
    sealed_snap = loads(row["snapshot"], None) or {}
    failed_ids = {k: i for k, i in (loads(row["secret_ids"], {}) or {}).items() if i not in snap.get("secret_ids", {}).values()}
    if failed_ids and "rolled_back" not in sealed_snap:
        now_values = loads(row["parameters"], {})
        sealed_snap["rolled_back"] = {"parameters": {k: now_values.get(k) for k in failed_ids}, "secret_ids": failed_ids}
    journal.stack_status(
        stack_id,
        name,
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        None,
        on_event,
        extra={
            **({"snapshot": dumps(sealed_snap)} if "rolled_back" in sealed_snap else {}),
            "outputs": dumps(snap.get("outputs", [])),
            "parameters": dumps(snap.get("parameters", {})),
            "no_echo": dumps(snap.get("no_echo", [])),
            "secret_ids": dumps(snap.get("secret_ids", {})),
            "resolved": dumps(snap.get("resolved", {})),
            "template_version": snap.get("template_version", 1),
            "tags": dumps(snap.get("tags", {})),
            "description": snap.get("description"),
        },
        after=lambda: write_exports(store, stack_id, snap.get("outputs", []), snap.get("imports", []), take_back=True),
    )
    finish_update_rollback(cx, stack_id, name, to_remove, on_event)


def finish_update_rollback(
    cx: OpContext, stack_id: str, name: str, to_remove: dict[str, ResourceRow] | None, on_event: EventCallback | None
) -> None:
    """UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: delete what the update added and the
    replacements it created (`to_remove`; None: found from the state, when recovering)."""
    store = cx.store
    _, old_rows = _snapshot_rows(store, stack_id)
    if to_remove is None:
        # recovering: the recorded replacements, and anything in the table that is not in the snapshot
        current = store.resources(stack_id)
        to_remove = _replacements_to_remove(store, stack_id)
        to_remove.update({k: r for k, r in current.items() if k not in old_rows})
    removing = to_remove
    orphans = orphaned_children(cx, stack_id)  # a nested stack the update began to create, unrecorded
    for key in sorted(removing, key=lambda k: -removing[k].seq):
        res = removing[key]
        logical = res.logical_id
        if key.endswith(NEW):
            delete_old_physical(
                cx, stack_id, name, res, on_event, policy_key="_none", after=_forget_replacement(store, stack_id, key)
            )
        else:
            delete_resources(cx, stack_id, name, {logical: res}, [[logical]], on_event, rollback=True)
    delete_orphaned_children(cx, orphans, on_event)
    cx.journal.stack_status(
        stack_id, name, "UPDATE_ROLLBACK_COMPLETE", None, on_event, extra={"owner": None, "snapshot": None, "cleanup": None}
    )
