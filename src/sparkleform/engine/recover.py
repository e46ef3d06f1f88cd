"""Recovering a stack whose operation was interrupted: finish or roll back what the state
says was running, once the process that owned it is gone.
"""

from __future__ import annotations

import contextlib

from sparkleform.contract import EventCallback
from sparkleform.engine import update_finish
from sparkleform.engine.context import OpContext
from sparkleform.engine.create import rollback_create
from sparkleform.engine.delete import finish_delete
from sparkleform.engine.errors import StackBusy
from sparkleform.engine.ids import owner, owner_alive
from sparkleform.errors import SparkleformError

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


def recover(cx: OpContext, name: str, *, on_event: EventCallback | None = None) -> str:
    """Bring an interrupted stack (and its interrupted nested stacks, first) to a stable
    status; -> that status."""
    store = cx.store
    row = store.require(name)
    stack_id, sname, status = row["stack_id"], row["name"], row["status"]
    if status in STABLE and status not in ("UPDATE_ROLLBACK_FAILED", "ROLLBACK_FAILED"):
        return status
    if owner_alive(row["owner"]):
        raise StackBusy(
            f"Stack:{stack_id} is in {status} state and can not be recovered: process "
            f"{row['owner'].rpartition(':')[2]} is still working on it."
        )
    for child in store.children(stack_id):
        with contextlib.suppress(SparkleformError):
            recover(cx, child["stack_id"], on_event=on_event)
    reason = "Operation interrupted; recovered by sparkleform recover"
    with store.tx():
        store.set_stack(stack_id, {"owner": owner()})
    if status in ("CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_FAILED", "REVIEW_IN_PROGRESS"):
        return rollback_create(cx, stack_id, sname, reason, on_event)
    if status in ("UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_FAILED", "UPDATE_FAILED"):
        update_finish.rollback_update(cx, stack_id, sname, reason, on_event)
        return "UPDATE_ROLLBACK_COMPLETE"
    if status == "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS":
        update_finish.finish_update_rollback(cx, stack_id, sname, None, on_event)
        return "UPDATE_ROLLBACK_COMPLETE"
    if status == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS":
        update_finish.cleanup_after_update(cx, stack_id, sname, on_event)
        return "UPDATE_COMPLETE"
    if status == "DELETE_IN_PROGRESS":
        finish_delete(cx, stack_id, sname, row["template_version"], on_event)
        return "DELETE_COMPLETE"
    return status
