"""JSON and YAML templates kept in a collection, as template parts.

A `templates/legacy.json` (or `.yaml`/`.yml`/`.template`) is listed and compiled by name
like a Python template, and can be inherited: its document becomes the template's tree,
keys exactly as written. YAML short-form tags (`!Ref`, `!GetAtt a.b`, `!Sub`, ...) read as
their long forms.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sparkleform.dsl.location import display_path
from sparkleform.errors import CollectionError
from sparkleform.sourcemap import Location

SUFFIXES = (".json", ".yaml", ".yml", ".template")


def read_document(path: Path) -> dict[str, Any]:
    """A template file's document (a mapping), or a CollectionError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CollectionError(f"cannot read {display_path(path)}: {exc.strerror}") from exc
    try:
        if path.suffix == ".json" or text.lstrip().startswith("{"):
            doc = json.loads(text)
        else:
            import yaml

            doc = yaml.load(text, Loader=_loader())
    except ValueError as exc:
        raise CollectionError(f"{display_path(path)} is not valid JSON: {exc}") from exc
    except Exception as exc:  # yaml.YAMLError, without importing yaml up front
        raise CollectionError(f"{display_path(path)} is not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise CollectionError(f"{display_path(path)} does not hold a template (a mapping at the top)")
    return doc


_LOADER: Any = None


def _loader() -> Any:
    global _LOADER
    if _LOADER is None:
        import yaml

        class Loader(yaml.SafeLoader):
            pass

        # CloudFormation reads 2010-09-09 as a string, not a date.
        Loader.yaml_implicit_resolvers = {
            ch: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
            for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }

        def short_form(loader: Any, suffix: str, node: Any) -> Any:
            if isinstance(node, yaml.ScalarNode):
                value: Any = loader.construct_scalar(node)
            elif isinstance(node, yaml.SequenceNode):
                value = loader.construct_sequence(node, deep=True)
            else:
                value = loader.construct_mapping(node, deep=True)
            if suffix in ("Ref", "Condition"):
                return {suffix: value}
            if suffix == "GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
            return {f"Fn::{suffix}": value}

        Loader.add_multi_constructor("!", short_form)
        _LOADER = Loader
    return _LOADER


def document_template(path: Path, name: str) -> Callable[..., Any]:
    """A template function that fills `t` with the document at `path` (read at compile)."""

    def fn(t: Any) -> None:
        doc = read_document(path)
        loc = Location(display_path(path), 1)
        if "AWSTemplateFormatVersion" not in doc:
            t.aws_template_format_version = None
        for key, value in doc.items():
            t.root._assign(key, True, value, loc)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The template file {display_path(path)}."
    return fn
