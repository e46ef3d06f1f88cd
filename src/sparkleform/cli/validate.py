"""`sparkleform validate`: run the checks on a DSL template or a JSON/YAML file and report.

Exit 0: no errors (warnings allowed); 1: errors found; 2: the input could not be used.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

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
            found: list[tuple[str, dict, Any]] = [(str(target), loads_document(text, str(path)), _LazySources(path))]
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


def dedupe_cfn_lint(found: list) -> list:
    """Drop a cfn-lint finding that an SF finding already reports at the same template path
    (or a path inside it) with the same severity; the SF one names the cfn-lint rule too."""
    ours = [d for d in found if d.extra.get("source") != "cfn-lint"]
    kept = list(ours)
    for d in found:
        if d.extra.get("source") != "cfn-lint":
            continue
        twin = next(
            (o for o in ours if o.severity == d.severity and o.path and d.path
             and (d.path[: len(o.path)] == o.path or o.path[: len(d.path)] == d.path)),
            None,
        )
        if twin is None:
            kept.append(d)
        else:
            twin.extra.setdefault("cfn_lint", d.rule)
    return kept


def _failing(diagnostics: list, fail_on: str) -> bool:
    from sparkleform.check.diagnostic import ERROR, WARNING

    if fail_on == "none":
        return False
    levels = (ERROR,) if fail_on == "error" else (ERROR, WARNING)
    return any(d.severity in levels for d in diagnostics)


@click.command("validate")
@click.argument("target", nargs=-1, metavar="TARGET...")  # "target": completes as a template
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "junit"]), default=None,
              help="Report format (default text).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "none"]), default="error", show_default=True,
              help="Exit 1 when a finding of this severity (or worse) remains.")
@click.option("--ignore", "ignores", multiple=True, metavar="RULE",
              help="Leave out a rule (or a prefix: SF30, W); adds to [validate] ignore in sparkleform.toml.")
@click.option("--no-group", is_flag=True, help="List every repeated finding instead of SF2007 × 480.")
@click.option("--all", "all_templates", is_flag=True, help="Check every template of the collection.")
@click.option("--cfn-lint", "use_cfn_lint", is_flag=True, help="Also run cfn-lint on the compiled template and merge its findings.")
@click.option("--schemas", "schemas", type=click.Path(file_okay=False), help="A folder of CloudFormation registry schema files to use.")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Compile-time parameter of a Python template.")
@click.pass_context
def validate_cmd(ctx: click.Context, target: tuple[str, ...], all_templates: bool, fmt: str | None, fail_on: str, ignores: tuple[str, ...],
                 no_group: bool, use_cfn_lint: bool, schemas: str | None, sets: tuple[str, ...]):
    """Check TARGET (a template name, .py file, or JSON/YAML file; several for pre-commit;
    --all: every template of the project's collection) against the CloudFormation schemas.

    \b
    Example (a CI gate):
      sparkleform validate templates/*.yaml --format sarif --fail-on warning > results.sarif
    """
    from sparkleform.check import report, run_checks
    from sparkleform.check.parse import unreadable
    from sparkleform.check.suppress import suppress
    from sparkleform.errors import SparkleformError
    from sparkleform.spec import use_schema_dir

    settings = get_settings()
    targets = list(target)
    if all_templates:
        from sparkleform.targets import collection_for

        folder = Path(settings.config.collection_dir()).resolve()
        registry = collection_for(settings.config)
        # the project's own templates (not those of the packs it loads)
        targets += [e.name for e in registry.all("template")
                    if e.file and Path(e.file).resolve().is_relative_to(folder) and e.name not in targets]
    if not targets:
        raise click.UsageError("give at least one TEMPLATE, or --all")
    fmt = fmt or ("json" if settings.output == "json" else "text")
    overrides = parse_pairs(sets, "--set")
    ignore = [*getattr(settings.config, "ignore_rules", []), *ignores]
    if schemas:
        use_schema_dir(schemas)
    elif any(Path(t).suffix.lower() in FILE_SUFFIXES for t in targets):
        configured = getattr(settings.config, "schemas", None)
        if configured:
            use_schema_dir(configured)
    diagnostics = []
    shown_files: list[str] = []
    unusable = False
    for one in targets:
        try:
            loaded = load_for_check(one, overrides, settings.config, with_nested=True)
        except SparkleformError as exc:
            if fmt == "text" and len(targets) == 1:
                raise  # a FormatError shows file:line:column itself
            unusable = True
            diagnostics.append(unreadable(exc, one))
            shown_files.append(one)
            continue
        for name, template, sources, nested in loaded:
            lazy = isinstance(sources, _LazySources)
            found = run_checks(template, None if lazy else sources, filename=name, nested=nested)
            if lazy and any(d.path for d in found):
                sources = sources.load()
                found = report_relocate(found, sources, name)
            if use_cfn_lint:
                from sparkleform.check.cfnlint_bridge import run_cfn_lint

                if isinstance(sources, _LazySources):
                    sources = sources.load()
                found.extend(run_cfn_lint(template, sources, filename=name,
                                          regions=[settings.region_name() or "us-east-1"]))
                found = dedupe_cfn_lint(found)
            diagnostics.extend(suppress(found, template, ignore))
            shown_files.append(name)
    from sparkleform.check.columns import add_columns

    add_columns(diagnostics)
    shown = shown_files[0] if len(shown_files) == 1 else ", ".join(targets) if len(targets) > 1 else targets[0]
    if fmt == "json":
        click.echo(report.format_json(diagnostics, shown))
    elif fmt == "sarif":
        click.echo(report.format_sarif(diagnostics, shown, version=_version()))
    elif fmt == "junit":
        from sparkleform.check.junit import format_junit

        click.echo(format_junit(diagnostics, shown_files))
    else:
        click.echo(report.format_text(diagnostics, shown, group=not no_group))
    if unusable:
        sys.exit(2)
    if _failing(diagnostics, fail_on):
        sys.exit(1)


def report_relocate(found, sources, name):
    from sparkleform.check import relocate

    return relocate(found, sources, name)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("sparkleform")
    except Exception:  # metadata missing in an uninstalled checkout
        return "0"
