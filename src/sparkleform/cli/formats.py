"""The `convert`, `fmt` and `import` verbs: JSON <-> YAML, formatting in place (comments
kept), and JSON/YAML -> sparkleform Python."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from sparkleform.errors import FormatError, SparkleformError


def _read(file: str) -> tuple[str, str]:
    """(text, display name) of a file, or of stdin for '-'."""
    if file == "-":
        from sparkleform.inputs import read_stdin

        return read_stdin(), "<stdin>"
    from sparkleform.formats.reader import read_text

    return read_text(file), file


def _write(out: str | None, text: str, *, force: bool = True, mode: int | None = None) -> None:
    """Write to `out` (atomically, via a temporary file beside it) or to stdout."""
    if out is None or out == "-":
        click.echo(text, nl=False)
        return
    from sparkleform.safewrite import write_text

    write_text(out, text, force=force, mode=mode)


@click.command("convert")
@click.argument("file")
@click.option("--to", "to", type=click.Choice(["json", "yaml"]), help="Output format (default: the other one).")
@click.option("-o", "--out", "out", metavar="OUT", help="Write here instead of stdout.")
@click.option("--compact", is_flag=True, help="JSON on one line.")
@click.option("--long-form", is_flag=True, help="YAML with Fn::X keys instead of !X tags.")
def convert_cmd(file: str, to: str | None, out: str | None, compact: bool, long_form: bool) -> None:
    """Convert a CloudFormation template between JSON and YAML.

    FILE is read as JSON or YAML by its content ('-' reads stdin). Short-form tags become
    long form in JSON; YAML output uses short-form tags and block scalars for multi-line
    strings, and reads back to the same template. Comments of a YAML input cannot be
    carried over; a note says so (`sparkleform fmt` reformats YAML keeping them).

    \b
    Example:
      sparkleform convert template.json --to yaml -o template.yaml
    """
    import gc

    from sparkleform.formats.reader import loads_document, looks_like_json

    # One document in, one out, no reference cycles: the cyclic collector would only walk
    # the growing heap again and again (a tenth of a large conversion). The process ends here.
    gc.disable()
    text, name = _read(file)
    notes: list[str] = []
    doc = loads_document(text, name, notes=notes)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if to is None:
        to = "yaml" if looks_like_json(text) else "json"
    if not looks_like_json(text):
        from sparkleform.formats.fmt import yaml_comment_lines

        comments = yaml_comment_lines(text)
        if comments:
            click.echo(
                f"note: {name}: {len(comments)} comment line(s) (first at line {comments[0]}) are dropped: "
                + ("JSON has no comments" if to == "json" else "converting rewrites the YAML; "
                   "`sparkleform fmt --write` reformats it keeping them"),
                err=True,
            )
    if compact and to != "json":
        raise SparkleformError("--compact applies to --to json only")
    if long_form and to != "yaml":
        raise SparkleformError("--long-form applies to --to yaml only")
    if to == "json":  # only the writer used is imported (a whole process is what `convert` costs)
        from sparkleform.formats.json_writer import dump_json

        result = dump_json(doc, compact=compact)
    else:
        from sparkleform.formats.yaml_writer import dump_yaml

        result = dump_yaml(doc, short_form=not long_form)
    _write(out, result)


@click.command("fmt")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file is not formatted (for CI).")
@click.option("--write", "-w", "write", is_flag=True, help="Rewrite the files in place.")
def fmt_cmd(files: tuple[str, ...], check: bool, write: bool) -> None:
    """Format JSON/YAML templates: two-space indentation, comments and key order kept.

    With one FILE and no option the result goes to stdout. The formatted text must read
    back as the same template, or the file is left alone (exit 2).

    \b
    Example:
      sparkleform fmt --check templates/*.yaml      # in CI: exit 1 lists what needs formatting
      sparkleform fmt --write network.yaml
    """
    from sparkleform.formats.fmt import format_text

    if check and write:
        raise click.UsageError("give --check or --write, not both")
    if not (check or write) and len(files) > 1:
        raise click.UsageError("several files: add --write to rewrite them or --check to test them")
    unformatted = []
    for file in files:
        text, name = _read(file)
        formatted = format_text(text, name)
        if not (check or write):
            click.echo(formatted, nl=False)
        elif formatted != text:
            unformatted.append(name)
            if write:
                if file == "-":
                    raise click.UsageError("--write needs files, not stdin")
                _write(file, formatted, mode=os.stat(file).st_mode & 0o7777)
                click.echo(f"formatted {name}", err=True)
            else:
                click.echo(f"would reformat {name}", err=True)
    if check and unformatted:
        click.echo(f"{len(unformatted)} of {len(files)} file(s) need formatting: sparkleform fmt --write", err=True)
        raise SystemExit(1)


@click.command("import")
@click.argument("file")
@click.option("-o", "--out", "out", metavar="MODULE.py", help="Write the module here instead of stdout.")
@click.option("--name", help="Template name (default: the output or input file's name).")
@click.option(
    "--components",
    is_flag=True,
    help="Put the Parameters section in a component the template loads "
    "(in ../components/ when writing into a collection's templates/ folder).",
)
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@click.option("--no-check", is_flag=True, help="Skip compiling the result back to compare with the input.")
def import_cmd(file: str, out: str | None, name: str | None, components: bool, force: bool, no_check: bool) -> None:
    """Translate a JSON/YAML template into sparkleform Python.

    The module has a @template function with `with` blocks mirroring the template,
    snake_case names where they map back exactly, and intrinsic helpers instead of raw
    dicts. Unless --no-check, it is compiled back and compared with the input.
    """
    from sparkleform.dsl.importer import function_name, translate
    from sparkleform.formats.reader import loads_template

    text, display = _read(file)
    notes: list[str] = []
    doc, _ = loads_template(text, display, notes=notes)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    stem = Path(out).stem if out and out != "-" else (Path(file).stem if file != "-" else "imported")
    template_name = function_name(name or stem)
    component_path = _component_path(out, template_name) if components else None
    result = translate(
        doc,
        name=template_name,
        source=Path(file).name if file != "-" else None,
        components=components,
        component_in_module=component_path is None,
    )
    if not no_check:
        _check(doc, result, template_name)
    if component_path is not None and result.component is not None:
        _write(str(component_path), result.component, force=force)
    _write(out, result.module, force=force)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if out and out != "-":
        written = f"wrote {out} (template {template_name})"
        if component_path is not None and result.component is not None:
            written += f" and {component_path} (component {result.component_name})"
        click.echo(written + ("" if no_check else "; it compiles back to the same template"), err=True)


def _component_path(out: str | None, template_name: str) -> Path | None:
    """components/<name>_parameters.py beside a collection's templates/ folder, else None."""
    if not out or out == "-":
        return None
    parent = Path(out).parent
    if parent.resolve().name != "templates":
        return None
    folder = parent / ".." / "components" if parent.name != "templates" else parent.parent / "components"
    folder.mkdir(exist_ok=True)
    return folder / f"{template_name}_parameters.py"


def _check(doc: dict, result: Any, name: str) -> None:
    """Compile the generated code and compare with the input; raise on a difference."""
    from sparkleform.dsl.importer import compile_source

    extra = (result.component,) if result.component else ()
    try:
        compiled = compile_source(result.module, name, extra_sources=extra)
    except Exception as exc:  # a bug in import, not in the user's input: say so, no traceback
        raise FormatError(
            f"the generated code does not compile: {exc}",
            hint="report this as an import bug; --no-check writes the module anyway",
        ) from exc
    expected = doc  # the generated code leaves out a version the input did not have
    if compiled != expected:
        where = _first_difference(expected, compiled)
        raise FormatError(
            f"the generated code compiles to a different template (first difference at {where})",
            hint="report this as an import bug; --no-check writes the module anyway",
        )


def _first_difference(a: Any, b: Any, path: tuple = ()) -> str:
    from sparkleform.sourcemap import format_path

    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in a or key not in b:
                return format_path((*path, key)) or "(top level)"
            if a[key] != b[key]:
                return _first_difference(a[key], b[key], (*path, key))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, (*path, index))
    return format_path(path) or "(top level)"
