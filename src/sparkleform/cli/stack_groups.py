"""The stack-group verbs up / down: the stacks of sparkleform.toml (or the ones named and
what they need) created or updated in dependency order, or deleted in reverse (the flows
are stacks.groups.up / down; these verbs print what they did)."""

from __future__ import annotations

import click

from sparkleform.cli.context import Settings, get_settings
from sparkleform.cli.provider_pool import stack_context
from sparkleform.cli.stack_run import confirm, echo_json
from sparkleform.contract import Provider
from sparkleform.stacks.flows import Result


@click.command("up")
@click.argument("stacks", nargs=-1)
@click.option("-y", "--yes", is_flag=True, help="Apply updates without asking.")
@click.option("--no-check", is_flag=True, help="Deploy without running the template checks first.")
def up_cmd(stacks: tuple[str, ...], yes: bool, no_check: bool) -> None:
    """Deploy the stack group of sparkleform.toml (or STACKS and what they need) in dependency order."""
    from sparkleform.stacks.groups import up

    settings = get_settings()
    ctx = stack_context(settings)
    results = up(ctx, stacks, confirm=lambda plan: confirm(f"Update stack {plan.stack_name}?", yes), check=not no_check)
    _group_summary(settings, ctx.provider, results)


def _group_summary(settings: Settings, provider: Provider, results: dict[str, Result]) -> None:
    from sparkleform.cli.display import print_table

    if settings.json:
        echo_json({name: {"Result": str(result), "Outputs": provider.describe_stack(name).output_map()}
                    for name, result in results.items()})
        return
    rows = []
    for name, result in results.items():
        stack = provider.describe_stack(name)
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
