"""How many of a stack's own resources an operation will touch, known before it starts: the
denominator of the live view's `12/25 complete` line.

create: the template's resources whose Condition holds (None when a transform will expand
the template, or a condition cannot be decided before the stack exists); update: the
resources the plan adds, modifies or removes (the others send no events); delete: the
stack's resources not already deleted. Nested stacks count as one resource each.
"""

from __future__ import annotations

from typing import Any

from sparkleform.contract import Plan, Stack
from sparkleform.errors import SparkleformError


def for_create(template: dict | None, parameters: dict[str, str]) -> int | None:
    """The resources a create of `template` makes, or None when that is not known in advance."""
    if not isinstance(template, dict) or template.get("Transform"):
        return None  # SAM, Fn::ForEach, macros: the expansion decides
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not resources:
        return None
    conditional = {lid: r["Condition"] for lid, r in resources.items() if isinstance(r, dict) and "Condition" in r}
    if not conditional:
        return len(resources)
    from sparkleform.engine.intrinsics import Evaluator

    values: dict[str, Any] = {}
    for name, decl in (template.get("Parameters") or {}).items():
        if name in parameters:
            values[name] = parameters[name]
        elif isinstance(decl, dict) and "Default" in decl:
            values[name] = decl["Default"]
    evaluator = Evaluator(template, values, pseudo={})
    try:
        skipped = sum(1 for name in conditional.values() if not evaluator.condition(name))
    except (SparkleformError, KeyError, TypeError, ValueError):
        return None  # a pseudo parameter, a missing value: only the stack will know
    return len(resources) - skipped


def for_update(plan: Plan) -> int | None:
    """The resources an update applies changes to (None: the plan lists none, e.g. only new
    parameter values, so the resources that react are not known)."""
    return len({c.logical_id for c in plan.changes}) or None


def for_delete(stack: Stack | None) -> int | None:
    """The resources a delete removes (or skips, when retained)."""
    if stack is None:
        return None
    left = [r for r in stack.resources if r.status != "DELETE_COMPLETE"]
    return len(left) or None
