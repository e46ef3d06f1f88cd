"""Stable JSON shapes of stacks, outputs, plans and events for `--output json` (AWS's field names)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sparkleform.contract import NO_ECHO_MASK, Plan, Stack, StackEvent


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def outputs_json(stack: Stack) -> dict[str, str]:
    """ONE object mapping output names to values."""
    return stack.output_map()


def describe_json(stack: Stack) -> dict[str, Any]:
    return {
        "StackName": stack.name,
        "StackId": stack.stack_id,
        "StackStatus": stack.status,
        "StackStatusReason": stack.reason,
        "Description": stack.description,
        "CreationTime": _time(stack.created),
        "LastUpdatedTime": _time(stack.updated),
        "EnableTerminationProtection": stack.termination_protection,
        "Tags": [{"Key": k, "Value": v} for k, v in stack.tags.items()],
        "Parameters": [
            {
                "ParameterKey": p.key,
                "ParameterValue": NO_ECHO_MASK if p.no_echo else p.value,
                **(
                    {"ResolvedValue": NO_ECHO_MASK if p.no_echo else p.resolved_value}
                    if p.resolved_value is not None
                    else {}
                ),
                "NoEcho": p.no_echo,
            }
            for p in stack.parameters
        ],
        "Outputs": [
            {
                "OutputKey": o.key,
                "OutputValue": o.value,
                **({"Description": o.description} if o.description else {}),
                **({"ExportName": o.export_name} if o.export_name else {}),
            }
            for o in stack.outputs
        ],
        "Resources": [
            {
                "LogicalResourceId": r.logical_id,
                "PhysicalResourceId": r.physical_id,
                "ResourceType": r.resource_type,
                "ResourceStatus": r.status,
                "ResourceStatusReason": r.reason,
            }
            for r in stack.resources
        ],
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan: one entry per resource with its action, replacement and the causing properties."""
    return {
        "StackName": plan.stack_name,
        "ChangeSetName": plan.change_set_name,
        "Status": plan.status,
        "StatusReason": plan.reason,
        "Changes": [
            {
                "Action": c.action,
                "LogicalResourceId": c.logical_id,
                "ResourceType": c.resource_type,
                "PhysicalResourceId": c.physical_id,
                "Replacement": c.replacement,
                "Causes": list(c.causes),
                "Details": list(c.details),
            }
            for c in plan.changes
        ],
    }


def event_json(ev: StackEvent) -> dict[str, Any]:
    return {
        "EventId": ev.event_id,
        "StackName": ev.stack_name,
        "LogicalResourceId": ev.logical_id,
        "PhysicalResourceId": ev.physical_id,
        "ResourceType": ev.resource_type,
        "ResourceStatus": ev.status,
        "ResourceStatusReason": ev.reason,
        "Timestamp": _time(ev.timestamp),
    }


def stack_summary_json(stack: Stack) -> dict[str, Any]:
    return {
        "StackName": stack.name,
        "StackId": stack.stack_id,
        "StackStatus": stack.status,
        "StackStatusReason": stack.reason,
        "CreationTime": _time(stack.created),
        "LastUpdatedTime": _time(stack.updated),
    }
