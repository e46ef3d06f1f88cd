"""The intrinsic function evaluator: Ref, Fn::*, Conditions and pseudo parameters.

An `Evaluator` turns template fragments into plain values, given the stack's parameter
values, pseudo parameters, the template's Mappings and Conditions, and a `Resolver` that
answers Ref/GetAtt for resources and Fn::ImportValue. In planning mode the resolver may
return `UNKNOWN` for values only known after a resource is (re)created; every function
applied to an unknown value yields `UNKNOWN`.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any, Protocol

from sparkleform.engine.cidr import cidr
from sparkleform.engine.errors import TemplateFormatError
from sparkleform.intrinsics import FUNCTIONS, SUB_VARIABLE


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


class _Unknown:
    def __repr__(self) -> str:
        return "{{known after apply}}"


NO_VALUE: Any = _NoValue()
UNKNOWN: Any = _Unknown()

# The functions the evaluator computes: the table's rows marked `engine`, each evaluated
# by the method named after its DSL helper (Fn::GetAtt -> get_att -> Evaluator._get_att).
# Ref is looked up before the others (the commonest call); Condition only inside Conditions.
EVALUATED: dict[str, str] = {
    name: "_" + (row.helper or "").rstrip("_") for name, row in FUNCTIONS.items() if row.engine and name != "Ref"
}

AZ_LETTERS = {
    "us-east-1": "abcdef",
    "us-west-1": "bc",
    "ap-northeast-1": "acd",
    "sa-east-1": "abc",
}


def get_azs(region: str) -> list[str]:
    """Availability zones of a region, as Fn::GetAZs lists them (a default account's view)."""
    return [region + letter for letter in AZ_LETTERS.get(region, "abc")]


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def url_suffix(region: str) -> str:
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


class Resolver(Protocol):
    def ref(self, logical_id: str) -> Any: ...

    def get_att(self, logical_id: str, attribute: str) -> Any: ...

    def import_value(self, name: str) -> Any: ...


def contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def _err(message: str) -> TemplateFormatError:
    return TemplateFormatError(f"Template error: {message}")


def to_text(value: Any) -> str:
    """A scalar as CloudFormation renders it inside strings (booleans lower-case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Evaluator:
    """Evaluates template fragments for one stack operation."""

    def __init__(
        self,
        template: dict,
        parameters: dict[str, Any],
        pseudo: dict[str, Any],
        resolver: Resolver | None = None,
        *,
        region: str = "us-east-1",
    ) -> None:
        self.template = template
        self.parameters = parameters
        self.pseudo = pseudo
        self.resolver = resolver
        self.region = region
        self.mappings = template.get("Mappings") or {}
        self.resources = template.get("Resources") or {}
        self._conditions_src = template.get("Conditions") or {}
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()
        self._fns: dict[str, Callable[[Any], Any]] = {name: getattr(self, method) for name, method in EVALUATED.items()}

    # -- entry points -------------------------------------------------------------
    def resolve(self, node: Any) -> Any:
        if isinstance(node, dict):
            if len(node) == 1:
                key = next(iter(node))
                if key == "Ref":
                    return self._ref(node[key])
                fn = self._fns.get(key)
                if fn is not None:
                    return fn(node[key])
                if key.startswith("Fn::"):
                    raise TemplateFormatError(
                        f"Template format error: Unrecognized function or unsupported transform function '{key}'"
                    )
            out = {}
            for k, v in node.items():
                if isinstance(v, (dict, list)):  # a scalar is its own value: no call for it
                    v = self.resolve(v)
                    if v is NO_VALUE:
                        continue
                out[k] = v
            return out
        if isinstance(node, list):
            out_list = []
            for v in node:
                if isinstance(v, (dict, list)):
                    v = self.resolve(v)
                    if v is NO_VALUE:
                        continue
                out_list.append(v)
            return out_list
        return node

    def condition(self, name: str) -> bool:
        """The value of a named condition (evaluated once; loops are an error)."""
        if name in self._conditions:
            return self._conditions[name]
        if not isinstance(name, str) or name not in self._conditions_src:
            raise TemplateFormatError(f"Template format error: Unresolved condition dependency {name} in Fn::If")
        if name in self._evaluating:
            raise TemplateFormatError(f"Template format error: Circular dependency in Conditions: {name}")
        self._evaluating.add(name)
        try:
            value = self._condition_value(self._conditions_src[name])
        finally:
            self._evaluating.discard(name)
        self._conditions[name] = value
        return value

    def all_conditions(self) -> dict[str, bool]:
        return {name: self.condition(name) for name in self._conditions_src}

    def _condition_value(self, node: Any) -> bool:
        if isinstance(node, dict) and len(node) == 1 and "Condition" in node:
            return self.condition(node["Condition"])
        value = self.resolve(node)
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise _err("Conditions must be boolean (Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition)")

    # -- functions ----------------------------------------------------------------
    def _ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            name = self.resolve(name)
            if not isinstance(name, str):
                raise _err("Ref takes a string")
        if name in self.parameters:
            return self.parameters[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.resources:
            if self.resolver is None:
                return UNKNOWN
            return self.resolver.ref(name)
        raise TemplateFormatError(
            f"Template format error: Unresolved resource dependencies [{name}] in the Resources block of the template"
        )

    def _get_att(self, args: Any) -> Any:
        if isinstance(args, str):
            if "." not in args:
                raise _err(f"Fn::GetAtt {args!r} must be 'Resource.Attribute'")
            logical, attr = args.split(".", 1)
        elif isinstance(args, list) and len(args) == 2:
            logical = args[0]
            attr = self.resolve(args[1])
            if attr is UNKNOWN:
                return UNKNOWN
            if not isinstance(logical, str) or not isinstance(attr, str):
                raise _err("Fn::GetAtt takes [resource, attribute]")
        else:
            raise _err("Fn::GetAtt takes [resource, attribute] or 'Resource.Attribute'")
        if logical not in self.resources:
            raise TemplateFormatError(
                f"Template format error: Unresolved resource dependencies [{logical}] in the Resources block of the template"
            )
        if self.resolver is None:
            return UNKNOWN
        return self.resolver.get_att(logical, attr)

    def _join(self, args: Any) -> Any:
        if not isinstance(args, list) or len(args) != 2:
            raise _err("Fn::Join takes [delimiter, [values]]")
        delim = self.resolve(args[0])
        values = self.resolve(args[1])
        if delim is UNKNOWN or values is UNKNOWN:
            return UNKNOWN
        if not isinstance(values, list):
            raise _err("Fn::Join's second argument must resolve to a list of strings")
        if any(v is UNKNOWN for v in values):
            return UNKNOWN
        for v in values:
            if isinstance(v, (dict, list)):
                raise _err("Fn::Join: every list element must be a string")
        return to_text(delim).join(to_text(v) for v in values)

    def _sub(self, args: Any) -> Any:
        if isinstance(args, str):
            text, variables = args, {}
        elif isinstance(args, list) and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], dict):
            text = args[0]
            variables = {k: self.resolve(v) for k, v in args[1].items()}
        else:
            raise _err("Fn::Sub takes a string or [string, {variables}]")
        unknown = False

        def replace(match: re.Match[str]) -> str:
            nonlocal unknown
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            name = inner.strip()
            if name in variables:
                value = variables[name]
            elif name in self.parameters or name in self.pseudo or (name in self.resources and "." not in name):
                value = self._ref(name)
            elif "." in name:
                logical, attr = name.split(".", 1)
                if logical not in self.resources:
                    raise TemplateFormatError(
                        f"Template format error: Unresolved resource dependencies [{logical}] in the Resources block of the template"
                    )
                value = self._get_att([logical, attr])
            else:
                raise TemplateFormatError(
                    f"Template format error: Unresolved resource dependencies [{name}] in the Resources block of the template"
                )
            if value is UNKNOWN:
                unknown = True
                return ""
            if isinstance(value, list):
                if name in self.parameters:
                    return ",".join(to_text(v) for v in value)
                raise _err(f"Fn::Sub variable ${{{name}}} is a list; only strings can be substituted")
            if isinstance(value, dict):
                raise _err(f"Fn::Sub variable ${{{name}}} must resolve to a string")
            return to_text(value)

        result = SUB_VARIABLE.sub(replace, text)
        return UNKNOWN if unknown else result

    def _select(self, args: Any) -> Any:
        if not isinstance(args, list) or len(args) != 2:
            raise _err("Fn::Select takes [index, list]")
        index = self.resolve(args[0])
        values = self.resolve(args[1])
        if index is UNKNOWN or values is UNKNOWN:
            return UNKNOWN
        try:
            i = int(index)
        except (TypeError, ValueError):
            raise _err("Fn::Select index must be an integer") from None
        if not isinstance(values, list):
            raise _err("Fn::Select requires a list as its second argument")
        if not 0 <= i < len(values):
            raise _err(f"Fn::Select cannot select nonexistent value at index {i}")
        return values[i]

    def _split(self, args: Any) -> Any:
        if not isinstance(args, list) or len(args) != 2:
            raise _err("Fn::Split takes [delimiter, string]")
        delim = self.resolve(args[0])
        text = self.resolve(args[1])
        if delim is UNKNOWN or text is UNKNOWN:
            return UNKNOWN
        if not isinstance(delim, str) or not isinstance(text, str):
            raise _err("Fn::Split takes a string delimiter and a string")
        return text.split(delim)

    def _get_azs(self, arg: Any) -> Any:
        region = self.resolve(arg)
        if region is UNKNOWN:
            return UNKNOWN
        if region and not isinstance(region, str):
            raise _err("Fn::GetAZs takes a region name (or an empty string)")
        return get_azs(region or self.region)

    def _base64(self, arg: Any) -> Any:
        value = self.resolve(arg)
        if value is UNKNOWN:
            return UNKNOWN
        if not isinstance(value, str):
            raise _err("Fn::Base64 takes a string")
        return base64.b64encode(value.encode("utf-8")).decode("ascii")

    def _cidr(self, args: Any) -> Any:
        if not isinstance(args, list) or len(args) != 3:
            raise _err("Fn::Cidr takes [ipBlock, count, cidrBits]")
        values = [self.resolve(a) for a in args]
        if any(v is UNKNOWN for v in values):
            return UNKNOWN
        return cidr(*values)

    def _import_value(self, arg: Any) -> Any:
        name = self.resolve(arg)
        if name is UNKNOWN or self.resolver is None:
            return UNKNOWN
        if not isinstance(name, str):
            raise _err("Fn::ImportValue takes a string")
        return self.resolver.import_value(name)

    def _if(self, args: Any) -> Any:
        if not isinstance(args, list) or len(args) != 3 or not isinstance(args[0], str):
            raise _err("Fn::If takes [condition_name, value_if_true, value_if_false]")
        return self.resolve(args[1] if self.condition(args[0]) else args[2])

    def _length(self, arg: Any) -> Any:
        value = self.resolve(arg)
        if value is UNKNOWN:
            return UNKNOWN
        if not isinstance(value, list):
            raise _err("Fn::Length takes a list")
        return len(value)

    def _to_json_string(self, arg: Any) -> Any:
        value = self.resolve(arg)
        if contains_unknown(value):
            return UNKNOWN
        if not isinstance(value, (dict, list)):
            raise _err("Fn::ToJsonString takes an object or a list")
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def _find_in_map(self, args: Any) -> Any:
        if not isinstance(args, list) or len(args) not in (3, 4):
            raise _err("Fn::FindInMap takes [map, top-level key, second-level key] (and optionally {DefaultValue})")
        default_given = False
        default = None
        if len(args) == 4:
            opt = args[3]
            if not isinstance(opt, dict) or "DefaultValue" not in opt:
                raise _err("Fn::FindInMap's fourth argument must be {DefaultValue: ...}")
            default_given, default = True, opt["DefaultValue"]
        keys = [self.resolve(a) for a in args[:3]]
        if any(k is UNKNOWN for k in keys):
            return UNKNOWN
        name, top, second = (to_text(k) if not isinstance(k, (dict, list)) else k for k in keys)
        mapping = self.mappings.get(name)
        if mapping is None and not default_given:
            raise _err(f"Mapping named '{name}' is not present in the 'Mappings' section of template.")
        level = mapping.get(top) if isinstance(mapping, dict) else None
        value = level.get(second) if isinstance(level, dict) else None
        if value is None:
            if default_given:
                return self.resolve(default)
            raise _err(f"Unable to get mapping for {name}::{top}::{second}")
        return value

    def _equals(self, args: Any) -> Any:
        if not isinstance(args, list) or len(args) != 2:
            raise _err("Fn::Equals takes two values")
        a, b = (self.resolve(x) for x in args)
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN
        return _comparable(a) == _comparable(b)

    def _bools(self, args: Any, fn: str) -> list[bool]:
        if not isinstance(args, list) or not 2 <= len(args) <= 10:
            raise _err(f"{fn} takes between 2 and 10 conditions")
        return [self._condition_value(a) for a in args]

    def _and(self, args: Any) -> bool:
        return all(self._bools(args, "Fn::And"))

    def _or(self, args: Any) -> bool:
        return any(self._bools(args, "Fn::Or"))

    def _not(self, args: Any) -> bool:
        if not isinstance(args, list) or len(args) != 1:
            raise _err("Fn::Not takes a list of one condition")
        return not self._condition_value(args[0])


def _comparable(value: Any) -> Any:
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    return to_text(value)
