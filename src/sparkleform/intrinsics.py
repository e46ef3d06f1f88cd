"""CloudFormation's intrinsic functions as one table, and the one walker of what values refer to.

Every layer that knows a function reads its row here: the checks (argument shapes, where a
function may be used), the YAML reader and writer (short-form tags), the DSL (`dsl/fn.py`'s
helpers) and the importer that reverses it, and the engine's evaluator (which names it
dispatches). A new intrinsic is one new row; tests/test_intrinsics_table.py fails while a
reader knows a function the table does not, or the table promises what a reader lacks.

A row's argument shape is data, a small grammar in the spirit of cfn-lint's
`data/schemas/other/functions/*.json`:

- an atom, one of `ATOMS` ("name": a plain string; "string": a string, number or call;
  "list": a list or a call that can return one; ...);
- `{"atom": A, ...}` the same with options: "message" (what is wrong when this part fails),
  "each" (a shape every item of a literal list must have), "calls" (the only calls allowed);
- `{"items": [S, ...]}` a list of exactly these; "more": optional trailing items, which
  need "transform" (and say "message") when present;
- `{"count": [MIN, MAX], "each": S}` a list of MIN to MAX items of one shape;
- `{"when": {"str": S, "list": S, "dict": S, "*": S}}` the shape chosen by the JSON kind;
- `{"keys": {KEY: S}, "required": [KEY, ...], "open": bool}` a mapping with these keys.

Messages are templates filled with `name` (the function), `args` (its argument), `call`
(a disallowed inner call) and `allowed` (the calls a place allows). A part without a message
reports the row's own.

A leaf: it imports only the ground floor's plain facts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sparkleform.cfn import LANGUAGE_EXTENSIONS as LANGUAGE_EXTENSIONS_TRANSFORM
from sparkleform.sourcemap import Path

# -- what a call refers to --------------------------------------------------------------
# REF: a name Ref accepts (a parameter, a resource or a pseudo parameter); RESOURCE: a
# resource read through Fn::GetAtt; the others name entries of their sections, or exports.
REF = "ref"
RESOURCE = "resource"
CONDITION = "condition"
MAPPING = "mapping"
EXPORT = "export"

# -- where in its argument a function keeps the names it refers to ---------------------
ARGUMENT = "argument"  # the argument is the name (Ref, Condition, Fn::ImportValue)
FIRST = "first"  # the list's first item (Fn::FindInMap's map, Fn::If's condition)
TARGET = "target"  # Fn::GetAtt's resource, in either form
TEXT = "text"  # Fn::Sub's `${X}` / `${X.Attr}` variables (its own variables excepted)

# -- where a function may be used -------------------------------------------------------
ANYWHERE = "anywhere"
RULES_ONLY = "rules"  # the Rules section's own functions
CONDITIONS_ONLY = "conditions"  # condition functions: not in Resources or Outputs
NOT_IN_CONDITIONS = "not-conditions"

# -- the context of a function's arguments ----------------------------------------------
VALUES = "values"  # ordinary values
CONDITIONS = "conditions"  # every argument is a condition (Fn::And, Fn::Or, Fn::Not)
SAME = "same"  # the arguments stay in the caller's context (Fn::If's branches)

# -- YAML node kinds a short-form tag takes ---------------------------------------------
SCALAR = "scalar"
SEQUENCE = "sequence"
MAP = "mapping"
ANY_KIND = frozenset({SCALAR, SEQUENCE, MAP})

# -- how a DSL helper takes the function's argument -------------------------------------
WHOLE = "whole"  # helper(argument)
SPREAD = "spread"  # helper(*argument) for a list argument, helper(argument) for a string
FIELDS = "fields"  # helper(**{snake(key): value}) for a mapping argument


@dataclass(frozen=True)
class Function:
    """One intrinsic function: everything sparkleform knows about it, in one row."""

    name: str
    shape: Any
    message: str  # what the checks say when the arguments do not have the shape
    tag: str | None = None  # YAML short form, without "!"
    tag_kinds: frozenset[str] = ANY_KIND  # the node kinds the tag may carry
    dotted: bool = False  # the tag's scalar form is "A.B" for [A, B] (!GetAtt)
    helper: str | None = None  # the function in dsl/fn.py that writes it
    helper_args: str = WHOLE
    names: tuple[int, ...] = ()  # helper arguments the DSL's naming rule applies to
    options: Mapping[str, str] = field(default_factory=dict)  # a trailing {Key: v} -> helper keyword
    refers: tuple[str, ...] = ()  # what the names in its argument point at
    refers_at: str = ARGUMENT  # where in the argument those names are
    returns: str = "any"  # "string", "list", "number", "boolean" or "any"
    context: str = VALUES
    placement: str = ANYWHERE
    placement_hint: str = ""  # said after "cannot be used in Conditions"
    transform: str | None = None  # the transform the function needs
    engine: bool = False  # the local engine's evaluator computes it
    key_prefix: bool = False  # written as a key prefix (Fn::ForEach::Name), never as a call


_STRING_CALLS = ["Fn::Base64", "Fn::FindInMap", "Fn::If", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::Sub", "Ref"]
_STACK_OUTPUT_VALUE = {"atom": "string", "message": "{name} arguments must be strings"}
_TRANSFORM_ARG = {"keys": {"Name": "name"}, "required": ["Name"], "open": True}

_ROWS: tuple[Function, ...] = (
    Function(
        "Ref", "name", "{name} takes a name (a string)", tag="Ref", tag_kinds=frozenset({SCALAR}),
        helper="ref", names=(0,), refers=(REF,), engine=True,
    ),
    Function(
        "Condition", "name", "{name} takes a name (a string)", tag="Condition", tag_kinds=frozenset({SCALAR}),
        helper="condition", names=(0,), refers=(CONDITION,), returns="boolean",
    ),
    Function(
        "Fn::GetAtt",
        {
            "when": {
                "str": {"atom": "dotted", "message": "Fn::GetAtt as a string must be 'Resource.Attribute'"},
                "list": {"items": ["name", "text"]},
            }
        },
        "Fn::GetAtt takes [LogicalId, AttributeName]",
        tag="GetAtt", tag_kinds=frozenset({SCALAR, SEQUENCE}), dotted=True,
        helper="get_att", helper_args=SPREAD, names=(0,), refers=(RESOURCE,), refers_at=TARGET, engine=True,
    ),
    Function(
        "Fn::Join",
        {
            "items": [
                "name",
                {
                    "atom": "list",
                    "each": "scalar",
                    "message": "Fn::Join values must be strings or functions returning strings",
                },
            ]
        },
        "Fn::Join takes [delimiter, [values...]]",
        tag="Join", tag_kinds=frozenset({SEQUENCE}), helper="join", helper_args=SPREAD, returns="string", engine=True,
    ),
    Function(
        "Fn::Sub",
        {"when": {"str": "any", "list": {"items": ["name", "map"]}}},
        "Fn::Sub takes a string or [string, {Variable: value}]",
        tag="Sub", tag_kinds=frozenset({SCALAR, SEQUENCE}), helper="sub", helper_args=SPREAD,
        refers=(REF, RESOURCE), refers_at=TEXT, returns="string", engine=True,
    ),
    Function(
        "Fn::Select", {"items": ["index", "list"]}, "Fn::Select takes [index, [values...]]",
        tag="Select", tag_kinds=frozenset({SEQUENCE}), helper="select", helper_args=SPREAD, engine=True,
    ),
    Function(
        "Fn::Split", {"items": ["name", "string"]}, "Fn::Split takes [delimiter, string]",
        tag="Split", tag_kinds=frozenset({SEQUENCE}), helper="split", helper_args=SPREAD, returns="list", engine=True,
    ),
    Function(
        "Fn::FindInMap",
        {
            "items": ["string", "string", "string"],
            "more": [{"atom": "map", "required": ["DefaultValue"]}],
            "transform": LANGUAGE_EXTENSIONS_TRANSFORM,
            "message": "Fn::FindInMap with a DefaultValue needs Transform: AWS::LanguageExtensions",
        },
        "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]",
        tag="FindInMap", tag_kinds=frozenset({SEQUENCE}), helper="find_in_map", helper_args=SPREAD, names=(0,),
        options={"DefaultValue": "default"}, refers=(MAPPING,), refers_at=FIRST, engine=True,
    ),
    Function(
        "Fn::GetAZs",
        {
            "when": {
                "str": {"atom": "region", "message": "Fn::GetAZs takes a region name or '' (the stack's region), not {args!r}"},
                "*": "string",
            }
        },
        "Fn::GetAZs takes a region name",
        tag="GetAZs", tag_kinds=frozenset({SCALAR, MAP}), helper="get_azs", returns="list",
        placement=NOT_IN_CONDITIONS, engine=True,
    ),
    Function(
        "Fn::Base64", "string", "{name} takes a string",
        tag="Base64", helper="base64", returns="string", engine=True,
    ),
    Function(
        "Fn::Cidr", {"items": ["string", "string", "string"]}, "Fn::Cidr takes [ipBlock, count, cidrBits]",
        tag="Cidr", tag_kinds=frozenset({SEQUENCE}), helper="cidr", helper_args=SPREAD, returns="list",
        placement=NOT_IN_CONDITIONS, engine=True,
    ),
    Function(
        "Fn::ImportValue",
        {
            "atom": "string",
            "calls": _STRING_CALLS,
            "message": "Fn::ImportValue cannot take {call} (only {allowed})",
        },
        "Fn::ImportValue takes a string",
        tag="ImportValue", tag_kinds=frozenset({SCALAR, MAP}), helper="import_value", refers=(EXPORT,), returns="string",
        placement=NOT_IN_CONDITIONS, engine=True,
    ),
    Function(
        "Fn::GetStackOutput",
        {
            "keys": {
                "StackName": _STACK_OUTPUT_VALUE,
                "OutputName": _STACK_OUTPUT_VALUE,
                "Region": _STACK_OUTPUT_VALUE,
                "RoleArn": _STACK_OUTPUT_VALUE,
            },
            "required": ["StackName", "OutputName"],
        },
        "Fn::GetStackOutput takes {StackName, OutputName[, Region, RoleArn]}",
        tag="GetStackOutput",
    ),
    Function(
        "Fn::If", {"items": ["name", "any", "any"]}, "Fn::If takes [ConditionName, value if true, value if false]",
        tag="If", tag_kinds=frozenset({SEQUENCE}), helper="if_", helper_args=SPREAD, names=(0,), refers=(CONDITION,),
        refers_at=FIRST, context=SAME, placement=NOT_IN_CONDITIONS, placement_hint=" (use Fn::And / Fn::Or / Fn::Not)", engine=True,
    ),
    Function(
        "Fn::Equals", {"items": ["any", "any"]}, "Fn::Equals takes [value, value]",
        tag="Equals", tag_kinds=frozenset({SEQUENCE}), helper="equals", helper_args=SPREAD, returns="boolean",
        placement=CONDITIONS_ONLY, engine=True,
    ),
    *(
        Function(
            name,
            {
                "count": [2, 10],
                "message": "{name} takes a list of 2 to 10 conditions",
                "each": {"atom": "condition", "message": "{name} takes conditions (Fn::Equals, Condition, ...), not plain values"},
            },
            "{name} takes a list of 2 to 10 conditions",
            tag=name[4:], tag_kinds=frozenset({SEQUENCE}), helper=name[4:].lower() + "_", helper_args=SPREAD,
            returns="boolean", context=CONDITIONS, placement=CONDITIONS_ONLY, engine=True,
        )
        for name in ("Fn::And", "Fn::Or")
    ),
    Function(
        "Fn::Not", {"items": ["condition"]}, "Fn::Not takes a list of exactly one condition",
        tag="Not", tag_kinds=frozenset({SEQUENCE}), helper="not_", helper_args=SPREAD, returns="boolean",
        context=CONDITIONS, placement=CONDITIONS_ONLY, engine=True,
    ),
    Function(
        "Fn::Length", "list", "Fn::Length takes a list",
        tag="Length", helper="length", returns="number", transform=LANGUAGE_EXTENSIONS_TRANSFORM, engine=True,
    ),
    Function(
        "Fn::ToJsonString", "collection", "Fn::ToJsonString takes a map or a list",
        tag="ToJsonString", helper="to_json_string", returns="string", transform=LANGUAGE_EXTENSIONS_TRANSFORM,
        engine=True,
    ),
    Function(
        "Fn::ForEach", "any", "Fn::ForEach takes [Identifier, Collection, {OutputKey: OutputValue}]",
        transform=LANGUAGE_EXTENSIONS_TRANSFORM, key_prefix=True,
    ),
    Function(
        "Fn::Transform",
        {"when": {"list": {"count": [1, None], "each": _TRANSFORM_ARG}, "*": _TRANSFORM_ARG}},
        "Fn::Transform takes {Name: macro, Parameters: {...}}",
        tag="Transform", tag_kinds=frozenset({MAP}), helper="transform", helper_args=FIELDS,
    ),
    # The Rules section's functions (template constraints checked when a stack is deployed).
    *(
        Function(name, {"items": ["any", "any"]}, "{name} takes two arguments", tag=name[4:], returns=returns,
                 placement=RULES_ONLY)
        for name, returns in (
            ("Fn::Contains", "boolean"),
            ("Fn::EachMemberEquals", "boolean"),
            ("Fn::EachMemberIn", "boolean"),
            ("Fn::ValueOf", "any"),
            ("Fn::ValueOfAll", "list"),
        )
    ),
    Function("Fn::RefAll", "name", "Fn::RefAll takes a parameter type", tag="RefAll", returns="list", placement=RULES_ONLY),
)

FUNCTIONS: dict[str, Function] = {row.name: row for row in _ROWS}
BY_TAG: dict[str, Function] = {row.tag: row for row in _ROWS if row.tag}
BY_HELPER: dict[str, Function] = {row.helper: row for row in _ROWS if row.helper}

# Functions written without the "Fn::" prefix; `Condition` is a call only in condition context.
BARE = frozenset(name for name in FUNCTIONS if not name.startswith("Fn::"))


def needs_language_extensions(name: str) -> bool:
    row = FUNCTIONS.get(name)
    return row is not None and row.transform == LANGUAGE_EXTENSIONS_TRANSFORM


# -- recognising calls ------------------------------------------------------------------
class Call(NamedTuple):
    name: str
    args: Any
    path: Path  # path of the mapping that holds the call


def call_of(value: Any, *, conditions: bool = False) -> tuple[str, Any] | None:
    """(function name, arguments) when `value` is an intrinsic call, else None.

    A call is a mapping with one key that is `Ref` or starts with `Fn::` (`Condition` too,
    in condition context); `Fn::ForEach::Name` is a loop key, not a call."""
    if type(value) is dict and len(value) == 1:
        for key, args in value.items():
            if not isinstance(key, str) or key.startswith("Fn::ForEach::"):
                return None
            if key == "Ref" or key.startswith("Fn::") or (conditions and key == "Condition"):
                return key, args
    return None


_CONDITION_ARGS = frozenset(row.name for row in _ROWS if row.context == CONDITIONS)


def walk_calls(value: Any, path: Path, *, conditions: bool = False) -> Iterator[Call]:
    """Every intrinsic call in `value`, outermost first, with the path of its mapping.

    Iterative, so deeply nested input cannot exhaust the stack. The arguments of functions
    whose context is CONDITIONS are condition context (and stay so further in).
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
                stack.append((args, (*where, name), cond or name in _CONDITION_ARGS))
                continue
            for key, child in node.items():
                if isinstance(key, str) and key.startswith("Fn::ForEach::"):
                    yield Call("Fn::ForEach", child, (*where, key))
                    continue
                stack.append((child, (*where, key), False))
        elif kind is list:
            for i in range(len(node) - 1, -1, -1):
                stack.append((node[i], (*where, i), cond))


# -- Fn::Sub and Fn::GetAtt arguments ---------------------------------------------------
# `${Name}`, `${Resource.Attribute}`; a body starting with "!" is the literal `${...}`.
SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def sub_variables(text: str) -> list[str]:
    """The `${Name}` / `${Res.Attr}` variables of an Fn::Sub string (`${!Literal}` skipped)."""
    return [body.strip() for body in SUB_VARIABLE.findall(text) if not body.startswith("!")]


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


# -- what one call names ----------------------------------------------------------------
def _names_whole(args: Any, refers: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(refers[0], args)] if isinstance(args, str) else []


def _names_first(args: Any, refers: tuple[str, ...]) -> list[tuple[str, str]]:
    if isinstance(args, list) and args and isinstance(args[0], str):
        return [(refers[0], args[0])]
    return []


def _names_get_att(args: Any, refers: tuple[str, ...]) -> list[tuple[str, str]]:
    parts = get_att_parts(args)
    return [(RESOURCE, parts[0])] if parts is not None and isinstance(parts[0], str) else []


def _names_sub(args: Any, refers: tuple[str, ...]) -> list[tuple[str, str]]:
    text, local = sub_parts(args)
    if text is None:
        return []
    out = []
    for body in SUB_VARIABLE.findall(text):
        if body.startswith("!"):
            continue
        var = body.strip()
        if var in local:
            continue
        head, dot, _attr = var.partition(".")
        out.append((RESOURCE, head) if dot else (REF, var))
    return out


_EXTRACT: dict[str, Callable[[Any, tuple[str, ...]], list[tuple[str, str]]]] = {
    ARGUMENT: _names_whole,
    FIRST: _names_first,
    TARGET: _names_get_att,
    TEXT: _names_sub,
}
# function -> how to read the names it refers to, for the rows that refer to something
_NAMES = {row.name: (_EXTRACT[row.refers_at], row.refers) for row in _ROWS if row.refers}
_NONE: list[tuple[str, str]] = []  # shared, never changed: what a call that names nothing names


def call_targets(name: str, args: Any) -> Sequence[tuple[str, str]]:
    """(what, name) for each name this one call refers to, not looking into nested calls.

    `what` is REF (Ref, `${X}`), RESOURCE (Fn::GetAtt, `${X.Attr}`), CONDITION, MAPPING or
    EXPORT, as the function's row says. Fn::Sub's own variables are not references; a
    malformed call names nothing."""
    found = _NAMES.get(name)
    if found is None:
        return _NONE
    extract, refers = found
    return extract(args, refers)


# The dependency walker's view: for the functions that can name a resource (Ref, Fn::GetAtt,
# Fn::Sub), add the names among `names` straight to the result (no pairs built on this hot path).
def _add_argument(args: Any, names: Container[str], out: set[str]) -> None:
    if type(args) is str and args in names:
        out.add(args)


def _add_target(args: Any, names: Container[str], out: set[str]) -> None:
    for _what, name in _names_get_att(args, ()):
        if name in names:
            out.add(name)


def sub_references(args: Any, names: Container[str], out: set[str]) -> None:
    """Add to `out` the members of `names` that a Fn::Sub's text refers to (`${X}`,
    `${X.Attr}`; not `${!X}` nor Sub's own variables). Its variables' values are not looked
    into (the caller walks them)."""
    _add_text(args, names, out)


def _add_text(args: Any, names: Container[str], out: set[str]) -> None:
    for _what, name in _names_sub(args, ()):
        if name in names:
            out.add(name)


_ADD = {ARGUMENT: _add_argument, TARGET: _add_target, TEXT: _add_text}
_RESOURCE_NAMES = {
    row.name: _ADD[row.refers_at] for row in _ROWS if REF in row.refers or RESOURCE in row.refers
}


def references(node: Any, names: Container[str], out: set[str] | None = None) -> set[str]:
    """The members of `names` (resource logical ids, usually) that `node` refers to through
    Ref, Fn::GetAtt or Fn::Sub (`${X}`, `${X.Attr}`, not `${!X}` or Sub's own variables),
    wherever they sit in it (both branches of every Fn::If). Adds to `out` when given."""
    if out is None:
        out = set()
    if type(node) is dict:
        if len(node) == 1:
            key, args = next(iter(node.items()))
            if key == "Ref" and type(args) is str:  # the commonest call, inline (_add_argument)
                if args in names:
                    out.add(args)
                return out
            add = _RESOURCE_NAMES.get(key)
            if add is not None:
                add(args, names, out)
                if type(args) is dict or type(args) is list:
                    references(args, names, out)  # GetAtt's attribute, Sub's variables may hold calls
                return out
        for v in node.values():
            if type(v) is dict or type(v) is list:  # scalars refer to nothing: no call for them
                references(v, names, out)
    elif type(node) is list:
        for v in node:
            if type(v) is dict or type(v) is list:
                references(v, names, out)
    return out


# -- argument shapes --------------------------------------------------------------------
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_DEFAULT = "\x00default"  # "use the row's own message"
Check = Callable[[Any, bool], str | None]  # (value, language extensions) -> problem


def _is_call(value: Any) -> bool:
    return call_of(value, conditions=True) is not None


def _stringish(value: Any) -> bool:
    return (isinstance(value, (str, int, float)) and not isinstance(value, bool)) or _is_call(value)


_STRING_RESULTS = frozenset(name for name, row in FUNCTIONS.items() if row.returns == "string")


def _listish(value: Any) -> bool:
    call = call_of(value)
    if call is not None:
        return call[0] not in _STRING_RESULTS
    return isinstance(value, list)


def _index(value: Any) -> bool:
    if _is_call(value):
        return True
    if isinstance(value, (bool, float)):
        return False
    try:
        return int(value) >= 0
    except (TypeError, ValueError):
        return False


ATOMS: dict[str, Callable[[Any], bool]] = {
    "any": lambda v: True,
    "name": lambda v: isinstance(v, str),
    "text": lambda v: isinstance(v, str) or _is_call(v),
    "string": _stringish,
    "scalar": lambda v: not isinstance(v, (list, dict)) or _is_call(v),
    "list": _listish,
    "map": lambda v: isinstance(v, dict),
    "collection": lambda v: isinstance(v, (dict, list)),
    "condition": _is_call,
    "index": _index,
    "dotted": lambda v: isinstance(v, str) and "." in v.strip("."),
    "region": lambda v: isinstance(v, str) and (not v or _REGION.match(v) is not None),
}


_KINDS: dict[type, str] = {str: "str", list: "list", dict: "dict"}


def _json_kind(value: Any) -> str:
    kind = _KINDS.get(type(value))
    if kind is not None:
        return kind
    return "str" if isinstance(value, str) else "list" if isinstance(value, list) else "dict" if isinstance(value, dict) else "other"


def _as_dict(shape: Any) -> dict:
    return {"atom": shape} if isinstance(shape, str) else shape


def _plain(shape: Any) -> bool:
    """An atom with no options but perhaps a message: a test and nothing else."""
    return set(_as_dict(shape)) <= {"atom", "message"}


def _compile(shape: Any) -> Check:
    """A function that says what is wrong with a value of this shape (a message, _DEFAULT, None)."""
    if isinstance(shape, str):
        shape = {"atom": shape}
    message = shape.get("message", _DEFAULT)
    if _plain(shape):
        test_only = ATOMS[shape["atom"]]

        def plain(value: Any, le: bool) -> str | None:
            return None if test_only(value) else message

        return plain
    if "items" in shape and not shape.get("more") and all(_plain(s) and "message" not in _as_dict(s) for s in shape["items"]):
        # the common case (Fn::If, Fn::Equals, Fn::Join's delimiter...): a fixed list of plain atoms
        count = len(shape["items"])
        tests = tuple((i, ATOMS[_as_dict(s)["atom"]]) for i, s in enumerate(shape["items"]) if _as_dict(s)["atom"] != "any")

        def plain_items(value: Any, le: bool) -> str | None:
            if not isinstance(value, list) or len(value) != count:
                return _DEFAULT
            for i, test in tests:
                if not test(value[i]):
                    return _DEFAULT
            return None

        return plain_items
    if "atom" in shape:
        test = ATOMS[shape["atom"]]
        each = _compile(shape["each"]) if "each" in shape else None
        allowed = tuple(shape.get("calls", ()))
        required = tuple(shape.get("required", ()))

        def atom(value: Any, le: bool) -> str | None:
            if allowed:
                inner = call_of(value)
                if inner is not None and inner[0] not in allowed:
                    return message.replace("{call}", inner[0]).replace("{allowed}", ", ".join(allowed))
            if not test(value):
                return _DEFAULT if allowed or each else message
            if required and not all(k in value for k in required):
                return _DEFAULT
            if each is not None and isinstance(value, list):
                for item in value:
                    if each(item, le) is not None:
                        return message
            return None

        return atom
    if "items" in shape:
        items = [_compile(s) for s in shape["items"]]
        more = [_compile(s) for s in shape.get("more", ())]
        transform = shape.get("transform")

        def fixed(value: Any, le: bool) -> str | None:
            if not isinstance(value, list) or not len(items) <= len(value) <= len(items) + len(more):
                return _DEFAULT
            for check, item in zip(items + more, value, strict=False):
                problem = check(item, le)
                if problem is not None:
                    return problem
            if len(value) > len(items) and transform and not le:
                return message
            return None

        return fixed
    if "count" in shape:
        low, high = shape["count"]
        each = _compile(shape["each"])

        def counted(value: Any, le: bool) -> str | None:
            if not isinstance(value, list) or len(value) < low or (high is not None and len(value) > high):
                return message
            for item in value:
                problem = each(item, le)
                if problem is not None:
                    return problem
            return None

        return counted
    if "when" in shape:
        choices = {kind: _compile(s) for kind, s in shape["when"].items()}
        fallback = choices.get("*")

        def chosen(value: Any, le: bool) -> str | None:
            check = choices.get(_json_kind(value), fallback)
            return _DEFAULT if check is None else check(value, le)

        return chosen
    if "keys" in shape:
        keys = {k: _compile(s) for k, s in shape["keys"].items()}
        required = tuple(shape.get("required", ()))
        open_ = shape.get("open", False)
        listed = ", ".join(keys)

        def mapping(value: Any, le: bool) -> str | None:
            if not isinstance(value, dict):
                return _DEFAULT
            missing = [k for k in required if k not in value]
            extra = [] if open_ else [k for k in value if k not in keys]
            if missing or extra:
                if open_:
                    return _DEFAULT
                what = f"needs {', '.join(missing)}" if missing else f"has no argument {extra[0]}"
                return f"{{name}} {what} (it takes {listed})"
            for key, item in value.items():
                check = keys.get(key)
                if check is not None and (problem := check(item, le)) is not None:
                    return problem
            return None

        return mapping
    raise ValueError(f"not a shape: {shape!r}")


# function -> (its compiled shape check, the transform it needs, its message)
_CHECKS: dict[str, tuple[Check, str | None, str]] = {row.name: (_compile(row.shape), row.transform, row.message) for row in _ROWS}


def shape_problem(name: str, args: Any, language_extensions: bool = False) -> str | None:
    """What is wrong with the arguments of one call (a message for the user), or None.

    A function that needs a transform the template does not declare is reported as such;
    an unknown function has no shape to break."""
    found = _CHECKS.get(name)
    if found is None:
        return None
    check, transform, message = found
    if transform and not language_extensions:
        return f"{name} needs Transform: {transform}"
    problem = check(args, language_extensions)
    if problem is None:
        return None
    text = message if problem == _DEFAULT else problem
    if "{" not in text:
        return text
    return text.replace("{name}", name).replace("{args!r}", repr(args))
