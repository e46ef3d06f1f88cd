"""CloudFormation's properties validation: before a resource handler runs, its resolved
properties are checked against the type's registry schema, and a mismatch fails the
resource with CloudFormation's message ("Properties validation failed for resource X with
message: #: extraneous key [Y] is not permitted"); the service rules (engine.service_rules)
run next.

A validator is compiled once per resource type (closures over the schema, `$ref`s followed
lazily) and cached, so a 500-resource create pays for each type once. Values are read as
CloudFormation reads them: a string "true"/"80" is a valid Boolean/Integer, a number is a
valid String (templates pass every intrinsic's result as a string); dynamic references are
left to the service.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sparkleform.engine import messages
from sparkleform.engine.errors import ResourceFailure
from sparkleform.spec.schemas import get_schema

Problems = list[str]
Validator = Callable[[Any, str, Problems], None]

# Types CloudFormation still provisions outside the registry: they refuse an unknown
# property with "Encountered unsupported property X" and are not validated against a schema.
NON_REGISTRY = frozenset({
    "AWS::ElasticLoadBalancing::LoadBalancer",
    "AWS::CloudFormation::WaitCondition",
    "AWS::CloudFormation::WaitConditionHandle",
    "AWS::SDB::Domain",
})
SKIP = frozenset({"AWS::CloudFormation::Stack", "AWS::CloudFormation::CustomResource"})

_NUMBER = re.compile(r"\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")
_INTEGER = re.compile(r"\s*-?\d+\s*")
_cache: dict[str, tuple[Any, Callable[[str, dict], None] | None]] = {}  # type -> (its schema, validator)


def _found(value: Any) -> str:
    """The Java class name everit's validator (CloudFormation's) reports for a JSON value."""
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "BigDecimal"
    if isinstance(value, dict):
        return "JSONObject"
    if isinstance(value, list):
        return "JSONArray"
    return "String"


def _is_dynamic(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{{resolve:")


def _accepts(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, (str, int, float, bool))
    if kind == "boolean":
        return isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false"))
    if kind == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return True
        return isinstance(value, str) and _INTEGER.fullmatch(value) is not None
    if kind == "number":
        if isinstance(value, bool):
            return False
        return isinstance(value, (int, float)) or (isinstance(value, str) and _NUMBER.fullmatch(value) is not None)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    return True  # "null" and unknown kinds: not CloudFormation's concern here


class _Compiler:
    """Turns one schema into validator closures; `$ref`s are compiled once, on first use."""

    def __init__(self, raw: dict) -> None:
        self.raw = raw
        self.refs: dict[str, Validator] = {}

    def ref(self, pointer: str) -> Validator:
        if pointer not in self.refs:
            compiled: list[Validator] = []
            self.refs[pointer] = lambda v, p, out: compiled[0](v, p, out)  # recursion-safe
            node: Any = self.raw
            for part in pointer.lstrip("#/").split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            compiled.append(self.compile(node))
        return self.refs[pointer]

    def compile(self, node: Any) -> Validator:
        if not isinstance(node, dict):
            return _nothing
        if "$ref" in node and isinstance(node["$ref"], str):
            return self.ref(node["$ref"])
        checks: list[Validator] = []
        kinds = node.get("type")
        if isinstance(kinds, str):
            kinds = [kinds]
        if isinstance(kinds, list) and kinds:
            checks.append(_type_check(tuple(kinds)))
        props = node.get("properties")
        if isinstance(props, dict) or node.get("required") or node.get("additionalProperties") is False:
            checks.append(self._object(node))
        if isinstance(node.get("items"), dict) or isinstance(node.get("maxItems"), int):
            checks.append(self._array(node))
        if isinstance(node.get("maxLength"), int) or isinstance(node.get("minLength"), int):
            checks.append(_length(node.get("minLength"), node.get("maxLength")))
        if not checks:
            return _nothing
        if len(checks) == 1:
            return checks[0]

        def all_of(value: Any, path: str, out: Problems) -> None:
            before = len(out)
            for check in checks:
                check(value, path, out)
                if len(out) > before:  # a wrong type says it all
                    return

        return all_of

    def _object(self, node: dict) -> Validator:
        props = {k: self.compile(v) for k, v in (node.get("properties") or {}).items()}
        required = [r for r in node.get("required") or () if isinstance(r, str)]
        closed = node.get("additionalProperties") is False and bool(props)
        known = frozenset(props)

        def check(value: Any, path: str, out: Problems) -> None:
            if not isinstance(value, dict):
                return
            for key in required:
                if key not in value:
                    out.append(messages.REQUIRED_KEY.format(path=path, key=key))
            for key, item in value.items():
                sub = props.get(key)
                if sub is not None:
                    if not _is_dynamic(item):
                        sub(item, f"{path}/{key}", out)
                elif closed and key not in known:
                    out.append(messages.EXTRANEOUS_KEY.format(path=path, key=key))

        return check

    def _array(self, node: dict) -> Validator:
        item = self.compile(node.get("items"))
        limit = node.get("maxItems") if isinstance(node.get("maxItems"), int) else None

        def check(value: Any, path: str, out: Problems) -> None:
            if not isinstance(value, list):
                return
            if limit is not None and len(value) > limit:
                out.append(messages.MAX_ITEMS.format(path=path, limit=limit, count=len(value)))
            if item is not _nothing:
                for i, v in enumerate(value):
                    item(v, f"{path}/{i}", out)

        return check


def _nothing(value: Any, path: str, out: Problems) -> None:
    return None


_KIND_NAMES = {"string": "String", "boolean": "Boolean", "integer": "Integer", "number": "Number",
               "object": "JSONObject", "array": "JSONArray"}


# the Python types each kind accepts whatever the value (the rest go through `_accepts`)
_PLAIN = {"string": (str, int, float, bool), "integer": (int,), "number": (int, float), "boolean": (bool,),
          "object": (dict,), "array": (list,)}


def _type_check(kinds: tuple[str, ...]) -> Validator:
    expected = ", ".join(_KIND_NAMES.get(k, k) for k in kinds) if len(kinds) > 1 else _KIND_NAMES.get(kinds[0], kinds[0])
    plain = frozenset(t for k in kinds for t in _PLAIN.get(k, ()))

    def check(value: Any, path: str, out: Problems) -> None:
        if type(value) in plain or _is_dynamic(value):  # most values: one set lookup
            return
        for kind in kinds:
            if _accepts(kind, value):
                return
        out.append(messages.EXPECTED_TYPE.format(path=path, expected=expected, found=_found(value)))

    return check


def _length(low: int | None, high: int | None) -> Validator:
    def check(value: Any, path: str, out: Problems) -> None:
        if not isinstance(value, str) or _is_dynamic(value):
            return
        if high is not None and len(value) > high:
            out.append(messages.MAX_LENGTH.format(path=path, limit=high, length=len(value)))
        elif low is not None and len(value) < low:
            out.append(messages.MIN_LENGTH.format(path=path, limit=low, length=len(value)))

    return check


def validator_for(rtype: str) -> Callable[[str, dict], None] | None:
    """`check(logical_id, properties)` raising ResourceFailure, compiled once per type (None: not checked)."""
    schema = get_schema(rtype) if rtype not in SKIP else None
    cached = _cache.get(rtype)
    if cached is not None and cached[0] is schema:  # the same schema (a new schema folder reloads them)
        return cached[1]
    check: Callable[[str, dict], None] | None = None
    if schema is not None and rtype in NON_REGISTRY:
        known = frozenset(schema.raw.get("properties") or {})

        def check(logical: str, props: dict) -> None:
            for key in props:
                if key not in known:
                    raise ResourceFailure(messages.UNSUPPORTED_PROPERTY.format(key=key))
    elif schema is not None:
        root = _Compiler(schema.raw).compile({**schema.raw, "type": "object"})

        def check(logical: str, props: dict) -> None:
            problems: Problems = []
            root(props, "#", problems)
            if problems:
                raise ResourceFailure(
                    messages.PROPERTIES_FAILED.format(logical=logical, problems="\n".join(problems))
                )
    _cache[rtype] = (schema, check)
    return check


def clear_cache() -> None:
    """Forget the compiled validators (after the schema folder changed)."""
    _cache.clear()
