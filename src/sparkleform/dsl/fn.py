"""Intrinsic functions and pseudo parameters as plain functions returning JSON-ready dicts.

Names given to `ref`, `get_att`, `find_in_map`, `condition` and `if_` follow the naming
rule (snake -> CamelCase, a capital means exact); they also take a node, which names itself.

Each helper is named in its function's row of the table of intrinsics
(sparkleform/intrinsics.py: `helper`, and how it takes the function's argument), which is how
`import` knows to write it; tests/test_intrinsics_table.py keeps `__all__` and the table equal.
"""

from __future__ import annotations

from typing import Any

from sparkleform.dsl.names import SnakeName, camel, is_snake
from sparkleform.dsl.node import Node
from sparkleform.errors import TemplateError

__all__ = [
    "AWS",
    "and_",
    "base64",
    "cidr",
    "condition",
    "equals",
    "find_in_map",
    "get_att",
    "get_azs",
    "if_",
    "import_value",
    "join",
    "length",
    "not_",
    "or_",
    "ref",
    "select",
    "split",
    "sub",
    "to_json_string",
    "transform",
]


def name_of(target: Any) -> str:
    """The CloudFormation name of a node or a name written by the naming rule."""
    if isinstance(target, Node):
        return target._name
    if isinstance(target, str) and target:
        return camel(target)
    raise TemplateError(f"expected a name or a template node, got {target!r}")


def ref(target: Any) -> dict[str, str]:
    """{"Ref": name}: a parameter, resource or pseudo parameter (`ref("vpc")`, `ref(vpc)`)."""
    return {"Ref": name_of(target)}


def get_att(target: Any, attribute: str) -> dict[str, list[str]]:
    """{"Fn::GetAtt": [resource, attribute]}; a snake attribute is matched against the
    resource type's schema at compile time (`get_att(lb, "dns_name")` -> DNSName)."""
    if isinstance(target, str) and "." in target and not isinstance(attribute, str):
        raise TemplateError("get_att takes (resource, attribute)")
    if not isinstance(attribute, str) or not attribute:
        raise TemplateError(f"get_att needs an attribute name, got {attribute!r}")
    parts = attribute.split(".")
    attr: str = SnakeName(attribute) if all(is_snake(p) for p in parts) else attribute
    if attribute.startswith("outputs.") or attribute.startswith("Outputs."):
        _head, _, rest = attribute.partition(".")
        attr = "Outputs." + (camel(rest) if is_snake(rest) else rest)
    return {"Fn::GetAtt": [name_of(target), attr]}


def join(delimiter: str, values: Any) -> dict[str, list[Any]]:
    return {"Fn::Join": [delimiter, values]}


def sub(text: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """{"Fn::Sub": text} or, with variables, {"Fn::Sub": [text, {...}]}."""
    if variables is None:
        return {"Fn::Sub": text}
    return {"Fn::Sub": [text, dict(variables)]}


def select(index: int | Any, values: Any) -> dict[str, list[Any]]:
    return {"Fn::Select": [index, values]}


def split(delimiter: str, source: Any) -> dict[str, list[Any]]:
    return {"Fn::Split": [delimiter, source]}


def find_in_map(map_name: Any, top_key: Any, second_key: Any, default: Any = None) -> dict[str, list[Any]]:
    """{"Fn::FindInMap": [map, top, second]} (keys as written); `default` adds DefaultValue."""
    args: list[Any] = [name_of(map_name), top_key, second_key]
    if default is not None:
        args.append({"DefaultValue": default})
    return {"Fn::FindInMap": args}


def get_azs(region: Any = "") -> dict[str, Any]:
    return {"Fn::GetAZs": region}


def base64(value: Any) -> dict[str, Any]:
    return {"Fn::Base64": value}


def cidr(ip_block: Any, count: int | Any, cidr_bits: int | Any) -> dict[str, list[Any]]:
    return {"Fn::Cidr": [ip_block, count, cidr_bits]}


def import_value(name: Any) -> dict[str, Any]:
    return {"Fn::ImportValue": name}


def if_(condition_name: Any, value_if_true: Any, value_if_false: Any) -> dict[str, list[Any]]:
    return {"Fn::If": [name_of(condition_name), value_if_true, value_if_false]}


def equals(a: Any, b: Any) -> dict[str, list[Any]]:
    return {"Fn::Equals": [a, b]}


def _cond(value: Any) -> Any:
    """A condition name (a string) given to And/Or/Not is a {"Condition": name}, as in
    SparkleFormation's `_cf_or`; anything else (an Fn::Equals, ...) is kept."""
    return condition(value) if isinstance(value, str) else value


def and_(*conditions: Any) -> dict[str, list[Any]]:
    """{"Fn::And": [...]}; a string is a condition name: `and_("is_prod", equals(...))`."""
    return {"Fn::And": [_cond(c) for c in conditions]}


def or_(*conditions: Any) -> dict[str, list[Any]]:
    """{"Fn::Or": [...]}; a string is a condition name: `or_("is_prod", "is_dev")`."""
    return {"Fn::Or": [_cond(c) for c in conditions]}


def not_(cond: Any) -> dict[str, list[Any]]:
    """{"Fn::Not": [...]}; a string is a condition name: `not_("is_prod")`."""
    return {"Fn::Not": [_cond(cond)]}


def condition(name: Any) -> dict[str, str]:
    """{"Condition": name}: use a named condition inside And/Or/Not."""
    return {"Condition": name_of(name)}


def length(values: Any) -> dict[str, Any]:
    """Fn::Length (needs Transform AWS::LanguageExtensions)."""
    return {"Fn::Length": values}


def to_json_string(value: Any) -> dict[str, Any]:
    """Fn::ToJsonString (needs Transform AWS::LanguageExtensions)."""
    return {"Fn::ToJsonString": value}


def transform(name: str, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    """{"Fn::Transform": {"Name": name, "Parameters": {...}}}."""
    return {"Fn::Transform": {"Name": name, "Parameters": dict(parameters or {})}}


class _Pseudo:
    """Pseudo parameters: `AWS.region` -> {"Ref": "AWS::Region"}."""

    region = {"Ref": "AWS::Region"}
    account_id = {"Ref": "AWS::AccountId"}
    stack_name = {"Ref": "AWS::StackName"}
    stack_id = {"Ref": "AWS::StackId"}
    partition = {"Ref": "AWS::Partition"}
    url_suffix = {"Ref": "AWS::URLSuffix"}
    no_value = {"Ref": "AWS::NoValue"}
    notification_arns = {"Ref": "AWS::NotificationARNs"}

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        return dict(value) if isinstance(value, dict) else value  # never share one dict


AWS = _Pseudo()
