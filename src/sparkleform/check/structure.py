"""Template structure: known sections, Resources present, logical ids, limits, body size,
mappings' shape."""

from __future__ import annotations

import datetime
import json
import re
from typing import TYPE_CHECKING

from sparkleform.cfn import SECTIONS
from sparkleform.check.diagnostic import ERROR, WARNING
from sparkleform.check.rules import CFN_DOCS, check, rule
from sparkleform.check.suggest import did_you_mean

if TYPE_CHECKING:
    from sparkleform.check.context import CheckContext


RULES = (
    rule("SF1001", "structure", ERROR, "Unknown top-level section", CFN_DOCS + "template-anatomy.html"),
    rule("SF1002", "structure", ERROR, "Resources section missing or empty", CFN_DOCS + "resources-section-structure.html"),
    rule("SF1003", "structure", ERROR, "Section has the wrong shape (not a mapping, not a string)", CFN_DOCS + "template-anatomy.html"),
    rule("SF1004", "structure", ERROR, "Logical id not alphanumeric or longer than 255 characters", CFN_DOCS + "resources-section-structure.html"),
    rule("SF1005", "structure", ERROR, "Template limit exceeded (resources, parameters, outputs, mappings)", CFN_DOCS + "cloudformation-limits.html"),
    rule("SF1006", "structure", WARNING, "Template body too large to pass inline (51,200 bytes) or to upload (1 MB)", CFN_DOCS + "cloudformation-limits.html"),
    rule("SF1007", "structure", ERROR, "AWSTemplateFormatVersion is not 2010-09-09", CFN_DOCS + "format-version-structure.html"),
    rule("SF1008", "structure", ERROR, "The same logical id is used in two sections", CFN_DOCS + "resources-section-structure.html"),
    rule("SF1201", "mappings", ERROR, "Mapping is not a two-level map of names to values", CFN_DOCS + "mappings-section-structure.html"),
)

LOGICAL_ID = re.compile(r"^[A-Za-z0-9]+$")
LIMITS = {"Resources": 500, "Parameters": 200, "Outputs": 200, "Mappings": 200}
INLINE_BODY = 51_200
S3_BODY = 1_000_000
MAPPING_ATTRIBUTES = 200


@check()
def check_sections(ctx: CheckContext) -> None:
    t = ctx.template
    for key in t:
        if key not in SECTIONS:
            ctx.report("SF1001", (key,), f"unknown top-level section {key!r}{did_you_mean(str(key), SECTIONS)}")
    if "Resources" not in t:
        ctx.report("SF1002", (), "the template has no Resources section (every template needs at least one resource)")
    elif not isinstance(t["Resources"], dict):
        ctx.report("SF1003", ("Resources",), "Resources must be a mapping of logical ids to resources")
    elif not t["Resources"]:
        ctx.report("SF1002", ("Resources",), "Resources is empty: CloudFormation will refuse to create it", "warning")
    for name in ("Parameters", "Mappings", "Conditions", "Outputs", "Metadata", "Rules"):
        if name in t and not isinstance(t[name], dict):
            ctx.report("SF1003", (name,), f"{name} must be a mapping")
    if "Description" in t and not isinstance(t["Description"], str):
        ctx.report("SF1003", ("Description",), "Description must be a string")
    elif isinstance(t.get("Description"), str) and len(t["Description"].encode()) > 1024:
        ctx.report("SF1003", ("Description",), "Description is longer than 1024 bytes")
    if "Transform" in t:
        raw = t["Transform"]
        items = raw if isinstance(raw, list) else [raw]
        if not items or not all(isinstance(i, str) or (isinstance(i, dict) and isinstance(i.get("Name"), str)) for i in items):
            ctx.report("SF1003", ("Transform",), "Transform must be a macro name, {Name: ..., Parameters: ...}, or a list of them")
    if "AWSTemplateFormatVersion" in t:
        version = t["AWSTemplateFormatVersion"]
        if isinstance(version, datetime.date):
            version = version.isoformat()
        if version != "2010-09-09":
            ctx.report(
                "SF1007", ("AWSTemplateFormatVersion",), f"AWSTemplateFormatVersion must be '2010-09-09', not {version!r}"
            )


@check()
def check_logical_ids(ctx: CheckContext) -> None:
    seen: dict[str, str] = {}
    for section in ("Parameters", "Resources", "Outputs", "Mappings"):
        entries = ctx.template.get(section)
        if not isinstance(entries, dict):
            continue
        for name in entries:
            if isinstance(name, str) and name.startswith("Fn::ForEach::"):
                continue
            if not isinstance(name, str) or not LOGICAL_ID.match(name):
                ctx.report("SF1004", (section, name), f"{section} name {name!r} must be alphanumeric (A-Z, a-z, 0-9)")
            elif len(name) > 255:
                ctx.report("SF1004", (section, name), f"{section} name is {len(name)} characters long (limit 255)")
            if section in ("Parameters", "Resources") and isinstance(name, str):
                other = seen.get(name)
                if other is not None:
                    ctx.report("SF1008", (section, name), f"{name!r} is both a parameter and a resource")
                seen[name] = section


@check()
def check_limits(ctx: CheckContext) -> None:
    for section, limit in LIMITS.items():
        entries = ctx.template.get(section)
        if isinstance(entries, dict) and len(entries) > limit:
            ctx.report("SF1005", (section,), f"{len(entries)} {section.lower()}: CloudFormation allows at most {limit}")
    for name, mapping in ctx.mappings.items():
        if isinstance(mapping, dict) and len(mapping) > MAPPING_ATTRIBUTES:
            ctx.report("SF1005", ("Mappings", name), f"mapping has {len(mapping)} keys (limit {MAPPING_ATTRIBUTES})")
    try:
        size = len(json.dumps(ctx.template, separators=(",", ":"), default=str).encode())
    except (TypeError, ValueError, RecursionError):
        return
    if size > S3_BODY:
        ctx.report("SF1006", (), f"template body is {size:,} bytes: over the 1 MB limit even from S3", severity="error")
    elif size > INLINE_BODY:
        ctx.report("SF1006", (), f"template body is {size:,} bytes: over 51,200 it must be uploaded to S3 first")


@check()
def check_mappings(ctx: CheckContext) -> None:
    for name, mapping in ctx.mappings.items():
        path = ("Mappings", name)
        if not isinstance(mapping, dict) or not mapping:
            ctx.report("SF1201", path, "a mapping must be a non-empty map of top-level keys to maps")
            continue
        for top, second in mapping.items():
            if isinstance(top, str) and top.startswith("Fn::"):
                continue
            if not isinstance(second, dict) or not second:
                ctx.report("SF1201", (*path, top), "each top-level key must hold a non-empty map of keys to values")
                continue
            for key, value in second.items():
                if isinstance(value, dict):
                    ctx.report("SF1201", (*path, top, key), "mapping values must be strings or lists, not maps")
