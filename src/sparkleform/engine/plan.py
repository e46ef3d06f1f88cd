"""Planning an update (or a create): what each resource would do (Add, Modify, Remove,
replacement and its causes), without changing any resource.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sparkleform.contract import NO_CHANGES, Plan, ResourceChange, StackOptions
from sparkleform.engine.attributes import token
from sparkleform.engine.changes import (
    change_json,
    changed_properties,
    content_hash,
    replacement_of,
)
from sparkleform.engine.context import OpContext
from sparkleform.engine.errors import ResourceFailure, StackBusy, StackNotFound, ValidationError
from sparkleform.engine.handlers import STACK_TYPE
from sparkleform.engine.intrinsics import UNKNOWN, contains_unknown
from sparkleform.engine.model import Run
from sparkleform.engine.params import without_secrets
from sparkleform.engine.preflight import evaluate_over, prepare_run
from sparkleform.engine.store import dumps, loads
from sparkleform.errors import SparkleformError
from sparkleform.secrets import Masker, registry


def plan(cx: OpContext, name: str, template: dict | None, parameters: dict[str, Any], options: StackOptions | None) -> Plan:
    """What creating or updating the stack would do; an update's plan is kept as a change set."""
    options = options or StackOptions()
    store = cx.store
    row = store.stack(name)
    if row is None and name.startswith("arn:"):
        gone = store.stack(name, include_deleted=True)
        if gone is not None:  # AWS's answer to a change set for a deleted stack named by its id
            raise StackBusy(f"Stack:{gone['stack_id']} is in {gone['status']} state and can not be updated.")
    if row is None:
        if template is None:
            raise StackNotFound(f"Stack [{name}] does not exist")
        run = prepare_run(cx, name, cx.new_stack_id(name), template, parameters, options, planning=True)
        changes = [ResourceChange("Add", lid, run.template["Resources"][lid]["Type"]) for lid in run.active]
        return Plan(name, changes, f"plan-{token(8).lower()}", "CREATE_COMPLETE", None)
    run, changes, _ = plan_update(cx, row, template, parameters, options, planning=True)
    plan_name = f"plan-{token(8).lower()}"
    submitted = template if template is not None else store.template(row["stack_id"], row["template_version"], processed=False)
    with store.tx():
        store.add_change_set(
            row["stack_id"],
            plan_name,
            dumps(submitted),
            dumps(without_secrets(run.raw, run.no_echo)),
            dumps([change_json(c) for c in changes]),
        )
    if not changes:  # AWS's change set with nothing to change ends FAILED, with this reason
        return Plan(row["name"], changes, plan_name, "FAILED", NO_CHANGES)
    return Plan(row["name"], changes, plan_name, "CREATE_COMPLETE", None)


def plan_update(
    cx: OpContext, row: Any, template: dict | None, parameters: dict[str, Any], options: StackOptions, *, planning: bool = False
) -> tuple[Run, list[ResourceChange], dict[str, str]]:
    """The checked run of an update of the stack of `row` (template None: the current one),
    the changes it makes, and the stack's current parameter values."""
    store = cx.store
    stack_id = row["stack_id"]
    original = template if template is not None else store.template(stack_id, row["template_version"], processed=False)
    previous = loads(row["parameters"], {})
    run = prepare_run(cx, row["name"], stack_id, original, parameters, options, previous=previous, planning=planning)
    current = store.resources(stack_id)
    planner = evaluate_over(cx, run, {k: v.clone() for k, v in current.items()}, planning=True)
    ev = planner.evaluator
    changes: list[ResourceChange] = []
    decls = run.template["Resources"]
    old_template = store.template(stack_id, row["template_version"])
    old_decls = old_template.get("Resources") or {}
    masks = {run.raw[n] for n in run.no_echo if run.raw.get(n)}
    masks |= {previous[n] for n in loads(row["no_echo"], []) if previous.get(n)}
    masker = Masker(masks)
    masker.add(registry.secrets)
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
        changed = changed_properties(old.properties, props)
        old_decl = old_decls.get(logical) or {}
        # a DependsOn-only edit changes no resource: AWS's change set shows nothing for it
        other = [k for k in ("Metadata", "DeletionPolicy", "UpdateReplacePolicy") if decl.get(k) != old_decl.get(k)]
        nested_changed = False
        if decl["Type"] == STACK_TYPE and not changed:
            child_hash = None
            if not contains_unknown(props):
                with contextlib.suppress(ResourceFailure):
                    child_hash = content_hash(cx.handlers.nested_template(run, props, decl))
            nested_changed = child_hash is None or child_hash != old.attributes.get("TemplateHash")
        if not changed and not other and not nested_changed:
            continue
        replacement, causes = replacement_of(decl["Type"], changed, props, old.properties)
        if replacement in ("True", "Conditional"):
            planner.planning_unknown.add(logical)
        elif changed or nested_changed:
            # what uses its attributes changes too (and what uses theirs, down the chain)
            planner.planning_modified.add(logical)
        details: list[dict[str, Any]] = [
            {
                "property": p,
                "before": masker.value(old.properties.get(p)),
                "after": masker.value(props.get(p)) if props.get(p) is not UNKNOWN else "{{known after apply}}",
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
