"""How a template value reads as a number, the way CloudFormation reads it ("5" is 5, true is not)."""

from __future__ import annotations

from typing import Any


def as_number(value: Any) -> float | None:
    """The number `value` stands for (ints, floats, numeric strings), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None
