"""The engine's error classes: CloudFormation's error kinds, as sparkleform errors.

Input problems (bad template, bad parameters, unknown stack, a stack busy with another
operation, nothing to update) exit 2; an operation that ran and failed exits 1, and is
raised only after the failure and its rollback are recorded in the state.
"""

from __future__ import annotations

from sparkleform.errors import OperationFailed, ParameterError, SparkleformError, TemplateError


class EngineError(SparkleformError):
    """A request the engine refuses, with CloudFormation's wording (exit 2)."""


class StateError(EngineError):
    """The state file cannot be opened or is not a sparkleform state database."""


class ValidationError(EngineError):
    """CloudFormation's ValidationError: the request itself is wrong."""


class TemplateFormatError(TemplateError):
    """The template cannot be processed ("Template format error: ...")."""


class StackParameterError(ParameterError):
    """A parameter value is missing, unknown or breaks its constraints."""


class StackNotFound(ValidationError):
    """The named stack does not exist (or was deleted)."""


class StackExists(ValidationError):
    """create_stack on a name already taken ("Stack [x] already exists")."""


class StackBusy(ValidationError):
    """Another operation is in progress on the stack, or it is in a state that forbids this one."""


class NoUpdates(ValidationError):
    """update_stack with nothing to change: "No updates are to be performed."."""


class StackOperationFailed(OperationFailed):
    """The operation ran, a resource failed, and the stack was rolled back (or left failed)."""

    def __init__(self, message: str, *, stack_status: str | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.stack_status = stack_status


class ResourceFailure(Exception):
    """Internal: one resource's handler failed with a CloudFormation-style reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
