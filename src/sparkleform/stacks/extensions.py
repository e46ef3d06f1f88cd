"""sfn's parameter extensions: keys a template's Parameters may carry for sparkleform itself.

- `DisableApply: true` — `--apply-stack` never fills this parameter from another stack's
  outputs (an explicit `--apply-mapping`, `-p`, a file or sparkleform.toml still can).
- `StackUnique: true` — in nested stacks, the parameter is never wired from an output nor
  shared with a same-named parameter: its parent gets a parameter of its own,
  `<NestedStack><Name>` (dsl/nesting.py).

CloudFormation refuses unknown parameter keys, so both are scrubbed from the template and
its nested templates before they reach the provider.
"""

from __future__ import annotations

import copy

EXTENSIONS = ("DisableApply", "StackUnique")


def apply_disabled(template: dict | None) -> set[str]:
    """The parameters marked DisableApply."""
    params = (template or {}).get("Parameters") if isinstance(template, dict) else None
    if not isinstance(params, dict):
        return set()
    return {name for name, decl in params.items() if isinstance(decl, dict) and decl.get("DisableApply")}


def scrub(template: dict | None) -> dict | None:
    """`template` without the extension keys (a copy when there were any; else itself)."""
    params = (template or {}).get("Parameters") if isinstance(template, dict) else None
    if not isinstance(params, dict) or not any(
        isinstance(d, dict) and any(k in d for k in EXTENSIONS) for d in params.values()
    ):
        return template
    assert template is not None
    out = copy.copy(template)
    out["Parameters"] = {
        name: ({k: v for k, v in decl.items() if k not in EXTENSIONS} if isinstance(decl, dict) else decl)
        for name, decl in params.items()
    }
    return out


__all__ = ["EXTENSIONS", "apply_disabled", "scrub"]
