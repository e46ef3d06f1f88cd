"""Outputs: each has a Value, only known attributes, and export names are unique."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sparkleform.check.diagnostic import ERROR
from sparkleform.check.intrinsics import call_of
from sparkleform.check.rules import CFN_DOCS, check, rule
from sparkleform.check.suggest import did_you_mean

if TYPE_CHECKING:
    from sparkleform.check.context import CheckContext


RULES = (
    rule("SF1301", "outputs", ERROR, "Output has no Value, an unknown attribute, or the wrong shape", CFN_DOCS + "outputs-section-structure.html"),
    rule("SF1302", "outputs", ERROR, "Export name used twice or malformed", CFN_DOCS + "using-cfn-stack-exports.html"),
)

ATTRIBUTES = ("Value", "Description", "Export", "Condition")


@check()
def check_outputs(ctx: CheckContext) -> None:
    exports: dict[str, str] = {}
    for name, output in ctx.outputs.items():
        path = ("Outputs", name)
        if isinstance(name, str) and name.startswith("Fn::ForEach::"):
            continue  # a loop left unexpanded (values known only at deploy time)
        if not isinstance(output, dict):
            ctx.report("SF1301", path, "an output must be a mapping with a Value")
            continue
        for key in output:
            if key not in ATTRIBUTES:
                ctx.report("SF1301", (*path, key), f"unknown output attribute {key!r}{did_you_mean(str(key), ATTRIBUTES)}")
        if "Value" not in output:
            ctx.report("SF1301", path, "output has no Value")
        else:
            value = output["Value"]
            if value is None or (isinstance(value, (dict, list)) and call_of(value) is None):
                kind = "nothing" if value is None else f"a {'list' if isinstance(value, list) else 'map'}"
                ctx.report("SF1301", (*path, "Value"), f"an output Value must be a string, not {kind}")
        desc = output.get("Description")
        if "Description" in output and not isinstance(desc, str):
            ctx.report("SF1301", (*path, "Description"), "Description must be a string")
        if "Export" in output:
            _check_export(ctx, path, output["Export"], exports, output.get("Condition"))


def _check_export(ctx: CheckContext, path, export, exports: dict[str, str], condition) -> None:
    if not isinstance(export, dict) or "Name" not in export:
        ctx.report("SF1302", (*path, "Export"), "Export must be a mapping with a Name")
        return
    extra = [k for k in export if k != "Name"]
    if extra:
        ctx.report("SF1302", (*path, "Export", extra[0]), f"unknown Export attribute {extra[0]!r}")
    value = export["Name"]
    if isinstance(value, (dict, list)) and call_of(value) is None:
        ctx.report("SF1302", (*path, "Export", "Name"), "an export Name must be a string")
        return
    if value is None or value == "":
        ctx.report("SF1302", (*path, "Export", "Name"), "an export Name must not be empty")
        return
    # outputs under different conditions may share an export name: only one exists at a time
    key = json.dumps([value, condition], sort_keys=True, default=str)
    if key in exports:
        ctx.report("SF1302", (*path, "Export", "Name"), f"export name {_show(value)} is also exported by output {exports[key]}")
    else:
        exports[key] = path[1]


def _show(value) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value, default=str)
