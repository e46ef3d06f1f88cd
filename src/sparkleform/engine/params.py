"""Stack parameters: checks given values against the template's declarations.

Covers every parameter type CloudFormation accepts and every constraint (AllowedValues,
AllowedPattern, MinLength/MaxLength, MinValue/MaxValue, ConstraintDescription), with
CloudFormation's own error texts. SSM parameter types read the engine's parameter store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sparkleform.allowed_pattern import fullmatch
from sparkleform.contract import NO_ECHO_MASK
from sparkleform.engine import messages
from sparkleform.engine.dynamic import ParameterStoreMiss, ssm_value
from sparkleform.engine.errors import StackParameterError, TemplateFormatError

PLAIN_TYPES = {"String", "Number", "List<Number>", "List<String>", "CommaDelimitedList"}


class UsePreviousValue:
    """The value of a parameter given as UsePreviousValue (UpdateStack's marker): the stack's
    current value. A parameter left out takes the template's Default, as on AWS."""

    def __repr__(self) -> str:
        return "USE_PREVIOUS_VALUE"


USE_PREVIOUS_VALUE = UsePreviousValue()
SSM_PREFIX = "AWS::SSM::Parameter::"


def is_list_type(ptype: str) -> bool:
    return ptype.startswith("List<") or ptype == "CommaDelimitedList"


def check_type(name: str, ptype: Any) -> str:
    if not isinstance(ptype, str):
        raise TemplateFormatError(f"Template format error: Parameter '{name}' has no valid Type")
    if ptype in PLAIN_TYPES or ptype.startswith(SSM_PREFIX):
        return ptype
    if ptype.startswith("AWS::") or (ptype.startswith("List<AWS::") and ptype.endswith(">")):
        return ptype
    raise TemplateFormatError(f"Template format error: Unrecognized parameter type: {ptype}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_one(name: str, decl: dict, value: str, numeric: bool) -> None:
    desc = decl.get("ConstraintDescription")

    def fail(default_text: str) -> None:
        if desc:
            raise StackParameterError(f"Parameter '{name}' failed to satisfy constraint: {desc}")
        raise StackParameterError(default_text)

    if numeric and not _is_number(value):
        raise StackParameterError(f"Parameter '{name}' must be a number.")
    allowed = decl.get("AllowedValues")
    if isinstance(allowed, list) and allowed and value not in [_text(a) for a in allowed]:
        fail(f"Parameter '{name}' must be one of AllowedValues")
    pattern = decl.get("AllowedPattern")
    if isinstance(pattern, str) and fullmatch(pattern, value, what=f"parameter {name}") is False:
        fail(f"Parameter '{name}' must match pattern {pattern}")
    if "MinLength" in decl and len(value) < int(decl["MinLength"]):
        fail(f"Parameter '{name}' must contain at least {int(decl['MinLength'])} characters")
    if "MaxLength" in decl and len(value) > int(decl["MaxLength"]):
        fail(f"Parameter '{name}' must contain at most {int(decl['MaxLength'])} characters")
    if numeric:
        number = float(value)
        if "MinValue" in decl and number < float(decl["MinValue"]):
            fail(f"Parameter '{name}' must be a number not less than {_text(decl['MinValue'])}")
        if "MaxValue" in decl and number > float(decl["MaxValue"]):
            fail(f"Parameter '{name}' must be a number not greater than {_text(decl['MaxValue'])}")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def resolve_parameters(
    declared: dict[str, Any],
    given: dict[str, Any],
    *,
    previous: dict[str, str] | None = None,
    ssm_lookup: Callable[..., str | None] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """-> (values for Ref: str or list[str], raw text per parameter as stored).

    `previous` (on update): the stack's values, which a parameter given as
    USE_PREVIOUS_VALUE keeps. A parameter left out takes its Default (UpdateStack's rule).
    """
    declared = declared or {}
    if not isinstance(declared, dict):
        raise TemplateFormatError("Template format error: Parameters must be an object")
    unknown = [k for k in given if k not in declared]
    if unknown:
        raise StackParameterError(f"Parameters: [{', '.join(unknown)}] do not exist in the template")
    raw: dict[str, str] = {}
    missing = []
    for name, decl in declared.items():
        if not isinstance(decl, dict):
            raise TemplateFormatError(f"Template format error: Parameter '{name}' must be an object")
        check_type(name, decl.get("Type"))
        if given.get(name) is USE_PREVIOUS_VALUE:
            if not previous or name not in previous:
                raise StackParameterError(
                    f"Invalid input for parameter key {name}. Cannot specify usePreviousValue as true "
                    "for a parameter key not in the previous template"
                )
            raw[name] = previous[name]
        elif name in given and given[name] is not None:
            value = given[name]
            raw[name] = ",".join(_text(v) for v in value) if isinstance(value, list) else _text(value)
        elif "Default" in decl:
            d = decl["Default"]
            raw[name] = ",".join(_text(v) for v in d) if isinstance(d, list) else _text(d)
        else:
            missing.append(name)
    if missing:
        raise StackParameterError(f"Parameters: [{', '.join(missing)}] must have values")
    values: dict[str, Any] = {}
    for name, decl in declared.items():
        ptype: str = decl["Type"]
        text = raw[name]
        if ptype.startswith(SSM_PREFIX):
            inner = ptype[len(SSM_PREFIX) :]
            if ssm_lookup is None:
                raise StackParameterError(f"Parameters [{name}] cannot be resolved: no parameter store")
            try:
                stored = ssm_value(ssm_lookup, text)  # a key, or key:version
            except ParameterStoreMiss as miss:
                if not miss.missing:
                    raise StackParameterError(miss.message) from None
                raise StackParameterError(
                    messages.SSM_PARAMETER_MISSING.format(name=name),
                    hint=f"the local parameter store has no {text}: put it with LocalProvider.put_parameter, "
                    "or create it in a stack (AWS::SSM::Parameter)",
                ) from None
            if "List<" in inner or "CommaDelimitedList" in inner:
                values[name] = [v.strip() for v in stored.split(",")]
            else:
                values[name] = stored
            continue
        if is_list_type(ptype):
            items = [v.strip() for v in text.split(",")] if text != "" else []
            numeric = ptype == "List<Number>"
            for item in items:
                _check_one(name, decl, item, numeric)
            values[name] = items
        else:
            _check_one(name, decl, text, ptype == "Number")
            values[name] = text
    return values, raw


def resolved_values(declared: dict[str, Any], values: dict[str, Any], no_echo: set[str]) -> dict[str, str]:
    """DescribeStacks' ResolvedValue of each SSM parameter type: the Parameter Store value the
    operation used (a NoEcho one is kept masked: it is only ever shown masked)."""
    out = {}
    for name, decl in (declared or {}).items():
        if not isinstance(decl, dict) or not str(decl.get("Type", "")).startswith(SSM_PREFIX):
            continue
        if name in no_echo:
            out[name] = NO_ECHO_MASK
            continue
        value = values.get(name)
        if value is not None:
            out[name] = ",".join(value) if isinstance(value, list) else str(value)
    return out


def without_secrets(raw: dict[str, str], no_echo: set[str] | list[str]) -> dict[str, str]:
    """Parameter values as the state keeps them anywhere but the stack's current values:
    NoEcho ones masked (template versions, change sets, a deleted stack)."""
    if not no_echo:
        return raw
    return {k: NO_ECHO_MASK if k in no_echo else v for k, v in raw.items()}


def no_echo_names(declared: dict[str, Any]) -> set[str]:
    out = set()
    for name, decl in (declared or {}).items():
        flag = decl.get("NoEcho") if isinstance(decl, dict) else None
        if flag is True or (isinstance(flag, str) and flag.lower() == "true"):
            out.add(name)
    return out
