"""Parameter definitions: a valid Type, known attributes, and a Default that satisfies the
parameter's own constraints."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sparkleform.allowed_pattern import fullmatch
from sparkleform.check.diagnostic import ERROR
from sparkleform.check.numbers import as_number
from sparkleform.check.rules import CFN_DOCS, check, rule
from sparkleform.check.suggest import did_you_mean

if TYPE_CHECKING:
    from sparkleform.check.context import CheckContext


RULES = (
    rule("SF1101", "parameters", ERROR, "Parameter has no Type or an invalid Type", CFN_DOCS + "parameters-section-structure.html"),
    rule("SF1102", "parameters", ERROR, "Parameter has an unknown attribute or an attribute of the wrong type", CFN_DOCS + "parameters-section-structure.html"),
    rule("SF1103", "parameters", ERROR, "Parameter Default outside AllowedValues, AllowedPattern, lengths or values", CFN_DOCS + "parameters-section-structure.html"),
    rule("SF1104", "parameters", ERROR, "Parameter constraint malformed (bad regex, min above max)", CFN_DOCS + "parameters-section-structure.html"),
)

AWS_TYPES = frozenset(
    {
        "AWS::EC2::AvailabilityZone::Name",
        "AWS::EC2::Image::Id",
        "AWS::EC2::Instance::Id",
        "AWS::EC2::KeyPair::KeyName",
        "AWS::EC2::SecurityGroup::GroupName",
        "AWS::EC2::SecurityGroup::Id",
        "AWS::EC2::Subnet::Id",
        "AWS::EC2::Volume::Id",
        "AWS::EC2::VPC::Id",
        "AWS::Route53::HostedZone::Id",
    }
)
BASIC_TYPES = frozenset({"String", "Number", "List<Number>", "List<String>", "CommaDelimitedList"})
ATTRIBUTES = {
    "Type": str,
    "Default": None,
    "Description": str,
    "AllowedValues": list,
    "AllowedPattern": str,
    "ConstraintDescription": str,
    "MaxLength": "int",
    "MinLength": "int",
    "MaxValue": "num",
    "MinValue": "num",
    "NoEcho": "bool",
}
SSM_VALUE = re.compile(r"^AWS::SSM::Parameter::Value<(.+)>$")
LIST_OF = re.compile(r"^List<(.+)>$")


def valid_type(name: str) -> bool:
    if name in BASIC_TYPES or name in AWS_TYPES or name == "AWS::SSM::Parameter::Name":
        return True
    m = LIST_OF.match(name)
    if m and m.group(1) in AWS_TYPES:
        return True
    m = SSM_VALUE.match(name)
    if m:
        inner = m.group(1)
        if inner in ("String", "CommaDelimitedList", "List<String>") or inner in AWS_TYPES:
            return True
        inner_list = LIST_OF.match(inner)
        return bool(inner_list and inner_list.group(1) in AWS_TYPES)
    return False


def _attr_ok(kind, value) -> bool:
    if kind is None:
        return True
    if kind == "int":
        num = as_number(value)
        return num is not None and num == int(num)
    if kind == "num":
        return as_number(value) is not None
    if kind == "bool":
        return isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false"))
    return isinstance(value, kind)


def _scalar_text(value) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


SFN_EXTENSIONS = ("DisableApply", "StackUnique")


@check()
def check_parameters(ctx: CheckContext) -> None:
    for name, param in ctx.parameters.items():
        path = ("Parameters", name)
        if not isinstance(param, dict):
            ctx.report("SF1102", path, "a parameter must be a mapping with at least a Type")
            continue
        for key, value in param.items():
            if key in SFN_EXTENSIONS:
                continue  # sfn's DisableApply / StackUnique: scrubbed before the provider sees them
            if key not in ATTRIBUTES:
                ctx.report("SF1102", (*path, key), f"unknown parameter attribute {key!r}{did_you_mean(str(key), ATTRIBUTES)}")
            elif key == "Default" and isinstance(value, dict):
                ctx.report("SF1102", (*path, key), "Default must be a literal value, not a function or a map")
            elif key != "Type" and not _attr_ok(ATTRIBUTES[key], value):
                ctx.report("SF1102", (*path, key), f"{key} has the wrong type ({type(value).__name__})")
        ptype = param.get("Type")
        if ptype is None:
            ctx.report("SF1101", path, "parameter has no Type")
            continue
        if not isinstance(ptype, str) or not valid_type(ptype):
            hint = did_you_mean(str(ptype), sorted(BASIC_TYPES | AWS_TYPES))
            ctx.report("SF1101", (*path, "Type"), f"{ptype!r} is not a parameter type{hint}")
            continue
        _check_attribute_fit(ctx, path, param, ptype)
        _check_constraints(ctx, path, param, ptype)


STRING_ONLY = ("MinLength", "MaxLength", "AllowedPattern")
NUMBER_ONLY = ("MinValue", "MaxValue")


def _check_attribute_fit(ctx: CheckContext, path, param: dict, ptype: str) -> None:
    """Length/pattern constraints belong to string parameters, value bounds to numbers."""
    numeric = ptype in ("Number", "List<Number>")
    for key in STRING_ONLY if numeric else ():
        if key in param:
            ctx.report("SF1102", (*path, key), f"{key} does not apply to a {ptype} parameter")
    allowed = param.get("AllowedValues")
    if isinstance(allowed, list):
        for i, item in enumerate(allowed):
            if isinstance(item, (dict, list)) or item is None:
                ctx.report("SF1102", (*path, "AllowedValues", i), "AllowedValues must be strings or numbers")


def _check_constraints(ctx: CheckContext, path, param: dict, ptype: str) -> None:
    pattern = param.get("AllowedPattern")
    if not isinstance(pattern, str):
        pattern = None
    lo, hi = as_number(param.get("MinLength")), as_number(param.get("MaxLength"))
    if lo is not None and hi is not None and lo > hi:
        ctx.report("SF1104", (*path, "MinLength"), f"MinLength {param['MinLength']} is above MaxLength {param['MaxLength']}")
    vlo, vhi = as_number(param.get("MinValue")), as_number(param.get("MaxValue"))
    if vlo is not None and vhi is not None and vlo > vhi:
        ctx.report("SF1104", (*path, "MinValue"), f"MinValue {param['MinValue']} is above MaxValue {param['MaxValue']}")
    if "Default" not in param:
        return
    default = param["Default"]
    is_list = ptype.startswith("List<") or ptype == "CommaDelimitedList" or "List<" in ptype
    is_number = ptype in ("Number", "List<Number>")
    if isinstance(default, list) and is_list:
        items = default
    else:
        text = _scalar_text(default)
        if text is None:
            ctx.report("SF1103", (*path, "Default"), f"Default must be a string or number, not a {type(default).__name__}")
            return
        items = [x.strip() for x in text.split(",")] if is_list else [text]
        if is_list and text == "":
            items = []
    allowed = param.get("AllowedValues")
    allowed_text = {_scalar_text(v) for v in allowed} if isinstance(allowed, list) else None
    for item in items:
        text = _scalar_text(item)
        if text is None:
            continue
        if is_number and as_number(text) is None:
            ctx.report("SF1103", (*path, "Default"), f"Default {text!r} is not a number")
            continue
        same_number = is_number and any(as_number(a) == as_number(text) for a in allowed_text or () if a)
        whole = _scalar_text(default) if not isinstance(default, list) else None
        if allowed_text is not None and text not in allowed_text and not same_number and whole not in allowed_text:
            ctx.report("SF1103", (*path, "Default"), f"Default {text!r} is not one of AllowedValues {allowed}")
        if (
            pattern is not None  # CloudFormation uses Java regexes; what neither reading parses is left alone
            and ptype in ("String", "CommaDelimitedList")
            and fullmatch(pattern, text, what=f"the Default of {'.'.join(map(str, path))}") is False
        ):
            ctx.report("SF1103", (*path, "Default"), f"Default {text!r} does not match AllowedPattern {pattern!r}")
        if ptype == "String":
            if lo is not None and len(text) < lo:
                ctx.report("SF1103", (*path, "Default"), f"Default is {len(text)} characters, below MinLength {lo:g}")
            if hi is not None and len(text) > hi:
                ctx.report("SF1103", (*path, "Default"), f"Default is {len(text)} characters, above MaxLength {hi:g}")
        if is_number:
            num = as_number(text)
            if vlo is not None and num is not None and num < vlo:
                ctx.report("SF1103", (*path, "Default"), f"Default {text} is below MinValue {vlo:g}")
            if vhi is not None and num is not None and num > vhi:
                ctx.report("SF1103", (*path, "Default"), f"Default {text} is above MaxValue {vhi:g}")
