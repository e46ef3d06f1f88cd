"""The Condition element: every IAM condition operator, IfExists, ForAllValues/ForAnyValue.

Semantics follow AWS's "IAM JSON policy elements: Condition operators" and "Conditions
with multiple context keys or values":

* operators in a block are ANDed, keys under one operator are ANDed, the values listed for
  one key are ORed, and for a negated operator (StringNotEquals, NotIpAddress, ArnNotLike,
  ...) they are NORed;
* a key absent from the request makes a condition false, except a negated operator
  (true), an ``...IfExists`` operator (true) and ``Null`` (which tests exactly that);
* ``ForAllValues:`` is true when every request value matches (and when the key is absent
  or empty); ``ForAnyValue:`` is true when at least one request value matches (false when
  absent); without a qualifier a multi-valued key matches when any of its values does;
* condition key names are case-insensitive; policy variables are resolved in String*,
  Arn* and Bool values (AWS lists them as supported there, and not for Numeric, Date,
  Binary or IP operators).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from sparkleform.iam.errors import PolicyError
from sparkleform.iam.patterns import arn_regex, glob_regex, has_variables, parse_value, plain_text, resolve

# family name -> (comparison kind, negated, variables supported)
_BASE: dict[str, tuple[str, bool, bool]] = {
    "StringEquals": ("str", False, True),
    "StringNotEquals": ("str", True, True),
    "StringEqualsIgnoreCase": ("stri", False, True),
    "StringNotEqualsIgnoreCase": ("stri", True, True),
    "StringLike": ("like", False, True),
    "StringNotLike": ("like", True, True),
    "NumericEquals": ("num=", False, False),
    "NumericNotEquals": ("num=", True, False),
    "NumericLessThan": ("num<", False, False),
    "NumericLessThanEquals": ("num<=", False, False),
    "NumericGreaterThan": ("num>", False, False),
    "NumericGreaterThanEquals": ("num>=", False, False),
    "DateEquals": ("date=", False, False),
    "DateNotEquals": ("date=", True, False),
    "DateLessThan": ("date<", False, False),
    "DateLessThanEquals": ("date<=", False, False),
    "DateGreaterThan": ("date>", False, False),
    "DateGreaterThanEquals": ("date>=", False, False),
    "Bool": ("bool", False, True),
    "BinaryEquals": ("bin", False, False),
    "IpAddress": ("ip", False, False),
    "NotIpAddress": ("ip", True, False),
    "ArnEquals": ("arn", False, True),
    "ArnNotEquals": ("arn", True, True),
    "ArnLike": ("arn", False, True),
    "ArnNotLike": ("arn", True, True),
    "Null": ("null", False, False),
}
OPERATORS = frozenset(_BASE)


def split_operator(name: str) -> tuple[str | None, str, bool]:
    """'ForAnyValue:StringLikeIfExists' -> ('ForAnyValue', 'StringLike', True)."""
    qualifier = None
    if ":" in name:
        qualifier, _, name = name.partition(":")
        if qualifier not in ("ForAllValues", "ForAnyValue"):
            raise PolicyError(f"unknown condition set operator {qualifier!r} (use ForAllValues or ForAnyValue)")
    if_exists = name.endswith("IfExists") and name != "IfExists"
    base = name[: -len("IfExists")] if if_exists else name
    if base not in _BASE:
        raise PolicyError(f"unknown condition operator {name!r}")
    if base == "Null" and if_exists:
        raise PolicyError("NullIfExists is not a condition operator: Null already tests whether the key exists")
    return qualifier, base, if_exists


def parse_number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def parse_date(text: str) -> float | None:
    """ISO 8601 (date or date-time, UTC unless an offset is given) or epoch seconds."""
    text = text.strip()
    number = parse_number(text)
    if number is not None:
        return float(number)
    try:
        value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def _parse_binary(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _value_text(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise PolicyError(f"{where}: condition values must be strings, numbers or booleans, not {type(value).__name__}")


_NUM_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@dataclass(slots=True)
class Clause:
    """One key under one operator, with its policy values prepared for comparison."""

    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    qualifier: str | None
    base: str
    kind: str
    negated: bool
    if_exists: bool
    key: str  # lowercase
    key_text: str
    values: tuple  # prepared values (static) or parsed parts (with variables)
    dynamic: bool

    def _prepared(self, context: Mapping[str, Sequence[str]]) -> list:
        if not self.dynamic:
            return list(self.values)
        out = []
        for parts in self.values:
            resolved = resolve(parts, context)
            if resolved is not None:
                out.append(_prepare_resolved(self.kind, resolved))
        return out

    def holds(self, context: Mapping[str, Sequence[str]]) -> bool:
        values = context.get(self.key) or ()
        present = bool(values)
        if self.kind == "null":
            return any((v == "true") == (not present) for v in self.values)
        if not present:
            if self.qualifier == "ForAllValues" or self.if_exists:
                return True
            if self.qualifier == "ForAnyValue":
                return False
            return self.negated
        prepared = self._prepared(context)
        kind = self.kind

        def hit(request_value: str) -> bool:
            return any(_compare(kind, request_value, p) for p in prepared)

        if self.qualifier == "ForAllValues":
            return all(hit(v) != self.negated for v in values)
        if self.qualifier == "ForAnyValue":
            return any(hit(v) != self.negated for v in values)
        matched = any(hit(v) for v in values)
        return not matched if self.negated else matched


def _prepare_resolved(kind: str, resolved: tuple[tuple[str, bool], ...]) -> Any:
    if kind == "str":
        return plain_text(resolved)
    if kind == "stri":
        return plain_text(resolved).lower()
    if kind == "bool":
        return plain_text(resolved).lower()
    if kind == "like":
        return glob_regex(resolved)
    return arn_regex(resolved)  # "arn"


def _compare(kind: str, request_value: str, prepared: Any) -> bool:
    if kind == "str":
        return request_value == prepared
    if kind == "stri" or kind == "bool":
        return request_value.lower() == prepared
    if kind == "like" or kind == "arn":
        return prepared.match(request_value) is not None
    if kind.startswith("num"):
        number = parse_number(request_value)
        return number is not None and _NUM_OPS[kind[3:]](number, prepared)
    if kind.startswith("date"):
        when = parse_date(request_value)
        return when is not None and _NUM_OPS[kind[4:]](when, prepared)
    if kind == "bin":
        data = _parse_binary(request_value)
        return data is not None and data == prepared
    if kind == "ip":
        try:
            address = ipaddress.ip_address(request_value.strip())
        except ValueError:
            network = _parse_network(request_value)
            return network is not None and network.version == prepared.version and network.subnet_of(prepared)
        return address.version == prepared.version and address in prepared
    raise AssertionError(kind)


def compile_condition(block: Any, where: str, variables: bool) -> tuple[Clause, ...]:
    """Validate a Condition element and prepare its clauses."""
    if not isinstance(block, Mapping):
        raise PolicyError(f"{where}: Condition must be an object of operator -> {{key: value(s)}}")
    clauses: list[Clause] = []
    for operator, keys in block.items():
        qualifier, base, if_exists = split_operator(str(operator))
        kind, negated, takes_variables = _BASE[base]
        if not isinstance(keys, Mapping) or not keys:
            raise PolicyError(f"{where}: Condition operator {operator!r} must map condition keys to values")
        for key, raw in keys.items():
            raw_values = raw if isinstance(raw, list) else [raw]
            if not raw_values:
                raise PolicyError(f"{where}: condition {operator} {key!r} has an empty list of values")
            texts = [_value_text(v, f"{where}: {operator} {key}") for v in raw_values]
            prepared, dynamic = _prepare_static(kind, texts, variables and takes_variables, where, operator, key)
            clauses.append(
                Clause(
                    operator=str(operator),
                    qualifier=qualifier,
                    base=base,
                    kind=kind,
                    negated=negated,
                    if_exists=if_exists,
                    key=str(key).lower(),
                    key_text=str(key),
                    values=tuple(prepared),
                    dynamic=dynamic,
                )
            )
    return tuple(clauses)


def _prepare_static(kind: str, texts: list[str], variables: bool, where: str, operator: Any, key: Any):
    problem = f"{where}: {operator} {key!r}"
    out: list[Any]
    if kind == "null":
        lowered = [t.lower() for t in texts]
        if any(t not in ("true", "false") for t in lowered):
            raise PolicyError(f"{problem}: Null takes true or false")
        return lowered, False
    if kind.startswith("num"):
        out = [parse_number(t) for t in texts]
        if any(v is None for v in out):
            raise PolicyError(f"{problem}: {texts!r} is not a number")
        return out, False
    if kind.startswith("date"):
        out = [parse_date(t) for t in texts]
        if any(v is None for v in out):
            raise PolicyError(f"{problem}: {texts!r} is not an ISO 8601 date or epoch time")
        return out, False
    if kind == "bin":
        out = [_parse_binary(t) for t in texts]
        if any(v is None for v in out):
            raise PolicyError(f"{problem}: {texts!r} is not base64")
        return out, False
    if kind == "ip":
        out = [_parse_network(t) for t in texts]
        if any(v is None for v in out):
            raise PolicyError(f"{problem}: {texts!r} is not an IP address or CIDR block")
        return out, False
    if kind == "bool" and not variables and any(t.lower() not in ("true", "false") for t in texts):
        raise PolicyError(f"{problem}: Bool takes true or false")
    parsed = [parse_value(t, variables) for t in texts]
    if any(has_variables(p) for p in parsed):
        return parsed, True
    return [_prepare_resolved(kind, ((cast(str, p[0]), True),)) for p in parsed], False


_KEY_OK = re.compile(r"^[A-Za-z0-9_.\-]+:[^\s]+$")


def key_looks_valid(key: str) -> bool:
    """A condition key has the shape prefix:name."""
    return bool(_KEY_OK.match(key))
