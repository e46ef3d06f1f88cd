"""`sparkleform iam simulate`: the offline policy simulator over a template or policy files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from sparkleform.cli.context import get_settings

FILE_SUFFIXES = (".json", ".yaml", ".yml", ".template")


def _pairs(values: tuple[str, ...], option: str) -> list[tuple[str, str]]:
    out = []
    for item in values:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint=option)
        out.append((key.strip(), value))
    return out


def parse_context(values: tuple[str, ...]) -> dict[str, Any]:
    """--context k=v pairs; a key given more than once becomes a list of values."""
    context: dict[str, Any] = {}
    for key, value in _pairs(values, "--context"):
        if key in context:
            existing = context[key]
            context[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            context[key] = value
    return context


def read_policy_file(path: str) -> dict:
    """A policy document from a JSON or YAML file (PolicyError when it is neither)."""
    from sparkleform.iam import PolicyError

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read policy file {path}: {exc.strerror or exc}") from None
    try:
        document = json.loads(text)
    except ValueError:
        import yaml

        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise PolicyError(f"policy file {path} is neither JSON nor YAML: {exc}") from None
    if not isinstance(document, dict):
        raise PolicyError(f"policy file {path} does not hold a policy document (a JSON object)")
    return document


def _load_template(target: str, sets: tuple[str, ...]):
    """(template dict, SourceMap or None) for a template file or a DSL template."""
    if Path(target).suffix.lower() in FILE_SUFFIXES:
        from sparkleform.errors import CollectionError

        if not Path(target).is_file():
            raise CollectionError(f"template file {target} does not exist")
        from sparkleform.formats import load_template

        return load_template(target)
    from sparkleform.targets import load_target

    overrides = dict(_pairs(sets, "--set")) or None
    compiled = load_target(target, overrides=overrides)
    return compiled.template, compiled.sources


def _expand_actions(actions: tuple[str, ...]) -> list[str]:
    from sparkleform.iam import PolicyError
    from sparkleform.iam.actions import display_case, expand_action

    out: list[str] = []
    for action in actions:
        if action != "*" and ":" not in action:
            raise PolicyError(f"--action {action!r} is not service:Action (e.g. s3:GetObject or 's3:Get*')")
        if action != "*" and ("*" in action or "?" in action):
            expanded = expand_action(action)
            if not expanded:
                raise PolicyError(f"--action {action!r} matches no action in the offline action list")
            out.extend(display_case(expanded))
        else:
            out.append(action)
    return out


@click.group("iam")
def iam_group() -> None:
    """Offline IAM: simulate requests against the policies in a template or in policy files."""


@iam_group.command("simulate", short_help="Decide requests against policies, offline, naming the deciding statements.")
@click.argument("template", required=False)
@click.option("--action", "actions", multiple=True, required=True, metavar="SERVICE:ACTION",
              help="Action to simulate (repeatable; wildcards such as 's3:Get*' expand against the action list).")
@click.option("--resource", "resources", multiple=True, metavar="ARN", help="Resource ARN (repeatable; default '*').")
@click.option("--principal", help="A role/user/group logical id in the template, or an ARN.")
@click.option("--context", "contexts", multiple=True, metavar="KEY=VALUE",
              help="Condition key value (repeatable; a repeated key makes a list).")
@click.option("--policy", "policy_files", multiple=True, type=click.Path(dir_okay=False),
              help="Identity-based policy file, JSON or YAML (repeatable).")
@click.option("--resource-policy", "resource_policy_files", multiple=True, type=click.Path(dir_okay=False),
              help="Resource-based policy file (repeatable).")
@click.option("--boundary", "boundary_file", type=click.Path(dir_okay=False), help="Permissions boundary policy file.")
@click.option("-p", "--parameter", "parameters", multiple=True, metavar="KEY=VALUE",
              help="Template parameter value used to resolve Ref/Sub (default: the parameter's Default).")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Compile-time parameter of a Python template.")
def simulate_cmd(template: str | None, actions: tuple[str, ...], resources: tuple[str, ...], principal: str | None,
                 contexts: tuple[str, ...], policy_files: tuple[str, ...], resource_policy_files: tuple[str, ...],
                 boundary_file: str | None, parameters: tuple[str, ...], sets: tuple[str, ...]) -> None:
    """Decide ACTION on RESOURCE for the policies of TEMPLATE (a template name, .py, JSON or YAML file)
    and/or policy files, with AWS's evaluation logic, offline."""
    from sparkleform.iam import PolicyError, Simulator
    from sparkleform.iam.assemble import PrincipalPolicies, for_principal
    from sparkleform.iam.policy import BOUNDARY, IDENTITY, RESOURCE, compile_policy

    settings = get_settings()
    if template is None and not policy_files and not resource_policy_files:
        raise click.UsageError("give a TEMPLATE, or policies with --policy / --resource-policy")
    context = parse_context(contexts)
    action_list = _expand_actions(actions)
    resource_list = list(resources) or ["*"]
    extra_identity = [compile_policy(read_policy_file(f), IDENTITY, name=f, index=i) for i, f in enumerate(policy_files)]
    extra_resource = [compile_policy(read_policy_file(f), RESOURCE, name=f, index=i)
                      for i, f in enumerate(resource_policy_files)]
    extra_boundary = compile_policy(read_policy_file(boundary_file), BOUNDARY, name=boundary_file) if boundary_file else None

    sources = None
    origin_of: dict[str, str] = {}
    transform_notes: list[str] = []
    if template is not None:
        doc, sources = _load_template(template, sets)
        if not isinstance(doc, dict):
            raise PolicyError(f"{template} is not a template (a mapping of sections)")
        if doc.get("Transform"):
            doc, origin_of, transform_notes = _expand_transforms(doc)
        groups = for_principal(doc, principal, dict(_pairs(parameters, "--parameter")))
        for group in groups:
            group.simulator.add(identity=extra_identity, resource=extra_resource, boundary=extra_boundary)
    else:
        sim = Simulator(extra_identity, resource_policies=extra_resource, boundary=extra_boundary)
        groups = [PrincipalPolicies(principal or "(policies)", principal, sim)]

    rows = []
    for group in groups:
        caller = group.arn or principal
        for action in action_list:
            for resource in resource_list:
                result = group.simulator.simulate(action, resource, context, caller)
                rows.append((group.name, result))
    notes = transform_notes + [n for g in groups for n in g.notes]
    where = _Where(sources, origin_of)
    if settings.json:
        click.echo(json.dumps(_json(rows, notes, where), indent=2))
    else:
        _table(rows, notes, where, show_principal=template is not None, color=settings.color)


def _expand_transforms(doc: dict) -> tuple[dict, dict[str, str], list[str]]:
    """A SAM template expanded to plain CloudFormation (the roles SAM generates carry the
    function policies); other macros are left as they are."""
    from sparkleform.check.transforms import expand

    expansion = expand(doc)
    notes = [d.message for d in expansion.notes]
    return expansion.template, dict(expansion.origin_of), notes


class _Where:
    """Template path and file:line of a deciding statement; statements in resources a SAM
    transform generated point at the SAM resource's line."""

    def __init__(self, sources, origin_of: dict[str, str]) -> None:
        self.sources = sources
        self.origin_of = origin_of

    def __call__(self, statement) -> tuple[str, str | None]:
        from sparkleform.sourcemap import format_path

        if not statement.origin:
            return "", None
        path = statement.origin
        lookup = path
        if len(path) > 1 and path[0] == "Resources" and path[1] in self.origin_of:
            lookup = ("Resources", self.origin_of[path[1]])
        location = self.sources.get(lookup) if self.sources is not None else None
        return format_path(path), str(location) if location else None


def _json(rows, notes, where: _Where) -> dict:
    out = []
    for principal, result in rows:
        item = {"principal": principal, **result.to_dict()}
        for entry, statement in zip(item["statements"], result.statements, strict=True):
            path, location = where(statement)
            entry["path"] = path or None
            entry["location"] = location
        out.append(item)
    return {"results": out, "notes": notes}


_STYLE = {"allowed": "green", "explicitDeny": "bold red", "implicitDeny": "yellow"}


def _table(rows, notes, where: _Where, *, show_principal: bool, color: bool) -> None:
    import os
    import sys

    from rich.console import Console
    from rich.table import Table

    # Piped output keeps each row on one line (grep-able) unless COLUMNS says otherwise.
    width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 240
    # without colour no style at all (no bold either): color_system=None writes no escapes
    console = Console(no_color=not color, highlight=False, soft_wrap=False, width=width,
                      color_system="auto" if color else None)
    table = Table(show_lines=False)
    if show_principal:
        table.add_column("Principal")
    table.add_column("Action", no_wrap=True)
    table.add_column("Resource", overflow="fold")
    table.add_column("Decision", no_wrap=True)
    table.add_column("Deciding statement", overflow="fold")
    table.add_column("Where", overflow="fold")
    for principal, result in rows:
        if result.statements:
            labels = "\n".join(s.label for s in result.statements)
            wheres = []
            for s in result.statements:
                path, location = where(s)
                wheres.append(f"{location} {path}".strip() if location else path or "-")
            places = "\n".join(wheres)
        else:
            labels, places = result.reason, ""
        cells = [result.action, result.resource, f"[{_STYLE[result.decision]}]{result.decision}[/]", labels, places]
        table.add_row(*([principal] if show_principal else []), *cells)
    console.print(table)
    for note in notes:
        click.echo(f"note: {note}", err=True)
