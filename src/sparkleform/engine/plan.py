"""Planning an update (or a create): what each resource would do (Add, Modify, Remove,
replacement and its causes), without changing any resource.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from sparkleform.engine.attributes import token
from sparkleform.engine.changes import _change_json, _changed_properties, _hash, _mask, _replacement
from sparkleform.engine.errors import ResourceFailure, StackNotFound, ValidationError
from sparkleform.engine.handlers import STACK_TYPE
from sparkleform.engine.intrinsics import UNKNOWN, Evaluator, contains_unknown, partition_of
from sparkleform.engine.run import _Run, _RunResolver
from sparkleform.engine.store import dumps, loads, now
from sparkleform.errors import SparkleformError
from sparkleform.contract import Plan, ResourceChange, StackOptions


class PlanMixin:
    """plan and the change computation update_stack runs first."""

    def plan(
        self, name: str, template: dict | None, parameters: dict[str, Any], options: StackOptions | None = None
    ) -> Plan:
        options = options or StackOptions()
        row = self._row(name)
        if row is None:
            if template is None:
                raise StackNotFound(f"Stack [{name}] does not exist")
            stack_id = f"arn:{partition_of(self.region)}:cloudformation:{self.region}:{self.account_id}:stack/{name}/{uuid.uuid4()}"
            run = self._prepare(name, stack_id, template, parameters, options)
            changes = [
                ResourceChange("Add", lid, run.template["Resources"][lid]["Type"]) for lid in run.active
            ]
            return Plan(name, changes, f"plan-{token(8).lower()}", "CREATE_COMPLETE", None)
        run, changes, _ = self._plan_update(row, template, parameters, options)
        plan_name = f"plan-{token(8).lower()}"
        with self.store.tx() as conn:
            conn.execute(
                "INSERT INTO change_sets(change_set_id, stack_id, name, status, template, parameters, changes, created)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (
                    f"{row['stack_id']}/changeSet/{plan_name}",
                    row["stack_id"],
                    plan_name,
                    "CREATE_COMPLETE",
                    dumps(template if template is not None else self._template(row["stack_id"], row["template_version"], processed=False)),
                    dumps(run.raw),
                    dumps([_change_json(c) for c in changes]),
                    now(),
                ),
            )
        reason = None if changes else "No updates are to be performed."
        return Plan(row["name"], changes, plan_name, "CREATE_COMPLETE", reason)

    def _plan_update(
        self, row: Any, template: dict | None, parameters: dict[str, Any], options: StackOptions
    ) -> tuple[_Run, list[ResourceChange], dict[str, str]]:
        stack_id = row["stack_id"]
        original = template if template is not None else self._template(stack_id, row["template_version"], processed=False)
        previous = loads(row["parameters"], {})
        run = self._prepare(row["name"], stack_id, original, parameters, options, previous=previous)
        current = self._resources(stack_id)
        planner = _Run(stack_id, row["name"], run.template, run.values, run.raw, run.no_echo, options, None)
        planner.resources = {k: v.clone() for k, v in current.items()}
        ev = Evaluator(run.template, run.values, run.evaluator.pseudo, _RunResolver(self, planner, planning=True), region=self.region)
        planner.evaluator = ev
        changes: list[ResourceChange] = []
        decls = run.template["Resources"]
        old_template = self._template(stack_id, row["template_version"])
        old_decls = old_template.get("Resources") or {}
        masks = {run.raw[n] for n in run.no_echo if run.raw.get(n)}
        masks |= {previous[n] for n in loads(row["no_echo"], []) if previous.get(n)}
        for logical in run.active:
            decl = decls[logical]
            old = current.get(logical)
            if old is None or old.type != decl["Type"]:
                if old is not None:
                    raise ValidationError(
                        f"Update of resource type is not permitted. The new template modifies resource type of resource {logical}."
                    )
                planner.planning_unknown.add(logical)
                changes.append(ResourceChange("Add", logical, decl["Type"]))
                continue
            try:
                props = ev.resolve(decl.get("Properties") or {})
            except (SparkleformError, ResourceFailure):
                props = UNKNOWN
            if not isinstance(props, dict):
                props = {"*": UNKNOWN}
            elif not contains_unknown(props):
                run.planned[logical] = props
            changed = _changed_properties(old.properties, props)
            old_decl = old_decls.get(logical) or {}
            other = [k for k in ("Metadata", "DeletionPolicy", "UpdateReplacePolicy", "DependsOn") if decl.get(k) != old_decl.get(k)]
            nested_changed = False
            if decl["Type"] == STACK_TYPE and not changed:
                child_hash = None
                if not contains_unknown(props):
                    with contextlib.suppress(ResourceFailure):
                        child_hash = _hash(self.handlers.nested_template(run, props, decl))
                nested_changed = child_hash is None or child_hash != old.attributes.get("TemplateHash")
            if not changed and not other and not nested_changed:
                continue
            replacement, causes = _replacement(decl["Type"], changed, props, old.properties)
            if replacement in ("True", "Conditional"):
                planner.planning_unknown.add(logical)
            details = [
                {
                    "property": p,
                    "before": _mask(old.properties.get(p), masks),
                    "after": _mask(props.get(p), masks) if props.get(p) is not UNKNOWN else "{{known after apply}}",
                    "requires_recreation": "Always" if p in causes and replacement == "True" else ("Conditionally" if p in causes else "Never"),
                }
                for p in changed
            ]
            details += [{"attribute": k} for k in other]
            if nested_changed:
                details.append({"property": "TemplateURL", "reason": "nested template changed"})
            # What causes the change: the replacing properties, or (in place) everything that changed.
            shown = sorted(causes) if causes else [*changed, *other] + (["TemplateURL"] if nested_changed else [])
            changes.append(ResourceChange("Modify", logical, decl["Type"], old.physical_id, replacement, shown, details))
        active = set(run.active)
        for logical, old in sorted(current.items(), key=lambda kv: -kv[1].seq):
            if logical not in active:
                changes.append(ResourceChange("Remove", logical, old.type, old.physical_id))
        run.current = current
        run.changed_ids = {c.logical_id for c in changes if c.action != "Remove"}
        return run, changes, previous
