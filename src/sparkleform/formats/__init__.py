"""Templates as JSON and YAML text: read them (with line numbers), write them, convert them.

- `load_template(path)` / `loads_template(text)` -> (dict, SourceMap): JSON or YAML by
  content, short-form tags turned into long-form intrinsics, duplicate keys refused,
  plain scalars read the way CloudFormation reads them.
- `dump_json(doc)` and `dump_yaml(doc)` write a template back out.

Heavy imports (PyYAML's C parser) happen inside the functions that need them, and each
name is imported from its module on first use: `convert` to JSON never loads the YAML
writer (nor its table of tags), `convert` to YAML never loads the JSON writer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sparkleform.formats.json_writer import dump_json
    from sparkleform.formats.reader import load_document, load_template, loads_document, loads_template
    from sparkleform.formats.yaml_writer import dump_yaml

_HOME = {
    "dump_json": "json_writer",
    "dump_yaml": "yaml_writer",
    "load_document": "reader",
    "load_template": "reader",
    "loads_document": "reader",
    "loads_template": "reader",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value

__all__ = [
    "dump_json",
    "dump_yaml",
    "load_document",
    "load_template",
    "loads_document",
    "loads_template",
]
