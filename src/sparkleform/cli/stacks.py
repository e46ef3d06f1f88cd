"""The verbs that change one stack: create, plan, update, execute, destroy and recover.

Each verb gathers its inputs through cli.stack_options (template, parameters, --apply-stack
outputs, options), calls the Provider protocol, runs the operation with cli.stack_run and
maps the outcome to an exit code: 0 done, 1 the operation failed, 2 bad input.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from sparkleform.cli.context import Settings, get_settings
from sparkleform.cli.provider_pool import ProviderPool, safe_describe
from sparkleform.cli.stack_options import Prepared, StackInputs, prepare, show_origins, stack_input_options
from sparkleform.cli.stack_run import (
    confirm,
    echo_json,
    no_wait_note,
    run_operation,
    show_result,
    status_stream,
)
from sparkleform.errors import OperationFailed, SparkleformError
from sparkleform.contract import Plan, Provider, Stack, StackOptions

NO_UPDATES = "No updates are to be performed."


def show_plan(settings: Settings, plan: Plan, *, stream=None) -> None:
    from sparkleform.cli.display import print_table

    stream = stream or sys.stdout
    if plan.empty:
        click.echo(plan.reason or f"no resource changes for {plan.stack_name}", file=stream)
        return
    rows = [
        [c.action, c.logical_id, c.resource_type, c.replacement or "", ", ".join(c.causes)]
        for c in plan.changes
    ]
    title = f"plan for {plan.stack_name}"
    print_table(["action", "logical id", "type", "replacement", "caused by"], rows, stream=stream,
                title=title, color=settings.color)


def _is_no_updates(exc: SparkleformError) -> bool:
    return NO_UPDATES.rstrip(".").lower() in exc.message.lower()


@click.command("create")
@click.argument("stack")
@click.argument("template", required=False)
@stack_input_options
@click.option("--no-wait", is_flag=True, help="Start the create and return.")
@click.option("--plan-only", is_flag=True, help="Leave a change set for review instead (aws).")
def create_cmd(stack: str, template: str | None, no_wait: bool, plan_only: bool, **kwargs: Any) -> None:
    """Create STACK from TEMPLATE (a DSL template name/.py path or a JSON/YAML file)."""
    settings = get_settings()
    inputs = StackInputs.from_kwargs(kwargs)
    pool = ProviderPool(settings, bucket=inputs.bucket, prefix=inputs.prefix)
    provider = pool.main
    prepared = prepare(settings, pool, stack, template, inputs, existing=None)
    assert prepared.template is not None
    show_origins(settings, prepared)
    if plan_only:
        _plan_only(settings, provider, stack, prepared)
        return
    stack_obj = run_operation(
        settings, provider, stack, "create",
        lambda on_event: provider.create_stack(
            stack, prepared.template, prepared.parameters, prepared.options, on_event=on_event, wait=not no_wait
        ),
        wait=not no_wait,
    )
    assert stack_obj is not None
    if no_wait and stack_obj.status.endswith("_IN_PROGRESS"):
        no_wait_note(settings, stack, "create")
        return
    show_result(settings, stack_obj)


def _plan_only(settings: Settings, provider: Provider, stack: str, prepared: Prepared) -> None:
    from sparkleform.stacks.render import plan_json

    make_change_set = getattr(provider, "create_change_set", None)
    if make_change_set is not None:  # a provider with real change sets leaves one for review
        plan = make_change_set(stack, prepared.template, prepared.parameters, prepared.options)
    else:
        plan = provider.plan(stack, prepared.template, prepared.parameters, prepared.options)
    if settings.json:
        echo_json(plan_json(plan))
    else:
        show_plan(settings, plan)
    stream = status_stream(settings)
    if plan.change_set_name:
        click.echo(
            f"change set {plan.change_set_name} left for review; apply it with "
            f"`sparkleform execute {stack} {plan.change_set_name}`",
            file=stream,
        )
    else:
        click.echo(f"the {provider.name} provider keeps no change set; nothing was changed", file=stream)


@click.command("plan")
@click.argument("stack")
@click.argument("template", required=False)
@stack_input_options
def plan_cmd(stack: str, template: str | None, **kwargs: Any) -> None:
    """Show what updating STACK (to TEMPLATE, or with new parameters) would change; for a
    stack that does not exist yet, what creating it would add."""
    from sparkleform.stacks.render import plan_json

    settings = get_settings()
    inputs = StackInputs.from_kwargs(kwargs)
    pool = ProviderPool(settings, bucket=inputs.bucket, prefix=inputs.prefix)
    provider = pool.main
    existing = provider.describe_stack(stack) if provider.stack_exists(stack) else None  # None: plan a create
    prepared = prepare(settings, pool, stack, template, inputs, existing=existing)
    plan = _plan(provider, stack, prepared)
    if settings.json:
        echo_json(plan_json(plan))
    else:
        show_plan(settings, plan)


def _plan(provider: Provider, stack: str, prepared: Prepared) -> Plan:
    try:
        return provider.plan(stack, prepared.template, prepared.parameters, prepared.options)
    except SparkleformError as exc:
        if _is_no_updates(exc):
            return Plan(stack_name=stack, changes=[], reason=NO_UPDATES)
        raise


def run_update(
    settings: Settings, pool: ProviderPool, stack: str, template: str | None, inputs: StackInputs,
    *, yes: bool, no_wait: bool = False, existing: Stack | None = None, title: str | None = None,
) -> Stack | None:
    """Plan, confirm, apply. Returns None when there was nothing to do."""
    provider = pool.main
    existing = existing or provider.describe_stack(stack)
    prepared = prepare(settings, pool, stack, template, inputs, existing=existing)
    show_origins(settings, prepared)
    # With real change sets (AWS) the change set shown is the one executed after the question.
    make_change_set = getattr(provider, "create_change_set", None)
    execute = getattr(provider, "execute_change_set", None)
    if make_change_set is not None and execute is not None:
        try:
            plan = make_change_set(stack, prepared.template, prepared.parameters, prepared.options)
        except SparkleformError as exc:
            if not _is_no_updates(exc):
                raise
            plan = Plan(stack_name=stack, changes=[], reason=NO_UPDATES)
    else:
        plan = _plan(provider, stack, prepared)
    stream = status_stream(settings)
    if plan.empty:
        # An empty plan may still change outputs through new parameter values: the update
        # runs then, and the provider has the last word ("No updates are to be performed.").
        said_no_updates = bool(plan.reason) and NO_UPDATES.rstrip(".").lower() in plan.reason.lower()
        same_template = prepared.template is None or prepared.template == provider.template_of(stack)
        if not _parameters_changed(existing, prepared) and (said_no_updates or same_template):
            _apply_settings_only(provider, stack, existing, prepared.options, stream)
            click.echo(NO_UPDATES, file=stream)
            return None
        click.echo(f"no resource changes; parameter values of {stack} change", file=stream)
    else:
        show_plan(settings, plan, stream=stream)
    if not confirm(f"Update stack {stack}?", yes):
        if plan.change_set_name:
            _drop_change_set(provider, stack, plan.change_set_name, stream)
        click.echo("nothing changed", file=stream)
        return None
    if plan.change_set_name and execute is not None:
        change_set = plan.change_set_name

        def call(on_event):
            return execute(stack, change_set, on_event=on_event, wait=not no_wait, options=prepared.options)
    else:

        def call(on_event):
            return provider.update_stack(
                stack, prepared.template, prepared.parameters, prepared.options, on_event=on_event, wait=not no_wait
            )

    try:
        result = run_operation(settings, provider, stack, "update", call, wait=not no_wait, title=title)
        if result is not None and result.reason and _is_no_updates(SparkleformError(result.reason)):
            click.echo(NO_UPDATES, file=stream)
            return None
        return result
    except OperationFailed:
        raise
    except SparkleformError as exc:
        if _is_no_updates(exc):
            click.echo(NO_UPDATES, file=stream)
            return None
        raise


def _apply_settings_only(provider: Provider, stack: str, existing: Stack, options: StackOptions, stream) -> None:
    """Termination protection is a stack setting, not a change: apply it even with no updates."""
    wanted = options.termination_protection
    if wanted is None or bool(wanted) == bool(existing.termination_protection):
        return
    setter = getattr(provider, "set_termination_protection", None)
    if setter is not None:
        setter(stack, bool(wanted))
    else:  # providers without the setter apply settings in an update that changes nothing
        provider.update_stack(stack, None, {}, StackOptions(termination_protection=bool(wanted)))
    click.echo(f"termination protection of {stack} is now {'on' if wanted else 'off'}", file=stream)


def _drop_change_set(provider: Provider, stack: str, change_set: str, stream) -> None:
    delete = getattr(provider, "delete_change_set", None)
    if delete is not None:
        delete(stack, change_set)
        return
    click.echo(
        f"change set {change_set} is left for review; `sparkleform execute {stack} {change_set}` applies it",
        file=stream,
    )


def _parameters_changed(existing: Stack, prepared: Prepared) -> bool:
    old = {p.key: p.value for p in existing.parameters}
    return any(old.get(k) != v for k, v in prepared.parameters.items() if k not in prepared.use_previous)


@click.command("update")
@click.argument("stack")
@click.argument("template", required=False)
@stack_input_options
@click.option("-y", "--yes", is_flag=True, help="Apply without asking.")
@click.option("--no-wait", is_flag=True, help="Start the update and return.")
@click.option("--plan-only", is_flag=True, help="Leave a change set for review instead (aws).")
def update_cmd(stack: str, template: str | None, yes: bool, no_wait: bool, plan_only: bool, **kwargs: Any) -> None:
    """Update STACK: show the plan, ask, apply. Without TEMPLATE the stack's template is kept."""
    settings = get_settings()
    inputs = StackInputs.from_kwargs(kwargs)
    pool = ProviderPool(settings, bucket=inputs.bucket, prefix=inputs.prefix)
    if plan_only:
        existing = pool.main.describe_stack(stack)
        prepared = prepare(settings, pool, stack, template, inputs, existing=existing)
        show_origins(settings, prepared)
        _plan_only(settings, pool.main, stack, prepared)
        return
    result = run_update(settings, pool, stack, template, inputs, yes=yes, no_wait=no_wait)
    if result is None:
        if settings.json:
            echo_json({"StackName": stack, "Status": NO_UPDATES})
        return
    if no_wait and result.status.endswith("_IN_PROGRESS"):
        no_wait_note(settings, stack, "update")
        return
    show_result(settings, result)


@click.command("execute")
@click.argument("stack")
@click.argument("change_set")
def execute_cmd(stack: str, change_set: str) -> None:
    """Execute CHANGE_SET of STACK (left by `create/update --plan-only` on AWS)."""
    settings = get_settings()
    provider = ProviderPool(settings).main
    execute = getattr(provider, "execute_change_set", None)
    if execute is None:
        raise SparkleformError(
            f"the {provider.name} provider keeps no change sets to execute",
            hint="run `sparkleform update STACK` (it plans and applies in one go)",
        )
    existed = safe_describe(provider, stack)
    operation = "update" if existed is not None and existed.status != "REVIEW_IN_PROGRESS" else "create"
    stack_obj = run_operation(
        settings, provider, stack, operation,
        lambda on_event: execute(stack, change_set, on_event=on_event),
    )
    assert stack_obj is not None
    show_result(settings, stack_obj)


@click.command("destroy")
@click.argument("stack")
@click.option("-y", "--yes", is_flag=True, help="Delete without asking.")
@click.option("--no-wait", is_flag=True, help="Start the delete and return.")
def destroy_cmd(stack: str, yes: bool, no_wait: bool) -> None:
    """Delete STACK and its resources, in reverse dependency order."""
    settings = get_settings()
    provider = ProviderPool(settings).main
    provider.describe_stack(stack)  # a missing stack is an error, not a silent success
    if not confirm(f"Delete stack {stack} and all its resources?", yes):
        click.echo("nothing deleted", file=status_stream(settings))
        return
    run_destroy(settings, provider, stack, no_wait=no_wait)


def run_destroy(
    settings: Settings, provider: Provider, stack: str, *, no_wait: bool = False, title: str | None = None,
    report: bool = True,
) -> None:
    run_operation(
        settings, provider, stack, "delete",
        lambda on_event: provider.delete_stack(stack, on_event=on_event, wait=not no_wait),
        wait=not no_wait, title=title,
    )
    after = safe_describe(provider, stack)
    if no_wait and after is not None and after.status.endswith("_IN_PROGRESS"):
        no_wait_note(settings, stack, "delete")
        return
    if after is not None and after.status not in ("DELETE_COMPLETE",):
        from sparkleform.stacks.outcome import is_failed

        if is_failed(after.status):
            raise OperationFailed(f"delete of stack {stack} failed: {after.reason or after.status}")
    if not report:
        return
    if settings.json:
        echo_json({"StackName": stack, "StackStatus": "DELETE_COMPLETE"})
    else:
        click.echo(f"{stack}: deleted")


@click.command("recover")
@click.argument("stack")
def recover_cmd(stack: str) -> None:
    """Roll STACK back to its last stable state after an operation was cut off."""
    settings = get_settings()
    provider = ProviderPool(settings).main
    stack_obj = run_operation(
        settings, provider, stack, "recover", lambda on_event: provider.recover(stack, on_event=on_event)
    )
    assert stack_obj is not None
    if settings.json:
        from sparkleform.stacks.render import describe_json

        echo_json(describe_json(stack_obj))
    else:
        click.echo(f"{stack}: {stack_obj.status}" + (f" ({stack_obj.reason})" if stack_obj.reason else ""))
