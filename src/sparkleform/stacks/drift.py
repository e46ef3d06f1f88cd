"""Drift: what changed in a stack's resources outside the stack (DetectStackDrift on AWS). The
local engine is the only writer of the resources it keeps, so there is nothing to detect."""

from __future__ import annotations

from sparkleform.contract import DriftReport, has_drift, runs_in_process
from sparkleform.stacks.context import StackContext

NO_LOCAL_DRIFT = "the {what} has no drift: it is the only writer of the resources it keeps"


def drift(ctx: StackContext, name: str) -> DriftReport | None:
    """The drift report of stack `name`; None (after one note) on a provider without drift."""
    provider = ctx.provider
    if not has_drift(provider):
        provider.describe_stack(name)  # a missing stack is still an error
        what = "local engine" if runs_in_process(provider) else f"{provider.name} provider"
        ctx.reporter.note(NO_LOCAL_DRIFT.format(what=what))
        return None
    return provider.detect_drift(name)
