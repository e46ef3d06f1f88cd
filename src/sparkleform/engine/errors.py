"""The engine's error classes: the contract's error vocabulary, plus the engine's own kinds.

The stack errors (StackNotFound, StackExists, StackBusy, NoUpdates, ValidationError,
StackOperationFailed) are the contract's classes themselves, so a caller catches the same
class whichever provider it talks to. Input problems (bad template, bad parameters, unknown
stack, a stack busy with another operation, nothing to update) exit 2; an operation that ran
and failed exits 1, and is raised only after the failure and its rollback are recorded in
the state.
"""

from __future__ import annotations

from sparkleform.contract import (
    NoUpdates,
    StackBusy,
    StackError,
    StackExists,
    StackNotFound,
    StackOperationFailed,
    StackStateError,
    ValidationError,
)
from sparkleform.errors import ParameterError, TemplateError

__all__ = [
    "EngineError",
    "NoUpdates",
    "ResourceFailure",
    "StackBusy",
    "StackExists",
    "StackNotFound",
    "StackOperationFailed",
    "StackParameterError",
    "StackStateError",
    "StateError",
    "TemplateFormatError",
    "ValidationError",
]


class EngineError(StackError):
    """A request the engine refuses for reasons of its own (its state file), exit 2."""


class StateError(EngineError):
    """The state file cannot be opened or is not a sparkleform state database."""


class TemplateFormatError(TemplateError):
    """The template cannot be processed ("Template format error: ...").

    `template_path` names the part of the template at fault, when known (the flows turn it
    into the user's file:line through the source map)."""

    def __init__(self, message: str, *, template_path: tuple = (), **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.template_path = template_path


class StackParameterError(ParameterError):
    """A parameter value is missing, unknown or breaks its constraints."""


class ResourceFailure(Exception):
    """Internal: one resource's handler failed with a CloudFormation-style reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ParameterUnavailable(Exception):
    """A parameter-store value the local state no longer has (it came from a NoEcho
    parameter whose value has changed since); `str()` says so."""
