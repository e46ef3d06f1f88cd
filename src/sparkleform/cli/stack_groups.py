"""The stack-group verbs up / down: the stacks of sparkleform.toml (or the ones named and
what they need) created or updated in dependency order, or deleted in reverse."""

from __future__ import annotations

import click

from sparkleform.cli.context import Settings, get_settings
from sparkleform.cli.provider_pool import ProviderPool, safe_describe
from sparkleform.cli.stack_options import StackInputs, prepare, template_target
from sparkleform.cli.stack_run import confirm, echo_json, run_operation, status_stream
from sparkleform.cli.stacks import run_destroy, run_update
from sparkleform.errors import SparkleformError


@click.command("up")
@click.argument("stacks", nargs=-1)
@click.option("-y", "--yes", is_flag=True, help="Apply updates without asking.")
def up_cmd(stacks: tuple[str, ...], yes: bool) -> None:
    """Deploy the stack group of sparkleform.toml (or STACKS and what they need) in dependency order."""
    from sparkleform.stacks.groups import group_order

    settings = get_settings()
    order = group_order(settings.config.stacks, stacks)
    pool = ProviderPool(settings)
    provider = pool.main
    stream = status_stream(settings)
    results: dict[str, str] = {}
    for i, name in enumerate(order, 1):
        existing = safe_describe(provider, name) if provider.stack_exists(name) else None
        action = "update" if existing is not None else "create"
        click.echo(f"[{i}/{len(order)}] {name}: {action}", file=stream)
        try:
            if existing is None:
                prepared = prepare(settings, pool, name, None, StackInputs(), existing=None)
                run_operation(
                    settings, provider, name, "create",
                    lambda on_event, p=prepared, n=name: provider.create_stack(
                        n, p.template, p.parameters, p.options, on_event=on_event
                    ),
                    title=f"[{i}/{len(order)}] create {name}",
                )
                results[name] = "created"
            else:
                cfg = settings.config.stacks[name]
                template = template_target(settings, cfg.template)
                outcome = run_update(settings, pool, name, template, StackInputs(), yes=yes, existing=existing,
                                  title=f"[{i}/{len(order)}] update {name}")
                results[name] = "updated" if outcome is not None else "unchanged"
        except SparkleformError as exc:
            rest = order[i:]
            if rest:
                exc.hint = ((exc.hint + "; ") if exc.hint else "") + f"not attempted: {', '.join(rest)}"
            raise
    _group_summary(settings, pool, order, results)


def _group_summary(settings: Settings, pool: ProviderPool, order: list[str], results: dict[str, str]) -> None:
    from sparkleform.cli.display import print_table

    if settings.json:
        echo_json({name: {"Result": results[name], "Outputs": pool.main.describe_stack(name).output_map()}
                    for name in order})
        return
    rows = []
    for name in order:
        stack = pool.main.describe_stack(name)
        rows.append([name, results[name], stack.status, ", ".join(f"{k}={v}" for k, v in stack.output_map().items())])
    print_table(["stack", "result", "status", "outputs"], rows, color=settings.color, title="stack group")


@click.command("down")
@click.argument("stacks", nargs=-1)
@click.option("-y", "--yes", is_flag=True, help="Delete without asking.")
def down_cmd(stacks: tuple[str, ...], yes: bool) -> None:
    """Tear down the stack group (or STACKS and what depends on them) in reverse dependency order."""
    from sparkleform.stacks.groups import group_order

    settings = get_settings()
    order = group_order(settings.config.stacks, stacks, teardown=True)
    provider = ProviderPool(settings).main
    present = [name for name in order if provider.stack_exists(name)]
    stream = status_stream(settings)
    if not present:
        click.echo("no stack of the group exists; nothing to delete", file=stream)
        return
    if not confirm(f"Delete stacks {', '.join(present)}?", yes):
        click.echo("nothing deleted", file=stream)
        return
    for i, name in enumerate(present, 1):
        click.echo(f"[{i}/{len(present)}] {name}: delete", file=stream)
        try:
            run_destroy(settings, provider, name, title=f"[{i}/{len(present)}] delete {name}", report=False)
        except SparkleformError as exc:
            rest = present[i:]
            if rest:
                exc.hint = ((exc.hint + "; ") if exc.hint else "") + f"not attempted: {', '.join(rest)}"
            raise
    if settings.json:
        echo_json([{"StackName": name, "StackStatus": "DELETE_COMPLETE"} for name in present])
    else:
        click.echo(f"deleted: {', '.join(present)}")
