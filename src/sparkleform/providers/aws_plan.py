"""A Plan from an AWS change set, merged with a property-level diff of old vs new template.

AWS says which resources are added, modified (replaced or not, and why) and removed; the
local diff adds the property paths with old and new values, and fills in replacement and
causes where an endpoint (moto, older LocalStack) leaves them out.
"""

from __future__ import annotations

from typing import Any

from sparkleform.contract import Plan, ResourceChange

# Resource attributes (besides Properties) whose change CloudFormation reports as a cause.
_ATTRIBUTES = ("Metadata", "DependsOn", "Condition", "CreationPolicy", "UpdatePolicy", "DeletionPolicy",
               "UpdateReplacePolicy")
_MISSING = object()


def _flatten(value: Any, prefix: tuple[str, ...]) -> dict[tuple[str, ...], Any]:
    """Leaf paths of plain data; an intrinsic function ({"Ref": ..}, {"Fn::X": ..}) is a leaf."""
    if isinstance(value, dict) and value and not _is_intrinsic(value):
        out: dict[tuple[str, ...], Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, (*prefix, str(k))))
        return out
    return {prefix: value}


def _is_intrinsic(value: dict) -> bool:
    return len(value) == 1 and next(iter(value)).startswith(("Ref", "Fn::", "Condition"))


def _create_only(resource_type: str) -> list[tuple[str, ...]]:
    try:
        from sparkleform.spec import get_schema

        schema = get_schema(resource_type)
    except Exception:  # the schemas are an aid here, never a reason to fail a plan
        return []
    if schema is None:
        return []
    return [tuple(p.split(".")) for p in schema.create_only]


def property_diff(resource_type: str, old: dict, new: dict) -> list[dict[str, Any]]:
    """One entry per changed leaf: {"source": "local", "path", "old", "new", "replacement"}.

    `replacement` is True when the schema lists the top-level property (or a parent of
    the changed path) as create-only.
    """
    create_only = _create_only(resource_type)
    out: list[dict[str, Any]] = []
    old_props = _flatten(old.get("Properties") or {}, ())
    new_props = _flatten(new.get("Properties") or {}, ())
    for path in sorted(set(old_props) | set(new_props)):
        before, after = old_props.get(path, _MISSING), new_props.get(path, _MISSING)
        if before == after:
            continue
        replaces = any(path[: len(c)] == c for c in create_only)
        out.append(
            {
                "source": "local",
                "attribute": "Properties",
                "path": ".".join(("Properties", *path)),
                "property": path[0] if path else "",
                "old": None if before is _MISSING else before,
                "new": None if after is _MISSING else after,
                "replacement": replaces,
            }
        )
    for attr in _ATTRIBUTES:
        before, after = old.get(attr, _MISSING), new.get(attr, _MISSING)
        if before != after:
            out.append(
                {
                    "source": "local",
                    "attribute": attr,
                    "path": attr,
                    "property": attr,
                    "old": None if before is _MISSING else before,
                    "new": None if after is _MISSING else after,
                    "replacement": False,
                }
            )
    return out


def _resources(template: dict | None) -> dict[str, dict]:
    res = (template or {}).get("Resources") or {}
    return {k: v for k, v in res.items() if isinstance(v, dict)}


def _aws_causes(details: list[dict]) -> list[str]:
    causes: list[str] = []
    for d in details:
        target = d.get("Target") or {}
        attr = target.get("Attribute")
        name = target.get("Name") if attr == "Properties" else attr
        if not name:
            continue
        entity = d.get("CausingEntity")
        text = f"{name} (via {entity})" if entity and d.get("ChangeSource") != "DirectModification" else name
        if text not in causes:
            causes.append(text)
    return causes


def change_from_aws(rc: dict, old_tpl: dict | None, new_tpl: dict | None) -> ResourceChange:
    """One ResourceChange from a DescribeChangeSet `ResourceChange`, merged with the local diff."""
    logical_id = rc.get("LogicalResourceId", "")
    rtype = rc.get("ResourceType", "")
    action = rc.get("Action", "")
    aws_details = [{"source": "aws", **d} for d in rc.get("Details") or []]
    change = ResourceChange(
        action=action,
        logical_id=logical_id,
        resource_type=rtype,
        physical_id=rc.get("PhysicalResourceId") or None,
        replacement=rc.get("Replacement") or None,
        causes=_aws_causes(rc.get("Details") or []),
        details=aws_details,
    )
    if action == "Modify":
        old = _resources(old_tpl).get(logical_id)
        new = _resources(new_tpl).get(logical_id)
        if old is not None and new is not None:
            local = property_diff(rtype, old, new)
            aws_said_why = bool(aws_details)
            change.details = [*aws_details, *local]
            if not aws_said_why:
                for d in local:
                    if d["property"] and d["property"] not in change.causes:
                        change.causes.append(d["property"])
            if change.replacement is None and local:
                change.replacement = "True" if any(d["replacement"] for d in local) else "False"
    return change


def plan_from_change_set(
    stack_name: str, pages: list[dict], old_tpl: dict | None, new_tpl: dict | None, *, keep_name: bool
) -> Plan:
    """A Plan from the pages of DescribeChangeSet for one change set."""
    first = pages[0] if pages else {}
    changes: list[ResourceChange] = []
    for page in pages:
        for c in page.get("Changes") or []:
            if c.get("Type", "Resource") == "Resource" and c.get("ResourceChange"):
                changes.append(change_from_aws(c["ResourceChange"], old_tpl, new_tpl))
    order = {"Remove": 2, "Modify": 1, "Add": 0}
    changes.sort(key=lambda c: (order.get(c.action, 3), c.logical_id))
    return Plan(
        stack_name=stack_name,
        changes=changes,
        change_set_name=first.get("ChangeSetName") if keep_name else None,
        status=first.get("Status"),
        reason=first.get("StatusReason"),
    )


def local_plan(stack_name: str, old_tpl: dict | None, new_tpl: dict) -> Plan:
    """A plan computed only from the two templates (used for a stack that does not exist yet
    when no change set can be made, and by tests as a reference)."""
    old_res, new_res = _resources(old_tpl), _resources(new_tpl)
    changes: list[ResourceChange] = []
    for lid in sorted(set(old_res) | set(new_res)):
        if lid not in old_res:
            changes.append(ResourceChange("Add", lid, new_res[lid].get("Type", "")))
        elif lid not in new_res:
            changes.append(ResourceChange("Remove", lid, old_res[lid].get("Type", "")))
        else:
            diff = property_diff(new_res[lid].get("Type", ""), old_res[lid], new_res[lid])
            if diff:
                changes.append(
                    ResourceChange(
                        "Modify",
                        lid,
                        new_res[lid].get("Type", ""),
                        replacement="True" if any(d["replacement"] for d in diff) else "False",
                        causes=list(dict.fromkeys(d["property"] for d in diff)),
                        details=diff,
                    )
                )
    return Plan(stack_name=stack_name, changes=changes)
