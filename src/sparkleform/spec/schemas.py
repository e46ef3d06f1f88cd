"""ResourceSchema: one resource type's schema, with the questions the DSL, checks and
engine ask of it (property names at a path, GetAtt attributes, identifiers).

Schemas are loaded on first use, one file per type, and cached: a template only pays for
the types it uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sparkleform.spec import source

_extra_dirs: list[Path] = []
_index: dict[str, Path] | None = None
_cache: dict[str, ResourceSchema | None] = {}


def norm(name: str) -> str:
    """The case- and underscore-insensitive form names are matched by."""
    return name.replace("_", "").replace("-", "").lower()


def use_schema_dir(folder: str | Path | None) -> None:
    """Add a folder of registry schema files; its types override the bundled ones."""
    global _index
    if folder is None:
        _extra_dirs.clear()
    else:
        source.index_schema_dir(folder)  # validate now, so a bad folder is reported at once
        _extra_dirs.append(Path(folder))
    _index = None
    _cache.clear()


def _type_index() -> dict[str, Path]:
    global _index
    if _index is None:
        idx = dict(source.bundled_index())
        for folder in _extra_dirs:
            idx.update(source.index_schema_dir(folder))
        _index = idx
    return _index


def resource_types() -> list[str]:
    return sorted(_type_index())


def schema_source(type_name: str) -> Path | None:
    return _type_index().get(type_name)


def get_schema(type_name: str) -> ResourceSchema | None:
    """The schema of `type_name`, or None for unknown, custom and third-party types."""
    if type_name in _cache:
        return _cache[type_name]
    path = _type_index().get(type_name) if isinstance(type_name, str) else None
    schema = ResourceSchema(source.read_schema_file(path)) if path else None
    _cache[type_name] = schema
    return schema


def _pointer_names(pointers: Iterable[str]) -> list[str]:
    """["/properties/Arn", "/properties/Endpoint/Address"] -> ["Arn", "Endpoint.Address"]."""
    out = []
    for p in pointers or ():
        parts = [x for x in p.split("/") if x and x != "properties" and x != "*"]
        if parts:
            out.append(".".join(parts))
    return out


class ResourceSchema:
    """A read-only view of one CloudFormation registry schema."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.type_name: str = raw.get("typeName", "")
        self.definitions: dict[str, Any] = raw.get("definitions", {}) or {}
        self.properties: dict[str, Any] = raw.get("properties", {}) or {}
        self.required: list[str] = list(raw.get("required", []) or [])
        self.read_only: list[str] = _pointer_names(raw.get("readOnlyProperties", []))
        self.create_only: list[str] = _pointer_names(raw.get("createOnlyProperties", []))
        self.conditional_create_only: list[str] = _pointer_names(raw.get("conditionalCreateOnlyProperties", []))
        self.write_only: list[str] = _pointer_names(raw.get("writeOnlyProperties", []))
        self.primary_identifier: list[str] = _pointer_names(raw.get("primaryIdentifier", []))
        self._names_cache: dict[tuple[str, ...], dict[str, str] | None] = {}

    def __repr__(self) -> str:
        return f"ResourceSchema({self.type_name!r})"

    # -- attributes -------------------------------------------------------------
    @property
    def attributes(self) -> list[str]:
        """Names Fn::GetAtt may use: the schema's read-only properties, dotted."""
        return self.read_only

    def attribute_schema(self, name: str) -> dict[str, Any]:
        sub = self.property_schema(tuple(name.split(".")))
        return sub or {}

    # -- navigation -------------------------------------------------------------
    def resolve(self, sub: Any) -> dict[str, Any]:
        """Follow local $ref pointers (#/definitions/X) until a concrete subschema."""
        seen = 0
        while isinstance(sub, dict) and "$ref" in sub and seen < 32:
            ref = sub["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/"):
                return {}
            node: Any = self.raw
            for part in ref[2:].split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            sub = node
            seen += 1
        return sub if isinstance(sub, dict) else {}

    def _object_properties(self, sub: dict[str, Any]) -> dict[str, Any]:
        """Properties of an object schema, including those of oneOf/anyOf/allOf branches."""
        props = dict(sub.get("properties", {}) or {})
        for key in ("oneOf", "anyOf", "allOf"):
            for branch in sub.get(key, ()) or ():
                branch = self.resolve(branch)
                for name, val in (branch.get("properties", {}) or {}).items():
                    props.setdefault(name, val)
        return props

    def _step(self, sub: dict[str, Any], key: str) -> dict[str, Any] | None:
        """The subschema of child `key` of an object (through arrays and maps)."""
        sub = self._unwrap_array(sub)
        props = self._object_properties(sub)
        if key in props:
            return self.resolve(props[key])
        n = norm(key)
        for name, val in props.items():
            if norm(name) == n:
                return self.resolve(val)
        pattern = sub.get("patternProperties")
        if isinstance(pattern, dict) and pattern:
            return self.resolve(next(iter(pattern.values())))
        extra = sub.get("additionalProperties")
        if isinstance(extra, dict):
            return self.resolve(extra)
        return None

    def _unwrap_array(self, sub: dict[str, Any]) -> dict[str, Any]:
        for _ in range(4):
            if isinstance(sub.get("items"), dict) and (sub.get("type") == "array" or "properties" not in sub):
                sub = self.resolve(sub["items"])
            else:
                break
        return sub

    def property_schema(self, path: tuple[str, ...]) -> dict[str, Any] | None:
        """The resolved subschema at a property path (("Ebs", "VolumeSize")), or None."""
        sub: dict[str, Any] | None = {"properties": self.properties}
        for key in path:
            if sub is None:
                return None
            sub = self._step(sub, key)
        return sub

    def names_at(self, path: tuple[str, ...]) -> dict[str, str] | None:
        """norm(name) -> canonical name for the object at property `path`.

        None means the object there takes free-form keys (a map), or nothing is known.
        """
        if path in self._names_cache:
            return self._names_cache[path]
        sub = self.property_schema(path)
        result: dict[str, str] | None = None
        if sub is not None:
            sub = self._unwrap_array(sub)
            props = self._object_properties(sub)
            if props:
                result = {norm(name): name for name in props}
        self._names_cache[path] = result
        return result

    def is_free_form(self, path: tuple[str, ...]) -> bool:
        """True where the object at `path` is a map with user-chosen keys (Tags as a map, JSON blobs)."""
        sub = self.property_schema(path)
        if sub is None:
            return True
        sub = self._unwrap_array(sub)
        return not self._object_properties(sub)
