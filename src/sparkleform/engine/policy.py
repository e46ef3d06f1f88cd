"""Stack policies: which update actions (Update:Modify, Update:Replace, Update:Delete) an
update may take on which resources.

CloudFormation's rules: once a stack has a policy, every resource is protected unless a
statement allows the action; an explicit Deny wins over any Allow. Resources are named
`LogicalResourceId/<id>` (wildcards allowed); `Condition` may restrict statements by
`ResourceType` with StringEquals/StringLike.
"""

from __future__ import annotations

import fnmatch
from typing import Any


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _matches_action(patterns: list, action: str) -> bool:
    return any(isinstance(p, str) and fnmatch.fnmatchcase(action, p) for p in patterns)


def _matches_resource(statement: dict, logical_id: str) -> bool:
    name = f"LogicalResourceId/{logical_id}"
    if "NotResource" in statement:
        return not any(fnmatch.fnmatchcase(name, p) for p in _as_list(statement["NotResource"]) if isinstance(p, str))
    return any(fnmatch.fnmatchcase(name, p) for p in _as_list(statement.get("Resource", "*")) if isinstance(p, str))


def _matches_condition(statement: dict, resource_type: str) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return True
    for operator, tests in condition.items():
        if not isinstance(tests, dict):
            continue
        for key, values in tests.items():
            if key != "ResourceType":
                continue
            values = [v for v in _as_list(values) if isinstance(v, str)]
            if operator == "StringEquals" and resource_type not in values:
                return False
            if operator == "StringLike" and not any(fnmatch.fnmatchcase(resource_type, v) for v in values):
                return False
    return True


def denial(policy: dict | None, logical_id: str, resource_type: str, action: str) -> str | None:
    """Why the policy forbids `action` on the resource, or None when it is allowed."""
    if not policy:
        return None
    allowed = False
    for index, statement in enumerate(_as_list(policy.get("Statement")), start=1):
        if not isinstance(statement, dict):
            continue
        actions = _as_list(statement.get("Action"))
        if "NotAction" in statement:
            hit = not _matches_action(_as_list(statement["NotAction"]), action)
        else:
            hit = _matches_action(actions, action)
        if not hit or not _matches_resource(statement, logical_id) or not _matches_condition(statement, resource_type):
            continue
        if statement.get("Effect") == "Deny":
            return (
                f"Action denied by stack policy: Statement [#{index}] does not allow [{action}] "
                f"for resource [LogicalResourceId/{logical_id}]"
            )
        if statement.get("Effect") == "Allow":
            allowed = True
    if allowed:
        return None
    return (
        f"Action denied by stack policy: no statement allows [{action}] for resource "
        f"[LogicalResourceId/{logical_id}]"
    )
