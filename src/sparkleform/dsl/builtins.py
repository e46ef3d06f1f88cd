"""Built-in resource dynamics: every resource type in the schemas is a dynamic, found by a
suffix of its type name, as in SparkleFormation (`ec2_instance` -> AWS::EC2::Instance,
`s3_bucket` -> AWS::S3::Bucket, `aws_opsworks_instance` -> AWS::OpsWorks::Instance).

A suffix is made of whole parts of the type name (`instance` matches `...::Instance`, never
`...::DBInstance`); a suffix that several types share is an error listing them. User and
pack dynamics of the same name win: the template asks its registry first.
"""

from __future__ import annotations

import difflib
from typing import Any

from sparkleform.dsl.location import caller_location
from sparkleform.dsl.names import camel, is_snake
from sparkleform.dsl.node import Node
from sparkleform.errors import CollectionError, TemplateError

_suffixes: dict[str, list[str]] | None = None


def _index() -> dict[str, list[str]]:
    global _suffixes
    if _suffixes is None:
        from sparkleform.spec import resource_types

        index: dict[str, list[str]] = {}
        for type_name in resource_types():
            parts = type_name.lower().split("::")
            for i in range(len(parts)):
                index.setdefault("".join(parts[i:]), []).append(type_name)
        _suffixes = index
    return _suffixes


def reset() -> None:
    """Forget the suffix index (after `spec.use_schema_dir` adds types)."""
    global _suffixes
    _suffixes = None


def builtin_type(dynamic_name: str) -> str | None:
    """The resource type a built-in dynamic name stands for, or None if no type ends so.

    Raises CollectionError when the suffix is ambiguous, listing the candidates.
    """
    key = dynamic_name.replace("_", "").replace("::", "").lower()
    matches = _index().get(key)
    if not matches:
        return None
    if len(matches) > 1:
        ordered = sorted(matches)
        shown = ", ".join(ordered[:12]) + (", ..." if len(ordered) > 12 else "")
        example = "_".join(_snake_of(p) for p in ordered[0].split("::")[1:])
        raise CollectionError(
            f"dynamic {dynamic_name!r} is ambiguous: {len(ordered)} resource types end so ({shown}); "
            f"name more of the type (e.g. {example!r})"
        )
    return matches[0]


def builtin_entry(dynamic_name: str) -> Any:
    """A registry Entry describing the built-in dynamic `dynamic_name` (for `describe`), or None."""
    from sparkleform.dsl.parts import Entry
    from sparkleform.spec import get_schema, schema_source

    type_name = builtin_type(dynamic_name)
    if type_name is None:
        return None
    schema = get_schema(type_name)
    props = [p for p in (schema.properties if schema else {}) if p not in (schema.read_only if schema else ())]

    def fn(t: Any, name: str, /, *, resource_name_suffix: str | None = None, **properties: Any) -> Node:
        return insert(t, dynamic_name, type_name, name, {"resource_name_suffix": resource_name_suffix, **properties})

    fn.__name__ = fn.__qualname__ = dynamic_name
    fn.__doc__ = (
        f"Built-in dynamic: an {type_name} named `<name>_{dynamic_name}` (or `<name>_<resource_name_suffix>`);\n"
        f"keyword arguments are its properties, in snake or exact form:\n{', '.join(_snake_of(p) for p in props)}."
    )
    path = schema_source(type_name)
    return Entry(dynamic_name, "dynamic", fn, source="built-in", file=str(path) if path else None, line=1,
                 options={"builtin": type_name})


def resource_name(name: str, suffix: str) -> tuple[str, bool]:
    """`web` + `ec2_instance` -> (`web_ec2_instance`, snake); with a capital anywhere, the
    parts are camel-cased and joined exactly (`Web` + `ec2_instance` -> `WebEc2Instance`)."""
    if is_snake(name) and is_snake(suffix):
        return f"{name}_{suffix}", False
    return camel(name) + camel(suffix), True


def insert(t: Any, dynamic_name: str, type_name: str, name: str, config: dict[str, Any]) -> Node:
    """Add the resource `<name>_<suffix>` of `type_name`; keyword arguments are its Properties."""
    from sparkleform.spec import get_schema

    loc = caller_location()
    suffix = config.pop("resource_name_suffix", None) or dynamic_name
    if not isinstance(name, str) or not name:
        raise TemplateError(f"dynamic {dynamic_name!r}: the name must be a non-empty string, not {name!r}")
    key, exact = resource_name(name, str(suffix))
    node = t.resources._child(key, exact, loc)
    node._assign("type", False, type_name, loc)
    t._parts.append((node, loc, f"built-in dynamic {dynamic_name} ({type_name})"))
    if config:
        schema = get_schema(type_name)
        known = schema.names_at(()) if schema is not None else None
        props = node._child("properties", False, loc)
        for prop, value in config.items():
            if known is not None and prop.replace("_", "").lower() not in known:
                raise TemplateError(_unknown(type_name, prop, known), location=str(loc) if loc else None)
            props._assign(prop, not is_snake(prop), value, loc)
    return node


def _unknown(type_name: str, prop: str, known: dict[str, str]) -> str:
    hits = difflib.get_close_matches(prop.replace("_", "").lower(), list(known), n=1, cutoff=0.7)
    hint = f" (did you mean {_snake_of(known[hits[0]])!r}?)" if hits else ""
    return f"{type_name} has no property {prop!r}{hint}"


def _snake_of(cfn: str) -> str:
    import re

    return "_".join(p.lower() for p in re.findall(r"[A-Z]+(?=[A-Z][a-z]|\d|$)|[A-Z]?[a-z0-9]+|\d+", cfn)) or cfn
