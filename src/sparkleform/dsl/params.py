"""Compile-time parameters: a template's keyword arguments, converted from `--set` strings
by their annotations and checked against their constraints, as SparkleFormation's
compile-time parameters are (`allowed_values`, `allowed_pattern`, `min_length`, ...).

Constraints come from the annotation: `Literal[...]` and enums restrict the values, and
`Annotated[int, Param(min_value=1, max_value=6)]` declares the rest. A required parameter
that was not given is prompted for when sparkleform runs on a terminal, as sfn does.
"""

from __future__ import annotations

import enum
import inspect
import os
import re
import sys
import types
import typing
from dataclasses import dataclass
from typing import Any

from sparkleform.errors import ParameterError

_TRUE = {"1", "true", "yes", "on", "y"}
_FALSE = {"0", "false", "no", "off", "n"}
EMPTY = inspect.Parameter.empty


@dataclass(frozen=True)
class Param:
    """Constraints and help for a compile-time parameter, used inside `Annotated[...]`.

    `min_size`/`max_size` are SparkleFormation's names for `min_value`/`max_value`.
    """

    description: str | None = None
    allowed_values: tuple[Any, ...] | list[Any] | None = None
    allowed_pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    min_size: float | None = None
    max_size: float | None = None
    prompt_when_nested: bool = False


@dataclass
class Spec:
    """One compile-time parameter: its plain annotation, default and constraints."""

    name: str
    annotation: Any
    default: Any
    params: tuple[Param, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is EMPTY


def specs(fn: Any) -> dict[str, Spec]:
    """name -> Spec for a template function's arguments after `t`."""
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception:
        hints = {}
    signature = inspect.signature(fn)
    out: dict[str, Spec] = {}
    for i, (pname, param) in enumerate(signature.parameters.items()):
        if i == 0 or param.kind not in (param.KEYWORD_ONLY, param.POSITIONAL_OR_KEYWORD):
            continue
        annotation = hints.get(pname, param.annotation)
        extras: tuple[Param, ...] = ()
        if typing.get_origin(annotation) is typing.Annotated:
            extras = tuple(x for x in annotation.__metadata__ if isinstance(x, Param))
            annotation = annotation.__origin__
        out[pname] = Spec(pname, annotation, param.default, extras)
    return out


def resolve(template: str, fn: Any, given: dict[str, Any] | None, *, prompt: bool = True) -> dict[str, Any]:
    """The values to call the template with: given ones converted and checked, missing
    required ones prompted for on a terminal (or an error naming them)."""
    spec = specs(fn)
    out: dict[str, Any] = {}
    for key, raw in (given or {}).items():
        if key not in spec:
            known = ", ".join(sorted(spec)) or "none"
            raise ParameterError(f"template {template!r} has no compile-time parameter {key!r} (it takes: {known})")
        out[key] = check(template, spec[key], raw)
    missing = [s for s in spec.values() if s.required and s.name not in out]
    if missing and prompt and can_prompt():
        for s in missing:
            out[s.name] = _ask(template, s)
        missing = []
    if missing:
        names = ", ".join(s.name for s in missing)
        raise ParameterError(f"template {template!r} needs compile-time parameter(s) {names} (--set NAME=VALUE)")
    return out


def can_prompt() -> bool:
    """Prompt only when a person is there: stdin and stderr are terminals."""
    if os.environ.get("SPARKLEFORM_NO_PROMPT"):
        return False
    try:
        return sys.stdin.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _ask(template: str, spec: Spec) -> Any:
    label = f"{template}: compile-time parameter {spec.name} ({describe(spec)})"
    for _attempt in range(3):
        sys.stderr.write(f"{label}: ")
        sys.stderr.flush()
        line = sys.stdin.readline()
        if not line:
            break
        try:
            return check(template, spec, line.rstrip("\r\n"))
        except ParameterError as exc:
            sys.stderr.write(f"{exc}\n")
    raise ParameterError(f"template {template!r} needs compile-time parameter {spec.name} (--set {spec.name}=VALUE)")


def describe(spec: Spec) -> str:
    """A short human description: type, allowed values and bounds."""
    parts = [_type_name(spec.annotation)]
    allowed = _allowed(spec)
    if allowed is not None:
        parts.append("one of " + ", ".join(str(_show(v)) for v in allowed))
    for p in spec.params:
        low, high = _bounds(p)
        if low is not None or high is not None:
            parts.append(f"{'' if low is None else low}..{'' if high is None else high}")
        if p.allowed_pattern:
            parts.append(f"matching {p.allowed_pattern}")
        if p.min_length is not None or p.max_length is not None:
            parts.append(f"length {p.min_length or 0}..{'' if p.max_length is None else p.max_length}")
        if p.description:
            parts.append(p.description)
    return "; ".join(parts)


def check(template: str, spec: Spec, raw: Any) -> Any:
    """`raw` converted (if a string) by the annotation and checked against the constraints."""
    value = convert(template, spec.name, raw, spec.annotation) if isinstance(raw, str) else raw
    where = f"compile-time parameter {spec.name}={_show(raw)!r} of template {template!r}"
    allowed = _allowed(spec)
    if allowed is not None and value not in allowed:
        raise ParameterError(f"{where} is not allowed (allowed: {', '.join(str(_show(v)) for v in allowed)})")
    for p in spec.params:
        low, high = _bounds(p)
        if (low is not None or high is not None) and not isinstance(value, (int, float)):
            raise ParameterError(f"{where} is not a number")
        if low is not None and value < low:
            raise ParameterError(f"{where} is below the minimum {low}")
        if high is not None and value > high:
            raise ParameterError(f"{where} is above the maximum {high}")
        if p.allowed_pattern is not None and not re.fullmatch(p.allowed_pattern, str(value)):
            raise ParameterError(f"{where} does not match {p.allowed_pattern}")
        if p.min_length is not None and len(value) < p.min_length:
            raise ParameterError(f"{where} is shorter than {p.min_length}")
        if p.max_length is not None and len(value) > p.max_length:
            raise ParameterError(f"{where} is longer than {p.max_length}")
    return value


def _bounds(p: Param) -> tuple[Any, Any]:
    return (p.min_value if p.min_value is not None else p.min_size,
            p.max_value if p.max_value is not None else p.max_size)


def _allowed(spec: Spec) -> list[Any] | None:
    allowed: list[Any] | None = None
    annotation = _strip_optional(spec.annotation)
    if typing.get_origin(annotation) is typing.Literal:
        allowed = list(typing.get_args(annotation))
    elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        allowed = list(annotation)
    for p in spec.params:
        if p.allowed_values is not None:
            allowed = [v for v in (allowed or p.allowed_values) if v in p.allowed_values]
    return allowed


def _show(value: Any) -> Any:
    return value.name if isinstance(value, enum.Enum) else value


def _type_name(annotation: Any) -> str:
    if annotation is EMPTY:
        return "str"
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(options) == 1:
            return options[0]
    return annotation


def convert(template: str, key: str, raw: str, annotation: Any) -> Any:
    """A `--set` string converted by the annotation (int, float, bool, str, list[...],
    X | None, Literal[...], an Enum by member name or value)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if raw.lower() in ("none", "null") and len(options) < len(args):
            return None
        annotation = options[0] if len(options) == 1 else str
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    try:
        if annotation in (EMPTY, str, Any):
            return raw
        if annotation is bool:
            low = raw.strip().lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            raise ValueError("expected true or false")
        if annotation in (int, float):
            return annotation(raw)
        if origin is typing.Literal:
            for option in args:
                if str(option) == raw or (isinstance(option, bool) and raw.lower() in (_TRUE if option else _FALSE)):
                    return option
            raise ValueError(f"expected one of {', '.join(map(str, args))}")
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            for member in annotation:
                if raw in (member.name, str(member.value)):
                    return member
            raise ValueError(f"expected one of {', '.join(m.name for m in annotation)}")
        if origin in (list, tuple, typing.Sequence) or annotation in (list, tuple):
            item = args[0] if args else str
            items = [x.strip() for x in raw.split(",") if x.strip()]
            return [convert(template, key, x, item) for x in items]
    except ValueError as exc:
        name = getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")
        raise ParameterError(
            f"compile-time parameter {key}={raw!r} of template {template!r} is not a valid {name}: {exc}"
        ) from exc
    return raw
