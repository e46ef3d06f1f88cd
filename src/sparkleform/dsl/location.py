"""Finding the user's file and line that is running a DSL call, cheaply."""

from __future__ import annotations

import os
import sys
from types import FrameType

from sparkleform.sourcemap import Location

_DSL_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_cache: dict[tuple[str, int], Location] = {}


def caller_location() -> Location | None:
    """The first frame outside sparkleform/dsl: the user's line that made this call."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith(_DSL_DIR):
        frame = frame.f_back
    if frame is None:
        return None
    key = (frame.f_code.co_filename, frame.f_lineno)
    loc = _cache.get(key)
    if loc is None:
        loc = _cache[key] = Location(display_path(key[0]), key[1])
    return loc


def display_path(filename: str | os.PathLike) -> str:
    """A path as users read it in messages: relative to the cwd unless that climbs far."""
    filename = os.fspath(filename)
    try:
        rel = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if rel.startswith(".." + os.sep + "..") else rel
