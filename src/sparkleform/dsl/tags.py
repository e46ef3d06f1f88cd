"""`tags(...)`: SparkleFormation's `tags!` — a mapping becomes CloudFormation's tag list —
and what the schemas say about tagging (which types take tags, in which shape).

`tags(...)` returns a `Tags` list of `{"Key", "Value"}` items. Compile knows the resource
it lands in: a type whose schema takes tags as a map gets `{key: value}`, a type whose tag
items need `PropagateAtLaunch` (auto scaling groups) gets it (True unless given), and a type
that takes no tags at all is an error at the user's line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sparkleform.dsl.names import camel


class Tags(list):
    """A tag list made by `tags()`; compile may reshape it for the resource it is set on."""

    __slots__ = ("propagate",)

    def __init__(self, items: list[dict[str, Any]], propagate: bool | None) -> None:
        super().__init__(items)
        self.propagate = propagate


def tags(mapping: Mapping[str, Any] | None = None, /, *, propagate_at_launch: bool | None = None, **named: Any) -> Tags:
    """`tags(environment="prod", team=ref("team"))` -> [{"Key": "Environment", "Value": "prod"}, ...].

    Keyword names follow the naming rule (snake -> CamelCase); keys of a mapping are taken
    exactly as written (`tags({"kubernetes.io/cluster/x": "owned", "team": "web"})`).
    """
    items: list[dict[str, Any]] = []
    for key, value in (mapping or {}).items():
        items.append({"Key": key, "Value": value})
    for key, value in named.items():
        items.append({"Key": camel(key), "Value": value})
    return Tags(items, propagate_at_launch)


def is_taggable(type_name: str) -> bool:
    """Whether the resource type takes tags, by its schema (unknown types: False)."""
    return tag_property(type_name) is not None


def tag_property(type_name: str) -> str | None:
    """The property a type's tags go in (`Tags`, `TagList`, ...), or None if it takes none."""
    from sparkleform.spec import get_schema

    schema = get_schema(type_name)
    if schema is None:
        return None
    tagging = schema.raw.get("tagging")
    if isinstance(tagging, dict):
        if not tagging.get("taggable", True):
            return None
        pointer = tagging.get("tagProperty")
        if isinstance(pointer, str) and pointer.startswith("/properties/"):
            return pointer.split("/")[2]
    return "Tags" if "Tags" in schema.properties else None


def taggable_types() -> list[str]:
    """Every resource type in the schemas that takes tags (reads every schema: slow, for tools)."""
    from sparkleform.spec import resource_types

    return [t for t in resource_types() if is_taggable(t)]


def shape(value: Tags, schema: Any, path: tuple[str, ...]) -> Any:
    """The tag list reshaped for the property at `path` of `schema` (see the module docstring)."""
    sub = schema.property_schema(path) if schema is not None else None
    if sub is None:
        return [dict(item) for item in value]
    if sub.get("type") == "object" or ("patternProperties" in sub and "items" not in sub):
        return {item["Key"]: item["Value"] for item in value}
    item_schema = schema.resolve(sub.get("items", {}))
    needs_propagate = "PropagateAtLaunch" in (item_schema.get("properties") or {})
    out = []
    for item in value:
        item = dict(item)
        if needs_propagate:
            item["PropagateAtLaunch"] = True if value.propagate is None else value.propagate
        out.append(item)
    return out
