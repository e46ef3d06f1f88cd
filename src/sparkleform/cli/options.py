"""Small option parsers shared by verbs (KEY=VALUE lists)."""

from __future__ import annotations

from sparkleform.errors import ParameterError


def parse_pairs(values: tuple[str, ...] | list[str], flag: str) -> dict[str, str]:
    """("a=1", "b=x=y") -> {"a": "1", "b": "x=y"}; a value without '=' is a clear error."""
    out: dict[str, str] = {}
    for item in values:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise ParameterError(f"{flag} {item!r}: expected KEY=VALUE")
        out[key.strip()] = value
    return out
