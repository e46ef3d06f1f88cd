"""Verbs that build templates: compile, list, describe (collection parts), new."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from sparkleform.cli.context import Settings, pass_settings
from sparkleform.errors import CollectionError, SparkleformError
from sparkleform.stacks.keyvalues import parse_pairs

KIND_ALIASES = {
    "component": "component",
    "components": "component",
    "dynamic": "dynamic",
    "dynamics": "dynamic",
    "registry": "registry",
    "registries": "registry",
    "template": "template",
    "templates": "template",
}


def render(doc: dict, fmt: str, compact: bool = False) -> str:
    from sparkleform.formats import dump_json, dump_yaml

    return dump_yaml(doc) if fmt == "yaml" else dump_json(doc, compact=compact)


def report_diagnostics(diagnostics: list, stream=None) -> tuple[int, int]:
    """Print findings (errors and warnings) to stderr; return (errors, warnings)."""
    stream = stream or sys.stderr
    errors = warnings = 0
    for d in diagnostics:
        if d.severity == "error":
            errors += 1
        elif d.severity == "warning":
            warnings += 1
        else:
            continue
        click.echo(f"{d.severity}: {d}", file=stream)
    return errors, warnings


@click.command("compile")
@click.argument("target")
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="json", show_default=True)
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False), help="Write here (nested templates beside it).")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="Compile-time parameter (repeatable).")
@click.option("--no-check", is_flag=True, help="Write even if the checks find errors.")
@click.option("--compact", is_flag=True, help="Compact JSON.")
@pass_settings
def compile_cmd(settings: Settings, target: str, fmt: str, out: str | None, sets: tuple[str, ...], no_check: bool, compact: bool) -> None:
    """Compile TEMPLATE (a name in the collection, a .py file, or a JSON/YAML file)."""
    from sparkleform.targets import load_target

    compiled = load_target(target, config=settings.config, overrides=parse_pairs(sets, "--set"))
    if not no_check:
        errors = _check_all(compiled)
        if errors:
            click.echo(
                f"{errors} error(s): nothing written (fix them, or use --no-check to write anyway)", err=True
            )
            raise SystemExit(1)
    text = render(compiled.template, fmt, compact)
    if out is None:
        if compiled.nested:
            raise SparkleformError(
                f"{compiled.name} has nested stacks ({', '.join(compiled.nested)}): "
                "use -o FILE so they can be written beside it"
            )
        click.echo(text, nl=False)
        return
    target_path = Path(out)
    written = _write_tree(compiled, target_path, fmt, compact)
    for path in written:
        click.echo(f"wrote {path}", err=True)


def _check_all(compiled) -> int:
    from sparkleform.check import run_checks  # here, not at the top: `compile --no-check` skips it

    errors = 0
    for item in [compiled, *_all_nested(compiled)]:
        e, _ = report_diagnostics(run_checks(item.template, item.sources))
        errors += e
    return errors


def _all_nested(compiled) -> list:
    found = []
    for child in compiled.nested.values():
        found.append(child)
        found.extend(_all_nested(child))
    return found


def _write_tree(compiled, path: Path, fmt: str, compact: bool) -> list[Path]:
    """Write a template and, beside it, its nested templates under their TemplateURL names.

    Nested names stay inside the -o folder, and no template's own source file is overwritten."""
    from sparkleform.safewrite import inside, write_text

    root = path.parent
    protect = frozenset(Path(item.path).resolve() for item in [compiled, *_all_nested(compiled)] if item.path)
    plan = [(path, compiled)]
    pending = [(path, compiled)]
    while pending:  # resolve every name first: nothing is written when one of them is refused
        where, item = pending.pop()
        for url, child in item.nested.items():
            child_path = inside(where.parent, url, "nested template name")
            plan.append((child_path, child))
            pending.append((child_path, child))
    return [
        write_text(target, render(item.template, fmt, compact), make_parents=True, root=root, protect=protect)
        for target, item in plan
    ]


@click.command("list")
@click.argument("kind", required=False, type=click.Choice(sorted(KIND_ALIASES)))
@pass_settings
def list_cmd(settings: Settings, kind: str | None) -> None:
    """List what the collection and its packs provide, with one-line docs."""
    from sparkleform.targets import collection_for

    registry = collection_for(settings.config)
    entries = registry.all(KIND_ALIASES[kind] if kind else None)
    if settings.json:
        click.echo(
            json.dumps(
                [
                    {
                        "name": e.name,
                        "kind": e.kind,
                        "source": e.source,
                        "doc": e.summary,
                        "file": e.file,
                        "signature": e.signature(),
                    }
                    for e in entries
                ],
                indent=2,
            )
        )
        return
    if not entries:
        click.echo("nothing found (no collection here and no packs?)")
        return
    width = max(len(e.name) for e in entries)
    current = None
    for e in entries:
        if e.kind != current:
            current = e.kind
            label = {"registry": "registry entries"}.get(e.kind, e.kind + "s")
            click.echo(f"{'' if e is entries[0] else chr(10)}{label}:")
        click.echo(f"  {e.name:<{width}}  {e.summary}  [{e.source}]")


def describe_item(kind: str, name: str, settings: Settings) -> None:
    """Print a part's signature, compile-time parameters, docstring and source file."""
    import inspect

    from sparkleform.dsl.templates import template_parameters
    from sparkleform.targets import collection_for

    registry = collection_for(settings.config)
    kind = KIND_ALIASES.get(kind, kind)
    if kind not in ("component", "dynamic", "registry", "template"):
        raise CollectionError(f"unknown kind {kind!r}: use component, dynamic, registry or template")
    entry = registry.get(kind, name)
    params = {}
    if kind == "template":
        for pname, (annotation, default) in template_parameters(entry.fn).items():
            params[pname] = {
                "type": getattr(annotation, "__name__", None if annotation is inspect.Parameter.empty else str(annotation)),
                "default": None if default is inspect.Parameter.empty else default,
                "required": default is inspect.Parameter.empty,
            }
    info = {
        "name": entry.name,
        "kind": entry.kind,
        "signature": entry.signature(),
        "source": entry.source,
        "file": entry.file,
        "line": entry.line,
        "doc": entry.doc,
    }
    if kind == "template":
        info["load"] = entry.options.get("load", [])
        info["parameters"] = params
    if settings.json:
        click.echo(json.dumps(info, indent=2, default=str))
        return
    click.echo(f"{entry.kind} {entry.signature()}")
    click.echo(f"  from {entry.source} ({entry.file}:{entry.line})")
    if kind == "template" and info["load"]:
        click.echo(f"  loads: {', '.join(info['load'])}")
    if params:
        click.echo("  compile-time parameters (--set NAME=VALUE):")
        for pname, p in params.items():
            default = "required" if p["required"] else f"default {p['default']!r}"
            click.echo(f"    {pname}: {p['type'] or 'str'} ({default})")
    if entry.doc:
        click.echo("")
        for line in entry.doc.splitlines():
            click.echo(f"  {line}")


@click.command("new")
@click.argument("directory", type=click.Path(file_okay=False), default=".")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
def new_cmd(directory: str, force: bool) -> None:
    """Make a starter collection in DIRECTORY (sparkleform.toml, components/, dynamics/, ...)."""
    from sparkleform.cli.scaffold import write_starter

    for path in write_starter(Path(directory), force=force):
        click.echo(f"created {path}")
    click.echo(f"next: cd {directory} && sparkleform compile web_server")
