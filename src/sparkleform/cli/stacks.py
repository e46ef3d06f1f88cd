"""The verbs that change one stack: create, plan, update, execute, destroy and recover.

Each verb builds the StackContext (cli.provider_pool), calls its flow in stacks.flows and
prints what the flow returns; exit codes: 0 done, 1 the operation failed, 2 bad input.
"""

from __future__ import annotations

from typing import Any

import click

from sparkleform.cli.context import Settings, get_settings
from sparkleform.cli.provider_pool import stack_context
from sparkleform.cli.stack_options import stack_input_options
from sparkleform.cli.stack_run import confirm, echo_json, no_wait_note, show_plan, show_result, status_stream
from sparkleform.contract import NO_UPDATES, Plan
from sparkleform.stacks import flows
from sparkleform.stacks.request import StackInputs


def _show_review(settings: Settings, stack: str, plan: Plan, provider_name: str) -> None:
    from sparkleform.stacks.render import plan_json

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
        click.echo(f"the {provider_name} provider keeps no change set; nothing was changed", file=stream)


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
    ctx = stack_context(settings, bucket=inputs.bucket, prefix=inputs.prefix, stack=stack)
    if plan_only:
        plan = flows.plan_for_review(ctx, stack, template, inputs, update=False)
        _show_review(settings, stack, plan, ctx.provider.name)
        return
    stack_obj = flows.create(ctx, stack, template, inputs, wait=not no_wait)
    if no_wait and stack_obj.status.endswith("_IN_PROGRESS"):
        no_wait_note(settings, stack, "create")
        return
    show_result(settings, stack_obj)


@click.command("plan")
@click.argument("names", nargs=-1, metavar="[STACK [TEMPLATE]]")
@stack_input_options
@click.option("--group", is_flag=True,
              help="Plan the stack group of sparkleform.toml (or the STACKS named and what they need), as `up --plan`.")
def plan_cmd(names: tuple[str, ...], group: bool, **kwargs: Any) -> None:
    """Show what updating STACK (to TEMPLATE, or with new parameters) would change, inside its
    nested stacks too; for a stack that does not exist yet, what creating it would add. Without
    STACK (or with --group STACK...), the plan of the stack group of sparkleform.toml."""
    from sparkleform.stacks.render import plan_json

    settings = get_settings()
    if group or not names:
        from sparkleform.cli.stack_groups import show_group_plan

        given = [p.opts[-1] for p in click.get_current_context().command.params
                 if isinstance(p, click.Option) and p.name in kwargs and kwargs[p.name]]
        if given:
            raise click.UsageError(f"{', '.join(given)}: a group is planned with the settings of sparkleform.toml; "
                                   "these options are for one stack")
        show_group_plan(settings, stack_context(settings), names)
        return
    if len(names) > 2:
        raise click.UsageError("plan takes STACK [TEMPLATE]; to plan several stacks of the group: plan --group STACK...")
    stack, template = names[0], (names[1] if len(names) > 1 else None)
    inputs = StackInputs.from_kwargs(kwargs)
    ctx = stack_context(settings, bucket=inputs.bucket, prefix=inputs.prefix, stack=stack)
    plan = flows.plan(ctx, stack, template, inputs)
    if settings.json:
        from sparkleform.stacks.diff import review

        echo_json({**plan_json(plan), "Review": review(plan, plan.before, plan.after).json()})
    else:
        show_plan(settings, plan)


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
    ctx = stack_context(settings, bucket=inputs.bucket, prefix=inputs.prefix, stack=stack)
    if plan_only:
        plan = flows.plan_for_review(ctx, stack, template, inputs, update=True)
        _show_review(settings, stack, plan, ctx.provider.name)
        return
    result = flows.update(
        ctx, stack, template, inputs, confirm=lambda plan: confirm(f"Update stack {stack}?", yes), wait=not no_wait
    )
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
@click.option("--no-check", is_flag=True, help="Execute without checking the change set's template first.")
def execute_cmd(stack: str, change_set: str, no_check: bool) -> None:
    """Execute CHANGE_SET of STACK (left by `create/update --plan-only` on AWS)."""
    settings = get_settings()
    show_result(settings, flows.execute(stack_context(settings, stack=stack), stack, change_set, check=not no_check))


@click.command("destroy")
@click.argument("stacks", nargs=-1, required=True)
@click.option("-y", "--yes", is_flag=True, help="Delete without asking.")
@click.option("--no-wait", is_flag=True, help="Start the delete and return.")
def destroy_cmd(stacks: tuple[str, ...], yes: bool, no_wait: bool) -> None:
    """Delete STACKS (names or globs such as 'my-app-*') and their resources, in reverse
    dependency order; several stacks are listed and confirmed once."""
    settings = get_settings()
    if len(stacks) == 1 and not any(c in stacks[0] for c in "*?["):
        from sparkleform.stacks.diff import destroy_question

        stack = stacks[0]
        one = stack_context(settings, stack=stack)
        result = flows.destroy(
            one, stack, confirm=lambda found: confirm(destroy_question(one.provider, found), yes), wait=not no_wait,
        )
        _destroyed(settings, stack, result)
        return
    from sparkleform.stacks.selection import select_stacks

    ctx = stack_context(settings)
    names = select_stacks(ctx.provider, list(stacks))
    if not yes:
        click.echo("stacks to delete:\n" + "\n".join(f"  {n}" for n in names), err=True)
    if not confirm(f"Delete these {len(names)} stack(s) and all their resources?", yes):
        click.echo("nothing deleted", err=True)
        return
    for name in names:
        _destroyed(settings, name, flows.destroy(ctx, name, wait=not no_wait))


def _destroyed(settings, stack: str, result) -> None:
    if result is flows.Result.STARTED:
        no_wait_note(settings, stack, "delete")
    elif result is flows.Result.DELETED:
        if settings.json:
            echo_json({"StackName": stack, "StackStatus": "DELETE_COMPLETE"})
        else:
            click.echo(f"{stack}: deleted")


@click.command("recover")
@click.argument("stack")
def recover_cmd(stack: str) -> None:
    """Roll STACK back to its last stable state after an operation was cut off."""
    settings = get_settings()
    stack_obj = flows.recover(stack_context(settings, stack=stack), stack)
    if settings.json:
        from sparkleform.stacks.render import describe_json

        echo_json(describe_json(stack_obj))
    else:
        click.echo(f"{stack}: {stack_obj.status}" + (f" ({stack_obj.reason})" if stack_obj.reason else ""))
