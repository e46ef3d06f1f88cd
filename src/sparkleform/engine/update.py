"""Updating a stack: take it with a snapshot of its state, then add, replace or modify its
resources wave by wave; cleanup or rollback finish the update (`update_finish`).
"""

from __future__ import annotations

import contextlib
from typing import Any

from sparkleform.engine.changes import _changed_properties, _hash, _replacement
from sparkleform.engine.dynamic import check_dynamic_references
from sparkleform.engine.errors import NoUpdates, ResourceFailure, StackBusy, StackOperationFailed
from sparkleform.engine.faults import _fail_on
from sparkleform.engine.handlers import STACK_TYPE
from sparkleform.engine.outputs import _outputs_equal
from sparkleform.engine.policy import denial
from sparkleform.engine.run import _Res, _Run
from sparkleform.engine.store import dumps, loads, now
from sparkleform.errors import SparkleformError
from sparkleform.contract import EventCallback, StackOptions

UPDATABLE = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"}


class UpdateMixin:
    """update_stack."""

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
            "resources": {k: r.to_state() for k, r in run.current.items()},
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

        submitted = dumps(original)  # without a transform the processed template is the same dict: encoded once

        def add_template(conn: Any) -> None:
            conn.execute(
                "INSERT INTO templates(stack_id, version, template, processed, parameters, created) VALUES (?,?,?,?,?,?)",
                (stack_id, version, submitted, submitted if run.template is original else dumps(run.template), dumps(run.raw), now()),
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
        run.resources = {k: r.clone() for k, r in run.current.items()}
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
        if not failed:
            failed, first_reason = self._run_waves(run, self._update_wave, max_seq)
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
        staged = self._start_wave(key, started, run.on_event)
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
        self._commit(self._stage(key, finished, staged), run.on_event)
        return failures
