"""Resolving what a user names on the command line into a compiled template.

A target is a template name in the collection, a path to a .py file of the collection (or
outside it), or a JSON/YAML template file. Every verb that takes a TEMPLATE goes through
`load_target`, so they all accept the same things.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sparkleform.config import Config, load_config
from sparkleform.dsl.templates import Compiled, build
from sparkleform.errors import CollectionError, TemplateError

FILE_SUFFIXES = (".json", ".yaml", ".yml", ".template")


def collection_for(config: Config | None = None):
    """The registry of the project: built-in packs, configured packs, the project folder."""
    from sparkleform.dsl.collection import load_collection

    config = config or load_config()
    return load_collection(config.collection_dir(), packs=config.packs)


def load_target(
    target: str,
    *,
    config: Config | None = None,
    overrides: dict[str, Any] | None = None,
    kept: dict[str, Any] | None = None,
) -> Compiled:
    """Compile `target` (template name, .py path, or template file) into a Compiled.

    `kept`: compile-time parameters a stack was built with, used under `overrides` for
    the ones the template still takes (a file target ignores them)."""
    path = Path(target)
    if path.suffix.lower() in FILE_SUFFIXES:
        if not path.is_file():
            raise CollectionError(f"template file {target} does not exist")
        if overrides:
            raise TemplateError("--set applies to Python templates only; a template file has no compile-time parameters")
        return load_file_target(path)
    config = config or load_config()
    if config.schemas is not None:
        from sparkleform.spec import use_schema_dir

        use_schema_dir(config.schemas)
    registry = collection_for(config)
    if path.suffix == ".py":
        entry = _entry_from_file(registry, path)
    else:
        try:
            entry = registry.get("template", target)
        except CollectionError as exc:
            raise CollectionError(exc.message, hint=_searched(config)) from None
    if kept:
        from sparkleform.dsl.templates import template_parameters

        takes = template_parameters(entry.fn)
        overrides = {**{k: v for k, v in kept.items() if k in takes}, **(overrides or {})}
    template = build(entry, registry, overrides)
    from sparkleform.dsl.nesting import apply_nesting

    compiled = apply_nesting(template.compile_all(entry.file), config.apply_nesting)
    _check_output(compiled, str(entry.file))
    compiled.compile_parameters = dict(overrides or {})  # what it was built with, as given
    return compiled


def _check_output(compiled: Compiled, where: str) -> None:
    """What a Python template made meets the limits every template file is read under
    (inputs.check_document: depth, size, no lone surrogate such as '\\udfff', which no
    output can hold); going over them is the template's input error."""
    from sparkleform.inputs import check_document

    todo = [compiled]
    while todo:
        current = todo.pop()
        check_document(current.template, where)
        todo.extend(current.nested.values())


def _searched(config: Config) -> str:
    """Where template names were looked for, and which settings file said so."""
    from sparkleform.dsl.collection import builtin_packs

    packs = [*builtin_packs(), *config.packs]
    where = f"searched the collection {config.collection_dir()}"
    where += f" and the packs {', '.join(packs)}" if packs else ""
    settings = f"settings from {config.path}" if config.path else "no sparkleform.toml found (defaults)"
    return f"{where}; {settings}; a .py/.json/.yaml path works too"


def _entry_from_file(registry, path: Path):
    from sparkleform.dsl.collection import load_file

    if not path.is_file():
        raise CollectionError(f"template file {path} does not exist")
    resolved = str(path.resolve())
    load_file(registry, path, str(path))
    defined = [e for e in registry.all("template") if e.file and str(Path(e.file).resolve()) == resolved]
    if not defined:
        raise CollectionError(f"{path} defines no @template function")
    if len(defined) == 1:
        return defined[0]
    for entry in defined:
        if entry.name == path.stem:
            return entry
    names = ", ".join(e.name for e in defined)
    raise CollectionError(f"{path} defines several templates ({names}); name one of them instead of the file")


def load_file_target(path: Path, _chain: tuple[Path, ...] = ()) -> Compiled:
    """A JSON/YAML template file, with nested stacks whose TemplateURL is a local file."""
    from sparkleform.errors import TemplateError
    from sparkleform.formats import load_template
    from sparkleform.inputs import MAX_NESTED_STACK_DEPTH

    if path.resolve() in _chain:
        raise TemplateError(f"nested stacks form a loop: {' -> '.join(p.name for p in (*_chain, path.resolve()))}")
    if len(_chain) >= MAX_NESTED_STACK_DEPTH:
        raise TemplateError(f"nested stacks go more than {MAX_NESTED_STACK_DEPTH} levels deep", location=str(path))
    doc, sources = load_template(path)
    nested: dict[str, Compiled] = {}
    resources = doc.get("Resources") if isinstance(doc, dict) else None
    if isinstance(resources, dict):
        for res in resources.values():
            if not isinstance(res, dict) or res.get("Type") != "AWS::CloudFormation::Stack":
                continue
            url = (res.get("Properties") or {}).get("TemplateURL")
            if isinstance(url, str) and "://" not in url:
                child = (path.parent / url).resolve()
                if child.is_file() and url not in nested:
                    nested[url] = load_file_target(child, (*_chain, path.resolve()))
    return Compiled(path.stem, doc, sources, nested, "file", str(path))


def compile(name: str, *, collection: str | Path | None = None, packs: list[str] | tuple[str, ...] = (), **parameters: Any) -> dict:
    """Compile a template of a collection by name: `sf.compile("vpc", collection="dir", subnets=4)`."""
    from sparkleform.dsl.collection import load_collection
    from sparkleform.dsl.parts import DEFAULT

    if collection is None and not packs:
        registry = DEFAULT if DEFAULT.find("template", name) else collection_for()
    else:
        registry = load_collection(collection, packs=list(packs))
    from sparkleform.dsl.nesting import apply_nesting

    entry = registry.get("template", name)
    return apply_nesting(build(entry, registry, parameters).compile_all(entry.file)).template
