"""Trace: for every key of a compiled template, which part set it and where (sfn's `trace`).

The source map already holds the user's file:line for each key; the part is the template,
component, dynamic or registry entry whose function's lines hold that place (the innermost
one), or the built-in resource dynamic that made it. Nothing is recorded while compiling
for this: compile stays as fast as without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sparkleform.dsl.location import display_path
from sparkleform.dsl.parts import Registry
from sparkleform.sourcemap import Location, format_path


@dataclass(frozen=True)
class Row:
    template: str  # the compiled template's name (nested ones: their TemplateURL)
    path: tuple[str | int, ...]
    part: str  # "template web", "component base", "dynamic launch_config", "built-in dynamic ..."
    location: Location | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "path": format_path(self.path),
            "part": self.part,
            "location": str(self.location) if self.location else None,
        }


def _ranges(registry: Registry) -> dict[str, list[tuple[int, int, str]]]:
    """display path -> [(first line, last line, "kind name")] of every registered function."""
    out: dict[str, list[tuple[int, int, str]]] = {}
    seen: set[int] = set()
    for entry in registry.all():
        for layer in entry.layers():
            if id(layer) in seen or not layer.file:
                continue
            seen.add(id(layer))
            label = f"{layer.kind} {layer.name}"
            if "document" in layer.options:
                out.setdefault(display_path(layer.file), []).append((0, 1 << 30, label))
                continue
            code = getattr(layer.fn, "__code__", None)
            if code is None:
                continue
            lines = [line for _s, _e, line in code.co_lines() if line is not None]
            last = max(lines, default=code.co_firstlineno)
            first = min(code.co_firstlineno, layer.line or code.co_firstlineno)
            out.setdefault(display_path(layer.file), []).append((first, last, label))
    return out


def _part(loc: Location | None, ranges: dict[str, list[tuple[int, int, str]]]) -> str:
    if loc is None:
        return "-"
    best: tuple[int, str] | None = None
    for first, last, label in ranges.get(loc.file, ()):
        if first <= loc.line <= last and (best is None or last - first < best[0]):
            best = (last - first, label)
    return best[1] if best else "-"


def _keys(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, dict):
        for key, sub in value.items():
            yield (*path, key)
            yield from _keys(sub, (*path, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            if isinstance(sub, (dict, list)):
                yield from _keys(sub, (*path, i))


def trace(compiled: Any, registry: Registry | None) -> list[Row]:
    """Rows for every key of `compiled` and of its nested templates, in template order."""
    ranges = _ranges(registry) if registry is not None else {}
    rows: list[Row] = []
    _trace_one(compiled, compiled.name, ranges, rows)
    return rows


def _trace_one(compiled: Any, name: str, ranges: dict, rows: list[Row]) -> None:
    builtins = sorted(getattr(compiled, "parts", ()), key=lambda p: -len(p[0]))
    file_part = f"file {display_path(compiled.path)}" if compiled.origin == "file" and compiled.path else None
    for path in _keys(compiled.template, ()):
        loc = compiled.sources.get(path)
        part = file_part or _part(loc, ranges)
        for prefix, where, label in builtins:
            if path[: len(prefix)] == prefix and where == loc:
                part = label
                break
        rows.append(Row(name, path, part, loc))
    for url, child in compiled.nested.items():
        _trace_one(child, url, ranges, rows)
