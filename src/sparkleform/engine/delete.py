"""Deleting resources and stacks: deletion order, deletion policies (Retain, Snapshot),
superseded physical resources, and delete_stack.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from sparkleform.engine.errors import ResourceFailure, StackOperationFailed, ValidationError
from sparkleform.engine.faults import _fail_on
from sparkleform.engine.graph import dependencies, order, reverse_waves
from sparkleform.engine.run import _Res
from sparkleform.engine.store import now
from sparkleform.errors import SparkleformError
from sparkleform.contract import EventCallback, StackEvent


class DeleteMixin:
    """Deleting a stack and its resources."""

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
            staged = self._start_wave((stack_id, name), first, on_event)
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
            self._commit(self._stage((stack_id, name), done, staged), on_event)
            if failure:
                return failure
        return None

    def _delete_old_physical(
        self,
        stack_id: str,
        name: str,
        rows: dict[str, _Res],
        logical: str,
        on_event: EventCallback | None,
        *,
        policy_key: str,
        after: Callable[[Any], None] | None = None,
    ) -> None:
        """Delete a superseded physical resource (the row of `logical` now holds the new one);
        `after` runs in the transaction that records the outcome."""
        res = rows[logical]
        pending: list[StackEvent] = []
        if res.policy.get(policy_key) == "Retain":
            with self.store.tx() as conn:
                if after is not None:
                    after(conn)
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
            if after is not None:
                after(conn)
            self._event(conn, pending, stack_id, name, logical, res.physical_id, res.type, "DELETE_COMPLETE", reason)
        self._deliver(pending, on_event)
