"""How an update ends, from the state alone (so `recover` can finish it too): cleanup after
success (replaced and removed resources) or rollback to the snapshot taken when it began.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from sparkleform.engine.handlers import STACK_TYPE
from sparkleform.engine.intrinsics import Evaluator
from sparkleform.engine.params import resolve_parameters
from sparkleform.engine.run import _Res
from sparkleform.engine.store import dumps, loads
from sparkleform.errors import SparkleformError
from sparkleform.contract import EventCallback, StackOptions

NEW = "\x00new"  # suffix of a cleanup key that names the replacement of a resource, not the resource


class UpdateFinishMixin:
    """Update cleanup and update rollback."""

    def _snapshot_rows(self, stack_id: str) -> tuple[dict, dict[str, _Res]]:
        row = self.store.one("SELECT snapshot FROM stacks WHERE stack_id=?", (stack_id,))
        snap = loads(row["snapshot"], None) if row else None
        if not snap:
            return {}, {}
        return snap, {k: _Res.from_state(k, v) for k, v in snap["resources"].items()}

    def _replacements_to_remove(self, stack_id: str) -> dict[str, _Res]:
        """The replacement resources a rollback has yet to delete, as it recorded them before
        putting the replaced rows back (after that, the rows no longer name them)."""
        row = self.store.one("SELECT cleanup FROM stacks WHERE stack_id=?", (stack_id,))
        pending = loads(row["cleanup"], None) if row else None
        return {key: _Res.from_state(key.partition(NEW)[0], v) for key, v in (pending or {}).items()}

    def _forget_replacement(self, stack_id: str, key: str) -> Callable[[Any], None]:
        """A transaction step that drops `key` from the recorded replacements (run with the
        deletion's own event, so a deleted replacement is never deleted again)."""

        def forget(conn: Any) -> None:
            row = conn.execute("SELECT cleanup FROM stacks WHERE stack_id=?", (stack_id,)).fetchone()
            pending = loads(row["cleanup"], None) if row else None
            if pending and key in pending:
                del pending[key]
                conn.execute("UPDATE stacks SET cleanup=? WHERE stack_id=?", (dumps(pending) if pending else None, stack_id))

        return forget

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

    def _rollback_update(self, stack_id: str, name: str, reason: str, on_event: EventCallback | None) -> None:
        """Bring the stack back to the snapshot taken when the update began (state-driven)."""
        snap, old_rows = self._snapshot_rows(stack_id)
        current = self._resources(stack_id)
        # replacements first, recorded before any replaced row is put back: a rollback killed
        # after that would otherwise find no trace of them (an earlier, interrupted attempt
        # may have recorded some already)
        replacements = self._replacements_to_remove(stack_id)
        for logical, old in old_rows.items():
            cur = current.get(logical)
            if cur is not None and cur.physical_id != old.physical_id and cur.physical_id:
                replacements[logical + NEW] = cur
        recorded = {"cleanup": dumps({k: r.to_state() for k, r in replacements.items()}) if replacements else None}
        row = self.store.one("SELECT status FROM stacks WHERE stack_id=?", (stack_id,))
        if row["status"] != "UPDATE_ROLLBACK_IN_PROGRESS":
            self._stack_status(stack_id, name, "UPDATE_ROLLBACK_IN_PROGRESS", reason, on_event, extra=recorded)
        else:
            with self.store.tx() as conn:
                conn.execute("UPDATE stacks SET cleanup=? WHERE stack_id=?", (recorded["cleanup"], stack_id))
        to_remove: dict[str, _Res] = dict(replacements)
        for logical in sorted(old_rows, key=lambda k: -old_rows[k].seq):
            old = old_rows[logical]
            cur = current.get(logical)
            if cur is not None and cur.physical_id == old.physical_id and cur.properties == old.properties and cur.status == old.status:
                continue
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
            # recovering: the recorded replacements, and anything in the table that is not in the snapshot
            current = self._resources(stack_id)
            to_remove = self._replacements_to_remove(stack_id)
            to_remove.update({k: r for k, r in current.items() if k not in old_rows})
        for key in sorted(to_remove, key=lambda k: -to_remove[k].seq):
            res = to_remove[key]
            logical = res.logical_id
            if key.endswith(NEW):
                self._delete_old_physical(
                    stack_id, name, {logical: res}, logical, on_event, policy_key="_none",
                    after=self._forget_replacement(stack_id, key),
                )
            else:
                self._delete_resources(stack_id, name, {logical: res}, [[logical]], on_event, rollback=True)
        self._stack_status(
            stack_id, name, "UPDATE_ROLLBACK_COMPLETE", None, on_event, extra={"owner": None, "snapshot": None, "cleanup": None}
        )
