"""Recovering a stack whose operation was interrupted: finish or roll back what the state
says was running, once the process that owned it is gone.
"""

from __future__ import annotations

import contextlib

from sparkleform.engine.errors import StackBusy
from sparkleform.engine.ids import _owner, _owner_alive
from sparkleform.errors import SparkleformError
from sparkleform.contract import EventCallback

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


class RecoverMixin:
    """recover."""

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
