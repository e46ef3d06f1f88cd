"""`sparkleform validate`: run the checks on a DSL template or a JSON/YAML file and report.

Exit 0: no errors (warnings allowed); 1: errors found; 2: the input could not be used.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sparkleform.cli.context import get_settings
from sparkleform.stacks.keyvalues import parse_pairs

FILE_SUFFIXES = (".json", ".yaml", ".yml", ".template")


def load_for_check(target: str, overrides: dict[str, str], config=None, *, with_nested: bool = False):
    """[(display name, template, sources)] for the target and any nested templates; with
    `with_nested`, a fourth item: {TemplateURL: template} of the nested templates compiled
    with it (so the nested-parameter check sees them as it sees files beside a file)."""
    path = Path(target)
    if path.suffix.lower() in FILE_SUFFIXES:
        from sparkleform.errors import CollectionError, TemplateError
        from sparkleform.formats import loads_document, loads_template
        from sparkleform.formats.reader import looks_like_json, read_text

        if overrides:
            raise TemplateError("--set applies to Python templates only; a template file has no compile-time parameters")
        if not path.is_file():
            raise CollectionError(f"template file {target} does not exist")
        text = read_text(path)
        if looks_like_json(text):
            found = [(str(target), loads_document(text, str(path)), _LazySources(path))]
        else:
            found = [(str(target), *loads_template(text, str(path)))]
        return [(*f, None) for f in found] if with_nested else found
    from sparkleform.targets import load_target

    compiled = load_target(target, config=config, overrides=overrides or None)
    out = []
    stack = [(compiled.name if compiled.origin == "dsl" else str(compiled.path or target), compiled)]
    while stack:
        name, item = stack.pop(0)
        nested = {url: child.template for url, child in (getattr(item, "nested", None) or {}).items()}
        out.append((name, item.template, item.sources, nested) if with_nested else (name, item.template, item.sources))
        for child_name, child in (getattr(item, "nested", None) or {}).items():
            stack.append((f"{name}/{child_name}", child))
    return out


class _LazySources:
    """Line numbers of a template file, read only if there is a finding to place: the
    line-tracking reader costs more than the checks on a large clean template."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self):
        from sparkleform.formats import load_template

        return load_template(self.path)[1]


@click.command("validate")
@click.argument("targets", nargs=-1)
@click.option("--all", "all_templates", is_flag=True, help="Check every template of the collection.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default=None, help="Report format (default text).")
@click.option("--cfn-lint", "use_cfn_lint", is_flag=True, help="Also run cfn-lint on the compiled template and merge its findings.")
@click.option("--schemas", "schemas", type=click.Path(file_okay=False), help="A folder of CloudFormation registry schema files to use.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Compile-time parameter of a Python template.")
@click.pass_context
def validate_cmd(ctx: click.Context, targets: tuple[str, ...], all_templates: bool, fmt: str | None, use_cfn_lint: bool,
                 schemas: str | None, sets: tuple[str, ...]):
    """Check TEMPLATES (template names, .py files, or JSON/YAML files; --all: every template of
    the project's collection) against the CloudFormation schemas. Exit 1 when any has errors."""
    chosen = list(targets)
    if all_templates:
        from sparkleform.targets import collection_for

        config = get_settings().config
        folder = Path(config.collection_dir()).resolve()
        registry = collection_for(config)
        # the project's own templates (not those of the packs it loads)
        chosen += [e.name for e in registry.all("template")
                   if e.file and Path(e.file).resolve().is_relative_to(folder) and e.name not in chosen]
    if not chosen:
        raise click.UsageError("give at least one TEMPLATE, or --all")
    failed = False
    for i, target in enumerate(chosen):
        if i and (fmt or "text") == "text" and get_settings().output != "json":
            click.echo()
        failed = _validate_one(target, fmt, use_cfn_lint, schemas, sets) or failed
    if failed:
        sys.exit(1)


def _validate_one(target: str, fmt: str | None, use_cfn_lint: bool, schemas: str | None, sets: tuple[str, ...]) -> bool:
    """Check one target and print its report; True when it has errors."""
    from sparkleform.check import has_errors, relocate, report, run_checks
    from sparkleform.spec import use_schema_dir

    settings = get_settings()
    fmt = fmt or ("json" if settings.output == "json" else "text")
    overrides = parse_pairs(sets, "--set")
    if schemas:
        use_schema_dir(schemas)
    elif Path(target).suffix.lower() in FILE_SUFFIXES:
        configured = getattr(settings.config, "schemas", None)
        if configured:
            use_schema_dir(configured)
    diagnostics = []
    loaded = load_for_check(target, overrides, settings.config, with_nested=True)
    for name, template, sources, nested in loaded:
        lazy = isinstance(sources, _LazySources)
        found = run_checks(template, None if lazy else sources, filename=name, nested=nested)
        if lazy and any(d.path for d in found):
            sources = sources.load()
            found = relocate(found, sources, name)
        if use_cfn_lint:
            from sparkleform.check.cfnlint_bridge import run_cfn_lint

            if isinstance(sources, _LazySources):
                sources = sources.load()
            found.extend(run_cfn_lint(template, sources, filename=name, regions=[settings.region_name() or "us-east-1"]))
        diagnostics.extend(found)
    shown = loaded[0][0] if len(loaded) == 1 else target
    if fmt == "json":
        click.echo(report.format_json(diagnostics, shown))
    elif fmt == "sarif":
        click.echo(report.format_sarif(diagnostics, shown, version=_version()))
    else:
        click.echo(report.format_text(diagnostics, shown))
    return has_errors(diagnostics)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("sparkleform")
    except Exception:  # metadata missing in an uninstalled checkout
        return "0"
