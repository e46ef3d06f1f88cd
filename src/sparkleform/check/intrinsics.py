"""What intrinsic functions look like: recognising them, finding every call in a template.

A call is a mapping with exactly one key that is `Ref` or starts with `Fn::`
(`Condition` counts too, inside Conditions and condition functions). Values produced by a
call are never judged as literals by the schema rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from sparkleform.sourcemap import Path

# Every function DSL.md exposes, plus Fn::ForEach (AWS::LanguageExtensions) which is
# recognised so it is skipped rather than reported as unknown.
FUNCTIONS = frozenset(
    {
        "Ref",
        "Fn::GetAtt",
        "Fn::Join",
        "Fn::Sub",
        "Fn::Select",
        "Fn::Split",
        "Fn::FindInMap",
        "Fn::GetAZs",
        "Fn::Base64",
        "Fn::Cidr",
        "Fn::ImportValue",
        "Fn::If",
        "Fn::Equals",
        "Fn::And",
        "Fn::Or",
        "Fn::Not",
        "Fn::Length",
        "Fn::ToJsonString",
        "Fn::Transform",
        "Fn::ForEach",
        "Fn::GetStackOutput",
    }
)
# Functions of the Rules section (template constraints checked at deploy time)
RULE_FUNCTIONS = frozenset(
    {"Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn", "Fn::RefAll", "Fn::ValueOf", "Fn::ValueOfAll"}
)
CONDITION_FUNCTIONS = frozenset({"Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition"})
LANGUAGE_EXTENSIONS = frozenset({"Fn::Length", "Fn::ToJsonString", "Fn::ForEach"})


class Call(NamedTuple):
    name: str
    args: Any
    path: Path  # path of the mapping that holds the call


def call_of(value: Any, *, conditions: bool = False) -> tuple[str, Any] | None:
    """(function name, arguments) when `value` is an intrinsic call, else None."""
    if type(value) is dict and len(value) == 1:
        for key, args in value.items():
            if not isinstance(key, str) or key.startswith("Fn::ForEach::"):
                return None
            if key == "Ref" or key.startswith("Fn::") or (conditions and key == "Condition"):
                return key, args
    return None


def is_no_value(value: Any) -> bool:
    return type(value) is dict and len(value) == 1 and value.get("Ref") == "AWS::NoValue"


def may_be_absent(value: Any) -> bool:
    """True if the value is, or may be (one Fn::If branch), AWS::NoValue."""
    if is_no_value(value):
        return True
    call = call_of(value)
    if call and call[0] == "Fn::If" and isinstance(call[1], list) and len(call[1]) == 3:
        return may_be_absent(call[1][1]) or may_be_absent(call[1][2])
    return False


def walk_calls(value: Any, path: Path, *, conditions: bool = False) -> Iterator[Call]:
    """Every intrinsic call in `value`, outermost first, with the path of its mapping.

    Iterative, so deeply nested input cannot exhaust the stack. Arguments of Fn::And,
    Fn::Or, Fn::Not and Fn::If's first slot are condition context.
    """
    stack: list[tuple[Any, Path, bool]] = [(value, path, conditions)]
    while stack:
        node, where, cond = stack.pop()
        kind = type(node)
        if kind is dict:
            call = call_of(node, conditions=cond)
            if call is not None:
                name, args = call
                yield Call(name, args, where)
                inner = cond or name in ("Fn::And", "Fn::Or", "Fn::Not")
                stack.append((args, (*where, name), inner))
                continue
            for key, child in node.items():
                if isinstance(key, str) and key.startswith("Fn::ForEach::"):
                    yield Call("Fn::ForEach", child, (*where, key))
                    continue
                stack.append((child, (*where, key), False))
        elif kind is list:
            for i in range(len(node) - 1, -1, -1):
                stack.append((node[i], (*where, i), cond))


def sub_variables(text: str) -> list[str]:
    """The `${Name}` / `${Res.Attr}` variables of an Fn::Sub string (`${!Literal}` skipped)."""
    out: list[str] = []
    i = 0
    n = len(text)
    while True:
        start = text.find("${", i)
        if start < 0 or start + 2 > n:
            return out
        end = text.find("}", start + 2)
        if end < 0:
            return out
        body = text[start + 2 : end]
        if not body.startswith("!"):
            out.append(body.strip())
        i = end + 1


def sub_parts(args: Any) -> tuple[str | None, dict]:
    """(template string, local variables) of an Fn::Sub call, or (None, {}) if malformed."""
    if isinstance(args, str):
        return args, {}
    if isinstance(args, list) and len(args) == 2 and isinstance(args[0], str):
        return args[0], args[1] if isinstance(args[1], dict) else {}
    return None, {}


def get_att_parts(args: Any) -> tuple[Any, Any] | None:
    """(logical id, attribute) of an Fn::GetAtt call in either form, or None if malformed."""
    if isinstance(args, str):
        head, dot, tail = args.partition(".")
        return (head, tail) if dot and head and tail else None
    if isinstance(args, list) and len(args) == 2:
        return args[0], args[1]
    return None
