"""Compile-time parameters kept with the stack (SparkleFormation's `CompileState`).

A stack made from a DSL template with `--set` (or sparkleform.toml's compile_parameters)
keeps those values in its template's Metadata, `Metadata.Sparkleform.CompileParameters`
(strings, as given). The next compile of the same stack (plan, update) starts from them;
sparkleform.toml and `--set` override.

Why template Metadata, not sfn's `CompileState` output or a stack tag: the template is what
both providers already store and return whole (GetTemplate on AWS, the state file locally),
it has no 256-character limit (an AWS tag value has), it adds no output a layer above could
pick up by name through `--apply-stack`, and a Metadata change alone never replaces a
resource.
"""

from __future__ import annotations

import json
from typing import Any

SECTION = "Sparkleform"
KEY = "CompileParameters"


def stored(template: dict | None) -> dict[str, str]:
    """The compile-time parameters a stack's template keeps ({} when none)."""
    meta = (template or {}).get("Metadata") if isinstance(template, dict) else None
    block = meta.get(SECTION) if isinstance(meta, dict) else None
    values = block.get(KEY) if isinstance(block, dict) else None
    if not isinstance(values, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def keep(template: dict, values: dict[str, Any]) -> dict:
    """`template` with `values` recorded in its Metadata (the dict is changed in place)."""
    if not values:
        return template
    meta = template.get("Metadata")
    if not isinstance(meta, dict):
        meta = {}
    found = meta.get(SECTION)
    block: dict[str, Any] = found if isinstance(found, dict) else {}
    block = {**block, KEY: {k: str(v) for k, v in sorted(values.items())}}
    # Metadata first among the sections CloudFormation orders after the version/description
    template["Metadata"] = {**meta, SECTION: block}
    return template


__all__ = ["KEY", "SECTION", "keep", "stored"]
