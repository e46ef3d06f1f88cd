"""`describe`: a stack (`describe STACK`), or a piece of the collection
(`describe dynamic|component|template|registry NAME`, delegated to cli.build)."""

from __future__ import annotations

import json

import click

from sparkleform.cli.context import get_settings

KINDS = ("dynamic", "component", "template", "registry")


SECTIONS = ("parameters", "outputs", "resources", "tags")


@click.command("describe")
@click.argument("first")
@click.argument("name", required=False)
@click.option("--resources", "only", flag_value="resources", multiple=True, help="Only the resources (of every stack in the tree).")
@click.option("--outputs", "only", flag_value="outputs", multiple=True, help="Only the outputs.")
@click.option("--tags", "only", flag_value="tags", multiple=True, help="Only the tags.")
@click.option("--parameters", "only", flag_value="parameters", multiple=True, help="Only the parameters.")
@click.option("--policy", "only", flag_value="policy", multiple=True,
              help="Only the stack policy (GetStackPolicy) of each stack in the tree.")
def describe_cmd(first: str, name: str | None, only: tuple[str, ...] = ()) -> None:
    """Describe STACK and its nested stacks (status, parameters with NoEcho masked, outputs,
    resources; --resources/--outputs/--tags/--parameters/--policy pick sections), or
    `describe dynamic|component|template|registry NAME`."""
    settings = get_settings()
    if name is not None:
        if first not in KINDS:
            raise click.UsageError(
                f"`describe {first} {name}`: the first word must be one of {', '.join(KINDS)} "
                "(or give just a stack name)"
            )
        from sparkleform.cli.build import describe_item

        describe_item(first, name, settings)
        return
    describe_stack(settings, first, set(only) or None)


def describe_stack(settings, stack_name: str, only: set[str] | None = None) -> None:
    from sparkleform.cli.provider_pool import stack_context
    from sparkleform.stacks import compile_state
    from sparkleform.stacks.render import describe_json
    from sparkleform.stacks.tree import stack_tree

    provider = stack_context(settings, stack=stack_name).provider
    root = provider.describe_stack(stack_name)
    tree = stack_tree(provider, root)
    kept = compile_state.stored(provider.template_of(root.stack_id))
    policies = _policies(provider, tree) if only and "policy" in only else {}
    if settings.json:
        body = describe_json(root)
        if kept:
            body["CompileParameters"] = kept
        if policies:
            body["StackPolicy"] = policies[root.stack_id]
        if len(tree) > 1:
            body["NestedStacks"] = [
                {"Path": path, **describe_json(member), **({"StackPolicy": policies[member.stack_id]} if policies else {})}
                for path, member in tree[1:]
            ]
        if only:
            keep = {"StackName", "StackId", "NestedStacks", "Path"} | {_SECTION_KEYS.get(s, s.capitalize()) for s in only}
            body = _pick(body, keep)
        click.echo(json.dumps(body, indent=2, default=str))
        return
    for i, (path, stack) in enumerate(tree):
        if i:
            click.echo()
            click.echo(f"== nested stack {path}")
        _describe_one(settings, stack, kept if not i else {}, only)
        if policies:
            policy = policies[stack.stack_id]
            click.echo("policy  " + ("none" if policy is None else json.dumps(policy, indent=2)))


_SECTION_KEYS = {"policy": "StackPolicy"}  # the JSON key of a section, where it is not the capitalized name


def _policies(provider, tree) -> dict[str, dict | None]:
    """Stack id -> its stack policy (None: none set), for each stack of the tree."""
    from sparkleform.contract import has_stack_policies
    from sparkleform.errors import SparkleformError

    if not has_stack_policies(provider):
        raise SparkleformError(f"the {provider.name} provider keeps no stack policies")
    return {stack.stack_id: provider.stack_policy(stack.stack_id) for _path, stack in tree}


def _pick(body: dict, keep: set[str]) -> dict:
    out = {k: v for k, v in body.items() if k in keep}
    if "NestedStacks" in out:
        out["NestedStacks"] = [_pick(n, keep) for n in out["NestedStacks"]]
    return out


def _resolved(p) -> str:
    """A parameter's ResolvedValue cell (SSM parameter types), masked for NoEcho."""
    from sparkleform.contract import NO_ECHO_MASK

    if p.resolved_value is None:
        return ""
    return NO_ECHO_MASK if p.no_echo else p.resolved_value


def _describe_one(settings, stack, kept: dict[str, str], only: set[str] | None) -> None:
    from sparkleform.cli.display import print_table
    from sparkleform.contract import NO_ECHO_MASK

    def want(section: str) -> bool:
        return only is None or section in only

    if only is not None:
        click.echo(f"stack   {stack.name}")
        if want("tags") and stack.tags:
            click.echo("tags    " + ", ".join(f"{k}={v}" for k, v in stack.tags.items()))
    else:
        click.echo(f"stack   {stack.name}")
        click.echo(f"status  {stack.status}" + (f"  ({stack.reason})" if stack.reason else ""))
        if stack.description:
            click.echo(f"about   {stack.description}")
        click.echo(f"id      {stack.stack_id}")
        if stack.tags:
            click.echo("tags    " + ", ".join(f"{k}={v}" for k, v in stack.tags.items()))
        if stack.termination_protection:
            click.echo("termination protection on")
    if want("parameters") and stack.parameters:
        click.echo()
        resolved = any(p.resolved_value is not None for p in stack.parameters)
        print_table(
            ["parameter", "value", "resolved value"] if resolved else ["parameter", "value"],
            [
                [p.key, NO_ECHO_MASK if p.no_echo else p.value]
                + ([_resolved(p)] if resolved else [])
                for p in stack.parameters
            ],
            color=settings.color,
        )
    if want("parameters") and kept:
        click.echo()
        print_table(["compile parameter", "value"], [[k, v] for k, v in kept.items()], color=settings.color)
    if want("outputs") and stack.outputs:
        click.echo()
        print_table(
            ["output", "value", "export"],
            [[o.key, o.value, o.export_name or ""] for o in stack.outputs],
            color=settings.color,
        )
    if want("resources") and stack.resources:
        click.echo()
        print_table(
            ["resource", "type", "status", "physical id"],
            [[r.logical_id, r.resource_type, r.status, r.physical_id or ""] for r in stack.resources],
            color=settings.color,
        )
