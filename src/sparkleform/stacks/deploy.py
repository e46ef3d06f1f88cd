"""Deploy: create a stack or update it, whichever it needs (as `rain deploy` and `aws
cloudformation deploy`).

A stack left in ROLLBACK_COMPLETE (its create failed) or REVIEW_IN_PROGRESS (a change set
was made for it and never executed) cannot be updated: deploy offers to delete it first
(`confirm_delete(stack)`), then creates it anew.
"""

from __future__ import annotations

from dataclasses import dataclass

from sparkleform.contract import Stack, StackStateError, runs_in_process
from sparkleform.stacks import flows
from sparkleform.stacks.context import StackContext
from sparkleform.stacks.flows import ConfirmPlan, ConfirmStack, Result
from sparkleform.stacks.next_step import DELETE_FIRST, next_step, next_step_hints
from sparkleform.stacks.request import StackInputs


@dataclass(frozen=True)
class Deployed:
    """What deploy did: CREATED, UPDATED, UNCHANGED, STARTED or DECLINED, and the stack after."""

    result: Result
    stack: Stack | None
    replaced: str | None = None  # the status of a stack deleted first (ROLLBACK_COMPLETE ...)


def deploy(
    ctx: StackContext,
    name: str,
    template: str | None = None,
    inputs: StackInputs | None = None,
    *,
    confirm: ConfirmPlan | None = None,
    confirm_delete: ConfirmStack | None = None,
    wait: bool = True,
) -> Deployed:
    """Create stack `name`, or update it when it exists (`confirm(plan)` before applying).

    A stack in ROLLBACK_COMPLETE or REVIEW_IN_PROGRESS is deleted first after
    `confirm_delete(stack)` (None: without asking); a stack in another state an update
    cannot start from raises StackStateError naming the command to run.
    """
    provider = ctx.provider
    existing = flows.safe_describe(provider, name) if provider.stack_exists(name) else None
    replaced: str | None = None
    if existing is not None and existing.status in DELETE_FIRST:
        if confirm_delete is not None and not confirm_delete(existing):
            ctx.reporter.note("nothing changed")
            return Deployed(Result.DECLINED, existing)
        replaced = existing.status
        ctx.reporter.note(f"{name} is {existing.status}: deleting it before creating it again")
        flows.delete(ctx, name, wait=True, title=f"delete {name}")
        existing = None
    if existing is not None and existing.status == "DELETE_COMPLETE":
        existing = None
    if existing is not None and existing.status.endswith(("_IN_PROGRESS", "_FAILED")):
        raise StackStateError(
            f"stack {name} is {existing.status} and cannot be deployed now",
            hint=next_step(name, existing.status, in_process=runs_in_process(provider)),
        )
    with next_step_hints(provider, name):
        if existing is None:
            stack = flows.create(ctx, name, template, inputs, wait=wait)
            done = Result.STARTED if not wait and stack.status.endswith("_IN_PROGRESS") else Result.CREATED
            return Deployed(done, stack, replaced)
        updated = flows.update(ctx, name, template, inputs, confirm=confirm, wait=wait, existing=existing)
    if updated is None:
        return Deployed(Result.UNCHANGED, existing)
    done = Result.STARTED if not wait and updated.status.endswith("_IN_PROGRESS") else Result.UPDATED
    return Deployed(done, updated)

