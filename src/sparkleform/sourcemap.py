"""Where each value of a compiled template came from: the user's file and line.

A SourceMap maps template paths (tuples of keys and list indexes, in the compiled
template's own key names) to Locations. The DSL fills one while compiling; the YAML/JSON
reader fills one from line numbers. Lookups fall back to the nearest ancestor path, so a
finding deep inside a value still points at the line that set the value.
"""

from __future__ import annotations

from dataclasses import dataclass

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class SourceMap:
    """Template path -> Location, with nearest-ancestor lookup."""

    __slots__ = ("_map",)

    def __init__(self, entries: dict[Path, Location] | None = None) -> None:
        self._map: dict[Path, Location] = dict(entries or {})

    def add(self, path: Path, location: Location) -> None:
        self._map[path] = location

    def get(self, path: Path) -> Location | None:
        """The location that set `path`, or the nearest enclosing value's location."""
        path = tuple(path)
        while True:
            loc = self._map.get(path)
            if loc is not None:
                return loc
            if not path:
                return None
            path = path[:-1]

    def exact(self, path: Path) -> Location | None:
        return self._map.get(tuple(path))

    def __len__(self) -> int:
        return len(self._map)

    def __iter__(self):
        return iter(self._map.items())


def format_path(path: Path) -> str:
    """("Resources", "Web", "Properties", "Tags", 0) -> "Resources.Web.Properties.Tags[0]"."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            out.append(("." if out else "") + str(part))
    return "".join(out)
