"""The provider contract: what every place that runs stacks (the local engine, AWS) offers.

A leaf of the ground floor: the engine, the providers and everything above them (stacks/,
cli/) share these plain dataclasses, the Provider protocol, the optional capabilities a
provider declares, and the one error vocabulary every provider raises, so a provider may be
backed by SQLite, boto3, or anything else and its callers catch classes, never text.

The errors (a provider raises these classes or subclasses of them; messages keep the
provider's own wording, e.g. AWS's "No updates are to be performed."):

    SparkleformError                    (errors.py; exit 2)
    ├── StackError                      a provider refused a stack request
    │   └── ValidationError             CloudFormation's ValidationError: the request is wrong
    │       ├── StackNotFound           no such stack (or it was deleted)
    │       ├── StackExists             a create named a stack that is already there
    │       ├── NoUpdates               an update that changes nothing
    │       └── StackStateError         the stack's state forbids the operation
    │           └── StackBusy           another operation is in progress on it
    └── OperationFailed                 (errors.py; exit 1)
        └── StackOperationFailed        the operation ran and failed; `stack_status` says how it ended

The AWS adapter's classes (providers/aws_errors.py) are also `AwsError`s, so a caller can
still tell a remote refusal (credentials, access, throttling) apart; the engine raises
these classes themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TypeGuard, runtime_checkable

from sparkleform.errors import OperationFailed, SparkleformError

NO_ECHO_MASK = "****"
NO_UPDATES = "No updates are to be performed."  # CloudFormation's wording for NoUpdates
# A change set (a plan) that changes nothing: CloudFormation's StatusReason of the FAILED
# change set (recorded in LocalStack's api/test_changesets.snapshot.json, test_empty_changeset).
NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set."


# --------------------------------------------------------------------------- errors
class StackError(SparkleformError):
    """A provider refused a stack request (exit 2), in the provider's own wording."""


class ValidationError(StackError):
    """CloudFormation's ValidationError: the request itself is wrong."""


class StackNotFound(ValidationError):
    """The named stack does not exist (or was deleted)."""


class StackExists(ValidationError):
    """A create named a stack that is already there ("Stack [x] already exists")."""


class NoUpdates(ValidationError):
    """An update whose template, parameters and settings change nothing (NO_UPDATES)."""


class StackStateError(ValidationError):
    """The stack's state forbids the operation (termination protection, a failed create
    that can only be deleted, a change set never executed ...)."""


class StackBusy(StackStateError):
    """Another operation is in progress on the stack."""


class StackOperationFailed(OperationFailed):
    """The operation ran, a resource failed, and the stack was rolled back (or left failed)."""

    def __init__(self, message: str, *, stack_status: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.stack_status = stack_status


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
    # DescribeStacks' ResolvedValue: for an SSM parameter type (`value` is the Parameter Store
    # key), the value the last create or update used; masked where the template says NoEcho
    resolved_value: str | None = None


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
    no_updates: bool = False  # the provider says the update would change nothing at all
    # The templates compared (the stack's current one, the new one), when the flow knows them:
    # for the property-level review (stacks.diff), never sent to a provider.
    before: dict | None = None
    after: dict | None = None

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
    upload_root_template: bool = False  # send the template itself as a TemplateURL (aws), not only when large


EventCallback = Callable[[StackEvent], None]


@dataclass(slots=True)
class ResourceDrift:
    """One resource as drift detection found it (status IN_SYNC, MODIFIED, DELETED, NOT_CHECKED)."""

    logical_id: str
    resource_type: str
    physical_id: str | None
    status: str
    differences: list[dict[str, Any]] = field(default_factory=list)  # PropertyPath, Expected, Actual, DifferenceType


@dataclass(slots=True)
class DriftReport:
    stack_name: str
    status: str  # "IN_SYNC" | "DRIFTED" | "UNKNOWN"
    drifted: int
    resources: list[ResourceDrift] = field(default_factory=list)


class Capability(StrEnum):
    """An optional ability a provider declares in its `capabilities` (checked with `has`)."""

    CHANGE_SETS = "change-sets"  # the ChangeSets methods: change sets left for review, executed later
    IN_PROCESS = "in-process"  # operations run inside this process (Ctrl-C cuts them off; fast polling)
    STACK_SETTINGS = "stack-settings"  # the StackSettings methods: settings changed without an update
    DRIFT = "drift"  # the DriftProvider method: resources changed outside the stack
    SIMULATE = "simulate"  # the SimulatingProvider method: a throwaway copy to run operations in
    ATTRIBUTES = "attributes"  # the AttributesProvider method: each resource's attribute values
    STACK_POLICIES = "stack-policies"  # the StackPolicyProvider methods: a stack's policy read and set alone


@runtime_checkable
class Provider(Protocol):
    """A place stacks run. Operations raise the errors above, with the provider's own wording.

    `update_stack` raises NoUpdates when nothing would change (after applying settings such
    as termination protection that need no update).
    """

    name: str
    capabilities: frozenset[Capability]

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

    def close(self) -> None:
        """Release what the provider holds open (the local state's connection, AWS's HTTP
        connections); safe to call twice. The provider is not used after it."""
        ...


@runtime_checkable
class ChangeSetProvider(Provider, Protocol):
    """A provider with Capability.CHANGE_SETS: a change set is made, shown, then executed."""

    def create_change_set(
        self,
        name: str,
        template: dict | None,
        parameters: dict[str, str],
        options: StackOptions | None = None,
        change_set_name: str | None = None,
    ) -> Plan: ...

    def execute_change_set(
        self,
        name: str,
        change_set_name: str,
        on_event: EventCallback | None = None,
        wait: bool = True,
        options: StackOptions | None = None,
        template: dict | None = None,
    ) -> Stack: ...

    def delete_change_set(self, name: str, change_set_name: str) -> None: ...

    def change_set_template(self, name: str, change_set_name: str) -> dict:
        """The template a change set would deploy."""
        ...


@runtime_checkable
class SettingsProvider(Provider, Protocol):
    """A provider with Capability.STACK_SETTINGS: stack settings change without an update."""

    def set_termination_protection(self, name: str, enabled: bool) -> None: ...


@runtime_checkable
class DriftProvider(Provider, Protocol):
    """A provider with Capability.DRIFT: what changed in the stack's resources outside it."""

    def detect_drift(self, name: str) -> DriftReport: ...


def has_drift(provider: Provider) -> TypeGuard[DriftProvider]:
    return Capability.DRIFT in provider.capabilities


class SimulatingProvider(Provider, Protocol):
    """A provider with Capability.SIMULATE: `scratch(folder)` is a copy of it (its stacks as
    they are now) kept in `folder`, where operations run without touching the real ones, so
    a plan of a whole stack group can compute the outputs of stacks that do not exist yet."""

    def scratch(self, folder: str) -> Provider: ...


@runtime_checkable
class AttributesProvider(Provider, Protocol):
    """A provider with Capability.ATTRIBUTES: each resource's attribute values (what GetAtt
    answers, as far as the provider can read them cheaply), NoEcho values masked."""

    def resource_attributes(self, name: str) -> dict[str, dict[str, Any]]: ...


def has_attributes(provider: Provider) -> TypeGuard[AttributesProvider]:
    return Capability.ATTRIBUTES in provider.capabilities


@runtime_checkable
class StackPolicyProvider(Provider, Protocol):
    """A provider with Capability.STACK_POLICIES: a stack's policy read and set without an
    update (nested stacks get theirs this way)."""

    def stack_policy(self, name: str) -> dict | None: ...

    def set_stack_policy(self, name: str, policy: dict) -> None: ...


def has_stack_policies(provider: Provider) -> TypeGuard[StackPolicyProvider]:
    return Capability.STACK_POLICIES in provider.capabilities


def has_simulation(provider: Provider) -> TypeGuard[SimulatingProvider]:
    return Capability.SIMULATE in provider.capabilities


def has_change_sets(provider: Provider) -> TypeGuard[ChangeSetProvider]:
    return Capability.CHANGE_SETS in provider.capabilities


def has_stack_settings(provider: Provider) -> TypeGuard[SettingsProvider]:
    return Capability.STACK_SETTINGS in provider.capabilities


def runs_in_process(provider: Provider) -> bool:
    return Capability.IN_PROCESS in provider.capabilities
