"""Templates as JSON and YAML text: read them (with line numbers), write them, convert them.

- `load_template(path)` / `loads_template(text)` -> (dict, SourceMap): JSON or YAML by
  content, short-form tags turned into long-form intrinsics, duplicate keys refused,
  plain scalars read the way CloudFormation reads them.
- `dump_json(doc)` and `dump_yaml(doc)` write a template back out.

Heavy imports (PyYAML's C parser) happen inside the functions that need them.
"""

from __future__ import annotations

from sparkleform.formats.json_writer import dump_json
from sparkleform.formats.reader import load_document, load_template, loads_document, loads_template
from sparkleform.formats.yaml_writer import dump_yaml

__all__ = [
    "dump_json",
    "dump_yaml",
    "load_document",
    "load_template",
    "loads_document",
    "loads_template",
]
