"""The provider contract: what every place that runs stacks (the local engine, AWS) offers.

A leaf of the ground floor: the engine, the providers and everything above them (stacks/,
cli/) share these plain dataclasses and the Provider protocol, so a provider may be backed
by SQLite, boto3, or anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

NO_ECHO_MASK = "****"


@dataclass(slots=True)
class StackEvent:
    event_id: str
    stack_name: str
    logical_id: str
    physical_id: str | None
    resource_type: str
    status: str
    reason: str | None
    timestamp: datetime


@dataclass(slots=True)
class StackResource:
    logical_id: str
    physical_id: str | None
    resource_type: str
    status: str
    reason: str | None = None


@dataclass(slots=True)
class StackOutput:
    key: str
    value: str
    description: str | None = None
    export_name: str | None = None


@dataclass(slots=True)
class StackParameter:
    key: str
    value: str  # already masked (NO_ECHO_MASK) where the template says NoEcho
    no_echo: bool = False


@dataclass(slots=True)
class Stack:
    name: str
    stack_id: str
    status: str
    reason: str | None = None
    parameters: list[StackParameter] = field(default_factory=list)
    outputs: list[StackOutput] = field(default_factory=list)
    resources: list[StackResource] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    termination_protection: bool = False
    created: datetime | None = None
    updated: datetime | None = None
    description: str | None = None

    def output_map(self) -> dict[str, str]:
        return {o.key: o.value for o in self.outputs}


@dataclass(slots=True)
class ResourceChange:
    """One row of a plan: Add / Modify / Remove a resource, and whether it is replaced and why."""

    action: str  # "Add" | "Modify" | "Remove"
    logical_id: str
    resource_type: str
    physical_id: str | None = None
    replacement: str | None = None  # "True" | "False" | "Conditional" (Modify only)
    causes: list[str] = field(default_factory=list)  # property names (or "DependsOn ..." texts)
    details: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class Plan:
    stack_name: str
    changes: list[ResourceChange]
    change_set_name: str | None = None
    status: str | None = None
    reason: str | None = None  # e.g. "No updates are to be performed."

    @property
    def empty(self) -> bool:
        return not self.changes


@dataclass(slots=True)
class StackOptions:
    """Everything a create/update may carry besides template and parameters."""

    tags: dict[str, str] = field(default_factory=dict)
    disable_rollback: bool = False
    termination_protection: bool | None = None
    capabilities: list[str] | None = None  # None: detect from the template
    notification_arns: list[str] = field(default_factory=list)
    role_arn: str | None = None
    timeout_minutes: int | None = None
    on_failure: str | None = None  # "ROLLBACK" | "DELETE" | "DO_NOTHING"
    stack_policy: dict | None = None
    nested_templates: dict[str, dict] = field(default_factory=dict)  # TemplateURL/file name -> dict


EventCallback = Callable[[StackEvent], None]


@runtime_checkable
class Provider(Protocol):
    """A place stacks run. Operations raise sparkleform errors with AWS's own wording."""

    name: str

    def create_stack(
        self,
        name: str,
        template: dict,
        parameters: dict[str, str],
        options: StackOptions | None = None,
        *,
        on_event: EventCallback | None = None,
        wait: bool = True,
    ) -> Stack: ...

    def plan(
        self, name: str, template: dict | None, parameters: dict[str, str], options: StackOptions | None = None
    ) -> Plan: ...

    def update_stack(
        self,
        name: str,
        template: dict | None,
        parameters: dict[str, str],
        options: StackOptions | None = None,
        *,
        on_event: EventCallback | None = None,
        wait: bool = True,
    ) -> Stack: ...

    def delete_stack(
        self, name: str, *, on_event: EventCallback | None = None, wait: bool = True
    ) -> None: ...

    def describe_stack(self, name: str) -> Stack: ...

    def stack_exists(self, name: str) -> bool: ...

    def events(self, name: str, since: str | None = None) -> list[StackEvent]: ...

    def list_stacks(self) -> list[Stack]: ...

    def exports(self) -> dict[str, str]: ...

    def template_of(self, name: str) -> dict: ...

    def recover(self, name: str, *, on_event: EventCallback | None = None) -> Stack: ...
