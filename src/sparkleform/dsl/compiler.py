"""Compile a template tree into a plain template dict and its SourceMap.

Names are resolved here, not at assignment, so a resource's Type may be set before or
after its properties: inside Properties the type's schema decides each key's spelling.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sparkleform.cfn import SECTION_ORDER
from sparkleform.dsl.names import RESOURCE_ATTRIBUTES, SECTIONS, SnakeName, camel, identity, is_snake
from sparkleform.dsl.node import Node
from sparkleform.dsl.tags import Tags, shape, tag_property
from sparkleform.errors import TemplateError
from sparkleform.sourcemap import Location, SourceMap, format_path

INIT_KEY = "AWS::CloudFormation::Init"


class _Omit:
    """Set as the format version to leave AWSTemplateFormatVersion out."""

    def __repr__(self) -> str:
        return "OMIT"


OMIT = _Omit()

_SNAKE_KEYS: dict[str, bool] = {}  # dict keys seen under Properties: is it a snake name? (a hot path)

# modes: how the keys of a mapping are named
PLAIN, PROPS, VERBATIM, METADATA = 0, 1, 2, 3


class _Compiler:
    __slots__ = ("getatts", "sources")

    def __init__(self) -> None:
        self.sources = SourceMap()
        self.getatts: list[list[Any]] = []

    # -- values ---------------------------------------------------------------------
    def value(self, value: Any, path: tuple, mode: int, schema: Any, ppath: tuple) -> Any:
        if type(value) is str:  # the common leaf first (a SnakeName is a subclass: not here)
            return value
        if isinstance(value, Node):
            return self.mapping(value, path, mode, schema, ppath)
        if isinstance(value, str):
            return str(value) if isinstance(value, SnakeName) else value
        if isinstance(value, Mapping):
            if mode == PROPS and schema is not None:
                return self.props_dict(value, path, schema, ppath)
            return self.raw_dict(value, path)
        if isinstance(value, (list, tuple)):
            return [self.value(v, path + (i,), mode, schema, ppath) for i, v in enumerate(value)]
        return self.scalar(value, path)

    def raw_dict(self, value: Mapping, path: tuple) -> dict[str, Any]:
        out = {}
        for k, v in value.items():
            out[k] = self.raw(v, path + (k,))
        getatt = out.get("Fn::GetAtt")
        if isinstance(getatt, list) and len(getatt) == 2 and isinstance(value.get("Fn::GetAtt"), list):
            original = value["Fn::GetAtt"][1]
            if isinstance(original, SnakeName):
                self.getatts.append([getatt, original.snake])
        return out

    def props_dict(self, value: Mapping, path: tuple, schema: Any, ppath: tuple) -> dict[str, Any]:
        """A dict inside Properties: its snake keys that the schema knows at that place get the
        schema's spelling; other keys, intrinsics and free-form maps are kept as written."""
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
                sub = (*path, key)
                return {key: [self.raw(arg[0], (*sub, 0)),
                              *(self.value(arg[i], (*sub, i), PROPS, schema, ppath) for i in (1, 2))]}
            if key == "Ref" or key == "Condition" or key.startswith("Fn::"):
                return self.raw_dict(value, path)
        candidates = schema.names_at(ppath)
        if candidates is None:
            return self.raw_dict(value, path)
        out = {}
        for k, v in value.items():
            snake = _SNAKE_KEYS.get(k)
            if snake is None:
                snake = is_snake(k)
                if len(_SNAKE_KEYS) < 4096:  # bounded: keys are few in practice
                    _SNAKE_KEYS[k] = snake
            if snake:
                # Only names the schema knows are renamed: a key it does not know is kept as
                # written (as before; the checks report it), so imported templates round-trip.
                k = candidates.get(k.replace("_", "")) or k
            out[k] = self.value(v, (*path, k), PROPS, schema, (*ppath, k))
        return out

    def raw(self, value: Any, path: tuple) -> Any:
        """Plain data inside an assigned dict: keys kept exactly as written."""
        if type(value) is str:
            return value
        if isinstance(value, Node):
            return self.mapping(value, path, VERBATIM, None, ())
        if isinstance(value, Mapping):
            return self.value(value, path, VERBATIM, None, ())
        if isinstance(value, (list, tuple)):
            return [self.raw(v, path + (i,)) for i, v in enumerate(value)]
        if isinstance(value, str):
            return str(value) if isinstance(value, SnakeName) else value
        return self.scalar(value, path)

    def scalar(self, value: Any, path: tuple) -> Any:
        """A leaf value, if a template can hold it: a clear error at the user's line if not."""
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float) and math.isfinite(value):
            return value
        kind = type(value).__name__
        what = f"{value!r}" if isinstance(value, float) else f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} value"
        raise TemplateError(
            f"{format_path(path)}: {what} cannot go in a template; use a string, a finite number, "
            "a boolean, a list or a dict (str() converts most things)",
            location=str(self.sources.get(path) or "") or None,
        )

    def mapping(self, node: Node, path: tuple, mode: int, schema: Any, ppath: tuple) -> dict[str, Any]:
        out: dict[str, Any] = {}
        candidates = schema.names_at(ppath) if mode == PROPS and schema is not None else None
        for slot in node._slots.values():
            name = slot.name
            if slot.exact or mode == VERBATIM:
                key = name
            elif candidates is not None:
                key = candidates.get(name.replace("_", "")) or camel(name)
            else:
                key = camel(name)
            sub = path + (key,)
            if slot.loc is not None:
                self.sources.add(sub, slot.loc)
            if mode == METADATA and key == INIT_KEY:
                out[key] = self.value(slot.value, sub, VERBATIM, None, ())
            elif mode == PROPS and type(slot.value) is Tags:
                out[key] = self.tags(slot.value, schema, ppath + (key,), sub)
            else:
                out[key] = self.value(slot.value, sub, mode, schema, ppath + (key,) if mode == PROPS else ppath)
        return out

    def tags(self, value: Tags, schema: Any, ppath: tuple, path: tuple) -> Any:
        """A `tags()` list in Properties: checked against and shaped for the resource type."""
        if schema is not None and len(ppath) == 1 and tag_property(schema.type_name) is None:
            raise TemplateError(
                f"{format_path(path)}: {schema.type_name} takes no tags",
                location=str(self.sources.get(path) or "") or None,
            )
        return self.value(shape(value, schema, ppath), path, VERBATIM, None, ())

    # -- sections -------------------------------------------------------------------
    def template(self, root: Node) -> dict[str, Any]:
        sections: dict[str, Any] = {}
        for slot in root._slots.values():
            ident = identity(slot.name)
            key = SECTIONS.get(ident, slot.name if slot.exact else camel(slot.name))
            path = (key,)
            if slot.loc is not None:
                self.sources.add(path, slot.loc)
            value = slot.value
            if key == "Resources" and isinstance(value, Node):
                sections[key] = self.resources(value)
            elif key == "Metadata" and isinstance(value, Node):
                sections[key] = self.mapping(value, path, METADATA, None, ())
            elif key == "Outputs" and isinstance(value, Node):
                sections[key] = self.named_entries(value, path)
            elif key in ("Conditions", "Parameters", "Mappings", "Rules") and isinstance(value, Node):
                sections[key] = self.mapping(value, path, PLAIN, None, ())
            elif value is OMIT:
                sections[key] = OMIT
            elif isinstance(value, Node):  # a key of your own (`t.root.simple_template...`)
                sections[key] = self.mapping(value, path, PLAIN, None, ())
            else:
                sections[key] = self.value(value, path, VERBATIM, None, ())
        version = sections.pop("AWSTemplateFormatVersion", "2010-09-09")
        out: dict[str, Any] = {} if version is OMIT else {"AWSTemplateFormatVersion": version}
        for key in SECTION_ORDER[1:]:
            if key in sections:
                out[key] = sections.pop(key)
        out.update(sections)
        self.fix_getatts(out)
        return out

    def named_entries(self, section: Node, path: tuple) -> dict[str, Any]:
        out = self.mapping(section, path, PLAIN, None, ())
        for entry in out.values():
            if isinstance(entry, dict) and isinstance(entry.get("Condition"), str):
                entry["Condition"] = camel(entry["Condition"])
        return out

    def resources(self, section: Node) -> dict[str, Any]:
        from sparkleform.spec import get_schema

        out: dict[str, Any] = {}
        for slot in section._slots.values():
            logical = slot.name if slot.exact else camel(slot.name)
            path = ("Resources", logical)
            if slot.loc is not None:
                self.sources.add(path, slot.loc)
            res = slot.value
            if not isinstance(res, Node):
                out[logical] = self.raw(res, path)
                continue
            type_value = res._get("Type")
            schema = get_schema(type_value) if isinstance(type_value, str) else None
            body: dict[str, Any] = {}
            for attr in res._slots.values():
                ident = identity(attr.name)
                key = attr.name if attr.exact else RESOURCE_ATTRIBUTES.get(ident, camel(attr.name))
                sub = (*path, key)
                if attr.loc is not None:
                    self.sources.add(sub, attr.loc)
                value = attr.value
                if key == "Properties":
                    body[key] = self.value(value, sub, PROPS, schema, ())
                elif key == "Metadata":
                    body[key] = self.value(value, sub, METADATA, None, ())
                elif key == "DependsOn":
                    body[key] = _depends_on(value)
                elif key == "Condition" and isinstance(value, str):
                    body[key] = camel(value)
                else:
                    body[key] = self.value(value, sub, PLAIN, None, ())
            if "Type" in body:
                body = {"Type": body.pop("Type"), **body}
            out[logical] = body
        return out

    def fix_getatts(self, template: dict[str, Any]) -> None:
        """Refine snake GetAtt attributes against the target resource type's schema."""
        if not self.getatts:
            return
        from sparkleform.spec import get_schema, norm

        resources = template.get("Resources", {})
        for getatt, snake in self.getatts:
            res = resources.get(getatt[0]) if isinstance(getatt[0], str) else None
            rtype = res.get("Type") if isinstance(res, dict) else None
            schema = get_schema(rtype) if isinstance(rtype, str) else None
            if schema is None:
                continue
            wanted = norm(snake)
            for attr in schema.attributes:
                if norm(attr) == wanted:
                    getatt[1] = attr
                    break


def _depends_on(value: Any) -> Any:
    from sparkleform.dsl.fn import name_of

    if isinstance(value, (list, tuple)):
        return [name_of(v) for v in value]
    return name_of(value)


def compile_tree(root: Node) -> tuple[dict[str, Any], SourceMap]:
    """The template dict (CloudFormation section order) and where each value came from."""
    compiler = _Compiler()
    doc = compiler.template(root)
    return doc, compiler.sources


__all__ = ["Location", "compile_tree"]
