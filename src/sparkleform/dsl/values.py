"""Turning values that may hold nodes into plain JSON-ready data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def plain(value: Any) -> Any:
    """A deep copy of `value` with nodes turned into dicts (names by the plain rule)."""
    from sparkleform.dsl.node import Node

    if isinstance(value, Node):
        return value._data()
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
