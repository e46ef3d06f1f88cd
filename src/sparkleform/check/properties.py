"""Resource properties against the type's schema: unknown and missing properties, JSON
types, enum / const / pattern / lengths / ranges / item counts, and the exclusive or
dependent property groups the schemas state (oneOf/anyOf of `required`, dependencies,
dependentRequired, dependentExcluded, requiredXor, requiredOr).

Values produced by intrinsic functions are not judged, except that each branch of Fn::If
is checked like a literal (AWS::NoValue branches meaning "absent"). Presence is two-valued
for that reason: a key whose value may be AWS::NoValue is "possibly present".
"""

from __future__ import annotations

import datetime
import json
import re
import weakref
from typing import TYPE_CHECKING, Any

from sparkleform.check.diagnostic import ERROR
from sparkleform.check.intrinsics import call_of, is_no_value, may_be_absent
from sparkleform.check.numbers import as_number
from sparkleform.check.rules import CFN_DOCS, SCHEMA_DOCS, check, rule
from sparkleform.check.suggest import did_you_mean
from sparkleform.sourcemap import format_path
from sparkleform.spec import ResourceSchema, get_schema

if TYPE_CHECKING:
    from sparkleform.check.context import CheckContext


RULES = (
    rule("SF2002", "properties", ERROR, "Unknown property", CFN_DOCS + "aws-template-resource-type-ref.html"),
    rule("SF2003", "properties", ERROR, "Required property missing", CFN_DOCS + "aws-template-resource-type-ref.html"),
    rule("SF2004", "properties", ERROR, "Value of the wrong JSON type", CFN_DOCS + "aws-template-resource-type-ref.html"),
    rule("SF2005", "properties", ERROR, "Value not among the allowed values", SCHEMA_DOCS),
    rule("SF2006", "properties", ERROR, "Value does not match the pattern", SCHEMA_DOCS),
    rule("SF2007", "properties", ERROR, "Value, length or item count outside its limits", SCHEMA_DOCS),
    rule("SF2008", "properties", ERROR, "Mutually exclusive or dependent properties", SCHEMA_DOCS),
)

_patterns: dict[str, re.Pattern | None] = {}
# per schema: id(subschema) -> (resolved subschema, its object properties); the subschemas
# live as long as their schema, so their ids are stable keys
_memo: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

# Properties `aws cloudformation package` (and `sam package`) replace: a local path or
# S3 URL given as a plain string there is legal input to those tools.
PACKAGEABLE = {
    "AWS::Lambda::Function": ("Code",),
    "AWS::Lambda::LayerVersion": ("Content",),
    "AWS::ApiGateway::RestApi": ("BodyS3Location",),
    "AWS::AppSync::GraphQLSchema": ("DefinitionS3Location",),
    "AWS::AppSync::Resolver": ("RequestMappingTemplateS3Location", "ResponseMappingTemplateS3Location", "CodeS3Location"),
    "AWS::AppSync::FunctionConfiguration": ("RequestMappingTemplateS3Location", "ResponseMappingTemplateS3Location", "CodeS3Location"),
    "AWS::ElasticBeanstalk::ApplicationVersion": ("SourceBundle",),
    "AWS::StepFunctions::StateMachine": ("DefinitionS3Location",),
    "AWS::CodeCommit::Repository": ("Code",),
    "AWS::ApiGatewayV2::Api": ("BodyS3Location",),
    "AWS::Glue::Job": ("Command",),
}


def _regex(pattern: str) -> re.Pattern | None:
    if pattern not in _patterns:
        try:
            _patterns[pattern] = re.compile(pattern)
        except (re.error, RecursionError, OverflowError):
            _patterns[pattern] = None  # ECMA/Java syntax Python can't read (\p{L}): not checked
    return _patterns[pattern]


def _matches_type(value: Any, kind: str) -> bool:
    if kind == "string":
        return not isinstance(value, (dict, list)) and value is not None
    if kind == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        num = as_number(value)
        return num is not None and num == int(num) and "." not in str(value).strip().rstrip("0").rstrip(".")
    if kind == "number":
        return as_number(value) is not None
    if kind == "boolean":
        return isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false"))
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "null":
        return value is None
    return True


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else _text(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _kind_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return "a string"


def _has_call(value: Any) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if call_of(node) is not None:
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


# Identifier formats named by the schemas' "format" keyword (AWS resource id shapes).
FORMATS = {
    "AWS::EC2::Image.Id": re.compile(r"^ami-([0-9a-z]{8}|[0-9a-z]{17})$"),
    "AWS::EC2::VPC.Id": re.compile(r"^vpc-([0-9a-fA-F]{8}|[0-9a-fA-F]{17})$"),
    "AWS::EC2::Subnet.Id": re.compile(r"^subnet-([0-9a-fA-F]{8}|[0-9a-fA-F]{17})$"),
    "AWS::EC2::SecurityGroup.Id": re.compile(r"^sg-([0-9a-fA-F]{8}|[0-9a-fA-F]{17})$"),
}
FORMAT_NAMES = {
    "AWS::EC2::Image.Id": "an AMI id (ami-...)",
    "AWS::EC2::VPC.Id": "a VPC id (vpc-...)",
    "AWS::EC2::Subnet.Id": "a subnet id (subnet-...)",
    "AWS::EC2::SecurityGroup.Id": "a security group id (sg-...)",
}


def _present(obj: dict, key: str) -> bool:
    return key in obj and not is_no_value(obj[key])


def _definite(obj: dict, key: str) -> bool:
    return key in obj and not may_be_absent(obj[key])


class PropertyChecker:
    """Validates one resource's Properties against its schema, reporting into ctx."""

    def __init__(self, ctx, schema: ResourceSchema, rtype: str) -> None:
        self.ctx = ctx
        self.schema = schema
        self._resolved = _memo.setdefault(schema, {})
        self.rtype = rtype
        self.base: tuple = ()

    def run(self, base: tuple, properties: Any) -> None:
        self.base = base
        self.value(self.schema.raw, properties, base, top=True)

    def _where(self, path: tuple) -> str:
        rel = path[len(self.base) :]
        return format_path(rel) if rel else self.rtype

    def _resolve(self, sub: Any) -> dict:
        hit = self._resolved.get(id(sub))
        if hit is None:
            resolved = self.schema.resolve(sub)
            hit = (resolved, None)
            self._resolved[id(sub)] = hit
        return hit[0]

    def _properties_of(self, sub: dict) -> dict:
        key = ("props", id(sub))
        hit = self._resolved.get(key)
        if hit is None:
            hit = self.schema._object_properties(sub)
            self._resolved[key] = hit
        return hit

    def value(self, sub: Any, value: Any, path: tuple, top: bool = False) -> None:
        sub = self._resolve(sub)
        if not sub:
            return
        call = call_of(value)
        if call is not None:
            name, args = call
            if name == "Fn::If" and isinstance(args, list) and len(args) == 3:
                for i in (1, 2):
                    if not is_no_value(args[i]):
                        self.value(sub, args[i], (*path, "Fn::If", i), top)
            return
        if value is None:
            return
        if isinstance(value, str) and "{{resolve:" in value:
            return  # a dynamic reference: its value exists only at deploy time, so it is not a literal
        for branch in sub.get("allOf", ()) or ():
            if isinstance(branch, dict):
                self.value(branch, value, path, top)
        kinds = sub.get("type")
        if kinds is None:
            if "properties" in sub or "required" in sub or "patternProperties" in sub:
                kinds = "object"
            elif "items" in sub:
                kinds = "array"
        if kinds is not None:
            kinds_list = kinds if isinstance(kinds, list) else [kinds]
            if not any(_matches_type(value, k) for k in kinds_list):
                want = " or ".join(str(k) for k in kinds_list)
                self.ctx.report("SF2004", path, f"{self._where(path)} must be {want}, not {_kind_name(value)}")
                return
        if isinstance(value, dict):
            self.object(sub, value, path, top)
        elif isinstance(value, list):
            self.array(sub, value, path)
        else:
            self.scalar(sub, value, path, kinds)

    # -- scalars ---------------------------------------------------------------
    def scalar(self, sub: dict, value: Any, path: tuple, kinds: Any) -> None:
        text = _text(value)
        enum = sub.get("enum")
        if isinstance(enum, list) and enum:
            allowed = {_text(e) for e in enum if not isinstance(e, (dict, list))}
            num = as_number(value)
            numeric_ok = num is not None and any(as_number(e) == num for e in enum)
            if allowed and text not in allowed and not numeric_ok:
                listed = ", ".join(sorted(allowed)[:20]) + (", ..." if len(allowed) > 20 else "")
                self.ctx.report("SF2005", path, f"{self._where(path)}: {_show(value)} is not one of {listed}")
                return
        const = sub.get("const")
        if "const" in sub and not isinstance(const, (dict, list)) and text != _text(const):
            self.ctx.report("SF2005", path, f"{self._where(path)} must be {_show(const)}, not {_show(value)}")
            return
        pattern = sub.get("pattern")
        if isinstance(pattern, str) and isinstance(value, str):
            regex = _regex(pattern)
            if regex is not None and not regex.search(value):
                self.ctx.report("SF2006", path, f"{self._where(path)}: {_show(value)} does not match {pattern}")
        fmt = sub.get("format")
        if (
            isinstance(fmt, str) and fmt in FORMATS and isinstance(value, str)
            and not value.startswith("{{resolve:") and not FORMATS[fmt].match(value)
        ):
            self.ctx.report("SF2006", path, f"{self._where(path)}: {_show(value)} is not {FORMAT_NAMES[fmt]}")
        if isinstance(value, str):
            lo, hi = sub.get("minLength"), sub.get("maxLength")
            if isinstance(lo, int) and len(value) < lo:
                self.ctx.report("SF2007", path, f"{self._where(path)} is {len(value)} characters long, shorter than {lo}")
            if isinstance(hi, int) and len(value) > hi:
                self.ctx.report("SF2007", path, f"{self._where(path)} is {len(value)} characters long, longer than {hi}")
        kinds_list = kinds if isinstance(kinds, list) else [kinds]
        if "integer" in kinds_list or "number" in kinds_list:
            num = as_number(value)
            if num is None:
                return
            for key, bad, word in (
                ("minimum", lambda n, b: n < b, "below the minimum"),
                ("maximum", lambda n, b: n > b, "above the maximum"),
                ("exclusiveMinimum", lambda n, b: n <= b, "not above"),
                ("exclusiveMaximum", lambda n, b: n >= b, "not below"),
            ):
                bound = sub.get(key)
                if isinstance(bound, (int, float)) and not isinstance(bound, bool) and bad(num, bound):
                    self.ctx.report("SF2007", path, f"{self._where(path)}: {_text(value)} is {word} {bound:g}")
                    return

    # -- arrays ----------------------------------------------------------------
    def array(self, sub: dict, value: list, path: tuple) -> None:
        lo, hi = sub.get("minItems"), sub.get("maxItems")
        possible = sum(1 for v in value if not is_no_value(v))
        definite = sum(1 for v in value if not may_be_absent(v))
        if isinstance(lo, int) and possible < lo:
            self.ctx.report("SF2007", path, f"{self._where(path)} has {possible} items, fewer than {lo}")
        if isinstance(hi, int) and definite > hi:
            self.ctx.report("SF2007", path, f"{self._where(path)} has {definite} items, more than {hi}")
        if sub.get("uniqueItems") is True:
            seen: dict[str, int] = {}
            for i, item in enumerate(value):
                if isinstance(item, (dict, list)) and _has_call(item):
                    continue
                key = json.dumps(item, sort_keys=True, default=str)
                if key in seen:
                    self.ctx.report("SF2007", (*path, i), f"{self._where(path)}: item {i} repeats item {seen[key]} ({_show(item)}); items must be unique")
                    break
                seen[key] = i
        items = sub.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(value):
                if not is_no_value(item):
                    self.value(items, item, (*path, i))

    # -- objects ---------------------------------------------------------------
    def object(self, sub: dict, value: dict, path: tuple, top: bool) -> None:
        props = self._properties_of(sub)
        pattern_properties = sub.get("patternProperties")
        patterns = pattern_properties if isinstance(pattern_properties, dict) else {}
        extra = sub.get("additionalProperties")
        for key, child in value.items():
            if not isinstance(key, str):
                continue
            if key in props:
                if top and isinstance(child, str) and key in PACKAGEABLE.get(self.rtype, ()):
                    continue
                self.value(props[key], child, (*path, key))
                continue
            matched = False
            for pattern, psub in patterns.items():
                regex = _regex(pattern)
                if regex is None or regex.search(key):
                    matched = True
                    self.value(psub, child, (*path, key))
                    break
            if matched:
                continue
            if extra is False and not key.startswith("Fn::"):
                hint = did_you_mean(key, props)
                if top:
                    msg = f"{self.rtype} has no property {key}{hint}"
                else:
                    msg = f"{self._where(path)} has no property {key}{hint}"
                self.ctx.report("SF2002", (*path, key), msg)
            elif isinstance(extra, dict):
                self.value(extra, child, (*path, key))
        self.groups(sub, value, path, top)

    def groups(self, sub: dict, value: dict, path: tuple, top: bool) -> None:
        where = self.rtype if top else self._where(path)
        missing = [r for r in sub.get("required", ()) or () if isinstance(r, str) and r not in value]
        for name in missing:
            self.ctx.report("SF2003", path, f"{where} requires the property {name}")
        for key in ("dependencies", "dependentRequired"):
            deps = sub.get(key)
            if not isinstance(deps, dict):
                continue
            for name, needs in deps.items():
                if isinstance(needs, list) and _definite(value, name):
                    lacking = [n for n in needs if isinstance(n, str) and not _present(value, n)]
                    if lacking:
                        self.ctx.report("SF2008", (*path, name), f"{where}: {name} also needs {', '.join(lacking)}")
        excluded = sub.get("dependentExcluded")
        if isinstance(excluded, dict):
            for name, others in excluded.items():
                if not isinstance(others, list) or not _definite(value, name):
                    continue
                for other in others:
                    if isinstance(other, str) and _definite(value, other) and (other not in excluded or name < other):
                        self.ctx.report("SF2008", (*path, name), f"{where}: {name} and {other} cannot be used together")
        xor = sub.get("requiredXor")
        if isinstance(xor, list):
            self._one_of(where, path, value, [[n] for n in xor if isinstance(n, str)], exclusive=True)
        orr = sub.get("requiredOr")
        if isinstance(orr, list):
            self._one_of(where, path, value, [[n] for n in orr if isinstance(n, str)], exclusive=False)
        for key, exclusive in (("oneOf", True), ("anyOf", False)):
            branches = sub.get(key)
            if not isinstance(branches, list) or not branches:
                continue
            groups: list[list[str]] = []
            for branch in branches:
                branch = self.schema.resolve(branch)
                req = branch.get("required")
                if not isinstance(req, list) or set(branch) - {"required", "type", "properties"}:
                    groups = []
                    break
                if "properties" in branch and any(
                    set(self.schema.resolve(p)) - {"type"} for p in (branch.get("properties") or {}).values()
                ):
                    groups = []  # branches that constrain values, not just presence: not judged here
                    break
                groups.append([r for r in req if isinstance(r, str)])
            if groups and all(groups):
                self._one_of(where, path, value, groups, exclusive)

    def _one_of(self, where: str, path: tuple, value: dict, groups: list[list[str]], exclusive: bool) -> None:
        if not groups:
            return
        possible = [g for g in groups if all(_present(value, n) for n in g)]
        definite = [g for g in groups if all(_definite(value, n) for n in g)]
        names = " / ".join("+".join(g) for g in groups)
        if not possible:
            self.ctx.report("SF2008", path, f"{where} needs {'exactly' if exclusive else 'at least'} one of {names}")
        elif exclusive and len(definite) > 1:
            both = " and ".join("+".join(g) for g in definite[:2])
            self.ctx.report("SF2008", path, f"{where}: {both} cannot be used together (only one of {names})")


@check()
def check_properties(ctx: CheckContext) -> None:
    for logical_id, res in ctx.resources.items():
        rtype = res.get("Type")
        if not isinstance(rtype, str):
            continue
        schema = get_schema(rtype)
        if schema is None:
            continue
        props = res.get("Properties", {})
        if not isinstance(props, dict):
            continue
        if any(isinstance(k, str) and k.startswith("Fn::Transform") for k in props):
            continue  # AWS::Include and friends rewrite these properties: skipped (reported by transforms)
        PropertyChecker(ctx, schema, rtype).run(("Resources", logical_id, "Properties"), props)
