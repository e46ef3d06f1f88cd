"""CheckContext: the template being checked, its sections, and where findings are collected.

Built once per run; the rules read the sections and the list of intrinsic calls from it
(found in one walk of the template), so the whole check stays linear in template size.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from sparkleform.cfn import LANGUAGE_EXTENSIONS, SAM_TRANSFORM
from sparkleform.check.diagnostic import Diagnostic
from sparkleform.check.intrinsics import Call, walk_calls
from sparkleform.check.rules import all_rules
from sparkleform.sourcemap import Path, SourceMap


def _section(template: dict, name: str) -> dict[str, Any]:
    value = template.get(name)
    return value if isinstance(value, dict) else {}


class CheckContext:
    def __init__(self, template: dict, sources: SourceMap | None = None, filename: str | None = None) -> None:
        self.template = template
        self.sources = sources
        self.filename = filename
        self.nested: dict[str, dict] = {}  # TemplateURL -> nested template compiled alongside
        self.diagnostics: list[Diagnostic] = []
        self.parameters = _section(template, "Parameters")
        self.mappings = _section(template, "Mappings")
        self.conditions = _section(template, "Conditions")
        self.resources = {k: v for k, v in _section(template, "Resources").items() if isinstance(v, dict)}
        self.outputs = _section(template, "Outputs")
        self.transforms = transform_names(template)
        # set by the transform step: generated logical id -> original (SAM) logical id,
        # and the template as written (before SAM / Fn::ForEach expansion)
        self.origin_of: dict[str, str] = {}
        self.original: dict = template
        self.macro_skipped = any(
            t not in (SAM_TRANSFORM, LANGUAGE_EXTENSIONS) for t in self.transforms
        )

    @property
    def language_extensions(self) -> bool:
        return LANGUAGE_EXTENSIONS in self.transforms

    def report(self, rule: str, path: Path, message: str, severity: str | None = None) -> None:
        """Record a finding of a registered rule (its declared severity unless one is given)."""
        if severity is None:
            severity = all_rules()[rule].severity
        self.diagnostics.append(Diagnostic(rule, severity, tuple(path), message))

    def resource_type(self, logical_id: str) -> str | None:
        res = self.resources.get(logical_id)
        t = res.get("Type") if res else None
        return t if isinstance(t, str) else None

    @cached_property
    def calls(self) -> list[Call]:
        """Every intrinsic call in the template (Conditions section in condition context)."""
        out: list[Call] = []
        for name, value in self.template.items():
            if name in ("Resources", "Outputs", "Conditions", "Rules", "Metadata", "Mappings", "Parameters"):
                out.extend(walk_calls(value, (name,), conditions=name in ("Conditions", "Rules")))
        return out


def transform_names(template: dict) -> list[str]:
    """The template-level transforms (macros) by name, whatever shape Transform has."""
    raw = template.get("Transform")
    items = raw if isinstance(raw, list) else [raw] if raw is not None else []
    names = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and isinstance(item.get("Name"), str):
            names.append(item["Name"])
    return names
