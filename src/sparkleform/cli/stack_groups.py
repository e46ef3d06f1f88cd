"""The stack-group verbs up / down: the stacks of sparkleform.toml (or the ones named and
what they need) created or updated in dependency order, or deleted in reverse (the flows
are stacks.groups.up / down; these verbs print what they did)."""

from __future__ import annotations

import click

from sparkleform.cli.context import Settings, get_settings
from sparkleform.cli.provider_pool import stack_context
from sparkleform.cli.stack_run import confirm, echo_json
from sparkleform.stacks.context import StackContext
from sparkleform.stacks.flows import Result


@click.command("up")
@click.argument("stacks", nargs=-1)
@click.option("-y", "--yes", is_flag=True, help="Apply updates without asking.")
@click.option("--no-check", is_flag=True, help="Deploy without running the template checks first.")
@click.option("--plan", "plan_only", is_flag=True, help="Only show the plan of the whole group, stack by stack; create nothing.")
def up_cmd(stacks: tuple[str, ...], yes: bool, no_check: bool, plan_only: bool = False) -> None:
    """Deploy the stack group of sparkleform.toml (or STACKS and what they need) in dependency order."""
    from sparkleform.stacks.groups import up

    settings = get_settings()
    ctx = stack_context(settings)
    if plan_only:
        show_group_plan(settings, ctx, stacks)
        return
    results = up(ctx, stacks, confirm=lambda plan: confirm(f"Update stack {plan.stack_name}?", yes), check=not no_check)
    _group_summary(settings, ctx, results)


def show_group_plan(settings: Settings, ctx, stacks: tuple[str, ...]) -> None:
    """Print (or --output json) the plan of the group: each stack's plan, the parameters it
    would get (`*` marks a value known after apply) and its outputs."""
    from sparkleform.cli.display import print_table
    from sparkleform.cli.stack_run import show_plan
    from sparkleform.contract import has_simulation
    from sparkleform.stacks.group_plan import plan_group
    from sparkleform.stacks.render import plan_json

    plans = plan_group(ctx, stacks)
    if settings.json:
        echo_json([{"Stack": p.name, "Action": p.action, "Plan": plan_json(p.plan), "Parameters": p.parameters,
                    "KnownAfterApply": p.unknown, "Outputs": p.outputs, "Note": p.note} for p in plans])
        return
    how = ("outputs computed by the local engine's simulation" if has_simulation(ctx.provider)
           else "outputs of stacks not created yet are known after apply; * marks the values that take one")
    click.echo(f"plan of the stack group ({how}); nothing is created")
    for i, p in enumerate(plans, 1):
        click.echo()
        click.echo(f"[{i}/{len(plans)}] {p.name}: {p.action}")
        if p.note:
            click.echo(f"  {p.note}")
        show_plan(settings, p.plan)
        if p.parameters:
            rows = [[k + (" *" if k in p.unknown else ""), v] for k, v in p.parameters.items()]
            print_table(["parameter", "value"], rows, color=settings.color)
        if p.outputs:
            print_table(["output", "value"], [[k, v] for k, v in p.outputs.items()], color=settings.color)


def _group_summary(settings: Settings, ctx: StackContext, results: dict[str, Result]) -> None:
    from sparkleform.cli.display import print_table

    if settings.json:
        echo_json({name: {"Result": str(result), "Outputs": ctx.for_stack(name).provider.describe_stack(name).output_map()}
                    for name, result in results.items()})
        return
    rows = []
    for name, result in results.items():
        stack = ctx.for_stack(name).provider.describe_stack(name)
        rows.append([name, str(result), stack.status, ", ".join(f"{k}={v}" for k, v in stack.output_map().items())])
    print_table(["stack", "result", "status", "outputs"], rows, color=settings.color, title="stack group")


@click.command("down")
@click.argument("stacks", nargs=-1)
@click.option("-y", "--yes", is_flag=True, help="Delete without asking.")
def down_cmd(stacks: tuple[str, ...], yes: bool) -> None:
    """Tear down the stack group (or STACKS and what depends on them) in reverse dependency order."""
    from sparkleform.stacks.groups import down

    settings = get_settings()
    deleted = down(stack_context(settings), stacks,
                   confirm=lambda names: confirm(f"Delete stacks {', '.join(names)}?", yes))
    if not deleted:
        return
    if settings.json:
        echo_json([{"StackName": name, "StackStatus": "DELETE_COMPLETE"} for name in deleted])
    else:
        click.echo(f"deleted: {', '.join(deleted)}")
