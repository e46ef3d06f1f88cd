"""The flows that change one stack: create, plan, update (plan -> confirm -> apply), execute,
destroy and recover, each on a StackContext, usable from Python as from the CLI.

A flow prepares the request (stacks.request), calls the provider through the contract (and
the optional capabilities it declares), runs the operation under the context's Reporter
(events, the first failure) and reads the end status as done or failed (StackOperationFailed
style OperationFailed, exit 1). What it has to say on the way goes to `ctx.reporter.note`;
what it decides is returned, for the caller to show.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from sparkleform.contract import (
    NO_CHANGES,
    NO_UPDATES,
    NoUpdates,
    Plan,
    Provider,
    Stack,
    StackOptions,
    has_change_sets,
    has_stack_settings,
    runs_in_process,
)
from sparkleform.errors import OperationFailed, SparkleformError
from sparkleform.stacks.checks import check_templates, located
from sparkleform.stacks.context import StackContext, Watch
from sparkleform.stacks.diff import attach_templates
from sparkleform.stacks.hooks import OPERATION_EVENT, run_hooks
from sparkleform.stacks.interrupts import watch_interrupts
from sparkleform.stacks.next_step import hinted
from sparkleform.stacks.outcome import is_failed, is_in_progress
from sparkleform.stacks.request import StackInputs, StackRequest, prepare_request

ConfirmPlan = Callable[[Plan], bool]  # asked before an update is applied; False: nothing changes
ConfirmStack = Callable[[Stack], bool]  # asked before a stack is deleted


class Result(StrEnum):
    """What a flow did to a stack."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DELETED = "deleted"
    STARTED = "started"  # not waited for: the operation goes on
    DECLINED = "declined"  # the confirm callback said no


def safe_describe(provider: Provider, name: str) -> Stack | None:
    """The stack, or None when it cannot be described (gone, never made, unreachable)."""
    try:
        return provider.describe_stack(name)
    except SparkleformError:
        return None


def _fail_message(operation: str, name: str, watch: Watch | None, stack: Stack | None, error: str | None = None) -> str:
    failure = watch.failure() if watch is not None else None
    where = f"; the stack is {stack.status}" if stack is not None else ""
    if failure is not None:
        return f"{operation} of stack {name} failed: {failure.describe()}{where}"
    reason = error or (stack.reason if stack is not None else None) or "see `sparkleform events " + name + "`"
    return f"{operation} of stack {name} failed: {reason}{where}"


def run_operation(
    ctx: StackContext,
    name: str,
    operation: str,
    call: Callable[[Any], Any],
    *,
    wait: bool = True,
    title: str | None = None,
) -> Stack | None:
    """Run `call(on_event)` watched by the reporter; raise OperationFailed with the first failure.

    Returns the stack afterwards (None for a delete); a stack still in progress when not
    waiting for it is returned as it is. The hooks of sparkleform.toml and the packs run
    around a create / update / delete (stacks/hooks.py).
    """
    event = OPERATION_EVENT.get(operation)
    if event is None:
        return _run_operation(ctx, name, operation, call, wait=wait, title=title)
    run_hooks(ctx.config, name, f"before_{event}")
    try:
        stack = _run_operation(ctx, name, operation, call, wait=wait, title=title)
    except OperationFailed:
        after = safe_describe(ctx.provider, name)
        run_hooks(ctx.config, name, "on_failure", after.status if after else "", after.output_map() if after else {})
        raise
    if stack is None:
        run_hooks(ctx.config, name, f"after_{event}", "DELETE_COMPLETE")
    elif not is_in_progress(stack.status):
        run_hooks(ctx.config, name, f"after_{event}", stack.status, stack.output_map())
    return stack


def _run_operation(
    ctx: StackContext,
    name: str,
    operation: str,
    call: Callable[[Any], Any],
    *,
    wait: bool = True,
    title: str | None = None,
) -> Stack | None:
    provider = ctx.provider
    watch = ctx.reporter.watch(name, title or f"{operation} {name}")
    result: Any = None
    with watch_interrupts(name, in_process=runs_in_process(provider), operation=operation):
        try:
            with watch:
                result = call(watch)
        except OperationFailed as exc:
            stack = safe_describe(provider, name)
            raise OperationFailed(_fail_message(operation, name, watch, stack, exc.message)) from exc
    if operation == "delete":
        return None
    stack = result if isinstance(result, Stack) else provider.describe_stack(name)
    if not wait and is_in_progress(stack.status):
        return stack  # still going (AWS); the local engine is done even when not asked to wait
    failed_create = operation == "create" and stack.status == "DELETE_COMPLETE"
    if operation == "recover":  # a rollback is what recover is for; only a stuck stack failed
        failed = stack.status.endswith("_FAILED") or is_in_progress(stack.status)
    else:
        failed = is_failed(stack.status) or failed_create
    if failed:
        raise OperationFailed(_fail_message(operation, name, watch, stack))
    return stack


def _report_wiring(ctx: StackContext, request: StackRequest) -> None:
    for line in request.wired():
        ctx.reporter.note(line)


@hinted
def create(
    ctx: StackContext,
    name: str,
    template: str | None = None,
    inputs: StackInputs | None = None,
    *,
    wait: bool = True,
    title: str | None = None,
    report_wiring: bool = True,
) -> Stack:
    """Create stack `name` from `template` (a collection template name, .py path or JSON/YAML
    file; None: the stack's entry in sparkleform.toml). Returns the stack (in progress when
    not waited for on AWS)."""
    request = prepare_request(ctx, name, template, inputs or StackInputs(), existing=None)
    if report_wiring:
        _report_wiring(ctx, request)
    provider = ctx.provider
    template_dict = request.template
    assert template_dict is not None  # a create always has one (or prepare_request refused)
    with located(request.sources):
        stack = run_operation(
            ctx, name, "create",
            lambda on_event: provider.create_stack(
                name, template_dict, request.parameters, request.options, on_event=on_event, wait=wait
            ),
            wait=wait, title=title,
        )
    assert stack is not None
    return stack


def _plan(provider: Provider, name: str, request: StackRequest) -> Plan:
    try:
        with located(request.sources):
            the_plan = provider.plan(name, request.template, request.parameters, request.options)
    except NoUpdates:  # a plan is a change set: AWS's change-set wording
        the_plan = Plan(stack_name=name, changes=[], status="FAILED", reason=NO_CHANGES, no_updates=True)
    return attach_templates(the_plan, provider, name, request.template)


def plan(ctx: StackContext, name: str, template: str | None = None, inputs: StackInputs | None = None) -> Plan:
    """What updating stack `name` (to `template`, or with new parameters) would change; for a
    stack that does not exist yet, what creating it would add. Changes nothing."""
    provider = ctx.provider
    existing = provider.describe_stack(name) if provider.stack_exists(name) else None  # None: plan a create
    request = prepare_request(ctx, name, template, inputs or StackInputs(), existing=existing)
    return _plan(provider, name, request)


@hinted
def plan_for_review(
    ctx: StackContext, name: str, template: str | None = None, inputs: StackInputs | None = None, *, update: bool
) -> Plan:
    """The plan of a create (or, with `update`, an update) left for review: a provider with
    change sets keeps one (the Plan names it, for `execute`); others keep nothing."""
    provider = ctx.provider
    existing = provider.describe_stack(name) if update else None
    request = prepare_request(ctx, name, template, inputs or StackInputs(), existing=existing)
    _report_wiring(ctx, request)
    with located(request.sources):
        if has_change_sets(provider):
            return provider.create_change_set(name, request.template, request.parameters, request.options)
        return provider.plan(name, request.template, request.parameters, request.options)


def _apply_settings_only(ctx: StackContext, name: str, existing: Stack, options: StackOptions) -> None:
    """Termination protection is a stack setting, not a change: apply it even with no updates."""
    provider = ctx.provider
    wanted = options.termination_protection
    if wanted is None or bool(wanted) == bool(existing.termination_protection):
        return
    if has_stack_settings(provider):
        provider.set_termination_protection(name, bool(wanted))
    else:  # other providers apply settings in an update that changes nothing
        with contextlib.suppress(NoUpdates):
            provider.update_stack(name, None, {}, StackOptions(termination_protection=bool(wanted)))
    ctx.reporter.note(f"termination protection of {name} is now {'on' if wanted else 'off'}")


def stack_level_changes(existing: Stack, options: StackOptions) -> list[str]:
    """The stack-level settings an update asks for that no resource change carries: tags
    that differ, and notification ARNs, role and stack policy when given (the provider
    compares those and says NoUpdates when they are the same)."""
    found = []
    if options.tags and dict(options.tags) != dict(existing.tags or {}):
        found.append("tags")
    if options.notification_arns:
        found.append("notification ARNs")
    if options.role_arn:
        found.append("role")
    if options.stack_policy is not None:
        found.append("stack policy")
    return found


def _drop_change_set(ctx: StackContext, name: str, change_set: str) -> None:
    provider = ctx.provider
    if has_change_sets(provider):
        provider.delete_change_set(name, change_set)
        return
    ctx.reporter.note(
        f"change set {change_set} is left for review; `sparkleform execute {name} {change_set}` applies it"
    )


@hinted
def update(
    ctx: StackContext,
    name: str,
    template: str | None = None,
    inputs: StackInputs | None = None,
    *,
    confirm: ConfirmPlan | None = None,
    wait: bool = True,
    existing: Stack | None = None,
    title: str | None = None,
) -> Stack | None:
    """Plan, confirm, apply. Without `template` the stack keeps its template.

    `confirm(plan)` is asked before anything changes (None: apply without asking). With
    change sets (AWS) the change set shown is the one executed. Returns the updated stack,
    or None when nothing changed (no updates, or `confirm` said no).
    """
    provider = ctx.provider
    existing = existing or provider.describe_stack(name)
    request = prepare_request(ctx, name, template, inputs or StackInputs(), existing=existing)
    _report_wiring(ctx, request)
    if has_change_sets(provider) and ctx.change_sets:
        try:
            with located(request.sources):
                the_plan = provider.create_change_set(name, request.template, request.parameters, request.options)
        except NoUpdates:
            the_plan = Plan(stack_name=name, changes=[], reason=NO_UPDATES, no_updates=True)
        attach_templates(the_plan, provider, name, request.template)
    else:
        the_plan = _plan(provider, name, request)
    if the_plan.empty:
        # An empty plan may still change outputs through new parameter values: the update
        # runs then, and the provider has the last word (NoUpdates).
        same_template = request.template is None or request.template == provider.template_of(name)
        settings = stack_level_changes(existing, request.options)
        if not request.parameters_changed(existing) and (the_plan.no_updates or same_template) and not settings:
            _apply_settings_only(ctx, name, existing, request.options)
            ctx.reporter.note(NO_UPDATES)
            return None
        if settings and not request.parameters_changed(existing):
            ctx.reporter.note(f"no resource changes; the stack's {', '.join(settings)} of {name} change")
        else:
            ctx.reporter.note(f"no resource changes; parameter values of {name} change")
    else:
        ctx.reporter.plan(the_plan)
    if confirm is not None and not confirm(the_plan):
        if the_plan.change_set_name:
            _drop_change_set(ctx, name, the_plan.change_set_name)
        ctx.reporter.note("nothing changed")
        return None
    change_set = the_plan.change_set_name
    call: Callable[[Any], Stack]
    if change_set and has_change_sets(provider):
        executor = provider

        def call(on_event: Any) -> Stack:
            return executor.execute_change_set(
                name, change_set, on_event=on_event, wait=wait, options=request.options
            )
    else:

        def call(on_event: Any) -> Stack:
            return provider.update_stack(
                name, request.template, request.parameters, request.options, on_event=on_event, wait=wait
            )

    try:
        with located(request.sources):
            return run_operation(ctx, name, "update", call, wait=wait, title=title)
    except NoUpdates:
        ctx.reporter.note(NO_UPDATES)
        return None


def execute(ctx: StackContext, name: str, change_set: str, *, check: bool = True) -> Stack:
    """Execute `change_set` of stack `name` (left by `plan_for_review`); providers with change
    sets only. Unless `check` is False, the change set's template is checked first."""
    provider = ctx.provider
    if not has_change_sets(provider):
        raise SparkleformError(
            f"the {provider.name} provider keeps no change sets to execute",
            hint="run `sparkleform update STACK` (it plans and applies in one go)",
        )
    if check:
        template = provider.change_set_template(name, change_set)
        if template.get("Resources"):  # no Resources: the provider could not say (moto answers with the stack's)
            check_templates([(f"change set {change_set}", template, None)])
    existed = safe_describe(provider, name)
    operation = "update" if existed is not None and existed.status != "REVIEW_IN_PROGRESS" else "create"
    stack = run_operation(
        ctx, name, operation, lambda on_event: provider.execute_change_set(name, change_set, on_event=on_event)
    )
    assert stack is not None
    return stack


def delete(ctx: StackContext, name: str, *, wait: bool = True, title: str | None = None) -> Result:
    """Delete stack `name` without asking: DELETED, or STARTED when not waited for and still going."""
    provider = ctx.provider
    run_operation(
        ctx, name, "delete",
        lambda on_event: provider.delete_stack(name, on_event=on_event, wait=wait),
        wait=wait, title=title,
    )
    after = safe_describe(provider, name)
    if not wait and after is not None and after.status.endswith("_IN_PROGRESS"):
        return Result.STARTED
    if after is not None and after.status != "DELETE_COMPLETE" and is_failed(after.status):
        raise OperationFailed(f"delete of stack {name} failed: {after.reason or after.status}")
    return Result.DELETED


@hinted
def destroy(
    ctx: StackContext, name: str, *, confirm: ConfirmStack | None = None, wait: bool = True
) -> Result:
    """Delete stack `name` and its resources, in reverse dependency order, after
    `confirm(stack)` (None: without asking). A missing stack is an error (StackNotFound)."""
    stack = ctx.provider.describe_stack(name)
    if confirm is not None and not confirm(stack):
        ctx.reporter.note("nothing deleted")
        return Result.DECLINED
    return delete(ctx, name, wait=wait)


@hinted
def recover(ctx: StackContext, name: str) -> Stack:
    """Roll stack `name` back to its last stable state after an operation was cut off."""
    provider = ctx.provider
    stack = run_operation(ctx, name, "recover", lambda on_event: provider.recover(name, on_event=on_event))
    assert stack is not None
    return stack
