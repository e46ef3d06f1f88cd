"""What changed between a resource's old and new properties: the changed names, whether the
change replaces the resource, and a change's stored JSON.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sparkleform.contract import ResourceChange
from sparkleform.engine.custom import is_custom
from sparkleform.engine.intrinsics import contains_unknown
from sparkleform.engine.store import dumps
from sparkleform.spec import get_schema


def content_hash(value: Any) -> str:
    return hashlib.sha256(dumps(value).encode()).hexdigest()[:16]


def changed_properties(old: dict, new: dict) -> list[str]:
    keys = list(dict.fromkeys([*old.keys(), *new.keys()]))
    return [k for k in keys if contains_unknown(new.get(k)) or old.get(k) != new.get(k)]


def replacement_of(rtype: str, changed: list[str], new: dict, old: dict) -> tuple[str, list[str]]:
    """-> ("True" | "Conditional" | "False", the properties that cause replacement)."""
    if not changed:
        return "False", []
    if is_custom(rtype):
        create_only = {"ServiceToken"}
    else:
        schema = get_schema(rtype)
        create_only = {c.split(".")[0] for c in (schema.create_only if schema else [])}
    causes_true = [p for p in changed if p in create_only and not contains_unknown(new.get(p))]
    causes_cond = [p for p in changed if p in create_only and contains_unknown(new.get(p))]
    if causes_true:
        return "True", causes_true + causes_cond
    if causes_cond:
        return "Conditional", causes_cond
    return "False", []


def change_json(c: ResourceChange) -> dict:
    return {
        "action": c.action,
        "logical_id": c.logical_id,
        "resource_type": c.resource_type,
        "physical_id": c.physical_id,
        "replacement": c.replacement,
        "causes": c.causes,
        "details": c.details,
    }
